import * as z from 'zod';
import type { DynamoTable, Item } from './dynamo-table.js';
import { ConflictError, CorruptItemError } from './errors.js';
import { keys, type Key } from './keys.js';
import { parseData } from './item-data.js';

const Delivery = z.object({ messageId: z.string(), sentAt: z.string() });
export const ReportRunSchema = z.object({
  runId: z.string(),
  runbook: z.string(),
  period: z.string(),
  /** `schedule` runs are keyed by period alone (the exactly-once key); on-demand runs get their own key. */
  trigger: z.enum(['schedule', 'on-demand']),
  status: z.enum(['queued', 'claimed', 'delivered', 'failed', 'no-data-sent', 'dry-run']),
  requestedBy: z.string().optional(),
  recipients: z.array(z.string()),
  deliveries: z.record(z.string(), Delivery),
  attempts: z.number().int(),
  rev: z.number().int(),
  claimId: z.string().optional(),
  leaseUntil: z.number().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.string().optional(),
  notes: z.array(z.string()).default([]),
});
export type ReportRun = z.infer<typeof ReportRunSchema>;

export type ClaimOutcome =
  | { outcome: 'claimed'; run: ReportRun }
  | { outcome: 'already-delivered'; run: ReportRun }
  | { outcome: 'in-progress'; run: ReportRun };

/** The sort key of a run: the period for scheduled runs; period plus run id for on-demand ones. */
export function reportRunKey(run: Pick<ReportRun, 'period' | 'trigger' | 'runId'>): string {
  return run.trigger === 'schedule' ? run.period : `${run.period}#on-demand#${run.runId}`;
}

/**
 * Report-run records: the exactly-once claim on (runbook, period). Every write is conditional on the revision read,
 * so a run can be advanced only by whoever holds its lease, and two invocations can never both send.
 */
export class DynamoReportRunStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly leaseMs = 10 * 60_000,
  ) {}

  /** Record a queued on-demand run (API or CLI trigger) and its run-id pointer; the report function claims it later. */
  async enqueue(run: Omit<ReportRun, 'status' | 'deliveries' | 'attempts' | 'rev' | 'notes'>): Promise<ReportRun> {
    const full: ReportRun = { ...run, status: 'queued', deliveries: {}, attempts: 0, rev: 0, notes: [] };
    const key = keys.reportRun(run.runbook, reportRunKey(run));
    await this.table.put(toItem(key, full), { expression: 'attribute_not_exists(pk)' });
    await this.table.put({ ...keys.runIdPointer(run.runId), runbook: run.runbook, runKey: reportRunKey(run) });
    return full;
  }

  /**
   * Claim a run for sending. A fresh period creates the run; a delivered run is left alone; a run whose lease is live
   * belongs to someone else; a queued, failed or expired run is taken over, keeping its earlier deliveries.
   */
  async claim(
    init: Pick<ReportRun, 'runId' | 'runbook' | 'period' | 'trigger' | 'recipients'> & { requestedBy?: string },
    claimId: string,
    now: Date,
  ): Promise<ClaimOutcome> {
    const key = keys.reportRun(init.runbook, reportRunKey(init));
    const at = now.toISOString();
    const fresh: ReportRun = {
      ...init,
      status: 'claimed',
      deliveries: {},
      attempts: 1,
      rev: 1,
      claimId,
      leaseUntil: now.getTime() + this.leaseMs,
      createdAt: at,
      updatedAt: at,
      notes: [],
    };
    try {
      await this.table.put(toItem(key, fresh), { expression: 'attribute_not_exists(pk)' });
      await this.table.put({ ...keys.runIdPointer(init.runId), runbook: init.runbook, runKey: reportRunKey(init) });
      return { outcome: 'claimed', run: fresh };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    const existing = await this.getByKey(key);
    if (!existing) throw new CorruptItemError(`${key.pk} ${key.sk}: claim conflicted but no run is stored`);
    if (existing.status === 'delivered' || existing.status === 'no-data-sent')
      return { outcome: 'already-delivered', run: existing };
    if (existing.status === 'claimed' && (existing.leaseUntil ?? 0) > now.getTime())
      return { outcome: 'in-progress', run: existing };
    const takeover: ReportRun = {
      ...existing,
      // A retry of a queued on-demand run keeps the recipients it was queued with.
      recipients: existing.recipients.length > 0 ? existing.recipients : init.recipients,
      status: 'claimed',
      claimId,
      leaseUntil: now.getTime() + this.leaseMs,
      attempts: existing.attempts + 1,
      updatedAt: at,
      error: undefined,
    };
    try {
      await this.save(key, existing.rev, takeover);
      return { outcome: 'claimed', run: { ...takeover, rev: existing.rev + 1 } };
    } catch (e) {
      if (e instanceof ConflictError) return { outcome: 'in-progress', run: existing };
      throw e;
    }
  }

  /** Advance a claimed run (a delivery recorded, a final status); fails with ConflictError if the claim was lost. */
  async update(run: ReportRun, change: Partial<Omit<ReportRun, 'rev'>>): Promise<ReportRun> {
    const key = keys.reportRun(run.runbook, reportRunKey(run));
    const next: ReportRun = { ...run, ...change, updatedAt: change.updatedAt ?? new Date().toISOString() };
    await this.save(key, run.rev, next);
    return { ...next, rev: run.rev + 1 };
  }

  /** A run by its id, for `GET /reports/{runId}`; undefined when unknown. */
  async getById(runId: string): Promise<ReportRun | undefined> {
    const pointer = await this.table.get(keys.runIdPointer(runId));
    if (!pointer) return undefined;
    return this.getByKey(keys.reportRun(String(pointer.runbook), String(pointer.runKey)));
  }

  /** The scheduled run of a runbook for a period (what the deadline check looks at). */
  async getScheduled(runbook: string, period: string): Promise<ReportRun | undefined> {
    return this.getByKey(keys.reportRun(runbook, period));
  }

  /** Runs of one runbook, newest period first. */
  async list(runbook: string, limit = 20): Promise<ReportRun[]> {
    const out: ReportRun[] = [];
    for await (const item of this.table.query(keys.reportRunsOf(runbook).pk, { descending: true, limit }))
      out.push(parse(item));
    return out;
  }

  private async getByKey(key: Key): Promise<ReportRun | undefined> {
    const item = await this.table.get(key);
    return item ? parse(item) : undefined;
  }

  private async save(key: Key, seenRev: number, run: ReportRun) {
    await this.table.put(toItem(key, { ...run, rev: seenRev + 1 }), {
      expression: '#rev = :seen',
      names: { '#rev': 'rev' },
      values: { ':seen': seenRev },
    });
  }
}

function toItem(key: Key, run: ReportRun): Item & Key {
  // Top-level attributes are the ones conditions and humans in the console look at; the whole run travels as JSON.
  return { ...key, type: 'report-run', status: run.status, rev: run.rev, runId: run.runId, data: JSON.stringify(run) };
}

const parse = (item: Item): ReportRun => parseData(item, ReportRunSchema);
