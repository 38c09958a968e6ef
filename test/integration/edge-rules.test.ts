import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { createSocpulseMcpServer } from '../../functions/mcp/server.js';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { callerFromLocalToken, type Caller } from '../../shared/config/roles.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import type { EdgeDeps, EdgeLogger } from '../../shared/usecases/edge.js';
import { localTable, reportTestConfig } from './helpers.js';

// The HTTP API and the MCP server answer errors by one rule (shared/usecases/edge.ts edgeFailure) and show a report
// run by one allow-list (publicRun). The same failing dependency goes through both edges here.

const TOKEN = 'manager-token-0123456789';
const config = reportTestConfig({ localTokens: { [TOKEN]: 'manager' } });
const caller: Caller = { role: 'manager', principal: 'local-token:manager' };
let env: Awaited<ReturnType<typeof localTable>>;
let logged: { message: string; extra: Record<string, unknown> }[];
let failWith: unknown;

const logger: EdgeLogger = {
  error: (message, ...extra) => logged.push({ message, extra: Object.assign({}, ...extra) }),
};
const deps = (): EdgeDeps => ({
  config,
  runbooks: loadReportRunbooks('runbooks'),
  runs: new DynamoReportRunStore(env.table),
  idempotency: new DynamoIdempotencyStore(env.table),
  budget: new DynamoBudgetStore(env.table),
  summaryFor: () => Promise.reject(failWith),
  trigger: { start: async () => undefined },
  now: () => new Date('2026-12-01T09:00:00Z'),
  logger,
});
const api = () =>
  createApiApp({ ...deps(), identify: (c) => callerFromLocalToken(config, c.req.header('authorization')) });
const headers = { authorization: `Bearer ${TOKEN}` };

async function mcpClient() {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createSocpulseMcpServer(deps(), caller).connect(serverSide);
  const client = new Client({ name: 'edge-rules', version: '1' });
  await client.connect(clientSide);
  return client;
}
const toolText = (r: unknown) => (r as { content: { text: string }[] }).content[0]!.text;

beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => {
  await env.stop();
});

describe('one error rule at both edges', () => {
  it('an unknown error: a generic message to the caller, its own message and stack to the log, once per edge', async () => {
    failWith = new Error('ValidationException: table socpulse-prod-Table1234 attribute pk');
    logged = [];
    const res = await api().request('/kpis?period=2026-W47', { headers });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    const client = await mcpClient();
    const result = await client.callTool({ name: 'get_kpis', arguments: { period: '2026-W47' } });
    expect(result.isError).toBe(true);
    expect(toolText(result)).toBe('internal error');
    expect(logged.map((l) => [l.message, l.extra.error])).toEqual([
      ['unexpected error', 'ValidationException: table socpulse-prod-Table1234 attribute pk'],
      ['unexpected error', 'ValidationException: table socpulse-prod-Table1234 attribute pk'],
    ]);
    expect(String(logged[0]!.extra.stack)).toMatch(/^Error: ValidationException/);
    await client.close();
  });

  it('a known request error: its own message at both edges, nothing logged', async () => {
    failWith = new ReportRequestError('period', 'no data before 2020');
    logged = [];
    const res = await api().request('/kpis?period=2026-W47', { headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_period', message: 'period: no data before 2020', field: 'period' },
    });
    const client = await mcpClient();
    const result = await client.callTool({ name: 'get_kpis', arguments: { period: '2026-W47' } });
    expect(toolText(result)).toBe('period: no data before 2020');
    expect(logged).toEqual([]);
    await client.close();
  });
});

describe('one public shape of a report run', () => {
  it('the API and the MCP server show the same fields of a run, none of the claim, key or requester', async () => {
    const queued = await api().request('/reports', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': 'edge-rules-key-1' },
      body: JSON.stringify({ runbook: 'weekly-kpi', period: '2026-W47' }),
    });
    expect(queued.status).toBe(202);
    const fromApi = (await queued.json()) as { runId: string };
    const viaGet = (await (await api().request(`/reports/${fromApi.runId}`, { headers })).json()) as object;
    const client = await mcpClient();
    const read = await client.readResource({ uri: `socpulse://report-runs/${fromApi.runId}` });
    const fromMcp = JSON.parse((read.contents[0] as { text: string }).text) as object;
    const listed = await client.callTool({ name: 'list_report_runs', arguments: { runbook: 'weekly-kpi' } });
    const fromList = (listed.structuredContent as { runs: object[] }).runs[0]!;
    expect(fromMcp).toEqual(viaGet);
    expect(fromList).toEqual(viaGet);
    expect(Object.keys(viaGet).sort()).toEqual(
      [
        'runId',
        'runbook',
        'period',
        'trigger',
        'status',
        'recipients',
        'deliveries',
        'unconfirmed',
        'attempts',
        'resends',
        'createdAt',
        'updatedAt',
        'notes',
      ].sort(),
    );
    // What the stored run has and no edge shows (shared/store/report-run-store.ts): the item's key and the requester.
    const stored = await new DynamoReportRunStore(env.table).getById(fromApi.runId);
    expect(stored).toMatchObject({ runKey: expect.any(String), requestedBy: 'local-token:manager' });
    await client.close();
  });
});
