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
  /** The families asked for, when only some were (a collection run's `families`). */
  families?: readonly string[];
  /** The families the source offers (a collection run's `offered`). */
  offered?: readonly string[];
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
  // Families asked of a source that does not map them (a query source without costs): said, not "ok; nothing".
  const notMapped = o.offered ? (o.families ?? []).filter((f) => !o.offered!.includes(f)) : [];
  if (notMapped.length && o.status !== 'failed' && notMapped.length === o.families!.length)
    return [
      `${opts.label ?? o.source}: not mapped by this source (${notMapped.join(', ')}; it gives ${o.offered!.join(', ') || 'nothing'})`,
    ];
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
    ...(notMapped.length ? [`  note: ${notMapped.join(', ')} not mapped by this source`] : []),
    ...o.notes.map((n) => `  note: ${n}`),
    ...o.errors.map((e) => `  error: ${e}`),
  ];
}
