import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore, type CollectionRun } from '../../shared/store/collection-run-store.js';
import type { BudgetSnapshotContent } from '../../shared/domain/budget-snapshot.js';
import { keys } from '../../shared/store/keys.js';
import { budgetSnapshotContent, localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

const line = (month: string, category: 'personnel' | 'tooling', amount: string) => ({
  fiscalYear: 'FY2027',
  month,
  category,
  amount,
  currency: 'EUR',
});

describe('DynamoBudgetStore', () => {
  it('stores and returns only whole snapshots: a missing field is refused on the way in and on the way out', async () => {
    const store = new DynamoBudgetStore(env.table);
    const { coveredMonths: _, ...partial } = budgetSnapshotContent({ month: '2026-08' });
    await expect(store.addSnapshot(partial as BudgetSnapshotContent)).rejects.toThrow(
      'budget snapshot FY2027 2026-08: coveredMonths: ',
    );
    expect(await store.snapshots('FY2027', '2026-08')).toEqual([]);
    // An item written past the store (an older format, a hand edit) is an error naming its key and field.
    const key = keys.budgetSnapshot('FY2026', '2026-03', 1);
    const data = JSON.stringify({ ...partial, fiscalYear: 'FY2026', month: '2026-03', version: 1, snapshotId: 'x' });
    await env.table.put({ ...key, type: 'budget-snapshot', data });
    await expect(store.snapshots('FY2026', '2026-03')).rejects.toThrow(`${key.pk} ${key.sk}: coveredMonths: `);
  });

  it('replaces a fiscal year plan whole: the second import hides every line of the first', async () => {
    const store = new DynamoBudgetStore(env.table);
    await store.importPlan(
      [line('2026-04', 'personnel', '100.00'), line('2026-05', 'tooling', '5.00')],
      'imp-1',
      '2026-04-01T00:00:00Z',
    );
    await store.importPlan([line('2026-04', 'personnel', '120.00')], 'imp-2', '2026-05-01T00:00:00Z', 'finance');
    const plan = await store.plan('FY2027');
    expect(plan?.header.importId).toBe('imp-2');
    expect(plan?.lines).toEqual([line('2026-04', 'personnel', '120.00')]);
    expect(await store.plan('FY2030')).toBeUndefined();
  });

  it('versions snapshots: concurrent corrections get distinct, increasing versions and nothing is overwritten', async () => {
    const store = new DynamoBudgetStore(env.table);
    const base = budgetSnapshotContent({ asOf: '2026-11-03T08:00:00Z' });
    const made = await Promise.all([store.addSnapshot(base), store.addSnapshot(base), store.addSnapshot(base)]);
    expect(made.map((s) => s.version).sort()).toEqual([1, 2, 3]);
    const listed = await store.snapshots('FY2027', '2026-10');
    expect(listed.map((s) => s.snapshotId)).toEqual(['FY2027-2026-10-v1', 'FY2027-2026-10-v2', 'FY2027-2026-10-v3']);
    expect((await store.snapshots('FY2027')).length).toBe(3);
  });
});

describe('DynamoCollectionRunStore', () => {
  const run = (startedAt: string, status: CollectionRun['status'], to: string): CollectionRun => ({
    source: 'soar',
    kind: 'secops-soar',
    startedAt,
    finishedAt: startedAt.replace(':00Z', ':30Z'),
    status,
    window: { from: '2026-10-01T00:00:00Z', to },
    counts: { cases: 3 },
    snapshots: { written: 1, unchanged: 0, superseded: 0 },
    rejects: { count: 0, samples: [] },
    errors: status === 'failed' ? ['soar: list_cases timed out after 3 attempts'] : [],
    notes: [],
  });

  it('keeps the last success when a later run fails, and lists runs newest first', async () => {
    const store = new DynamoCollectionRunStore(env.table);
    await store.record(run('2026-11-20T10:00:00Z', 'ok', '2026-11-20T10:00:00Z'));
    await store.record(run('2026-11-20T11:00:00Z', 'failed', '2026-11-20T11:00:00Z'));
    const status = await store.status('soar');
    expect(status?.lastAttemptStatus).toBe('failed');
    expect(status?.lastSuccessAt).toBe('2026-11-20T10:00:30Z');
    expect(status?.collectedThrough).toBe('2026-11-20T10:00:00Z');
    expect(status?.lastError).toMatch(/timed out/);
    expect((await store.runs('soar')).map((r) => r.status)).toEqual(['failed', 'ok']);
    expect((await store.statuses()).map((s) => s.source)).toEqual(['soar']);
  });
});
