import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore, IDEMPOTENCY_TTL_MS } from '../../shared/store/idempotency-store.js';
import { localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

const body = { runbook: 'weekly-kpi', period: '2026-W47', recipients: null, resend: false };
const t = (ms: number) => new Date(Date.parse('2026-11-24T09:00:00Z') + ms);

describe('DynamoIdempotencyStore', () => {
  it('lets one of concurrent first uses through; the others wait (in progress) until it completes, then replay', async () => {
    const store = new DynamoIdempotencyStore(env.table);
    const begun = await Promise.all(Array.from({ length: 8 }, () => store.begin('mgr', 'k-1', body, t(0))));
    expect(begun.filter((b) => b.state === 'new')).toHaveLength(1);
    expect(begun.filter((b) => b.state === 'in-progress')).toHaveLength(7);
    await store.complete('mgr', 'k-1', body, 'run-1', t(10));
    expect(await store.begin('mgr', 'k-1', body, t(20))).toEqual({ state: 'replay', runId: 'run-1' });
    expect(await store.begin('mgr', 'k-1', { ...body, period: '2026-W46', resend: true }, t(30))).toEqual({
      state: 'mismatch',
      fields: ['period', 'resend'],
    });
    // Keys are per caller: another principal's same key is another record.
    expect(await store.begin('other', 'k-1', { ...body, period: '2026-W46' }, t(40))).toEqual({ state: 'new' });
  });

  it('takes over a key whose server died while serving it, forgets a released key, and expires after 24 hours', async () => {
    const store = new DynamoIdempotencyStore(env.table);
    expect((await store.begin('mgr', 'k-2', body, t(0))).state).toBe('new');
    expect((await store.begin('mgr', 'k-2', body, t(1_000))).state).toBe('in-progress');
    expect((await store.begin('mgr', 'k-2', body, t(61_000))).state).toBe('new');
    await store.release('mgr', 'k-2');
    expect((await store.begin('mgr', 'k-2', { ...body, period: '2026-W40' }, t(62_000))).state).toBe('new');
    await store.complete('mgr', 'k-2', { ...body, period: '2026-W40' }, 'run-2', t(63_000));
    expect((await store.begin('mgr', 'k-2', body, t(64_000))).state).toBe('mismatch');
    expect((await store.begin('mgr', 'k-2', body, t(63_000 + IDEMPOTENCY_TTL_MS + 1_000))).state).toBe('new');
  });
});
