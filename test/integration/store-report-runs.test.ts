import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoReportRunStore, reportRunKey } from '../../shared/store/report-run-store.js';
import { ConflictError } from '../../shared/store/errors.js';
import { localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

const init = (period: string, runId = `run-${period}`) => ({
  runId,
  runbook: 'weekly-kpi',
  period,
  trigger: 'schedule' as const,
  recipients: ['ciso@example.com', 'cfo@example.com'],
});
const now = new Date('2026-11-23T07:00:00Z');

describe('DynamoReportRunStore', () => {
  it('lets exactly one of ten concurrent claims for the same period win', async () => {
    const store = new DynamoReportRunStore(env.table);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.claim(init('2026-W47', `r${i}`), `claim-${i}`, now)),
    );
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-progress')).toHaveLength(9);
  });

  it('leaves a delivered run alone', async () => {
    const store = new DynamoReportRunStore(env.table);
    const first = await store.claim(init('2026-W46'), 'a', now);
    if (first.outcome !== 'claimed') throw new Error('expected a claim');
    await store.update(first.run, { status: 'delivered' });
    const again = await store.claim(init('2026-W46'), 'b', now);
    expect(again.outcome).toBe('already-delivered');
  });

  it('takes over a run whose lease expired, keeping what was already delivered', async () => {
    const store = new DynamoReportRunStore(env.table, 60_000);
    const first = await store.claim(init('2026-W45'), 'a', now);
    if (first.outcome !== 'claimed') throw new Error('expected a claim');
    await store.update(first.run, {
      deliveries: { 'ciso@example.com': { messageId: 'm-1', sentAt: now.toISOString() } },
    });
    // Within the lease: someone else's.
    expect((await store.claim(init('2026-W45'), 'b', new Date(now.getTime() + 30_000))).outcome).toBe('in-progress');
    // After it: taken over, with the earlier delivery so only the other recipient is sent.
    const later = await store.claim(init('2026-W45'), 'c', new Date(now.getTime() + 61_000));
    expect(later.outcome).toBe('claimed');
    expect(later.run.attempts).toBe(2);
    expect(Object.keys(later.run.deliveries)).toEqual(['ciso@example.com']);
  });

  it('rejects a write from an invocation that lost its claim', async () => {
    const store = new DynamoReportRunStore(env.table, 1);
    const first = await store.claim(init('2026-W44'), 'a', now);
    if (first.outcome !== 'claimed') throw new Error('expected a claim');
    const second = await store.claim(init('2026-W44'), 'b', new Date(now.getTime() + 10));
    expect(second.outcome).toBe('claimed');
    await expect(store.update(first.run, { status: 'delivered' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('finds a run by id and lists runs newest first', async () => {
    const store = new DynamoReportRunStore(env.table);
    const asked = await store.request(
      {
        runId: 'od-1',
        runbook: 'monthly-budget',
        period: '2026-10',
        runKey: reportRunKey('2026-10', ['fpa@example.com']),
        trigger: 'on-demand',
        recipients: ['fpa@example.com'],
        requestedBy: 'arn:aws:iam::1:user/manager',
      },
      now,
    );
    expect(asked.outcome).toBe('queued');
    const queued = asked.run;
    expect(queued.status).toBe('queued');
    expect((await store.getById('od-1'))?.period).toBe('2026-10');
    expect(await store.getById('nope')).toBeUndefined();
    // A queued on-demand run is claimed by the report function with its own recipients.
    const claimed = await store.claim({ ...queued, recipients: [] }, 'x', now);
    expect(claimed.outcome).toBe('claimed');
    expect(claimed.run.recipients).toEqual(['fpa@example.com']);
    const listed = await store.list('weekly-kpi');
    expect(listed.map((r) => r.period)).toEqual(['2026-W47', '2026-W46', '2026-W45', '2026-W44']);
  });

  it('answers requests for one identity with one run: queued, in progress, re-queued when failed or abandoned', async () => {
    const store = new DynamoReportRunStore(env.table, 60_000);
    const ask = (i: number, at = now) =>
      store.request({ ...init('2026-W40', `q${i}`), trigger: 'on-demand' as const, requestedBy: 'mgr' }, at);
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(i)));
    expect(first.filter((o) => o.outcome === 'queued')).toHaveLength(1);
    expect(new Set(first.map((o) => o.run.runId)).size).toBe(1);
    const runId = first[0]!.run.runId;
    // Its runner claims it, then fails: the next request queues the same run again (keeping its id).
    const claimed = await store.claim(init('2026-W40', 'ignored'), 'c1', now);
    if (claimed.outcome !== 'claimed') throw new Error('expected a claim');
    expect(claimed.run.runId).toBe(runId);
    await store.update(claimed.run, { status: 'failed', error: 'SES down' });
    const retried = await ask(20);
    expect(retried).toMatchObject({ outcome: 'queued', run: { runId, status: 'queued' } });
    // Queued, and its trigger lost: in progress within the lease, queued again after it.
    expect((await ask(21, new Date(now.getTime() + 30_000))).outcome).toBe('in-progress');
    expect((await ask(22, new Date(now.getTime() + 61_000))).outcome).toBe('queued');
  });

  it('resends a delivered run once per resend request, and never twice for one idempotency key', async () => {
    const store = new DynamoReportRunStore(env.table);
    const claimed = await store.claim(init('2026-W39'), 'a', now);
    if (claimed.outcome !== 'claimed') throw new Error('expected a claim');
    const delivered = { 'ciso@example.com': { messageId: 'm-1', sentAt: now.toISOString() } };
    await store.update(claimed.run, { status: 'delivered', deliveries: delivered });
    const ask = (resend?: { requestedBy: string; idempotencyKey?: string }) =>
      store.request({ ...init('2026-W39', 'x'), trigger: 'on-demand' as const }, now, resend);
    expect((await ask()).outcome).toBe('delivered');
    const resends = await Promise.all(
      Array.from({ length: 5 }, () => ask({ requestedBy: 'mgr', idempotencyKey: 'k1' })),
    );
    expect(resends.filter((o) => o.outcome === 'queued')).toHaveLength(1);
    const queued = resends.find((o) => o.outcome === 'queued')!.run;
    expect(queued.deliveries).toEqual({});
    expect(queued.resends).toEqual([
      { requestedBy: 'mgr', requestedAt: now.toISOString(), idempotencyKey: 'k1', previousDeliveries: delivered },
    ]);
    const again = await store.claim(init('2026-W39'), 'b', now);
    if (again.outcome !== 'claimed') throw new Error('expected a claim');
    await store.update(again.run, { status: 'delivered', deliveries: delivered });
    // The same resend request retried (its key recorded on the run): delivered, nothing queued.
    expect((await ask({ requestedBy: 'mgr', idempotencyKey: 'k1' })).outcome).toBe('delivered');
    expect((await ask({ requestedBy: 'mgr' })).outcome).toBe('queued');
  });
});
