import * as z from 'zod';
import type { SourceCoverage } from '../domain/coverage.js';
import type { DynamoTable } from './dynamo-table.js';
import { ConflictError, CorruptItemError } from './errors.js';
import { parseData } from './item-data.js';
import { keys } from './keys.js';

/**
 * How a collection ended: `ok`; `degraded` — it succeeded, but some records could not be mapped (rejects, with
 * samples), so its days may lack them; `failed` — nothing was written, including a read where every record the
 * source answered was rejected.
 */
export const COLLECTION_STATUSES = ['ok', 'degraded', 'failed'] as const;
export type CollectionStatus = (typeof COLLECTION_STATUSES)[number];

const RejectSample = z.object({ family: z.string(), reason: z.string(), record: z.string().optional() });
const Interval = z.object({ from: z.string(), to: z.string() });
export const CollectionRunSchema = z.object({
  source: z.string(),
  kind: z.string(),
  /** The families this run was limited to (absent: every family the source offers); its window covers only them. */
  families: z.array(z.string()).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(COLLECTION_STATUSES),
  window: Interval,
  /** The families the source offers (absent when it never opened). */
  offered: z.array(z.string()).optional(),
  counts: z.record(z.string(), z.number()),
  snapshots: z.object({ written: z.number(), unchanged: z.number(), superseded: z.number() }),
  rejects: z.object({
    count: z.number(),
    samples: z.array(RejectSample),
    byFamily: z.record(z.string(), z.number()).optional(),
  }),
  errors: z.array(z.string()),
  notes: z.array(z.string()),
  /** METRICS.md kpi keys the source cannot give, each with what a reader sees instead (ReadSummary.unavailable). */
  unavailable: z.record(z.string(), z.string()).optional(),
});
export type CollectionRun = z.infer<typeof CollectionRunSchema>;

/** What a report needs to know about a source: when it last collected, and whether the latest attempt failed. */
export const SourceStatusSchema = z.object({
  source: z.string(),
  kind: z.string(),
  lastAttemptAt: z.string(),
  lastAttemptStatus: z.enum(COLLECTION_STATUSES),
  lastSuccessAt: z.string().optional(),
  /** The end of the window the last successful collection covered: data is complete up to here. */
  collectedThrough: z.string().optional(),
  lastError: z.string().optional(),
  /** What the source cannot give, as its last successful run declared it. */
  unavailable: z.record(z.string(), z.string()).optional(),
  /** The families the source offers, as its latest opened read said. */
  families: z.array(z.string()).optional(),
  /**
   * Per family, the instants successful collections read, as disjoint intervals oldest first: the union of their
   * windows. What no interval covers is missing for this source ("no data for …"), never zero.
   */
  covered: z.record(z.string(), z.array(Interval)),
  /** How many records the latest attempt rejected (a degraded source says so in reports). */
  lastRejects: z.number(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

/**
 * The coverage of each configured source (all when `configured` is undefined) from its status, for the engine;
 * undefined when a source succeeded without saying which families it offers (a run recorded without `offered`):
 * then nothing is judged missing until its next collection.
 */
export function coverageOf(statuses: SourceStatus[], configured?: readonly string[]): SourceCoverage[] | undefined {
  const mine = statuses.filter((s) => !configured || configured.includes(s.source));
  if (mine.some((s) => s.lastSuccessAt && !s.families)) return undefined;
  return mine.map((s) => ({
    source: s.source,
    families: s.families ?? [],
    covered: Object.fromEntries(
      Object.entries(s.covered).map(([family, list]) => [
        family,
        list.map((i) => [Date.parse(i.from), Date.parse(i.to)] as const),
      ]),
    ),
    failing: s.lastAttemptStatus === 'failed',
  }));
}

/** True when a run's data was stored: `ok` or `degraded` (succeeded with rejects). */
export function succeeded(status: CollectionStatus): boolean {
  return status !== 'failed';
}

/** Collection-run records (one per run per source) and the per-source status they roll up into. */
export class DynamoCollectionRunStore {
  constructor(private readonly table: DynamoTable) {}

  /**
   * Record a finished run and fold it into the source's status. The status write is conditional on the revision read
   * and retried on a lost race, and the fold only moves forward: a run that finishes late (an older Lambda invocation,
   * a retried schedule) never sets the last success, the data horizon or the latest attempt back in time.
   */
  async record(run: CollectionRun): Promise<void> {
    await this.table.put({
      ...keys.collectionRun(run.source, run.startedAt),
      type: 'collection-run',
      status: run.status,
      data: JSON.stringify(run),
    });
    const key = keys.sourceStatus(run.source);
    for (let attempt = 0; attempt < 10; attempt++) {
      const item = await this.table.get(key);
      const previous = item ? parseData(item, SourceStatusSchema) : undefined;
      if (item && typeof item.rev !== 'number') throw new CorruptItemError(`${key.pk} ${key.sk}: rev is not a number`);
      const rev = item ? (item.rev as number) : 0;
      const status = foldRun(previous, run);
      const condition = !item
        ? { expression: 'attribute_not_exists(pk)' }
        : { expression: '#rev = :seen', names: { '#rev': 'rev' }, values: { ':seen': rev } };
      try {
        await this.table.put({ ...key, type: 'source-status', rev: rev + 1, data: JSON.stringify(status) }, condition);
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError(`source status ${run.source}: too many concurrent writers`);
  }

  /** Latest runs of one source, newest first. */
  async runs(source: string, limit = 10): Promise<CollectionRun[]> {
    const out: CollectionRun[] = [];
    const opts = Number.isFinite(limit) ? { descending: true, limit } : { descending: true };
    for await (const item of this.table.query(keys.collectionRunsOf(source).pk, opts))
      out.push(parseData(item, CollectionRunSchema));
    return out;
  }

  /** The status of one source; undefined when it never ran. */
  async status(source: string): Promise<SourceStatus | undefined> {
    const item = await this.table.get(keys.sourceStatus(source));
    return item ? parseData(item, SourceStatusSchema) : undefined;
  }

  /** The status of every source that ever ran. */
  async statuses(): Promise<SourceStatus[]> {
    const out: SourceStatus[] = [];
    for await (const item of this.table.query(keys.allSourceStatuses().pk))
      out.push(parseData(item, SourceStatusSchema));
    return out;
  }
}

/** The union of intervals as disjoint intervals, oldest first; touching or overlapping ones become one. */
function mergeIntervals(intervals: { from: string; to: string }[]): { from: string; to: string }[] {
  const sorted = intervals
    .map((i) => [Date.parse(i.from), Date.parse(i.to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out.map(([a, b]) => ({ from: new Date(a).toISOString(), to: new Date(b).toISOString() }));
}

function maxIso(a: string | undefined, b: string): string {
  return a && a > b ? a : b;
}

/** A source's status after one more run, whatever order runs finish in (pure: the store retries it on a race). */
export function foldRun(previous: SourceStatus | undefined, run: CollectionRun): SourceStatus {
  // A failed run keeps the last success: "last collected" must stay true when the source is down.
  const succeeded = run.status !== 'failed';
  // The latest attempt is the one that finished last, not the one recorded last.
  const latest = !previous || run.finishedAt >= previous.lastAttemptAt;
  const lastSuccessAt = succeeded ? maxIso(previous?.lastSuccessAt, run.finishedAt) : previous?.lastSuccessAt;
  const newestSuccess = succeeded && (!previous?.lastSuccessAt || run.finishedAt >= previous.lastSuccessAt);
  const collectedThrough = succeeded ? maxIso(previous?.collectedThrough, run.window.to) : previous?.collectedThrough;
  // The window covers the families a run read: those it was limited to, else all the source offers. Intervals only
  // grow, so an older run recorded late still adds what it read.
  const covered: Record<string, { from: string; to: string }[]> = { ...(previous?.covered ?? {}) };
  const offered = run.offered ?? previous?.families ?? [];
  if (succeeded)
    for (const family of run.families ?? run.offered ?? offered)
      covered[family] = mergeIntervals([...(covered[family] ?? []), run.window]);
  for (const family of offered) covered[family] ??= [];
  const families = latest ? (run.offered ?? previous?.families) : previous.families;
  return {
    covered,
    ...(families ? { families } : {}),
    lastRejects: latest ? run.rejects.count : previous.lastRejects,
    source: run.source,
    kind: latest ? run.kind : previous.kind,
    lastAttemptAt: latest ? run.finishedAt : previous.lastAttemptAt,
    lastAttemptStatus: latest ? run.status : previous.lastAttemptStatus,
    ...(lastSuccessAt ? { lastSuccessAt } : {}),
    ...(collectedThrough ? { collectedThrough } : {}),
    // What the source cannot give, as its newest successful run declared it.
    ...((newestSuccess ? run.unavailable : previous?.unavailable)
      ? { unavailable: newestSuccess ? run.unavailable : previous?.unavailable }
      : {}),
    ...((latest ? run.errors[0] : previous.lastError)
      ? { lastError: latest ? run.errors[0] : previous.lastError }
      : {}),
  };
}
