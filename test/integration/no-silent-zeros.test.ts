// Issue 12 §2: what socpulse does not know it says ("no data for …"), never a zero — in collection, the API, the
// MCP tools and the emails.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApiApp, type ApiDeps } from '../../functions/api/app.js';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { createSocpulseMcpServer } from '../../functions/mcp/server.js';
import { runReport, type ReportDeps } from '../../shared/usecases/run-report.js';
import { createSocSimServer } from '../../functions/soc-sim/server.js';
import { parseConfig } from '../../shared/config/config.js';
import { callerFromLocalToken } from '../../shared/config/roles.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import type { StaffingSummary } from '../../shared/domain/staffing.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore, type CollectionRun } from '../../shared/store/collection-run-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { summaryForLabel } from '../../shared/usecases/summary-loader.js';
import { localTable } from './helpers.js';

const tz = 'Europe/London';
// Monday 23 Nov 2026, 06:00 UTC (London is on UTC then). Collection of `sim` begins Wednesday 18 Nov.
const NOW = Date.parse('2026-11-23T06:00:00Z');
const TOKEN = 'manager-token-0123456789';
const config = parseConfig({
  timezone: tz,
  fiscalYearStartMonth: 4,
  mcpServers: { sim: { kind: 'socpulse', command: 'unused' } },
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com'], manager: ['soc-lead@example.com'] },
  localTokens: { [TOKEN]: 'manager' },
});

let env: Awaited<ReturnType<typeof localTable>>;
let simRun: CollectionRun;
let stores: {
  snapshots: DynamoSnapshotStore;
  budget: DynamoBudgetStore;
  collections: DynamoCollectionRunStore;
  runs: DynamoReportRunStore;
  idempotency: DynamoIdempotencyStore;
};

/** A source over the in-memory transport: the real MCP client and server. */
async function source(name: string, server: McpServer) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  return openSource(
    name,
    { kind: 'socpulse', command: 'unused' },
    { secrets: new EnvSecretResolver({}), transport: client, limits: { backoffMs: 1, retries: 1, timeoutMs: 5000 } },
  );
}

/** The plain-text part with its 78-column wrapping undone, to find a sentence across line breaks. */
const flat = (t: string) => t.replace(/\s+/g, ' ');

beforeAll(async () => {
  env = await localTable();
  stores = {
    snapshots: new DynamoSnapshotStore(env.table),
    budget: new DynamoBudgetStore(env.table),
    collections: new DynamoCollectionRunStore(env.table),
    runs: new DynamoReportRunStore(env.table),
    idempotency: new DynamoIdempotencyStore(env.table),
  };
  simRun = await collectSource(
    { snapshots: stores.snapshots, runs: stores.collections, now: () => new Date(NOW) },
    {
      source: 'sim',
      kind: 'socpulse',
      open: () => source('sim', createSocSimServer({ now: () => NOW, source: 'sim' })),
      tz,
      fromDay: '2026-11-18',
    },
  );
  expect(simRun.status).toBe('ok');
}, 120_000);
afterAll(async () => env?.stop());

describe('collection never says "ok, 0 cases" when nothing mapped', () => {
  it('fails a run whose every record was rejected, stores nothing, and says why', async () => {
    // A socpulse-contract server whose cases all carry a severity no canonical record has.
    const server = new McpServer({ name: 'unmappable', version: '0' });
    server.registerTool('list_cases', { inputSchema: { from: z.string(), to: z.string() } }, async () => {
      const items = Array.from({ length: 7 }, (_, i) => ({
        id: `u${i}`,
        source: 'unmappable',
        title: 'x',
        severity: 'urgent',
        createdAt: '2026-11-22T10:00:00Z',
      }));
      return { content: [{ type: 'text' as const, text: JSON.stringify({ items }) }] };
    });
    const run = await collectSource(
      { snapshots: stores.snapshots, runs: stores.collections, now: () => new Date(NOW) },
      { source: 'unmappable', kind: 'socpulse', open: () => source('unmappable', server), tz, windowDays: 3 },
    );
    expect(run.status).toBe('failed');
    expect(run.rejects.count).toBe(7);
    expect(run.errors[0]).toMatch(
      /every cases record the source answered was rejected \(7 rejected; e\.g\. cases severity/,
    );
    expect(run.notes.join(' ')).toMatch(/page\(s\) of cases mapped nothing/);
    expect(run.snapshots.written).toBe(0);
    expect(await stores.snapshots.headers('cases', '2026-11-20', '2026-11-23')).not.toContainEqual(
      expect.objectContaining({ source: 'unmappable' }),
    );
    const status = await stores.collections.status('unmappable');
    expect(status?.lastAttemptStatus).toBe('failed');
    expect(status?.covered).toEqual({ cases: [] });
  });
});

describe('coverage per family', () => {
  it('a run limited to some families (the budget backfill) covers only those', async () => {
    const base = {
      source: 'limited',
      kind: 'socpulse',
      status: 'ok' as const,
      offered: ['cases', 'costs'],
      counts: {},
      snapshots: { written: 0, unchanged: 0, superseded: 0 },
      rejects: { count: 0, samples: [] },
      errors: [],
      notes: [],
    };
    await stores.collections.record({
      ...base,
      families: ['costs'],
      startedAt: '2026-11-23T05:00:00.000Z',
      finishedAt: '2026-11-23T05:00:01.000Z',
      window: { from: '2026-04-01T00:00:00.000Z', to: '2026-11-23T05:00:00.000Z' },
    });
    await stores.collections.record({
      ...base,
      startedAt: '2026-11-23T05:10:00.000Z',
      finishedAt: '2026-11-23T05:10:01.000Z',
      window: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-23T05:10:00.000Z' },
    });
    expect((await stores.collections.status('limited'))?.covered).toEqual({
      costs: [{ from: '2026-04-01T00:00:00.000Z', to: '2026-11-23T05:10:00.000Z' }],
      cases: [{ from: '2026-11-20T00:00:00.000Z', to: '2026-11-23T05:10:00.000Z' }],
    });
  });
});

describe('closures of cases created on days never collected', () => {
  it('are not merged into a made-up day, and the run notes their count and days', async () => {
    // The first collection began 18 Nov: cases created before it and closed since have no stored day to go to.
    const note = simRun.notes.find((n) => n.startsWith('updates of '));
    expect(note).toMatch(
      /^updates of \d+ case\(s\) created on days never collected were not stored: 2026-1\d-\d\d \(\d+\)/,
    );
    const days = [...note!.matchAll(/(\d{4}-\d{2}-\d{2}) \(/g)].map((m) => m[1]!);
    expect(days.every((d) => d < '2026-11-18')).toBe(true);
    expect(await stores.snapshots.headers('cases', days[0]!, days.at(-1)!)).toEqual([]);
  });
});

describe('a source with rejects is degraded', () => {
  it('in its status, and in the report banner (HTML and text)', async () => {
    const run = await collectSource(
      { snapshots: stores.snapshots, runs: stores.collections, now: () => new Date(NOW) },
      {
        source: 'flaky',
        kind: 'socpulse',
        open: () => source('flaky', createSocSimServer({ now: () => NOW, source: 'flaky', fault: 'malformed' })),
        tz,
        windowDays: 1,
      },
    );
    expect(run.status).toBe('degraded');
    const status = await stores.collections.status('flaky');
    expect(status).toMatchObject({ lastAttemptStatus: 'degraded', lastRejects: run.rejects.count });
    const files = new Map<string, string>();
    const withFlaky = parseConfig({ ...config, mcpServers: { ...config.mcpServers, flaky: config.mcpServers.sim } });
    await runReport(
      { ...reportDeps(files), config: withFlaky },
      { runbook: 'weekly-kpi', period: '2026-W47', trigger: 'on-demand', dryRun: true },
    );
    const said = `the latest collection rejected ${run.rejects.count} record(s) it could not map`;
    const html = files.get('weekly-kpi-2026-W47.html')!;
    expect(html).toContain('flaky (socpulse): degraded, last collected');
    expect(html).toContain(said);
    expect(flat(files.get('weekly-kpi-2026-W47.txt')!)).toContain(`! flaky (socpulse): degraded, last collected`);
  });
});

describe('a period no collection covered is "no data for …", never zeros', () => {
  const summaryFor = () => summaryForLabel(stores, config);

  it('GET /kpis answers 200 with kpi.missing and the reason for a week before collection began', async () => {
    const deps: ApiDeps = {
      config,
      runbooks: loadReportRunbooks('runbooks'),
      runs: stores.runs,
      idempotency: stores.idempotency,
      budget: stores.budget,
      summaryFor: summaryFor(),
      trigger: { start: async () => undefined },
      identify: (c) => callerFromLocalToken(config, c.req.header('authorization')),
      now: () => new Date(NOW),
    };
    const res = await createApiApp(deps).request('/kpis?period=2026-W30&include=staffing', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { period: { label: string }; kpi: object; staffing: object };
    expect(body.period.label).toBe('2026-W30');
    expect(body.kpi).toEqual({
      missing: true,
      reason: 'no data for 2026-W30: collection of source sim began 2026-11-18',
    });
    expect(body.staffing).toMatchObject({ missing: true, reason: expect.stringMatching(/^no data for 2026-W30/) });
    expect(JSON.stringify(body)).not.toMatch(/"created"/);
  });

  it('the MCP tools get_kpis and get_staffing say "no data for" the week, with no figures', async () => {
    const server = createSocpulseMcpServer(
      {
        config,
        runbooks: loadReportRunbooks('runbooks'),
        runs: stores.runs,
        idempotency: stores.idempotency,
        budget: stores.budget,
        summaryFor: summaryFor(),
        trigger: { start: async () => undefined },
        now: () => new Date(NOW),
      },
      { role: 'manager', principal: 'test' },
    );
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(a);
    try {
      const kpis = await client.callTool({ name: 'get_kpis', arguments: { period: '2026-W30' } });
      expect(kpis.isError).toBeFalsy();
      expect((kpis.structuredContent as { kpi: unknown }).kpi).toEqual({
        missing: true,
        reason: 'no data for 2026-W30: collection of source sim began 2026-11-18',
      });
      const staffing = await client.callTool({ name: 'get_staffing', arguments: { period: '2026-W30' } });
      expect((staffing.structuredContent as { staffing: { reason: string } }).staffing.reason).toMatch(
        /^no data for 2026-W30: collection of source sim began 2026-11-18/,
      );
    } finally {
      await client.close();
    }
  });

  it('the weekly email says "no data for" the week and shows no zero figure', async () => {
    const files = new Map<string, string>();
    const result = await runReport(reportDeps(files), {
      runbook: 'weekly-kpi',
      period: '2026-W30',
      trigger: 'on-demand',
      dryRun: true,
    });
    expect(result.outcome).toBe('dry-run');
    const text = flat(files.get('weekly-kpi-2026-W30.txt')!);
    const html = files.get('weekly-kpi-2026-W30.html')!;
    expect(text).toContain('no data for 2026-W30: collection of source sim began 2026-11-18');
    expect(html).toContain('no data for 2026-W30: collection of source sim began 2026-11-18');
    expect(text).not.toMatch(/Cases created: 0/);
    expect(html).not.toMatch(/Cases created/);
  });

  it('a partly covered week says which part is missing, leaves those days unknown, and withholds the trend', async () => {
    const s = await summaryFor()('2026-W47');
    const kpi = s.kpi as KpiSummary;
    expect(kpi.cases.created).toBeGreaterThan(0);
    expect(kpi.dataCoverage?.complete).toBe(false);
    expect(kpi.dataCoverage?.missing).toContainEqual({
      family: 'cases',
      source: 'sim',
      from: '2026-11-16T00:00:00+00:00',
      to: '2026-11-18T00:00:00+00:00',
      reason: 'collection of source sim began 2026-11-18',
    });
    // Monday and Tuesday were never collected: unknown, not zero; Wednesday on are figures.
    expect(kpi.volume.days.slice(0, 2)).toEqual([
      { day: '2026-11-16', cases: null, alerts: null },
      { day: '2026-11-17', cases: null, alerts: null },
    ]);
    expect(kpi.volume.days.slice(2).every((d) => typeof d.cases === 'number')).toBe(true);
    // The previous week (W46) was not collected at all: no change against it is shown.
    expect(kpi.trend).toEqual({
      previous: expect.objectContaining({ label: '2026-W46' }),
      missing: true,
      reason: 'previous week incomplete: no data for 2026-W46: collection of source sim began 2026-11-18',
    });
    expect((s.staffing as StaffingSummary).dataCoverage?.complete).toBe(false);

    const files = new Map<string, string>();
    await runReport(reportDeps(files), {
      runbook: 'weekly-kpi',
      period: '2026-W47',
      trigger: 'on-demand',
      dryRun: true,
    });
    const text = flat(files.get('weekly-kpi-2026-W47.txt')!);
    expect(text).toContain('Trend not shown: previous week incomplete');
    expect(text).toContain('No cases data from Mon 16 Nov 00:00 to Wed 18 Nov 00:00 (source sim)');
    expect(files.get('weekly-kpi-2026-W47.html')).toContain('previous week incomplete');
  });

  it('shows the trend against a previous period that was fully collected', async () => {
    const kpi = (await summaryFor()('2026-11-20')).kpi as KpiSummary;
    expect(kpi.dataCoverage).toEqual({ complete: true, missing: [] });
    expect(kpi.trend?.missing).toBeUndefined();
    expect(kpi.trend?.metrics?.['cases.created']?.previous).toEqual(expect.any(Number));
  });
});

function reportDeps(files: Map<string, string>): ReportDeps {
  return {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    ...stores,
    mailer: {
      send: async () => {
        throw new Error('a dry run sends nothing');
      },
    },
    archive: async (file, content) => void files.set(file, content.toString()),
    now: () => new Date(NOW),
  };
}
