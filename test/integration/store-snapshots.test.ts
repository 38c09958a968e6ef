import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { CaseBatch, encodeCaseBatch } from '../../shared/store/formats/case-batch.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { dynamoClient, DynamoTable, SDK_LOGGER_MIDDLEWARE } from '../../shared/store/dynamo-table.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

async function itemsOf(pk: string, prefix: string) {
  const out = [];
  for await (const item of env.table.query(pk, { prefix })) out.push(item);
  return out;
}

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
    const [header] = await itemsOf(keys.snapshotHeader('cases', '2026-11-03', 'sim').pk, '2026-11-03#sim');
    // Parts live in their own partition, only those of the current version are left, and none beside the header.
    const parts = await itemsOf('SNAPDATA#cases', '2026-11-03#sim#');
    expect(parts.length).toBe(Number(header!.parts));
    expect(parts.every((p) => String(p.sk).includes(String(header!.version)))).toBe(true);
    expect((await itemsOf('SNAP#cases', '2026-11-03#sim')).map((i) => i.type)).toEqual(['snapshot']);
    const [again] = await store.list('cases', '2026-11-03', '2026-11-03', Payload);
    expect(again!.payload.cases).toHaveLength(150);

    // One part lost while its header stays: named, never read as a shorter payload.
    await env.table.delete({ pk: String(parts[1]!.pk), sk: String(parts[1]!.sk) });
    await expect(store.list('cases', '2026-11-03', '2026-11-03', Payload)).rejects.toThrow(
      /SNAP#cases 2026-11-03#sim: the parts of version \S+ are missing/,
    );
    // A damaged count of parts is named, not read as a billion keys.
    await env.table.put({ ...header!, pk: String(header!.pk), sk: String(header!.sk), parts: 1e9 });
    await expect(store.list('cases', '2026-11-03', '2026-11-03', Payload)).rejects.toThrow(
      /SNAP#cases 2026-11-03#sim: a header naming 1000000000 parts/,
    );
    // And never written: a payload that would take more parts than a reader accepts is refused before any write.
    const tiny = new DynamoSnapshotStore(env.table, 2);
    await expect(tiny.put(snap('2026-11-04', 'sim', big))).rejects.toThrow(/take \d+ parts, more than 1000/);
    expect(await itemsOf('SNAPDATA#cases', '2026-11-04#sim#')).toEqual([]);
  });

  it('keeps a tail beside a snapshot, reads it instead of the payload when asked, and replaces it on rewrite', async () => {
    const store = new DynamoSnapshotStore(env.table);
    const payload = {
      cases: [
        { id: 'a', note: 'closed' },
        { id: 'b', note: 'open' },
      ],
    };
    const tail = { from: 1_000, payload: { cases: [payload.cases[1]!] } };
    expect(await store.put({ ...snap('2026-11-04', 'sim', payload), meta: { open: 1 }, tail })).toBe('written');
    const [h] = await store.headers('cases', '2026-11-04', '2026-11-04');
    expect(h!.meta).toEqual({ open: 1, tailFrom: 1_000 });
    const picks = { tail: 'tail', full: 'full', skip: 'skip' } as const;
    for (const [choice, want] of [
      ['tail', tail.payload],
      ['full', payload],
    ] as const) {
      const got = await store.list('cases', '2026-11-04', '2026-11-04', Payload, { pick: () => picks[choice] });
      expect(got.map((s) => s.payload)).toEqual([want]);
    }
    expect(await store.list('cases', '2026-11-04', '2026-11-04', Payload, { pick: () => 'skip' })).toEqual([]);
    // Same content again: unchanged; new content: the old version's tail is removed, the new one read.
    expect(
      await store.put({ ...snap('2026-11-04', 'sim', payload, '2026-11-20T11:00:00Z'), meta: { open: 1 }, tail }),
    ).toBe('unchanged');
    const closed = {
      cases: [
        { id: 'a', note: 'closed' },
        { id: 'b', note: 'closed' },
      ],
    };
    const tail2 = { from: 1_000, payload: { cases: [] } };
    expect(
      await store.put({ ...snap('2026-11-04', 'sim', closed, '2026-11-21T10:00:00Z'), meta: { open: 0 }, tail: tail2 }),
    ).toBe('written');
    expect(await itemsOf('SNAPTAIL#cases', '2026-11-04#sim#')).toHaveLength(1);
    const [t] = await store.list('cases', '2026-11-04', '2026-11-04', Payload, { pick: () => 'tail' });
    expect(t!.payload).toEqual({ cases: [] });
    // The same content with its tail cut from another instant (the SOC changed zone): a new tail, the old one gone.
    const tail3 = { from: 2_000, payload: { cases: [{ id: 'b', note: 'closed' }] } };
    expect(
      await store.put({ ...snap('2026-11-04', 'sim', closed, '2026-11-21T11:00:00Z'), meta: { open: 0 }, tail: tail3 }),
    ).toBe('written');
    expect((await itemsOf('SNAPTAIL#cases', '2026-11-04#sim#')).map((i) => i.sk)).toEqual([
      expect.stringMatching(/#2000$/),
    ]);
    const [t3] = await store.list('cases', '2026-11-04', '2026-11-04', Payload, { pick: () => 'tail' });
    expect(t3!.payload).toEqual(tail3.payload);
    // A snapshot without a tail is read whole when its tail is asked for.
    await store.put(snap('2026-11-05', 'sim', payload));
    const [whole] = await store.list('cases', '2026-11-05', '2026-11-05', Payload, { pick: () => 'tail' });
    expect(whole!.payload).toEqual(payload);
  });

  it('refuses a header of any layout but the current one, naming the item', async () => {
    const store = new DynamoSnapshotStore(env.table);
    const payload = { cases: [{ id: 'c1', note: 'a' }] };
    await env.table.put({
      ...keys.snapshotHeader('cases', '2026-11-06', 'old'),
      type: 'snapshot',
      family: 'cases',
      periodKey: '2026-11-06',
      source: 'old',
      version: 'oldlayout00000000001',
      parts: 0,
      collectedAt: '2026-11-20T10:00:00Z',
      bytes: 0,
      meta: '{}',
      data: gzipSync(JSON.stringify(payload)),
    });
    for (const opts of [{}, { pick: () => 'full' as const }])
      await expect(store.list('cases', '2026-11-06', '2026-11-06', Payload, opts)).rejects.toThrow(
        'SNAP#cases 2026-11-06#old: a header of layout (none), not 2',
      );
  });

  it('takes a payload past the fast decoder only when the schema accepts it unchanged', async () => {
    const store = new DynamoSnapshotStore(env.table);
    // An unknown key: the fast check refuses it, zod strips it.
    await store.put(snap('2026-11-07', 'sim', { cases: [{ id: 'c', note: 'n', extra: 1 } as never] }));
    const decode = (raw: unknown) =>
      Payload.safeParse(raw).success &&
      (raw as Payload).cases.every((c) => Object.keys(c).every((k) => k === 'id' || k === 'note'))
        ? (raw as Payload)
        : undefined;
    const [got] = await store.list('cases', '2026-11-07', '2026-11-07', Payload, { decode });
    expect(got!.payload).toEqual({ cases: [{ id: 'c', note: 'n' }] });
    await store.put(snap('2026-11-08', 'bad', { cases: [{ id: 2 }] as never }));
    await expect(store.list('cases', '2026-11-08', '2026-11-08', Payload, { decode })).rejects.toThrow(
      /SNAP#cases 2026-11-08#bad: cases\.0\.id/,
    );
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

  it('stores binary payloads as given and names the item when one cannot be decoded', async () => {
    const store = new DynamoSnapshotStore(env.table);
    const cases = [{ id: 'c1', sev: 'high' as const, created: Date.parse('2026-09-02T10:00:00Z'), tier: 2 }];
    const bytes = encodeCaseBatch(cases);
    // Parts and tail too: a payload of many parts, and a tail beside it.
    const small = new DynamoSnapshotStore(env.table, 64);
    expect(
      await small.put<unknown>({
        ...snap('2026-09-02', 'sim', { cases: [] }),
        payload: bytes,
        tail: { from: 1, payload: bytes },
      }),
    ).toBe('written');
    const binary = (b: Uint8Array) => ({ cases: CaseBatch.decode(b).rows() });
    const [got] = await store.list('cases', '2026-09-02', '2026-09-02', Payload, { binary });
    expect(got!.payload).toEqual({ cases });
    const [tail] = await store.list('cases', '2026-09-02', '2026-09-02', Payload, { binary, pick: () => 'tail' });
    expect(tail!.payload).toEqual({ cases });
    await expect(store.list('cases', '2026-09-02', '2026-09-02', Payload)).rejects.toThrow(
      'SNAP#cases 2026-09-02#sim: a binary payload this reader does not decode',
    );
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 1] = 7; // the tier column is last
    await store.put<unknown>({ ...snap('2026-09-03', 'sim', { cases: [] }), payload: damaged });
    await expect(store.list('cases', '2026-09-03', '2026-09-03', Payload, { binary })).rejects.toThrow(
      'SNAP#cases 2026-09-03#sim: case 0: tier is out of range',
    );
  });

  it('hands no request or response to an SDK logger, even one configured', async () => {
    const seen: unknown[] = [];
    const logger = { debug: log, info: log, warn: log, error: log, trace: log };
    function log(...args: unknown[]) {
      seen.push(...args);
    }
    const config = {
      endpoint: env.dynamo.endpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      logger,
    };
    const client = dynamoClient(config);
    const store = new DynamoSnapshotStore(new DynamoTable(client, env.table.tableName));
    const payload = { cases: [{ id: 'c-logged', note: 'a title that must stay out of logs' }] };
    await store.put(snap('2026-11-07', 'sim', payload));
    expect((await store.list('cases', '2026-11-07', '2026-11-07', Payload))[0]!.payload).toEqual(payload);
    expect(client.middlewareStack.identify().join(' ')).not.toContain(SDK_LOGGER_MIDDLEWARE);
    // (The SDK still logs where it looked for its settings, at debug level: no record or key is in those lines.)
    const logged = () => JSON.stringify(seen);
    expect(logged()).not.toContain('commandName');
    expect(logged()).not.toContain('2026-11-07');
    // The SDK's own client does log each call to a configured logger: the removal above is what keeps it quiet.
    const plain = new DynamoDBClient(config);
    await new DynamoTable(plain, env.table.tableName).get({ pk: 'nothing', sk: 'here' });
    expect(logged()).toContain('"commandName":"GetItemCommand"');
    expect(logged()).toContain('nothing');
    plain.destroy();
    client.destroy();
  });

  it('keeps keys in one place: header and part keys share the day and source prefix', () => {
    expect(keys.snapshotHeader('cases', '2026-11-01', 'sim')).toEqual({ pk: 'SNAP#cases', sk: '2026-11-01#sim' });
    expect(keys.snapshotPart('cases', '2026-11-01', 'sim', 'abc', 3)).toEqual({
      pk: 'SNAPDATA#cases',
      sk: '2026-11-01#sim#abc#0003',
    });
    expect(keys.snapshotTail('cases', '2026-11-01', 'sim', 'abc', 1_700_000_000_000)).toEqual({
      pk: 'SNAPTAIL#cases',
      sk: '2026-11-01#sim#abc#1700000000000',
    });
  });
});

describe('reading while collection rewrites a day', () => {
  it('follows the header to the new version when the parts it listed were replaced meanwhile', async () => {
    const writer = new DynamoSnapshotStore(env.table, 1000);
    const noisy = (tag: string) => ({
      cases: Array.from({ length: 400 }, (_, i) => ({
        id: `${tag}${i}`,
        note: `${tag}-${(i * 7919) % 10007}-${(i * i * 104729) % 999983}`,
      })),
    });
    let minute = 0;
    const later = () => new Date(Date.UTC(2026, 10, 20, 10, minute++)).toISOString();
    // A table whose read of a day's last part lets a newer collection replace the day (deleting v1's parts) just
    // before it: the reader has some of v1's parts and not the others.
    let rewritten = false;
    const racing = new Proxy(env.table, {
      get(target, prop, receiver) {
        if (prop !== 'get') return Reflect.get(target, prop, receiver) as unknown;
        return async (key: { pk: string; sk: string }) => {
          const lastPart =
            key.pk.startsWith('SNAPDATA#') && key.sk.startsWith('2025-03-03') && key.sk.endsWith('#0002');
          if (lastPart && !rewritten) {
            rewritten = true;
            await writer.put(snap('2025-03-03', 'race', noisy('v2'), later()));
          }
          return target.get(key);
        };
      },
    });
    const reader = new DynamoSnapshotStore(racing);
    for (const pick of [undefined, () => 'full' as const]) {
      rewritten = false;
      expect(await writer.put(snap('2025-03-03', 'race', noisy('v1'), later()))).toBe('written');
      const got = await reader.list('cases', '2025-03-03', '2025-03-03', Payload, pick ? { pick } : {});
      expect(rewritten).toBe(true);
      expect(got).toHaveLength(1);
      expect(got[0]!.payload.cases[0]!.id).toBe('v20');
    }
  });
});
