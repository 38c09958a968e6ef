import { DaySnapshotBuilder, mergeCases } from '../domain/day-snapshot.js';
import {
  SnapshotPayloadBinaryDecoders,
  SnapshotPayloadSchemas,
  snapshotForStore,
} from '../store/formats/snapshot-payload.js';
import { localDay, localDaysOf, zonedTime } from '../domain/periods.js';
import type { Family } from '../domain/day-snapshot.js';
import type { Config } from '../config/config.js';
import { significantRule } from '../domain/settings.js';
import { openSource } from '../sources/open-source.js';
import type { SecretResolver } from '../sources/secrets.js';
import { unmappedFamily, type ReadSummary, type SourceReader } from '../sources/reader.js';
import type { CollectionRun } from '../store/collection-run-store.js';
import type { PutOutcome } from '../store/snapshot-store.js';
import type { CollectionRunRecorder, SnapshotReader, SnapshotWriter } from './ports.js';
import { outcomeStatus } from './source-status.js';

export interface CollectDeps {
  /** Days written, and a stored day read back to merge closures of its older cases into. */
  snapshots: SnapshotWriter & SnapshotReader;
  runs: CollectionRunRecorder;
  now: () => Date;
}

export interface CollectRequest {
  source: string;
  kind: string;
  /** Opens the source (secrets, connection, tools check); a failure here is a failed run like any other. */
  open: () => Promise<SourceReader>;
  tz: string;
  /** Collect from the start of this local day (default: `windowDays` before today). */
  fromDay?: string;
  windowDays?: number;
  /**
   * Collect only these families (default: every family the source offers). `socpulse start` reaches back to the
   * fiscal year start for costs and shifts only, so the budget report is whole without reading a year of alerts.
   */
  families?: readonly Family[];
  /** Days of the roster (shifts) read ahead of now, so next week's rota is stored (default 14). */
  aheadDays?: number;
  onProgress?: (event: { family: string; records: number }) => void;
  /** Which cases keep their title in snapshots (config `significantIncidents`); default: the default rule. */
  keepTitle?: (sev: string, esc: number | undefined) => boolean;
}

/** The trailing window DESIGN.md asks for: 35 days re-read each time, so late closures update earlier days. */
export const DEFAULT_WINDOW_DAYS = 35;

/** The roster is read this far ahead of now: the staffing look ahead (issue 15) needs next week's published rota. */
export const DEFAULT_AHEAD_DAYS = 14;

/**
 * How configured source `name` is collected, whoever asks (the schedule, `backfill`, `start`): its kind, how it is
 * opened with `secrets`, the SOC's time zone, which case titles are kept and its trailing window.
 */
export function configuredSource(
  config: Config,
  name: string,
  secrets: SecretResolver,
): Pick<CollectRequest, 'source' | 'kind' | 'open' | 'tz' | 'keepTitle' | 'windowDays'> {
  const server = config.mcpServers[name];
  if (!server) throw new Error(`unknown source "${name}" (configured: ${Object.keys(config.mcpServers).join(', ')})`);
  return {
    source: name,
    kind: server.kind,
    open: () => openSource(name, server, { secrets }),
    tz: config.timezone,
    keepTitle: significantRule(config),
    windowDays: server.windowDays,
  };
}

/**
 * Collect one source:
 * 1. open it and read every family it offers for the window, which starts at a local midnight so no day is half-read;
 * 2. fail the read when a family the source answered records of mapped none of them (every one a reject): its days
 *    would otherwise be stored as "0 cases";
 * 3. only when the whole read succeeded, upsert one snapshot per (family, day) — a failed read writes nothing, so a
 *    broken source never turns into zeros — and merge closures of older cases into their creation days;
 * 4. record the run (counts, rejects with samples, errors, notes) and roll it into the source's status: `failed`
 *    with errors, `degraded` when records were rejected or an answer may have been cut (its window in the notes), else
 *    `ok`.
 */
export async function collectSource(deps: CollectDeps, req: CollectRequest): Promise<CollectionRun> {
  const started = deps.now();
  const to = started.getTime();
  const firstDay = req.fromDay ?? localDay(to - (req.windowDays ?? DEFAULT_WINDOW_DAYS) * 86_400_000, req.tz);
  const [y, m, d] = firstDay.split('-').map(Number) as [number, number, number];
  const from = zonedTime(y, m, d, req.tz);
  const days = localDaysOf({ label: '', kind: 'day', start: from, end: to, tz: req.tz });
  const counts: Record<string, number> = {};
  const outcomes: Record<PutOutcome, number> = { written: 0, unchanged: 0, superseded: 0 };
  const errors: string[] = [];
  const notes: string[] = [];
  let reader: SourceReader | undefined;
  const put = async (family: string, periodKey: string, payload: unknown) => {
    // Cases and alerts are stored as binary columns, cases with their open count, latest close and tail, so
    // reports read only what a period can need and decode it fast.
    const stored = snapshotForStore(family, periodKey, payload, req.tz);
    outcomes[
      await deps.snapshots.put<unknown>({
        family,
        periodKey,
        source: req.source,
        collectedAt: started.toISOString(),
        ...stored,
      })
    ]++;
  };
  try {
    reader = await req.open();
    const families = req.families
      ? new Set([...reader.families].filter((f) => req.families!.includes(f)))
      : reader.families;
    const builder = new DaySnapshotBuilder(req.tz, days, families, req.keepTitle);
    const seen: Record<string, number> = {};
    const emptyPages: Record<string, number> = {};
    for await (const batch of reader.read({ from: new Date(from), to: new Date(to), families })) {
      // An adapter that cannot read a subset reads everything: what was not asked for is not written.
      if (!families.has(batch.family)) continue;
      counts[batch.family] = (counts[batch.family] ?? 0) + batch.records.length;
      // A page whose records were all rejected: the rejects counted since this family's previous page.
      const rejected = reader.summary().rejects.byFamily?.[batch.family] ?? 0;
      if (batch.records.length === 0 && rejected > (seen[batch.family] ?? 0))
        emptyPages[batch.family] = (emptyPages[batch.family] ?? 0) + 1;
      seen[batch.family] = rejected;
      builder.add(batch.family, batch.records);
      req.onProgress?.({ family: batch.family, records: batch.records.length });
    }
    for (const [family, pages] of Object.entries(emptyPages))
      notes.push(`${pages} page(s) of ${family} mapped nothing: every record on them was rejected`);
    // Only the families read count: an adapter that read others too had those batches skipped above.
    const { rejects } = reader.summary();
    const byFamily =
      rejects.byFamily &&
      Object.fromEntries(Object.entries(rejects.byFamily).filter(([f]) => families.has(f as Family)));
    const unmapped = unmappedFamily({ ...rejects, byFamily }, counts);
    if (unmapped) throw new NothingMappedError(req.source, unmapped);
    // The roster ahead: shifts that start after now, up to the end of the local day `aheadDays` on. Today's later
    // shifts join today's snapshot; each later day gets its own (empty when nothing is rostered: the rota says so).
    if (families.has('shifts') && (req.aheadDays ?? DEFAULT_AHEAD_DAYS) > 0) {
      const [ty, tm, td] = localDay(to + (req.aheadDays ?? DEFAULT_AHEAD_DAYS) * 86_400_000, req.tz)
        .split('-')
        .map(Number) as [number, number, number];
      const aheadEnd = zonedTime(ty, tm, td + 1, req.tz); // the end of that local day
      const aheadDays = localDaysOf({ label: '', kind: 'day', start: to, end: aheadEnd, tz: req.tz }).slice(1);
      const ahead = new DaySnapshotBuilder(req.tz, aheadDays, new Set(['shifts']));
      const window = { from: new Date(to), to: new Date(aheadEnd), families: new Set(['shifts'] as const) };
      for await (const batch of reader.read(window)) {
        if (batch.family !== 'shifts') continue;
        // Shifts already under way were read with the window; only those starting from now on are new here.
        const records = (batch.records as { start: string }[]).filter((s) => Date.parse(s.start) >= to);
        counts.shiftsAhead = (counts.shiftsAhead ?? 0) + records.length;
        builder.add('shifts', records);
        ahead.add('shifts', records);
      }
      for (const s of [...builder.snapshots(), ...ahead.snapshots()]) await put(s.family, s.periodKey, s.payload);
    } else for (const s of builder.snapshots()) await put(s.family, s.periodKey, s.payload);
    const neverStored = new Map<string, number>();
    for (const [day, updates] of builder.olderCases) {
      const [stored] = await deps.snapshots
        .list('cases', day, day, SnapshotPayloadSchemas.cases, {
          binary: SnapshotPayloadBinaryDecoders.cases,
        })
        .then((all) => all.filter((s) => s.source === req.source));
      // A day never collected is left alone: writing it from a few updated cases would pass a partial day off as
      // whole (and make it count as collected). The run's notes keep the trace; a backfill from that day stores it.
      if (stored) await put('cases', day, { cases: mergeCases(stored.payload.cases, updates) });
      else neverStored.set(day, updates.length);
    }
    if (neverStored.size) notes.push(olderCasesNote(neverStored));
  } catch (e) {
    errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } finally {
    await reader?.close().catch(() => undefined);
  }
  const summary: ReadSummary = reader?.summary() ?? { rejects: { count: 0, samples: [] }, notes: [] };
  const run: CollectionRun = {
    source: req.source,
    kind: req.kind,
    ...(req.families ? { families: [...req.families] } : {}),
    startedAt: started.toISOString(),
    finishedAt: deps.now().toISOString(),
    status: outcomeStatus(errors, summary),
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    ...(reader ? { offered: [...reader.families] } : {}),
    counts,
    snapshots: outcomes,
    rejects: summary.rejects,
    errors,
    notes: [...(summary.incomplete ?? []), ...summary.notes, ...notes],
    ...(summary.unavailable ? { unavailable: summary.unavailable } : {}),
  };
  await deps.runs.record(run);
  return run;
}

/** A read where a family's records were all rejected: nothing of it mapped, so nothing of the run is stored. */
export class NothingMappedError extends Error {
  override name = 'NothingMappedError';
  constructor(
    readonly source: string,
    readonly detail: string,
  ) {
    super(`source ${source}: ${detail}; nothing was stored`);
  }
}

/** The trace of closure updates for cases whose creation day was never collected (so has no snapshot to merge into). */
function olderCasesNote(days: Map<string, number>): string {
  const sorted = [...days].sort(([a], [b]) => (a < b ? -1 : 1));
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  const shown = sorted.slice(0, 10).map(([d, n]) => `${d} (${n})`);
  const more = sorted.length > shown.length ? ` and ${sorted.length - shown.length} more day(s)` : '';
  return `updates of ${total} case(s) created on days never collected were not stored: ${shown.join(', ')}${more}; backfill from the first of those days to include them`;
}
