import type { ReadSummary } from '../sources/reader.js';

/** How one source's read ended, whoever read it (collection, `export`, `check-source`). */
export type SourceOutcomeStatus = 'ok' | 'degraded' | 'failed';

/** What a user is told about one source's read: a collection run has this shape, and `export` builds one. */
export interface SourceOutcome {
  source: string;
  status: SourceOutcomeStatus;
  counts: Record<string, number>;
  rejects: ReadSummary['rejects'];
  notes: string[];
  errors: string[];
}

const SAMPLES_SHOWN = 3;

/**
 * The status of a read from what it gave: `failed` with errors, `degraded` with rejects or a possibly cut answer
 * (`incomplete`), else `ok`. The one rule collection, export and check-source share.
 */
export function outcomeStatus(errors: readonly string[], summary: Pick<ReadSummary, 'rejects' | 'incomplete'>) {
  if (errors.length) return 'failed' as const;
  return summary.rejects.count || summary.incomplete?.length ? ('degraded' as const) : ('ok' as const);
}

/**
 * The lines a user sees about one source (`export`, `backfill`, and `start` alike): its status with what it gave and
 * how many records it rejected, a few rejected examples, then every note and every error, each on its own line.
 * `label` names the source as the command does; `extra` adds what only that command knows (snapshots written).
 */
export function sourceStatusLines(o: SourceOutcome, opts: { label?: string; extra?: string } = {}): string[] {
  const counts =
    Object.entries(o.counts)
      .map(([family, n]) => `${n} ${family}`)
      .join(', ') || 'nothing';
  const byFamily = Object.entries(o.rejects.byFamily ?? {})
    .filter(([, n]) => n > 0)
    .map(([family, n]) => `${family} ${n}`)
    .join(', ');
  const head = [
    `${opts.label ?? o.source}: ${o.status}`,
    counts,
    ...(opts.extra ? [opts.extra] : []),
    `${o.rejects.count} rejected${byFamily ? ` (${byFamily})` : ''}`,
  ].join('; ');
  return [
    head,
    ...o.rejects.samples.slice(0, SAMPLES_SHOWN).map((s) => `  rejected ${s.family}: ${s.reason}`),
    ...o.notes.map((n) => `  note: ${n}`),
    ...o.errors.map((e) => `  error: ${e}`),
  ];
}
