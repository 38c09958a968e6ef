import { significantRule } from '../../shared/domain/settings.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { createSocSimServer, type SocSimOptions } from '../../functions/soc-sim/server.js';
import { mergeDaySnapshots } from '../../shared/domain/day-snapshot.js';
import {
  SnapshotPayloadBinaryDecoders,
  SnapshotPayloadSchemas,
  snapshotForStore,
} from '../../shared/store/formats/snapshot-payload.js';
import { alertCount, caseFacts, shiftFacts } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { AlertSchema, CaseSchema, ShiftSchema } from '../../shared/domain/records.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { summarize } from '../../shared/domain/summary.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { SourceClient } from '../../shared/sources/mcp-client.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { loadSummary } from '../../shared/usecases/summary-loader.js';
import { localTable } from './helpers.js';

const NOW = Date.parse('2026-11-23T06:00:00Z');
const tz = 'Europe/London';

async function simSource(options: SocSimOptions = {}) {
  const [client, server] = InMemoryTransport.createLinkedPair();
  await createSocSimServer({ now: () => NOW, ...options }).connect(server);
  return openSource(
    'sim',
    { kind: 'socpulse', command: 'unused' },
    { secrets: new EnvSecretResolver({}), transport: client, limits: { backoffMs: 1, retries: 2, timeoutMs: 2000 } },
  );
}

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

const deps = () => ({
  snapshots: new DynamoSnapshotStore(env.table),
  runs: new DynamoCollectionRunStore(env.table),
  now: () => new Date(NOW),
});

describe('collect from soc-sim into DynamoDB', () => {
  it('writes one snapshot per family and day, and a second identical run changes nothing', async () => {
    const first = await collectSource(deps(), {
      source: 'sim',
      kind: 'socpulse',
      open: () => simSource(),
      tz,
      windowDays: 14,
    });
    expect(first.status).toBe('ok');
    expect(first.counts.cases).toBeGreaterThan(100);
    expect(first.counts.alerts).toBeGreaterThan(5000);
    // 14 days back plus today: 15 local days × 3 daily families, plus cost months
    expect(first.snapshots.written).toBeGreaterThanOrEqual(45);
    const second = await collectSource(deps(), {
      source: 'sim',
      kind: 'socpulse',
      open: () => simSource(),
      tz,
      windowDays: 14,
    });
    expect(second.snapshots.written).toBe(0);
    expect(second.snapshots.unchanged).toBe(first.snapshots.written);
  });

  it('reproduces from stored snapshots exactly what summarize computes from the same records', async () => {
    const period = parsePeriod('2026-W46', { tz, fiscalYearStartMonth: 4 });
    const settings = MetricSettingsSchema.parse({ timezone: tz, fiscalYearStartMonth: 4 });
    // The records straight from the source, as `socpulse export` writes them.
    const [ct, st] = InMemoryTransport.createLinkedPair();
    await createSocSimServer({ now: () => NOW }).connect(st);
    const client = await SourceClient.connect('sim', { transport: ct });
    const all = async (tool: string) => {
      const out: unknown[] = [];
      for await (const items of client.paginate(
        tool,
        { from: '2026-11-09T00:00:00Z', to: new Date(NOW).toISOString() },
        (p) => ({ items: (p as { items: unknown[] }).items, next: (p as { nextCursor?: string }).nextCursor }),
      ))
        out.push(...items);
      return out;
    };
    // Snapshots keep the titles of significant incidents only: the same rule here.
    const cases = (await all('list_cases')).map((c) => caseFacts(CaseSchema.parse(c), significantRule(settings)));
    const alerts = (await all('list_alerts')).map((a) => alertCount(AlertSchema.parse(a)));
    const shifts = (await all('list_shifts')).map((s) => shiftFacts(ShiftSchema.parse(s)));
    await client.close();
    const asOf = period.end;
    const fromRecords = summarize(
      { cases: cases.filter((c) => c.created >= Date.parse('2026-11-09T00:00:00Z')), alerts, shifts },
      { period, asOf, settings },
    );

    const store = new DynamoSnapshotStore(env.table);
    const snaps = [
      ...(await store.list('cases', '2026-11-09', '2026-11-23', SnapshotPayloadSchemas.cases, {
        binary: SnapshotPayloadBinaryDecoders.cases,
      })),
      ...(await store.list('alerts', '2026-11-09', '2026-11-23', SnapshotPayloadSchemas.alerts, {
        binary: SnapshotPayloadBinaryDecoders.alerts,
      })),
      ...(await store.list('shifts', '2026-11-09', '2026-11-23', SnapshotPayloadSchemas.shifts)),
    ];
    const fromSnapshots = summarize(mergeDaySnapshots(snaps), { period, asOf, settings });
    expect(fromSnapshots.kpi).toEqual(fromRecords.kpi);
    expect(fromSnapshots.staffing).toEqual(fromRecords.staffing);
  });

  it('loads only the case days a period can need, and computes the same figures as from every stored day', async () => {
    const store = new DynamoSnapshotStore(env.table);
    const headers = await store.headers('cases', '2026-11-09', '2026-11-23');
    expect(headers.length).toBeGreaterThanOrEqual(15);
    expect(headers.every((h) => typeof h.meta.open === 'number' && typeof h.meta.lastClosed === 'number')).toBe(true);
    const settings = MetricSettingsSchema.parse({ timezone: tz, fiscalYearStartMonth: 4 });
    const budget = new DynamoBudgetStore(env.table);
    for (const label of ['2026-W47', '2026-11-20']) {
      const period = parsePeriod(label, { tz, fiscalYearStartMonth: 4 });
      const asOf = Math.min(period.end, NOW);
      const loaded = await loadSummary({ snapshots: store, budget }, { period, asOf, settings });
      const all = mergeDaySnapshots([
        ...(
          await store.list('cases', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.cases, {
            binary: SnapshotPayloadBinaryDecoders.cases,
          })
        ).filter((s) => s.source === 'sim'),
        ...(
          await store.list('alerts', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.alerts, {
            binary: SnapshotPayloadBinaryDecoders.alerts,
          })
        ).filter((s) => s.source === 'sim'),
        ...(await store.list('shifts', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.shifts)).filter(
          (s) => s.source === 'sim',
        ),
      ]);
      const everything = summarize(all, { period, asOf, settings });
      expect(loaded.kpi).toEqual(everything.kpi);
    }
  });

  it('reports a family never collected as missing, never as zeros, when days are read as they arrive', async () => {
    const own = await localTable();
    try {
      const store = new DynamoSnapshotStore(env.table);
      const casesOnly = new DynamoSnapshotStore(own.table);
      const budget = new DynamoBudgetStore(own.table);
      const settings = MetricSettingsSchema.parse({ timezone: tz, fiscalYearStartMonth: 4 });
      const period = parsePeriod('2026-W47', { tz, fiscalYearStartMonth: 4 });
      const opts = { period, asOf: Math.min(period.end, NOW), settings, sections: ['kpi'] };
      expect(await loadSummary({ snapshots: casesOnly, budget }, opts)).toMatchObject({
        kpi: { missing: true, reason: 'no case source (cases.jsonl)' },
      });
      for (const d of await store.list('cases', '2026-11-09', '2026-11-23', SnapshotPayloadSchemas.cases, {
        binary: SnapshotPayloadBinaryDecoders.cases,
      }))
        await casesOnly.put<unknown>({ ...d, ...snapshotForStore('cases', d.periodKey, d.payload, tz) });
      const kpi = (await loadSummary({ snapshots: casesOnly, budget }, opts)).kpi as KpiSummary;
      expect(kpi.cases.created).toBeGreaterThan(0);
      expect(kpi.alerts).toEqual({ missing: true, reason: 'no alert source' });
      expect(kpi.alertToCaseRatio).toBeNull();
      expect(kpi.trend?.metrics?.['alerts.created']?.current).toBeNull();
    } finally {
      await own.stop();
    }
  });

  it('reads only what each section needs — tails of older days, nothing of closed-out ones — and the figures equal those from every stored day, after late closures', async () => {
    const own = await localTable();
    try {
      const store = new DynamoSnapshotStore(own.table);
      const budget = new DynamoBudgetStore(own.table);
      const runs = new DynamoCollectionRunStore(own.table);
      const earlier = NOW - 20 * 86_400_000;
      // Two months of history collected 20 days ago; then the usual 35-day window now, whose closures of cases
      // created before it are merged into their (older) days; and a second source with a short history.
      for (const [at, source, windowDays] of [
        [earlier, 'sim', 60],
        [NOW, 'sim', 35],
        [NOW, 'other', 10],
      ] as const) {
        const [client, server] = InMemoryTransport.createLinkedPair();
        await createSocSimServer({ now: () => at, source }).connect(server);
        const run = await collectSource(
          { snapshots: store, runs, now: () => new Date(at) },
          {
            source,
            kind: 'socpulse',
            open: () =>
              openSource(
                source,
                { kind: 'socpulse', command: 'unused' },
                {
                  secrets: new EnvSecretResolver({}),
                  transport: client,
                  limits: { backoffMs: 1, retries: 2, timeoutMs: 5000 },
                },
              ),
            tz,
            windowDays,
          },
        );
        expect(run.status).toBe('ok');
      }
      const everything = mergeDaySnapshots([
        ...(await store.list('cases', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.cases, {
          binary: SnapshotPayloadBinaryDecoders.cases,
        })),
        ...(await store.list('alerts', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.alerts, {
          binary: SnapshotPayloadBinaryDecoders.alerts,
        })),
        ...(await store.list('shifts', '2025-10-01', '2026-11-23', SnapshotPayloadSchemas.shifts)),
        ...(await store.list('costs', '2025-01', '2027-12', SnapshotPayloadSchemas.costs)),
      ]);
      // Count what the loader chose per cases header.
      const picked = { full: 0, tail: 0, skip: 0 };
      const list = store.list.bind(store);
      store.list = ((family, from, to, schema, opts = {}) =>
        list(family, from, to, schema, {
          ...opts,
          pick:
            opts.pick &&
            ((h) => {
              const choice = opts.pick!(h);
              picked[choice]++;
              return choice;
            }),
        })) as typeof store.list;
      const settings = MetricSettingsSchema.parse({ timezone: tz, fiscalYearStartMonth: 4 });
      for (const label of ['2026-W47', '2026-W45', '2026-11', '2026-10', '2026-11-20', '2026-Q4'])
        for (const asOf of [NOW, Math.min(parsePeriod(label, { tz, fiscalYearStartMonth: 4 }).end, NOW)]) {
          const period = parsePeriod(label, { tz, fiscalYearStartMonth: 4 });
          // The figures from every stored day, once per period and asOf (summarize computes every section).
          const all = summarize(everything, { period, asOf, settings });
          for (const sections of [['kpi'], ['staffing'], ['budget'], ['kpi', 'staffing', 'budget']] as const) {
            const loaded = await loadSummary({ snapshots: store, budget }, { period, asOf, settings, sections });
            for (const s of sections)
              expect(loaded[s], `${label} ${s} at ${new Date(asOf).toISOString()}`).toEqual(all[s]);
          }
        }
      expect(picked.tail).toBeGreaterThan(0);
      expect(picked.skip).toBeGreaterThan(0);
      expect(picked.full).toBeGreaterThan(0);
    } finally {
      await own.stop();
    }
  }, 300_000); // collects, stores and reads back weeks of days in dynalite: real work, slow on a busy machine

  it.each([
    ['isError', /permission denied/],
    ['error-payload', /backend search timed out/],
    ['die-mid-page', /closed|Connection/i],
    ['repeat-cursor', /cursor "page-2" twice/],
  ] as const)('a %s source records a failed run and writes no snapshot', async (fault, reason) => {
    const run = await collectSource(
      { ...deps(), now: () => new Date(NOW + 3_600_000) },
      { source: `bad-${fault.toLowerCase()}`, kind: 'socpulse', open: () => simSource({ fault }), tz, windowDays: 2 },
    );
    expect(run.status).toBe('failed');
    expect(run.errors.join(' ')).toMatch(reason);
    expect(run.snapshots.written).toBe(0);
    const stored = await new DynamoSnapshotStore(env.table).list(
      'cases',
      '2026-11-01',
      '2026-11-30',
      SnapshotPayloadSchemas.cases,
      { binary: SnapshotPayloadBinaryDecoders.cases },
    );
    expect(stored.filter((s) => s.source.startsWith('bad-'))).toEqual([]);
  });

  it('recovers from transient errors and null results by retrying', async () => {
    for (const fault of ['erroring', 'null-result'] as const) {
      const run = await collectSource(deps(), {
        source: `flaky-${fault}`,
        kind: 'socpulse',
        open: () => simSource({ fault, failTimes: 2 }),
        tz,
        windowDays: 1,
      });
      expect(run.status).toBe('ok');
    }
  });

  it('keeps valid records of a malformed page, samples the rejects, and calls the run degraded', async () => {
    const run = await collectSource(deps(), {
      source: 'malformed',
      kind: 'socpulse',
      open: () => simSource({ fault: 'malformed' }),
      tz,
      windowDays: 1,
    });
    expect(run.status).toBe('degraded');
    expect(run.snapshots.written).toBeGreaterThan(0);
    expect((await deps().runs.status('malformed'))?.lastAttemptStatus).toBe('degraded');
    expect(run.rejects.count).toBeGreaterThan(0);
    expect(run.rejects.samples[0]!.reason).toMatch(/severity/);
    expect(run.rejects.samples.length).toBeLessThanOrEqual(5);
  });

  it('times out a slow source and says so', async () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    await createSocSimServer({ now: () => NOW, fault: 'slow', slowMs: 400 }).connect(server);
    const run = await collectSource(deps(), {
      source: 'slow',
      kind: 'socpulse',
      open: () =>
        openSource(
          'slow',
          { kind: 'socpulse', command: 'unused' },
          {
            secrets: new EnvSecretResolver({}),
            transport: client,
            limits: { timeoutMs: 100, retries: 1, backoffMs: 1 },
          },
        ),
      tz,
      windowDays: 1,
    });
    expect(run.status).toBe('failed');
    expect(run.errors[0]).toMatch(/did not answer within 100 ms after 2 attempts/);
  });
});
