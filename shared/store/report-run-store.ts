import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { DynamoTable, Item } from './dynamo-table.js';
import { ConflictError, CorruptItemError } from './errors.js';
import { keys, type Key } from './keys.js';
import { parseData } from './item-data.js';

const Delivery = z.object({
  messageId: z.string(),
  sentAt: z.string(),
  /** This copy followed a send that could not be confirmed (at that instant): the email said it may be a second copy. */
  afterUnconfirmedSendAt: z.string().optional(),
});
/**
 * A send that began and was never confirmed: "sending to X" was recorded, and no message id followed (the process
 * stopped between SES and the record, or SES gave no answer). SES has no idempotency key, so X may or may not have it.
 */
const Unconfirmed = z.object({
  recipient: z.string(),
  /** When the unconfirmed send began. */
  sendingAt: z.string(),
  /** The attempt (run.attempts) that began it. */
  attempt: z.number().int(),
  /** What socpulse did about it: it sent again, and that email says it may be a second copy. */
  decision: z.literal('resent-with-notice'),
  /** When the retry that decided found it. */
  foundAt: z.string(),
});
const Resend = z.object({
  requestedBy: z.string(),
  requestedAt: z.string(),
  /** The Idempotency-Key of the request that asked, so a retried resend request never resends twice. */
  idempotencyKey: z.string().optional(),
  /** What had been delivered before this resend (the run's `deliveries` start again empty). */
  previousDeliveries: z.record(z.string(), Delivery),
});
export const ReportRunSchema = z.object({
  runId: z.string(),
  runbook: z.string(),
  period: z.string(),
  /** The sort key of the run item: the identity of the request, (runbook, period, recipient set). */
  runKey: z.string(),
  /** What first created the run item; every trigger after it shares the same item. */
  trigger: z.enum(['schedule', 'on-demand']),
  status: z.enum(['queued', 'claimed', 'delivered', 'failed', 'no-data-sent', 'dry-run']),
  requestedBy: z.string().optional(),
  recipients: z.array(z.string()),
  deliveries: z.record(z.string(), Delivery),
  /**
   * "Sending to X": written (conditionally, on the claimed run) before each SES call and removed when its message id
   * is recorded or SES answered with an error. A mark found by a later attempt is a send in doubt.
   */
  sending: z.record(z.string(), z.object({ at: z.string(), attempt: z.number().int() })).default({}),
  /** Every send in doubt a retry found, and what it decided (README "Exactly once"). */
  unconfirmed: z.array(Unconfirmed).default([]),
  resends: z.array(Resend),
  attempts: z.number().int(),
  rev: z.number().int(),
  claimId: z.string().optional(),
  /** Until when the run belongs to its queuer or claimer; after it, a request or a runner may take it over. */
  leaseUntil: z.number().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  error: z.string().optional(),
  notes: z.array(z.string()),
});
export type ReportRun = z.infer<typeof ReportRunSchema>;
export type UnconfirmedSend = z.infer<typeof Unconfirmed>;

/** What identifies a report request and the run that serves it. */
export type RunInit = Pick<ReportRun, 'runId' | 'runbook' | 'period' | 'trigger' | 'recipients'> & {
  requestedBy?: string;
  /** From reportRunKey; without it the period alone (the whole audience). */
  runKey?: string;
};

export type ClaimOutcome =
  | { outcome: 'claimed'; run: ReportRun }
  | { outcome: 'already-delivered'; run: ReportRun }
  | { outcome: 'in-progress'; run: ReportRun };

/**
 * What a request found: `queued` — this call created or re-queued the run, and its caller must start it;
 * `in-progress` — queued or running for someone else; `delivered` — done before, nothing to send.
 */
export type RequestOutcome =
  | { outcome: 'queued'; run: ReportRun; resent: boolean }
  | { outcome: 'in-progress'; run: ReportRun }
  | { outcome: 'delivered'; run: ReportRun };

/**
 * The sort key of a request's run: the period alone for the runbook's whole audience (the key scheduled runs always
 * had, so the schedule and every on-demand request for everyone share one item), or the period and a digest of the
 * sorted, distinct addresses for a subset.
 */
export function reportRunKey(period: string, subset?: string[]): string {
  if (!subset) return period;
  const digest = createHash('sha256')
    .update([...new Set(subset)].sort().join('\n'))
    .digest('hex')
    .slice(0, 20);
  return `${period}#to#${digest}`;
}

/** A run with nothing left to send: delivered, or sent saying there was no data. */
export const isDone = (r: ReportRun) => r.status === 'delivered' || r.status === 'no-data-sent';

/** A run of a fresh identity, queued (asked for) or claimed (taken for sending), its lease `leaseMs` from now. */
export function newReportRun(
  init: RunInit,
  now: Date,
  leaseMs: number,
  state: { status: 'queued' | 'claimed'; attempts: number; rev: number; claimId?: string },
): ReportRun {
  const at = now.toISOString();
  return {
    ...init,
    runKey: init.runKey ?? init.period,
    status: state.status,
    deliveries: {},
    sending: {},
    unconfirmed: [],
    resends: [],
    attempts: state.attempts,
    rev: state.rev,
    ...(state.claimId === undefined ? {} : { claimId: state.claimId }),
    leaseUntil: now.getTime() + leaseMs,
    createdAt: at,
    updatedAt: at,
    notes: [],
  };
}

/**
 * What a claim does to the stored run of its identity: a delivered run is left alone; a claimed run whose lease is
 * live belongs to someone else; a queued, failed or expired run is taken over — the run to write (at rev + 1),
 * keeping its earlier deliveries. The decision of `claim`, kept apart from the conditional write that makes it stick.
 */
export function claimOf(
  existing: ReportRun,
  init: RunInit,
  claimId: string,
  now: Date,
  leaseMs: number,
): ClaimOutcome | { outcome: 'take-over'; run: ReportRun } {
  if (isDone(existing)) return { outcome: 'already-delivered', run: existing };
  if (existing.status === 'claimed' && (existing.leaseUntil ?? 0) > now.getTime())
    return { outcome: 'in-progress', run: existing };
  return {
    outcome: 'take-over',
    run: {
      ...existing,
      // A retry of a queued on-demand run keeps the recipients it was queued with.
      recipients: existing.recipients.length > 0 ? existing.recipients : init.recipients,
      status: 'claimed',
      claimId,
      leaseUntil: now.getTime() + leaseMs,
      attempts: existing.attempts + 1,
      updatedAt: now.toISOString(),
      error: undefined,
    },
  };
}

/**
 * What a request does to the stored run of its identity: a delivered run is left alone, or queued again for a resend
 * (once per idempotency key), its deliveries moved to `resends`; a failed run, or one whose queuer or runner died
 * (lease over), is queued again keeping its deliveries; anything else is in progress. The decision of `request`, kept
 * apart from the conditional write that makes it stick.
 */
export function requestOf(
  existing: ReportRun,
  now: Date,
  leaseMs: number,
  resend?: { requestedBy: string; idempotencyKey?: string },
): Exclude<RequestOutcome, { outcome: 'queued' }> | { outcome: 'requeue'; run: ReportRun; resent: boolean } {
  const at = now.toISOString();
  const requeue = (change: Partial<ReportRun>) => ({
    ...existing,
    ...change,
    status: 'queued' as const,
    claimId: undefined,
    leaseUntil: now.getTime() + leaseMs,
    updatedAt: at,
    error: undefined,
  });
  if (isDone(existing)) {
    const alreadyResent =
      resend?.idempotencyKey !== undefined && existing.resends.some((r) => r.idempotencyKey === resend.idempotencyKey);
    if (!resend || alreadyResent) return { outcome: 'delivered', run: existing };
    const run = requeue({
      deliveries: {},
      sending: {},
      resends: [
        ...existing.resends,
        {
          requestedBy: resend.requestedBy,
          requestedAt: at,
          idempotencyKey: resend.idempotencyKey,
          previousDeliveries: existing.deliveries,
        },
      ],
    });
    return { outcome: 'requeue', run, resent: true };
  }
  // A failed run, or one whose queuer or runner died: queued again, keeping what was delivered.
  if (existing.status === 'failed' || (existing.leaseUntil ?? 0) <= now.getTime())
    return { outcome: 'requeue', run: requeue({}), resent: false };
  return { outcome: 'in-progress', run: existing };
}

/**
 * Report-run records: exactly once per (runbook, period, recipient set), for every trigger. DynamoDB has no
 * transactions here (dynalite lacks TransactWriteItems), so every step is one conditional write on the run item
 * `REPORT#<runbook>` / `<runKey>`: a put-if-absent creates it, and every later write is conditional on the revision
 * read, so two writers can never both advance it.
 *
 * Timeline of one identity, times left to right. It is Powertools idempotency's record life cycle
 * (@aws-lambda-powertools/idempotency: INPROGRESS → COMPLETED, an in-progress expiry after which a retry may take
 * over) with the report's own states: queued and claimed are in progress, the lease is the in-progress expiry.
 *
 *
 *   API/MCP/CLI request A ─ put if absent ─► queued (lease) ─ A starts the runner
 *   request B (A's still queued or running) ─ put fails, reads it ─► returns A's run, starts nothing
 *   runner ─ rev n→n+1 ─► claimed (lease) ─ one SES send per recipient, each message id recorded (rev+1) ─► delivered
 *   schedule ─ put "claimed" if absent, else take over a queued/failed/expired run ─► the same item, never a second one
 *   request C (delivered) ─ put fails, reads it ─► returns the delivered run, sends nothing
 *   request D with resend (manager) ─ rev n→n+1 ─► queued again; deliveries moved to resends[] with who asked
 *   request E (failed, or its lease expired: a runner died) ─ rev n→n+1 ─► queued again; only missing recipients sent
 *
 * A crash between two writes leaves a run whose lease runs out: the next request or scheduled retry takes it over,
 * and the recorded message ids keep it from sending to anyone twice.
 */
export class DynamoReportRunStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly leaseMs = 10 * 60_000,
  ) {}

  /** A run of a fresh identity, queued (asked for) or claimed (taken for sending), and its key. */
  private newRun(
    init: RunInit,
    now: Date,
    state: { status: 'queued' | 'claimed'; attempts: number; rev: number; claimId?: string },
  ): { key: Key; run: ReportRun } {
    const run = newReportRun(init, now, this.leaseMs, state);
    return { key: keys.reportRun(init.runbook, run.runKey), run };
  }

  /**
   * Ask for a report run (API, MCP or CLI): create it queued, or find the run of the same identity and say what it is.
   * With `resend`, a delivered run is queued again, once per resend request. Only `queued` asks the caller to start it.
   */
  async request(
    init: RunInit,
    now: Date,
    resend?: { requestedBy: string; idempotencyKey?: string },
  ): Promise<RequestOutcome> {
    const { key, run: fresh } = this.newRun(init, now, { status: 'queued', attempts: 0, rev: 0 });
    try {
      await this.table.put(toItem(key, fresh), { expression: 'attribute_not_exists(pk)' });
      await this.putPointer(fresh);
      return { outcome: 'queued', run: fresh, resent: false };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    const existing = await this.getByKey(key);
    if (!existing) throw new CorruptItemError(`${key.pk} ${key.sk}: request conflicted but no run is stored`);
    const found = requestOf(existing, now, this.leaseMs, resend);
    if (found.outcome !== 'requeue') return found;
    try {
      await this.save(key, existing.rev, found.run);
      await this.putPointer(found.run);
      return { outcome: 'queued', run: { ...found.run, rev: existing.rev + 1 }, resent: found.resent };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // Someone else moved it first (their request, a runner): theirs is the run to return, started by them.
      const now2 = await this.getByKey(key);
      if (!now2) throw e;
      return isDone(now2) ? { outcome: 'delivered', run: now2 } : { outcome: 'in-progress', run: now2 };
    }
  }

  /**
   * Claim a run for sending. A fresh identity creates the run; a delivered run is left alone; a run whose lease is
   * live belongs to someone else (a queued run is its runner's to take); a queued, failed or expired run is taken
   * over, keeping its earlier deliveries.
   */
  async claim(init: RunInit, claimId: string, now: Date): Promise<ClaimOutcome> {
    const { key, run: fresh } = this.newRun(init, now, { status: 'claimed', attempts: 1, rev: 1, claimId });
    try {
      await this.table.put(toItem(key, fresh), { expression: 'attribute_not_exists(pk)' });
      await this.putPointer(fresh);
      return { outcome: 'claimed', run: fresh };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    const existing = await this.getByKey(key);
    if (!existing) throw new CorruptItemError(`${key.pk} ${key.sk}: claim conflicted but no run is stored`);
    const found = claimOf(existing, init, claimId, now, this.leaseMs);
    if (found.outcome !== 'take-over') return found;
    try {
      await this.save(key, existing.rev, found.run);
      return { outcome: 'claimed', run: { ...found.run, rev: existing.rev + 1 } };
    } catch (e) {
      if (e instanceof ConflictError) return { outcome: 'in-progress', run: existing };
      throw e;
    }
  }

  /** Advance a claimed run (a delivery recorded, a final status); fails with ConflictError if the claim was lost. */
  async update(run: ReportRun, change: Partial<Omit<ReportRun, 'rev'>>): Promise<ReportRun> {
    const key = keys.reportRun(run.runbook, run.runKey);
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
    return this.getByKey(keys.reportRun(runbook, reportRunKey(period)));
  }

  /** Runs of one runbook, newest period first. */
  async list(runbook: string, limit = 20): Promise<ReportRun[]> {
    const out: ReportRun[] = [];
    for await (const item of this.table.query(keys.reportRunsOf(runbook).pk, { descending: true, limit }))
      out.push(parse(item));
    return out;
  }

  /** Every run of a runbook still queued or claimed (each item's status attribute is read before its JSON). */
  async unfinished(runbook: string): Promise<ReportRun[]> {
    const out: ReportRun[] = [];
    for await (const item of this.table.query(keys.reportRunsOf(runbook).pk))
      if (item.status === 'queued' || item.status === 'claimed') out.push(parse(item));
    return out;
  }

  private async getByKey(key: Key): Promise<ReportRun | undefined> {
    const item = await this.table.get(key);
    return item ? parse(item) : undefined;
  }

  // Written after the run item: a crash in between leaves a run whose lease runs out; the request that re-queues it
  // writes the pointer again.
  private async putPointer(run: ReportRun) {
    await this.table.put({ ...keys.runIdPointer(run.runId), runbook: run.runbook, runKey: run.runKey });
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
