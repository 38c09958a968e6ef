import * as z from 'zod';
import type { DynamoTable } from './dynamo-table.js';
import { ConflictError } from './errors.js';
import { parseData } from './item-data.js';
import { keys } from './keys.js';

const RejectSample = z.object({ family: z.string(), reason: z.string(), record: z.string().optional() });
export const CollectionRunSchema = z.object({
  source: z.string(),
  kind: z.string(),
  /** The families this run was limited to (absent: every family the source offers); its window covers only them. */
  families: z.array(z.string()).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  status: z.enum(['ok', 'partial', 'failed']),
  window: z.object({ from: z.string(), to: z.string() }),
  counts: z.record(z.string(), z.number()),
  snapshots: z.object({ written: z.number(), unchanged: z.number(), superseded: z.number() }),
  rejects: z.object({ count: z.number(), samples: z.array(RejectSample) }),
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
  lastAttemptStatus: z.enum(['ok', 'partial', 'failed']),
  lastSuccessAt: z.string().optional(),
  /** The end of the window the last successful collection covered: data is complete up to here. */
  collectedThrough: z.string().optional(),
  lastError: z.string().optional(),
  /** What the source cannot give, as its last successful run declared it. */
  unavailable: z.record(z.string(), z.string()).optional(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

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
      const rev = typeof item?.rev === 'number' ? item.rev : undefined;
      const status = foldRun(previous, run);
      const condition = !item
        ? { expression: 'attribute_not_exists(pk)' }
        : rev === undefined
          ? { expression: 'attribute_not_exists(#rev)', names: { '#rev': 'rev' } }
          : { expression: '#rev = :seen', names: { '#rev': 'rev' }, values: { ':seen': rev } };
      try {
        await this.table.put(
          { ...key, type: 'source-status', rev: (rev ?? 0) + 1, data: JSON.stringify(status) },
          condition,
        );
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
    for await (const item of this.table.query(keys.collectionRunsOf(source).pk, { descending: true, limit }))
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
  return {
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
