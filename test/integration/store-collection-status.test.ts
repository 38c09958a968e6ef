import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCollectionRunStore, type CollectionRun } from '../../shared/store/collection-run-store.js';
import { keys } from '../../shared/store/keys.js';
import { localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
}, 60_000);
afterAll(async () => env.stop());

const run = (source: string, finishedAt: string, status: CollectionRun['status'], to = finishedAt): CollectionRun => ({
  source,
  kind: 'secops-soar',
  startedAt: finishedAt.replace(/:30Z$/, ':00Z'),
  finishedAt,
  status,
  window: { from: '2026-10-01T00:00:00Z', to },
  counts: { cases: 3 },
  snapshots: { written: 1, unchanged: 0, superseded: 0 },
  rejects: { count: 0, samples: [] },
  errors: status === 'failed' ? [`${source}: list_cases timed out after 3 attempts`] : [],
  notes: [],
});

describe('source status: a conditional write that never moves backwards', () => {
  it('keeps the newer success when an older run is recorded after it (two out-of-order writes)', async () => {
    const store = new DynamoCollectionRunStore(env.table);
    await store.record(run('a', '2026-11-20T11:00:30Z', 'ok'));
    await store.record(run('a', '2026-11-20T10:00:30Z', 'ok')); // finished earlier, recorded later
    expect(await store.status('a')).toMatchObject({
      lastSuccessAt: '2026-11-20T11:00:30Z',
      collectedThrough: '2026-11-20T11:00:30Z',
      lastAttemptAt: '2026-11-20T11:00:30Z',
      lastAttemptStatus: 'ok',
    });
    // A late, older failure changes neither the success nor the latest attempt.
    await store.record(run('a', '2026-11-20T09:00:30Z', 'failed'));
    const status = await store.status('a');
    expect(status).toMatchObject({ lastSuccessAt: '2026-11-20T11:00:30Z', lastAttemptStatus: 'ok' });
    expect(status?.lastError).toBeUndefined();
    // A newer failure is the latest attempt, and still keeps the last success.
    await store.record(run('a', '2026-11-20T12:00:30Z', 'failed'));
    expect(await store.status('a')).toMatchObject({
      lastSuccessAt: '2026-11-20T11:00:30Z',
      lastAttemptStatus: 'failed',
      lastError: 'a: list_cases timed out after 3 attempts',
    });
  });

  it('loses no run when many finish at once: the status is the newest of them', async () => {
    const store = new DynamoCollectionRunStore(env.table);
    const times = Array.from({ length: 8 }, (_, i) => `2026-11-21T${String(10 + i).padStart(2, '0')}:00:30Z`);
    await Promise.all([...times].reverse().map((t) => store.record(run('b', t, 'ok'))));
    expect(await store.status('b')).toMatchObject({
      lastSuccessAt: times.at(-1),
      collectedThrough: times.at(-1),
      lastAttemptAt: times.at(-1),
    });
    // Every write went through the revision check: eight writes, revision 8.
    expect((await env.table.get(keys.sourceStatus('b')))?.rev).toBe(8);
  });
});
