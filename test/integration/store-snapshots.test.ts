import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { CorruptItemError } from '../../shared/store/errors.js';
import { keys } from '../../shared/store/keys.js';
import { localTable } from './helpers.js';

const Payload = z.object({ cases: z.array(z.object({ id: z.string(), note: z.string() })) });
type Payload = z.infer<typeof Payload>;

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

const snap = (periodKey: string, source: string, payload: Payload, collectedAt = '2026-11-20T10:00:00Z') => ({
  family: 'cases',
  periodKey,
  source,
  collectedAt,
  payload,
});

describe('DynamoSnapshotStore', () => {
  it('writes a snapshot once and reports an identical rewrite as unchanged', async () => {
    const store = new DynamoSnapshotStore(env.table);
    const payload = { cases: [{ id: 'c1', note: 'a' }] };
    expect(await store.put(snap('2026-11-01', 'sim', payload))).toBe('written');
    expect(await store.put(snap('2026-11-01', 'sim', payload, '2026-11-20T11:00:00Z'))).toBe('unchanged');
    const got = await store.list('cases', '2026-11-01', '2026-11-01', Payload);
    expect(got).toHaveLength(1);
    expect(got[0]!.payload).toEqual(payload);
    // The unchanged rewrite did not even move collectedAt.
    expect(got[0]!.collectedAt).toBe('2026-11-20T10:00:00Z');
  });

  it('never lets an older collection overwrite a newer one', async () => {
    const store = new DynamoSnapshotStore(env.table);
    await store.put(snap('2026-11-02', 'sim', { cases: [{ id: 'new', note: '' }] }, '2026-11-21T10:00:00Z'));
    expect(
      await store.put(snap('2026-11-02', 'sim', { cases: [{ id: 'old', note: '' }] }, '2026-11-21T09:00:00Z')),
    ).toBe('superseded');
    const [got] = await store.list('cases', '2026-11-02', '2026-11-02', Payload);
    expect(got!.payload.cases[0]!.id).toBe('new');
  });

  it('splits a payload larger than one item into parts and reads it back whole, removing the old parts on rewrite', async () => {
    const store = new DynamoSnapshotStore(env.table, 1000); // 1 KB parts force a split
    // Random-looking notes so gzip cannot shrink them below one part.
    const big = {
      cases: Array.from({ length: 200 }, (_, i) => ({
        id: `c${i}`,
        note: (i * 7919).toString(36).repeat(9) + Math.sin(i),
      })),
    };
    expect(await store.put(snap('2026-11-03', 'sim', big))).toBe('written');
    const [got] = await store.list('cases', '2026-11-03', '2026-11-03', Payload);
    expect(got!.payload).toEqual(big);

    const smaller = { cases: big.cases.slice(0, 150) };
    expect(await store.put(snap('2026-11-03', 'sim', smaller, '2026-11-20T12:00:00Z'))).toBe('written');
    const items = [];
    for await (const item of env.table.query('SNAP#cases', { prefix: '2026-11-03#sim' })) items.push(item);
    const header = items.find((i) => i.type === 'snapshot')!;
    const parts = items.filter((i) => i.type === 'snapshot-part');
    expect(parts.length).toBe(Number(header.parts));
    expect(parts.every((p) => String(p.sk).includes(String(header.version)))).toBe(true);
    const [again] = await store.list('cases', '2026-11-03', '2026-11-03', Payload);
    expect(again!.payload.cases).toHaveLength(150);
  });

  it('lists a day range across sources, inclusive at both ends', async () => {
    const store = new DynamoSnapshotStore(env.table);
    for (const day of ['2026-10-30', '2026-10-31']) {
      await store.put(snap(day, 'a', { cases: [{ id: `${day}-a`, note: '' }] }));
      await store.put(snap(day, 'b', { cases: [{ id: `${day}-b`, note: '' }] }));
    }
    const got = await store.list('cases', '2026-10-30', '2026-10-31', Payload);
    expect(got.map((s) => `${s.periodKey}/${s.source}`)).toEqual([
      '2026-10-30/a',
      '2026-10-30/b',
      '2026-10-31/a',
      '2026-10-31/b',
    ]);
  });

  it('refuses a stored payload that fails validation, naming the key and field', async () => {
    const store = new DynamoSnapshotStore(env.table);
    await store.put({
      family: 'cases',
      periodKey: '2026-09-01',
      source: 'bad',
      collectedAt: '2026-11-20T10:00:00Z',
      payload: { cases: [{ id: 1 }] },
    });
    await expect(store.list('cases', '2026-09-01', '2026-09-01', Payload)).rejects.toThrow(CorruptItemError);
    await expect(store.list('cases', '2026-09-01', '2026-09-01', Payload)).rejects.toThrow(
      /SNAP#cases 2026-09-01#bad: cases\.0\.id/,
    );
  });

  it('keeps keys in one place: header and part keys share the day and source prefix', () => {
    expect(keys.snapshotHeader('cases', '2026-11-01', 'sim')).toEqual({ pk: 'SNAP#cases', sk: '2026-11-01#sim' });
    expect(keys.snapshotPart('cases', '2026-11-01', 'sim', 'abc', 3).sk).toBe('2026-11-01#sim#abc#0003');
  });
});
