import {
  BudgetSnapshotSchema,
  type BudgetSnapshot,
  type BudgetSnapshotContent,
} from '../../shared/domain/budget-snapshot.js';
import type { BudgetLine } from '../../shared/domain/records.js';
import { nextBudgetSnapshot, type PlanHeader } from '../../shared/store/budget-store.js';
import type { SourceStatus } from '../../shared/store/collection-run-store.js';
import {
  beginOf,
  IDEMPOTENCY_TTL_MS,
  IdempotencyRecordSchema,
  STARTED_LEASE_MS,
  type IdempotencyBegin,
  type IdempotencyRecord,
} from '../../shared/store/idempotency-store.js';
import { ConflictError, CorruptItemError } from '../../shared/store/errors.js';
import {
  claimOf,
  isDone,
  newReportRun,
  reportRunKey,
  requestOf,
  ReportRunSchema,
  type ClaimOutcome,
  type ReportRun,
  type RequestOutcome,
  type RunInit,
} from '../../shared/store/report-run-store.js';
import {
  decodePayload,
  payloadBytes,
  type PutOutcome,
  type Snapshot,
  type SnapshotHeader,
  type SnapshotListOptions,
  type SnapshotTail,
} from '../../shared/store/snapshot-store.js';
import { keys } from '../../shared/store/keys.js';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type {
  BudgetPlanReader,
  BudgetSnapshotPort,
  IdempotencyPort,
  MailSender,
  ReportRequestPort,
  ReportRunPort,
  SnapshotReader,
  SnapshotWriter,
  SourceStatusReader,
} from '../../shared/usecases/ports.js';

// In-memory implementations of the use cases' ports (shared/usecases/ports.ts), for fast unit tests. They keep the
// Dynamo stores' semantics where a use case depends on them: every read and write yields to the event loop (as a
// network call does), so concurrent callers interleave; a conditional write that loses throws ConflictError; what is
// stored is a copy made through JSON and the store's schema, as DynamoDB keeps it. The decisions are the store's own
// pure functions (claimOf, requestOf, newReportRun, nextBudgetSnapshot, beginOf), never a second copy of them.
// test/integration/ports-contract.test.ts runs one contract against these and the Dynamo stores on dynalite.

/** One turn of the event loop: where a DynamoDB call would wait on the network. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The report runs of DynamoReportRunStore, kept in a map: one item per (runbook, runKey), one pointer per run id. */
export class InMemoryReportRunStore implements ReportRunPort, ReportRequestPort {
  private readonly items = new Map<string, string>();
  private readonly pointers = new Map<string, { runbook: string; runKey: string }>();
  /** How many conditional writes lost (a test can tell a race really happened). */
  conflicts = 0;

  constructor(private readonly leaseMs = 10 * 60_000) {}

  async request(
    init: RunInit,
    now: Date,
    resend?: { requestedBy: string; idempotencyKey?: string },
  ): Promise<RequestOutcome> {
    const fresh = newReportRun(init, now, this.leaseMs, { status: 'queued', attempts: 0, rev: 0 });
    if (await this.putIfAbsent(fresh)) return { outcome: 'queued', run: fresh, resent: false };
    const existing = await this.read(init.runbook, fresh.runKey);
    if (!existing)
      throw new CorruptItemError(`${init.runbook} ${fresh.runKey}: request conflicted but no run is stored`);
    const found = requestOf(existing, now, this.leaseMs, resend);
    if (found.outcome !== 'requeue') return found;
    try {
      await this.save(existing.rev, found.run);
      // The pointer again after the run item, as the Dynamo store writes it: a crash in between is healed here.
      await tick();
      this.pointers.set(found.run.runId, { runbook: found.run.runbook, runKey: found.run.runKey });
      return { outcome: 'queued', run: { ...found.run, rev: existing.rev + 1 }, resent: found.resent };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      const now2 = await this.read(init.runbook, fresh.runKey);
      if (!now2) throw e;
      return isDone(now2) ? { outcome: 'delivered', run: now2 } : { outcome: 'in-progress', run: now2 };
    }
  }

  async claim(init: RunInit, claimId: string, now: Date): Promise<ClaimOutcome> {
    const fresh = newReportRun(init, now, this.leaseMs, { status: 'claimed', attempts: 1, rev: 1, claimId });
    if (await this.putIfAbsent(fresh)) return { outcome: 'claimed', run: fresh };
    const existing = await this.read(init.runbook, fresh.runKey);
    if (!existing) throw new CorruptItemError(`${init.runbook} ${fresh.runKey}: claim conflicted but no run is stored`);
    const found = claimOf(existing, init, claimId, now, this.leaseMs);
    if (found.outcome !== 'take-over') return found;
    try {
      await this.save(existing.rev, found.run);
      return { outcome: 'claimed', run: { ...found.run, rev: existing.rev + 1 } };
    } catch (e) {
      if (e instanceof ConflictError) return { outcome: 'in-progress', run: existing };
      throw e;
    }
  }

  async update(run: ReportRun, change: Partial<Omit<ReportRun, 'rev'>>): Promise<ReportRun> {
    const next: ReportRun = { ...run, ...change, updatedAt: change.updatedAt ?? new Date().toISOString() };
    await this.save(run.rev, next);
    return { ...next, rev: run.rev + 1 };
  }

  async getById(runId: string): Promise<ReportRun | undefined> {
    await tick();
    const pointer = this.pointers.get(runId);
    return pointer && this.read(pointer.runbook, pointer.runKey);
  }

  async getScheduled(runbook: string, period: string): Promise<ReportRun | undefined> {
    return this.read(runbook, reportRunKey(period));
  }

  async unfinished(runbook: string): Promise<ReportRun[]> {
    await tick();
    return [...this.items]
      .filter(([k]) => k.startsWith(`${runbook}\n`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, data]) => parse(data))
      .filter((r) => r.status === 'queued' || r.status === 'claimed');
  }

  private async read(runbook: string, runKey: string): Promise<ReportRun | undefined> {
    await tick();
    const data = this.items.get(`${runbook}\n${runKey}`);
    return data === undefined ? undefined : parse(data);
  }

  /** Put if absent, then the run id's pointer; false when a run of that identity is stored. */
  private async putIfAbsent(run: ReportRun): Promise<boolean> {
    await tick();
    const key = `${run.runbook}\n${run.runKey}`;
    if (this.items.has(key)) {
      this.conflicts++;
      return false;
    }
    this.items.set(key, JSON.stringify(run));
    await tick();
    this.pointers.set(run.runId, { runbook: run.runbook, runKey: run.runKey });
    return true;
  }

  /** Write `run` at `seenRev + 1` if the stored run is still at `seenRev`; else ConflictError, as the table says. */
  private async save(seenRev: number, run: ReportRun): Promise<void> {
    await tick();
    const key = `${run.runbook}\n${run.runKey}`;
    const stored = this.items.get(key);
    if (stored === undefined || parse(stored).rev !== seenRev) {
      this.conflicts++;
      throw new ConflictError(`${key.replace('\n', ' ')}: the conditional write lost (rev ${seenRev} is not stored)`);
    }
    this.items.set(key, JSON.stringify({ ...run, rev: seenRev + 1 }));
  }
}

const parse = (data: string): ReportRun => ReportRunSchema.parse(JSON.parse(data));

/**
 * The Idempotency-Key records of DynamoIdempotencyStore in a map, one item per (principal, key) with its top-level
 * rev, lease and expiry as the table keeps them: the first use is a put if absent (or expired), every later write is
 * conditional on the rev read, and what a later use finds is the store's own decision (beginOf).
 */
export class InMemoryIdempotencyStore implements IdempotencyPort {
  private readonly items = new Map<string, { rev: number; leaseUntil: number; expiresAt: number; data: string }>();

  async begin(principal: string, key: string, request: Record<string, unknown>, now: Date): Promise<IdempotencyBegin> {
    const k = `${principal}\n${key}`;
    const fresh: IdempotencyRecord = { request, status: 'started', startedAt: now.toISOString(), rev: 0 };
    await tick();
    const held = this.items.get(k);
    if (!held || held.expiresAt < Math.floor(now.getTime() / 1000)) {
      this.items.set(k, this.item(fresh, now));
      return { state: 'new' };
    }
    await tick();
    const item = this.items.get(k)!;
    const seen = IdempotencyRecordSchema.parse(JSON.parse(item.data));
    const found = beginOf(seen, item.leaseUntil, request, now);
    if (found.state !== 'take-over') return found;
    try {
      await this.save(k, seen.rev, { ...fresh, rev: seen.rev + 1 }, now);
      return { state: 'new' };
    } catch (e) {
      if (e instanceof ConflictError) return { state: 'in-progress' };
      throw e;
    }
  }

  async complete(principal: string, key: string, request: Record<string, unknown>, runId: string, now: Date) {
    const k = `${principal}\n${key}`;
    await tick();
    const item = this.items.get(k);
    const seen = item ? IdempotencyRecordSchema.parse(JSON.parse(item.data)) : undefined;
    const rev = seen?.rev ?? 0;
    await this.save(
      k,
      rev,
      { request, status: 'completed', runId, startedAt: seen?.startedAt ?? '', rev: rev + 1 },
      now,
    );
  }

  async release(principal: string, key: string): Promise<void> {
    await tick();
    this.items.set(`${principal}\n${key}`, { rev: 0, leaseUntil: 0, expiresAt: 0, data: '{}' });
  }

  private item(r: IdempotencyRecord, now: Date) {
    return {
      rev: r.rev,
      leaseUntil: now.getTime() + STARTED_LEASE_MS,
      expiresAt: Math.floor((now.getTime() + IDEMPOTENCY_TTL_MS) / 1000),
      data: JSON.stringify(r),
    };
  }

  private async save(k: string, seenRev: number, r: IdempotencyRecord, now: Date) {
    await tick();
    if (this.items.get(k)?.rev !== seenRev)
      throw new ConflictError(`idempotency key ${k.replace('\n', ' ')}: the conditional write lost (rev ${seenRev})`);
    this.items.set(k, this.item(r, now));
  }
}

/** Source statuses as given (what DynamoCollectionRunStore.statuses answers after those runs were folded). */
export class InMemorySourceStatuses implements SourceStatusReader {
  constructor(private readonly list: SourceStatus[] = []) {}
  async statuses(): Promise<SourceStatus[]> {
    await tick();
    return structuredClone(this.list);
  }
}

/**
 * The day snapshots of DynamoSnapshotStore in a map, one header per (family, period key, source) in sort-key order:
 * a put writes a new version (the payload's hash) unless the stored one has the same version and meta (`unchanged`) or
 * a newer collection wrote it (`superseded`); a tail is kept beside its version. Payloads are kept as the bytes the
 * store would gzip, and read back through the store's own decodePayload (no gzip, no parts: the layout is the Dynamo
 * store's business, not the port's).
 */
export class InMemorySnapshotStore implements SnapshotReader, SnapshotWriter {
  private readonly headersBySk = new Map<
    string,
    { family: string; header: SnapshotHeader; version: string; metaText: string; body: Buffer; tail?: Buffer }
  >();

  async put<T>(snapshot: Snapshot<T> & { tail?: SnapshotTail<T> }): Promise<PutOutcome> {
    const body = payloadBytes(snapshot.payload);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 20);
    const tail = snapshot.tail ? payloadBytes(snapshot.tail.payload) : undefined;
    const metaText = JSON.stringify({ ...snapshot.meta, ...(tail ? { tailFrom: snapshot.tail!.from } : {}) });
    const { pk, sk } = keys.snapshotHeader(snapshot.family, snapshot.periodKey, snapshot.source);
    await tick();
    const existing = this.headersBySk.get(`${pk}\n${sk}`);
    // The store's two tests, in its order (DynamoSnapshotStore.put).
    if (existing?.version === version && existing.metaText === metaText) return 'unchanged';
    if (existing && existing.header.collectedAt > snapshot.collectedAt) return 'superseded';
    this.headersBySk.set(`${pk}\n${sk}`, {
      family: snapshot.family,
      header: {
        periodKey: snapshot.periodKey,
        source: snapshot.source,
        collectedAt: snapshot.collectedAt,
        meta: JSON.parse(metaText) as Record<string, number>,
      },
      version,
      metaText,
      body,
      tail,
    });
    return 'written';
  }

  async headers(family: string, fromKey: string, toKey: string): Promise<SnapshotHeader[]> {
    await tick();
    return this.inRange(family, fromKey, toKey).map((h) => structuredClone(h.header));
  }

  async list<S extends z.ZodType, B = never>(
    family: string,
    fromKey: string,
    toKey: string,
    schema: S,
    opts: SnapshotListOptions<S, B> = {},
  ): Promise<Snapshot<z.infer<S> | B>[]> {
    await tick();
    const out: Snapshot<z.infer<S> | B>[] = [];
    for (const h of this.inRange(family, fromKey, toKey)) {
      const header = structuredClone(h.header);
      const choice = opts.pick?.(header) ?? 'full';
      if (choice === 'skip') continue;
      const useTail = choice === 'tail' && h.tail !== undefined;
      const { pk, sk } = keys.snapshotHeader(family, header.periodKey, header.source);
      const payload = decodePayload(Buffer.from(useTail ? h.tail! : h.body), `${pk} ${sk}`, schema, opts);
      const snapshot = { family, ...header, payload };
      if (opts.each) opts.each(snapshot);
      else out.push(snapshot);
    }
    return out;
  }

  /** The headers of `family` whose sort key lies in the store's range for `fromKey`..`toKey`, in sort-key order. */
  private inRange(family: string, fromKey: string, toKey: string) {
    const range = keys.snapshotRange(family, fromKey, toKey);
    return [...this.headersBySk]
      .filter(([k]) => {
        const [pk, sk] = k.split('\n') as [string, string];
        return pk === range.pk && sk >= range.from && sk <= range.to;
      })
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, h]) => h);
  }
}

/**
 * Budget plans and snapshot versions of DynamoBudgetStore: a version is added if absent (the next number), the
 * comparison with the latest repeated after a lost race, and a snapshot is checked by its schema before it is kept.
 */
export class InMemoryBudgetStore implements BudgetPlanReader, BudgetSnapshotPort {
  private readonly versions = new Map<string, string>();
  constructor(private readonly plans: Record<string, { header: PlanHeader; lines: BudgetLine[] }> = {}) {}

  async plan(fiscalYear: string): Promise<{ header: PlanHeader; lines: BudgetLine[] } | undefined> {
    await tick();
    return structuredClone(this.plans[fiscalYear]);
  }

  async addSnapshot(
    snapshot: BudgetSnapshotContent,
    sameContent?: (latest: BudgetSnapshot) => boolean,
  ): Promise<BudgetSnapshot> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = (await this.snapshots(snapshot.fiscalYear, snapshot.month)).at(-1);
      const next = nextBudgetSnapshot(snapshot, latest, sameContent);
      if (next.outcome === 'same') return next.snapshot;
      await tick();
      const key = `${snapshot.fiscalYear}\n${snapshot.month}#v${String(next.snapshot.version).padStart(4, '0')}`;
      if (!this.versions.has(key)) {
        this.versions.set(key, JSON.stringify(next.snapshot));
        return next.snapshot;
      }
    }
    throw new ConflictError(`budget snapshot ${snapshot.fiscalYear} ${snapshot.month}: too many concurrent versions`);
  }

  async snapshots(fiscalYear: string, month?: string): Promise<BudgetSnapshot[]> {
    await tick();
    const prefix = `${fiscalYear}\n${month ? `${month}#v` : ''}`;
    return [...this.versions]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, data]) => BudgetSnapshotSchema.parse(JSON.parse(data)));
  }
}

/** What a scripted send does: accept (SES's message id), or throw what SES (or the network) said. */
export type SendScript = (to: string, attempt: number) => 'accept' | Error | 'hang';

/**
 * SES as the mailer sees it: each message is accepted with the next message id unless `script` says otherwise; every
 * message handed over is recorded, accepted or not. 'hang' never answers: the process is gone mid-call.
 */
export class ScriptedMailer implements MailSender {
  /** Every send, in order: who, and what came of it. */
  readonly calls: { to: string; outcome: 'accepted' | 'threw' | 'hung'; messageId?: string; raw: Buffer }[] = [];
  private n = 0;
  constructor(public script: SendScript = () => 'accept') {}

  async send(input: { from: string; to: string[]; raw: Buffer }): Promise<{ messageId: string }> {
    await tick();
    const to = input.to.join(',');
    const said = this.script(to, this.calls.filter((c) => c.to === to).length + 1);
    if (said === 'hang') {
      this.calls.push({ to, outcome: 'hung', raw: input.raw });
      return new Promise(() => undefined);
    }
    if (said instanceof Error) {
      this.calls.push({ to, outcome: 'threw', raw: input.raw });
      throw said;
    }
    const messageId = `ses-${++this.n}`;
    this.calls.push({ to, outcome: 'accepted', messageId, raw: input.raw });
    return { messageId };
  }

  /** The recipients SES accepted a message for, in order. */
  accepted(): string[] {
    return this.calls.filter((c) => c.outcome === 'accepted').map((c) => c.to);
  }
}
