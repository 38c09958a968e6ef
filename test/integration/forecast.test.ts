import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { createSocpulseMcpServer } from '../../functions/mcp/server.js';
import { createSocSimServer } from '../../functions/soc-sim/server.js';
import { DEFAULT_PROFILE, rotaPublishedUntil, shiftsForDay } from '../../functions/soc-sim/generate.js';
import { parseConfig } from '../../shared/config/config.js';
import { SnapshotPayloadDecoders, SnapshotPayloadSchemas } from '../../shared/store/formats/snapshot-payload.js';
import { shiftFacts } from '../../shared/domain/facts.js';
import { parseForecastWeek, type StaffingForecast } from '../../shared/domain/forecast.js';
import { mergeShifts, scheduledByHourOfWeek } from '../../shared/domain/staffing.js';
import { isMissing } from '../../shared/domain/summary.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { forecastForLabel, loadStaffingLookAhead } from '../../shared/usecases/forecast-loader.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { localTable } from './helpers.js';

// Thursday of 2026-W48, noon: the weekly staffing look ahead's moment. The simulator's rota is out to the end of W49.
const NOW = Date.parse('2026-11-26T12:00:00Z');
const DAY = 86_400_000;
const config = parseConfig({
  timezone: 'UTC',
  sender: 'socpulse@example.com',
  localTokens: { 'manager-token-0123456789': 'manager', 'finance-token-0123456789': 'finance' },
});

let env: Awaited<ReturnType<typeof localTable>>;
let snapshots: DynamoSnapshotStore;
let collections: DynamoCollectionRunStore;
let run: Awaited<ReturnType<typeof collectSource>>;

beforeAll(async () => {
  env = await localTable();
  snapshots = new DynamoSnapshotStore(env.table);
  collections = new DynamoCollectionRunStore(env.table);
  // Sixteen weeks of simulator history (few alerts: the forecast reads cases), collected as the schedule would.
  run = await collectSource(
    { snapshots, runs: collections, now: () => new Date(NOW) },
    {
      source: 'sim',
      kind: 'socpulse',
      tz: 'UTC',
      fromDay: '2026-08-03',
      open: async () => {
        const [client, server] = InMemoryTransport.createLinkedPair();
        await createSocSimServer({ now: () => NOW, alertsPerDay: 24, pageSize: 2000 }).connect(server);
        return openSource(
          'sim',
          { kind: 'socpulse', command: 'unused' },
          {
            secrets: new EnvSecretResolver({}),
            transport: client,
            limits: { backoffMs: 1, retries: 2, timeoutMs: 20_000 },
          },
        );
      },
    },
  );
}, 180_000);
afterAll(async () => env.stop());

describe('staffing forecast from stored snapshots', { timeout: 60_000 }, () => {
  it('collection reads the roster ahead of now and stores next week’s rota', async () => {
    expect(run.status).toBe('ok');
    expect(run.counts.shiftsAhead).toBeGreaterThan(0);
    const [wednesday] = await snapshots.list('shifts', '2026-12-02', '2026-12-02', SnapshotPayloadSchemas.shifts, {
      decode: SnapshotPayloadDecoders.shifts,
    });
    expect(wednesday!.payload.shifts.length).toBeGreaterThan(5);
    // Beyond the published rota: the day is stored, with nobody on it yet.
    expect(rotaPublishedUntil(NOW)).toBe(Date.parse('2026-12-07T00:00:00Z'));
    const [later] = await snapshots.list('shifts', '2026-12-08', '2026-12-08', SnapshotPayloadSchemas.shifts, {
      decode: SnapshotPayloadDecoders.shifts,
    });
    expect(later!.payload.shifts).toEqual([]);
    // No cases are stored for days that have not happened.
    expect(await snapshots.headers('cases', '2026-11-27', '2026-12-31')).toEqual([]);
  });

  it('forecasts next week with the rota as published, and scores last week’s forecast', async () => {
    const week = parseForecastWeek('2026-W49', 'UTC');
    const { forecast, review } = await loadStaffingLookAhead(snapshots, { week, asOf: NOW, settings: config });
    if (isMissing(forecast)) throw new Error(forecast.reason);
    // The roster is exactly the simulator's rota for the week, read through collection and storage.
    const rota = [];
    for (let d = week.start - DAY; d < week.end; d += DAY) rota.push(...shiftsForDay(DEFAULT_PROFILE, d));
    const expected = scheduledByHourOfWeek(mergeShifts(rota.map(shiftFacts)), week.start, week.end, 'UTC', 1);
    expect(forecast.scheduled).toEqual(expected);
    // The leave and sick-day holes leave some hours short.
    expect(forecast.gap!.hours).toBeGreaterThan(0);
    expect(forecast.arrivals.expected.reduce((a, b) => a + b, 0)).toBeGreaterThan(180);
    if (isMissing(review)) throw new Error(review.reason);
    expect(review.week).toBe('2026-W47');
    expect(review.accuracy.actualTotal).toBe(review.actual.reduce((a, b) => a + b, 0));
    expect(review.accuracy.wape).toBeGreaterThan(0.3);
    expect(review.accuracy.wape).toBeLessThan(1);
    // A week beyond the published rota: the roster is unknown, never "nobody".
    const w50 = await loadStaffingLookAhead(snapshots, {
      week: parseForecastWeek('2026-W50', 'UTC'),
      asOf: NOW,
      settings: config,
    });
    expect((w50.forecast as StaffingForecast).scheduled).toBeNull();
  });

  it('answers GET /staffing/forecast for managers and viewers, with clear 400s', async () => {
    const budget = new DynamoBudgetStore(env.table);
    const app = createApiApp({
      config,
      runbooks: [],
      runs: new DynamoReportRunStore(env.table),
      idempotency: new DynamoIdempotencyStore(env.table),
      budget,
      summaryFor: async () => {
        throw new Error('not used');
      },
      forecastFor: forecastForLabel({ snapshots, collections }, config),
      trigger: { start: async () => undefined },
      identify: (c) => {
        const role = c.req.header('x-role') as 'manager' | 'viewer' | 'finance' | undefined;
        return role ? { role, principal: role } : undefined;
      },
      now: () => new Date(NOW),
    });
    const get = (path: string, role?: string) => app.request(path, { headers: role ? { 'x-role': role } : {} });
    const ok = await get('/staffing/forecast?week=2026-W49', 'viewer');
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as StaffingForecast;
    expect(Object.keys(body)).toEqual(['week', 'arrivals', 'required', 'requiredHigh', 'scheduled', 'gap', 'method']);
    expect(body.week.label).toBe('2026-W49');
    expect(body.required).toHaveLength(168);
    expect((await get('/staffing/forecast?week=2026-W49', 'manager')).status).toBe(200);
    expect((await get('/staffing/forecast?week=2026-W49', 'finance')).status).toBe(403);
    expect((await get('/staffing/forecast?week=2026-W49')).status).toBe(401);
    const bad = await get('/staffing/forecast?week=2026-12', 'manager');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_week', field: 'week' } });
    expect((await get('/staffing/forecast', 'manager')).status).toBe(400);
    // Too little history (the data begins in August): "no data", never zeros.
    const early = (await (await get('/staffing/forecast?week=2026-W33', 'manager')).json()) as Record<string, unknown>;
    expect(early).toMatchObject({ week: '2026-W33', missing: true });
    expect(early.reason).toMatch(/no data for a forecast of 2026-W33/);
  });

  it('get_staffing_forecast on the MCP server, with its schemas, for the roles that may read it', async () => {
    const deps = {
      config,
      runbooks: [],
      runs: new DynamoReportRunStore(env.table),
      idempotency: new DynamoIdempotencyStore(env.table),
      budget: new DynamoBudgetStore(env.table),
      summaryFor: async () => {
        throw new Error('not used');
      },
      forecastFor: forecastForLabel({ snapshots, collections }, config),
      trigger: { start: async () => undefined },
      now: () => new Date(NOW),
    };
    const connect = async (role: 'manager' | 'finance') => {
      const [ct, st] = InMemoryTransport.createLinkedPair();
      await createSocpulseMcpServer(deps, { role, principal: role }).connect(st);
      const client = new Client({ name: 'agent', version: '1' });
      await client.connect(ct);
      return client;
    };
    const manager = await connect('manager');
    const tool = (await manager.listTools()).tools.find((t) => t.name === 'get_staffing_forecast')!;
    expect(tool.inputSchema.required).toEqual(['week']);
    expect(Object.keys(tool.outputSchema!.properties!)).toEqual(
      expect.arrayContaining(['week', 'arrivals', 'required', 'requiredHigh', 'scheduled', 'gap', 'method']),
    );
    const res = await manager.callTool({ name: 'get_staffing_forecast', arguments: { week: '2026-W49' } });
    expect(res.isError).toBeFalsy();
    const f = res.structuredContent as unknown as StaffingForecast;
    expect(f.arrivals.high).toHaveLength(168);
    expect(f.scheduled).toHaveLength(168);
    const bad = await manager.callTool({ name: 'get_staffing_forecast', arguments: { week: 'next' } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/not an ISO week label/);
    await manager.close();
    const finance = await connect('finance');
    const denied = await finance.callTool({ name: 'get_staffing_forecast', arguments: { week: '2026-W49' } });
    expect(denied.isError).toBe(true);
    expect(JSON.stringify(denied.content)).toMatch(/forbidden: role finance may not call get_staffing_forecast/);
    await finance.close();
  });
});
