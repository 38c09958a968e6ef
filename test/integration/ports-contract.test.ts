import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/store/errors.js';
import { DynamoReportRunStore, reportRunKey, type RunInit } from '../../shared/store/report-run-store.js';
import type { ReportRequestPort, ReportRunPort } from '../../shared/usecases/ports.js';
import type { BudgetSnapshot } from '../../shared/domain/budget-snapshot.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import type { BudgetPlanReader, BudgetSnapshotPort } from '../../shared/usecases/ports.js';
import { DynamoIdempotencyStore, IDEMPOTENCY_TTL_MS } from '../../shared/store/idempotency-store.js';
import type { IdempotencyPort } from '../../shared/usecases/ports.js';
import * as z from 'zod';
import { BinaryPayloadError } from '../../shared/store/formats/binary-payload.js';
import { CorruptItemError } from '../../shared/store/errors.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import type { SnapshotReader, SnapshotWriter } from '../../shared/usecases/ports.js';
import {
  InMemoryBudgetStore,
  InMemoryIdempotencyStore,
  InMemoryReportRunStore,
  InMemorySnapshotStore,
} from '../fakes/in-memory-ports.js';
import { budgetSnapshotContent, localTable } from './helpers.js';

// One contract per port, two implementations each: the in-memory ports the unit tests of run-report use are held to
// what the Dynamo stores do on dynalite, so the unit tests' fakes are proven, not assumed. Every expectation is worked
// out from the README's "Exactly once" timeline and the stores' documented rules, not read from either implementation.

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env?.stop());

type Port = ReportRunPort & ReportRequestPort;
const T0 = new Date('2026-11-23T07:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

const implementations: [string, (leaseMs: number) => Port][] = [
  ['in memory', (leaseMs) => new InMemoryReportRunStore(leaseMs)],
  ['DynamoReportRunStore on dynalite', (leaseMs) => new DynamoReportRunStore(env.table, leaseMs)],
];

describe.each(implementations)('the report-run port: %s', (name, make) => {
  // Each implementation gets identities of its own: the Dynamo one shares a table across cases.
  const tag = name.startsWith('in') ? 'mem' : 'ddb';
  const init = (period: string, over: Partial<RunInit> = {}): RunInit => ({
    runId: `${tag}-${period}`,
    runbook: `contract-${tag}`,
    period,
    trigger: 'schedule',
    recipients: ['ciso@example.com', 'coo@example.com'],
    ...over,
  });

  it('lets one of ten concurrent claims of a fresh identity win; the nine see it in progress', async () => {
    const port = make(LEASE);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => port.claim(init('2026-W40', { runId: `${tag}-r${i}` }), `c${i}`, T0)),
    );
    const won = outcomes.filter((o) => o.outcome === 'claimed');
    expect(won).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-progress')).toHaveLength(9);
    expect(won[0]!.run).toMatchObject({
      status: 'claimed',
      attempts: 1,
      rev: 1,
      runKey: '2026-W40',
      leaseUntil: T0.getTime() + LEASE,
      deliveries: {},
      sending: {},
      unconfirmed: [],
    });
    // Every loser was shown the winner's run.
    const winner = won[0]!.run.runId;
    expect(new Set(outcomes.map((o) => o.run.runId))).toEqual(new Set([winner]));
    expect((await port.getById(winner))!.claimId).toBe(won[0]!.run.claimId);
  });

  it('leaves a delivered run alone', async () => {
    const port = make(LEASE);
    const first = await port.claim(init('2026-W41'), 'a', T0);
    await port.update(first.run, { status: 'delivered' });
    const again = await port.claim(init('2026-W41'), 'b', at(2 * LEASE));
    expect(again).toMatchObject({ outcome: 'already-delivered', run: { status: 'delivered', rev: 2, claimId: 'a' } });
  });

  it('takes over after the lease, keeping the deliveries; within it the run is someone else’s', async () => {
    const port = make(LEASE);
    const first = await port.claim(init('2026-W42'), 'a', T0);
    const delivered = { 'ciso@example.com': { messageId: 'm-1', sentAt: T0.toISOString() } };
    await port.update(first.run, { deliveries: delivered });
    expect((await port.claim(init('2026-W42'), 'b', at(LEASE - 1))).outcome).toBe('in-progress');
    const later = await port.claim(init('2026-W42'), 'c', at(LEASE + 1));
    // claim (rev 1), the delivery (rev 2), the take-over (rev 3).
    expect(later.outcome).toBe('claimed');
    expect(later.run).toMatchObject({ claimId: 'c', attempts: 2, rev: 3, leaseUntil: T0.getTime() + 2 * LEASE + 1 });
    expect(later.run.deliveries).toEqual(delivered);
  });

  it('lets one of two concurrent take-overs of an expired run win', async () => {
    const port = make(LEASE);
    await port.claim(init('2026-W43'), 'dead', T0);
    const both = await Promise.all([
      port.claim(init('2026-W43'), 'x', at(LEASE + 5)),
      port.claim(init('2026-W43'), 'y', at(LEASE + 5)),
    ]);
    expect(both.map((o) => o.outcome).sort()).toEqual(['claimed', 'in-progress']);
    const stored = (await port.getById(`${tag}-2026-W43`))!;
    expect(stored.attempts).toBe(2);
    expect(stored.claimId).toBe(both.find((o) => o.outcome === 'claimed')!.run.claimId);
  });

  it('refuses, with ConflictError, a write from a holder whose claim was taken, and one to a run never stored', async () => {
    const port = make(1);
    const first = await port.claim(init('2026-W44'), 'a', T0);
    expect((await port.claim(init('2026-W44'), 'b', at(10))).outcome).toBe('claimed');
    await expect(port.update(first.run, { status: 'delivered' })).rejects.toBeInstanceOf(ConflictError);
    const ghost = { ...first.run, runKey: 'never-stored', rev: 7 };
    await expect(port.update(ghost, { status: 'failed' })).rejects.toBeInstanceOf(ConflictError);
    expect((await port.getById(first.run.runId))!.claimId).toBe('b');
  });

  it('stores what a field set to undefined means: absent, as JSON keeps it', async () => {
    const port = make(LEASE);
    const { run } = await port.claim(init('2026-W45'), 'a', T0);
    const released = await port.update(run, { status: 'failed', error: 'gone', claimId: undefined });
    expect(released.rev).toBe(2);
    const stored = (await port.getById(run.runId))!;
    expect('claimId' in stored).toBe(false);
    expect(stored).toMatchObject({ status: 'failed', error: 'gone', rev: 2 });
  });

  it('queues a request once, shows it in progress to the next, and lets its runner claim it', async () => {
    const port = make(LEASE);
    const subset = init('2026-10', {
      runId: `${tag}-od`,
      trigger: 'on-demand',
      runKey: reportRunKey('2026-10', ['fpa@example.com']),
      recipients: ['fpa@example.com'],
      requestedBy: 'manager',
    });
    const asked = await port.request(subset, T0);
    expect(asked).toMatchObject({ outcome: 'queued', resent: false, run: { status: 'queued', attempts: 0, rev: 0 } });
    const again = await port.request({ ...subset, runId: `${tag}-od-2` }, at(1_000));
    expect(again).toMatchObject({ outcome: 'in-progress', run: { runId: `${tag}-od` } });
    expect((await port.unfinished(subset.runbook)).map((r) => r.runId)).toContain(`${tag}-od`);
    // The runner, within the queue's lease: a queued run is its runner's to take.
    const claimed = await port.claim(subset, 'runner', at(2_000));
    expect(claimed.run).toMatchObject({ status: 'claimed', attempts: 1, rev: 1, recipients: ['fpa@example.com'] });
    const done = await port.update(claimed.run, {
      status: 'delivered',
      deliveries: { 'fpa@example.com': { messageId: 'm-9', sentAt: at(3_000).toISOString() } },
    });
    expect((await port.unfinished(subset.runbook)).map((r) => r.runId)).not.toContain(`${tag}-od`);
    expect((await port.request(subset, at(4_000))).outcome).toBe('delivered');

    // A manager's resend: queued again once per key, the deliveries moved to the resend.
    const resend = { requestedBy: 'manager', idempotencyKey: 'k-1' };
    const resent = await port.request(subset, at(5_000), resend);
    expect(resent).toMatchObject({
      outcome: 'queued',
      resent: true,
      run: { status: 'queued', rev: 3, deliveries: {} },
    });
    expect(resent.run.resends).toEqual([
      {
        requestedBy: 'manager',
        requestedAt: at(5_000).toISOString(),
        idempotencyKey: 'k-1',
        previousDeliveries: done.deliveries,
      },
    ]);
    const twice = await port.claim(subset, 'runner-2', at(6_000));
    await port.update(twice.run, { status: 'delivered' });
    expect((await port.request(subset, at(7_000), resend)).outcome).toBe('delivered');
    expect((await port.getById(`${tag}-od`))!.resends).toHaveLength(1);
  });

  it('queues a failed run again, keeping what it delivered', async () => {
    const port = make(LEASE);
    const { run } = await port.claim(init('2026-W46'), 'a', T0);
    const delivered = { 'coo@example.com': { messageId: 'm-2', sentAt: T0.toISOString() } };
    await port.update(run, { status: 'failed', error: 'SES down', deliveries: delivered });
    const again = await port.request(init('2026-W46', { runId: `${tag}-other` }), at(1_000));
    expect(again).toMatchObject({ outcome: 'queued', resent: false, run: { runId: `${tag}-2026-W46`, rev: 3 } });
    expect(again.run.deliveries).toEqual(delivered);
    expect(again.run.error).toBeUndefined();
    expect('error' in (await port.getById(`${tag}-2026-W46`))!).toBe(false);
  });
});

const budgets: [string, () => BudgetPlanReader & BudgetSnapshotPort][] = [
  ['in memory', () => new InMemoryBudgetStore()],
  ['DynamoBudgetStore on dynalite', () => new DynamoBudgetStore(env.table)],
];

describe.each(budgets)('the budget snapshot port: %s', (name, make) => {
  // Fiscal years of its own per implementation: the Dynamo one shares the table.
  const fy = name.startsWith('in') ? 'FY2031' : 'FY2032';
  const content = (month: string, actual: string) =>
    budgetSnapshotContent({ fiscalYear: fy, month, totals: { ...budgetSnapshotContent().totals, actual } });
  const sameTotals = (c: { totals: unknown }) => (latest: BudgetSnapshot) =>
    JSON.stringify(latest.totals) === JSON.stringify(c.totals);

  it('makes one version of identical content written at once, the next one for new content', async () => {
    const port = make();
    const a = content('2026-09', '90.00');
    const first = await Promise.all(Array.from({ length: 6 }, () => port.addSnapshot(a, sameTotals(a))));
    expect(new Set(first.map((s) => s.snapshotId))).toEqual(new Set([`${fy}-2026-09-v1`]));
    const b = content('2026-09', '95.00');
    expect((await port.addSnapshot(b, sameTotals(b))).snapshotId).toBe(`${fy}-2026-09-v2`);
    // Without a comparison every write is a version: v3, though its content equals v2's.
    expect((await port.addSnapshot(b)).version).toBe(3);
    await port.addSnapshot(content('2026-08', '10.00'));
    expect((await port.snapshots(fy, '2026-09')).map((s) => s.version)).toEqual([1, 2, 3]);
    // A fiscal year's versions, month by month, oldest first.
    expect((await port.snapshots(fy)).map((s) => s.snapshotId)).toEqual([
      `${fy}-2026-08-v1`,
      `${fy}-2026-09-v1`,
      `${fy}-2026-09-v2`,
      `${fy}-2026-09-v3`,
    ]);
  });

  it('refuses content its schema refuses, naming the field, and stores nothing', async () => {
    const port = make();
    const bad = { ...content('2026-07', '1.00'), currency: 'euros' };
    await expect(port.addSnapshot(bad)).rejects.toThrow(
      new RegExp(`^budget snapshot ${fy} 2026-07: currency: .*; not stored$`),
    );
    await expect(port.addSnapshot(bad)).rejects.toBeInstanceOf(TypeError);
    expect(await port.snapshots(fy, '2026-07')).toEqual([]);
  });

  it('has no plan for a fiscal year never imported', async () => {
    expect(await make().plan('FY1999')).toBeUndefined();
  });
});

const idempotency: [string, () => IdempotencyPort][] = [
  ['in memory', () => new InMemoryIdempotencyStore()],
  ['DynamoIdempotencyStore on dynalite', () => new DynamoIdempotencyStore(env.table)],
];

describe.each(idempotency)('the idempotency port: %s', (name, make) => {
  // A principal of its own per implementation: the Dynamo one shares the table.
  const who = name.startsWith('in') ? 'mem-manager' : 'ddb-manager';
  const body = { runbook: 'weekly-kpi', period: '2026-W47', recipients: null, resend: false };

  it('lets one of concurrent first uses through; the rest wait until it completes, then replay its run', async () => {
    const port = make();
    const begun = await Promise.all(Array.from({ length: 8 }, () => port.begin(who, 'k-1', body, T0)));
    expect(begun.map((b) => b.state).sort()).toEqual([...Array(7).fill('in-progress'), 'new']);
    await port.complete(who, 'k-1', body, 'run-1', at(10));
    expect(await port.begin(who, 'k-1', body, at(20))).toEqual({ state: 'replay', runId: 'run-1' });
    expect(await port.begin(who, 'k-1', { ...body, resend: true, period: '2026-W46' }, at(30))).toEqual({
      state: 'mismatch',
      fields: ['period', 'resend'],
    });
    expect(await port.begin(`${who}-2`, 'k-1', { ...body, period: '2026-W46' }, at(40))).toEqual({ state: 'new' });
  });

  it('holds a started key 60 s, forgets a released one, and every key after 24 hours', async () => {
    const port = make();
    expect((await port.begin(who, 'k-2', body, T0)).state).toBe('new');
    expect((await port.begin(who, 'k-2', body, at(59_999))).state).toBe('in-progress');
    // The lease ends at T0 + 60 s: from that instant the server that began it is taken for dead.
    expect((await port.begin(who, 'k-2', body, at(60_000))).state).toBe('new');
    await port.release(who, 'k-2');
    const other = { ...body, period: '2026-W40' };
    expect((await port.begin(who, 'k-2', other, at(61_000))).state).toBe('new');
    await port.complete(who, 'k-2', other, 'run-2', at(62_000));
    expect(await port.begin(who, 'k-2', body, at(63_000))).toEqual({ state: 'mismatch', fields: ['period'] });
    // Expiry is kept in whole seconds: floor((62 s + 24 h) / 1 s); one second later the key is new again.
    expect((await port.begin(who, 'k-2', body, at(62_000 + IDEMPOTENCY_TTL_MS - 1_000))).state).toBe('mismatch');
    expect((await port.begin(who, 'k-2', body, at(62_000 + IDEMPOTENCY_TTL_MS + 1_000))).state).toBe('new');
  });

  it('refuses, with ConflictError, to complete a key that was never begun', async () => {
    await expect(make().complete(who, 'never', body, 'run-3', T0)).rejects.toBeInstanceOf(ConflictError);
  });
});

const snapshotStores: [string, () => SnapshotReader & SnapshotWriter][] = [
  ['in memory', () => new InMemorySnapshotStore()],
  ['DynamoSnapshotStore on dynalite', () => new DynamoSnapshotStore(env.table)],
];

describe.each(snapshotStores)('the snapshot ports: %s', (name, make) => {
  // Families of their own per implementation: the Dynamo one shares the table.
  const fam = (f: string) => `${name.startsWith('in') ? 'mem' : 'ddb'}-${f}`;
  const N = z.object({ n: z.number() });
  const day = (family: string, periodKey: string, source: string, collectedAt: string, payload: unknown) => ({
    family: fam(family),
    periodKey,
    source,
    collectedAt,
    payload,
  });

  it('writes a new version, keeps an identical one, and never lets an older collection overwrite a newer', async () => {
    const port = make();
    const at = (h: number) => new Date(Date.parse('2026-11-03T00:00:00Z') + h * 3_600_000).toISOString();
    expect(await port.put({ ...day('v', '2026-11-02', 'sim', at(0), { n: 1 }), meta: { open: 0 } })).toBe('written');
    expect(await port.put({ ...day('v', '2026-11-02', 'sim', at(1), { n: 1 }), meta: { open: 0 } })).toBe('unchanged');
    // The same payload with other header figures is a new write.
    expect(await port.put({ ...day('v', '2026-11-02', 'sim', at(2), { n: 1 }), meta: { open: 1 } })).toBe('written');
    expect(await port.put({ ...day('v', '2026-11-02', 'sim', at(-1), { n: 2 }), meta: { open: 1 } })).toBe(
      'superseded',
    );
    expect(await port.put({ ...day('v', '2026-11-02', 'sim', at(3), { n: 3 }), meta: { open: 4 } })).toBe('written');
    expect(await port.list(fam('v'), '2026-11-02', '2026-11-02', N)).toEqual([
      {
        family: fam('v'),
        periodKey: '2026-11-02',
        source: 'sim',
        collectedAt: at(3),
        meta: { open: 4 },
        payload: { n: 3 },
      },
    ]);
  });

  it('reads a range of keys inclusive, in key then source order, and its headers without payloads', async () => {
    const port = make();
    const t = '2026-11-05T00:00:00.000Z';
    for (const [k, src] of [
      ['2026-11-03', 'a'],
      ['2026-11-01', 'b'],
      ['2026-11-02', 'a'],
      ['2026-11-01', 'a'],
      ['2026-10-31', 'a'],
    ] as const)
      await port.put({ ...day('r', k, src, t, { n: Number(k.slice(-2)) }), meta: { open: k.length } });
    const listed = await port.list(fam('r'), '2026-11-01', '2026-11-02', N);
    expect(listed.map((s) => [s.periodKey, s.source, s.payload.n])).toEqual([
      ['2026-11-01', 'a', 1],
      ['2026-11-01', 'b', 1],
      ['2026-11-02', 'a', 2],
    ]);
    expect(await port.headers(fam('r'), '2026-11-02', '2026-11-03')).toEqual([
      { periodKey: '2026-11-02', source: 'a', collectedAt: t, meta: { open: 10 } },
      { periodKey: '2026-11-03', source: 'a', collectedAt: t, meta: { open: 10 } },
    ]);
    expect(await port.list(fam('r'), '2026-12-01', '2026-12-31', N)).toEqual([]);
    // With `each`, every snapshot goes there and the list comes back empty.
    const seen: string[] = [];
    expect(await port.list(fam('r'), '2026-10-01', '2026-11-30', N, { each: (s) => seen.push(s.periodKey) })).toEqual(
      [],
    );
    expect(seen.sort()).toEqual(['2026-10-31', '2026-11-01', '2026-11-01', '2026-11-02', '2026-11-03']);
  });

  it('keeps a tail beside its day and gives each reader what it picks: the whole day, its tail, or nothing', async () => {
    const port = make();
    const t = '2026-11-05T00:00:00.000Z';
    await port.put({
      ...day('t', '2026-11-01', 'a', t, { n: 100 }),
      meta: { open: 2 },
      tail: { from: 1_000, payload: { n: 7 } },
    });
    await port.put({ ...day('t', '2026-11-02', 'a', t, { n: 200 }), meta: { open: 0 } });
    expect((await port.headers(fam('t'), '2026-11-01', '2026-11-02')).map((h) => h.meta)).toEqual([
      { open: 2, tailFrom: 1_000 },
      { open: 0 },
    ]);
    const read = async (choice: 'full' | 'tail' | 'skip') =>
      (await port.list(fam('t'), '2026-11-01', '2026-11-02', N, { pick: () => choice })).map((s) => s.payload.n);
    expect(await read('full')).toEqual([100, 200]);
    // A day without a tail is read whole.
    expect(await read('tail')).toEqual([7, 200]);
    expect(await read('skip')).toEqual([]);
  });

  it('gives binary payloads to their decoder, and names the item of a payload no reader takes', async () => {
    const port = make();
    const t = '2026-11-05T00:00:00.000Z';
    await port.put(day('b', '2026-11-05', 'a', t, new Uint8Array([1, 2, 3])));
    await port.put(day('j', '2026-11-06', 'a', t, { n: 'six' }));
    expect(
      (await port.list(fam('b'), '2026-11-05', '2026-11-05', N, { binary: (b) => Array.from(b) })).map(
        (s) => s.payload,
      ),
    ).toEqual([[1, 2, 3]]);
    const where = (f: string, k: string) => `SNAP#${fam(f)} ${k}#a`;
    await expect(port.list(fam('b'), '2026-11-05', '2026-11-05', N)).rejects.toThrow(
      new CorruptItemError(`${where('b', '2026-11-05')}: a binary payload this reader does not decode`),
    );
    const broken = () => {
      throw new BinaryPayloadError('bad magic');
    };
    await expect(port.list(fam('b'), '2026-11-05', '2026-11-05', N, { binary: broken })).rejects.toThrow(
      `${where('b', '2026-11-05')}: bad magic`,
    );
    const refused = port.list(fam('j'), '2026-11-06', '2026-11-06', N);
    await expect(refused).rejects.toBeInstanceOf(CorruptItemError);
    await expect(refused).rejects.toThrow(new RegExp(`^${where('j', '2026-11-06')}: n: `));
    // A decoder that accepts the raw JSON is used instead of the schema.
    const decoded = await port.list(fam('j'), '2026-11-06', '2026-11-06', N, { decode: () => ({ n: 6 }) });
    expect(decoded.map((s) => s.payload)).toEqual([{ n: 6 }]);
  });

  it('refuses a payload that is neither an object nor binary that cannot be mistaken for JSON', async () => {
    const port = make();
    const t = '2026-11-05T00:00:00.000Z';
    await expect(port.put(day('x', '2026-11-07', 'a', t, [1, 2]))).rejects.toBeInstanceOf(TypeError);
    await expect(port.put(day('x', '2026-11-07', 'a', t, new TextEncoder().encode('{"n":1}')))).rejects.toThrow(
      'a binary payload must not begin with "{"',
    );
    expect(await port.headers(fam('x'), '2026-11-01', '2026-11-30')).toEqual([]);
  });
});
