import { beforeEach, describe, expect, it } from 'vitest';
import type { RecordBatch, ReadSummary, SourceReader } from '../../shared/sources/reader.js';
import type { CollectionRun } from '../../shared/store/collection-run-store.js';
import { SnapshotPayloadBinaryDecoders, SnapshotPayloadSchemas } from '../../shared/store/formats/snapshot-payload.js';
import { collectSource, type CollectRequest } from '../../shared/usecases/collect-source.js';
import type { CollectionRunRecorder } from '../../shared/usecases/ports.js';
import { InMemorySnapshotStore } from '../fakes/in-memory-ports.js';

// collectSource on in-memory ports (the snapshot store held to DynamoSnapshotStore by
// test/integration/ports-contract.test.ts): what is written for a window, and that a read that fails or maps nothing
// writes nothing. The same against dynalite and the MCP servers: test/integration/collect.test.ts.

const NOW = Date.parse('2026-11-25T10:00:00Z');
const TZ = 'Europe/London'; // GMT in November: local days are UTC days

let snapshots: InMemorySnapshotStore;
let recorded: CollectionRun[];
let closed: number;
const runs: CollectionRunRecorder = { record: async (run) => void recorded.push(run) };
beforeEach(() => {
  snapshots = new InMemorySnapshotStore();
  recorded = [];
  closed = 0;
});

const kase = (id: string, createdAt: string, closedAt?: string) => ({
  id,
  source: 'sim',
  title: `case ${id}`,
  severity: 'high',
  createdAt,
  ...(closedAt ? { closedAt } : {}),
});

/** A cases-only source answering `batches` (then throwing `fails`, if given), its summary as given. */
function source(batches: RecordBatch[], opts: { fails?: Error; summary?: ReadSummary } = {}): SourceReader {
  return {
    kind: 'socpulse',
    families: new Set(['cases'] as const),
    reads: {},
    async *read() {
      for (const b of batches) yield b;
      if (opts.fails) throw opts.fails;
    },
    summary: () => opts.summary ?? { rejects: { count: 0, samples: [] }, notes: [] },
    close: async () => void closed++,
  };
}

const collect = (reader: SourceReader, fromDay: string, now = NOW) =>
  collectSource({ snapshots, runs, now: () => new Date(now) }, {
    source: 'sim',
    kind: 'socpulse',
    open: async () => reader,
    tz: TZ,
    fromDay,
  } satisfies CollectRequest);

/** The stored cases of each day from..to, as `day: [case ids (closed at, or open)]`. */
async function storedCases(from: string, to: string) {
  const days = await snapshots.list('cases', from, to, SnapshotPayloadSchemas.cases, {
    binary: SnapshotPayloadBinaryDecoders.cases,
  });
  return Object.fromEntries(
    days.map((d) => [
      d.periodKey,
      d.payload.cases.map((c) => `${c.id} ${c.closed === undefined ? 'open' : new Date(c.closed).toISOString()}`),
    ]),
  );
}

describe('collectSource on in-memory ports', () => {
  it('writes one snapshot per day of the window, empty days included, and nothing new for the same answer', async () => {
    const batch: RecordBatch = {
      family: 'cases',
      records: [
        kase('1', '2026-11-23T09:00:00Z', '2026-11-23T11:00:00Z'),
        kase('2', '2026-11-23T15:00:00Z'),
        kase('3', '2026-11-24T08:00:00Z'),
      ],
    };
    const run = await collect(source([batch]), '2026-11-23');
    expect(run).toMatchObject({
      status: 'ok',
      counts: { cases: 3 },
      snapshots: { written: 3, unchanged: 0, superseded: 0 },
      window: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-25T10:00:00.000Z' },
      offered: ['cases'],
      errors: [],
    });
    expect(await storedCases('2026-11-20', '2026-11-30')).toEqual({
      '2026-11-23': ['sim:1 2026-11-23T11:00:00.000Z', 'sim:2 open'],
      '2026-11-24': ['sim:3 open'],
      '2026-11-25': [],
    });
    // An hour later the source says the same: every day is unchanged.
    const again = await collect(source([batch]), '2026-11-23', NOW + 3_600_000);
    expect(again.snapshots).toEqual({ written: 0, unchanged: 3, superseded: 0 });
    expect(recorded.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(closed).toBe(2);
  });

  it('writes nothing when the read fails part way, and records the run failed with the error', async () => {
    const reader = source([{ family: 'cases', records: [kase('1', '2026-11-23T09:00:00Z')] }], {
      fails: new Error('source went away'),
    });
    const run = await collect(reader, '2026-11-23');
    expect(run).toMatchObject({
      status: 'failed',
      errors: ['Error: source went away'],
      snapshots: { written: 0, unchanged: 0, superseded: 0 },
    });
    expect(await snapshots.headers('cases', '2026-11-01', '2026-11-30')).toEqual([]);
    expect(recorded).toEqual([run]);
    expect(closed).toBe(1);
  });

  it('fails a read whose every cases record was rejected, rather than store its days as zero cases', async () => {
    const reader = source([{ family: 'cases', records: [] }], {
      summary: {
        rejects: { count: 2, samples: [{ family: 'cases', reason: 'createdAt: required' }], byFamily: { cases: 2 } },
        notes: [],
      },
    });
    const run = await collect(reader, '2026-11-23');
    expect(run.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(
      /^NothingMappedError: source sim: .*2 rejected.*createdAt: required.*; nothing was stored$/,
    );
    expect(await snapshots.headers('cases', '2026-11-01', '2026-11-30')).toEqual([]);
  });

  it('merges a closure of an older case into its stored day, and leaves a day never collected alone, saying so', async () => {
    const closing = { family: 'cases' as const, records: [kase('0', '2026-11-20T10:00:00Z', '2026-11-24T10:00:00Z')] };
    const first = await collect(source([closing]), '2026-11-23');
    expect(first.notes).toEqual([
      'updates of 1 case(s) created on days never collected were not stored: 2026-11-20 (1); backfill from the first of those days to include them',
    ]);
    expect(Object.keys(await storedCases('2026-11-01', '2026-11-30'))).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
    ]);

    // A backfill from the 20th stores that day with the case still open (as the source said the day before).
    const open = { family: 'cases' as const, records: [kase('0', '2026-11-20T10:00:00Z')] };
    await collect(source([open]), '2026-11-20', Date.parse('2026-11-23T09:00:00Z'));
    expect((await storedCases('2026-11-20', '2026-11-20'))['2026-11-20']).toEqual(['sim:0 open']);
    // The next collection of the usual window carries the closure into the 20th; its own days are unchanged.
    const merged = await collect(source([closing]), '2026-11-23');
    expect(merged.snapshots).toEqual({ written: 1, unchanged: 3, superseded: 0 });
    expect(merged.notes).toEqual([]);
    expect((await storedCases('2026-11-20', '2026-11-20'))['2026-11-20']).toEqual(['sim:0 2026-11-24T10:00:00.000Z']);
  });
});
