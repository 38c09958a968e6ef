import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../functions/api/app.js';
import { serveLocal } from '../../functions/cli/serve.js';
import { parseConfig } from '../../shared/config/config.js';
import { callerFromLocalToken } from '../../shared/config/roles.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { summarize } from '../../shared/domain/summary.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { budgetSnapshotContent, localTable } from './helpers.js';

// The local MCP server's HTTP layer, checked the way the official conformance suite's dns-rebinding-protection
// scenario does it (@modelcontextprotocol/conformance 0.1.16, dist/index.js: an `initialize` POST with
// `Host: evil.example.com` and `Origin: http://evil.example.com` must get a 4xx; with the server's own host a 2xx),
// plus the 401 behaviour, role-before-arguments, resources and progress.

const TOKENS = {
  manager: 'manager-token-0123456789',
  finance: 'finance-token-0123456789',
  viewer: 'viewer-token-01234567890',
} as const;
const config = parseConfig({
  timezone: 'UTC',
  fiscalYearStartMonth: 4,
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com'], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
  localTokens: Object.fromEntries(Object.entries(TOKENS).map(([role, token]) => [token, role])),
});

let env: Awaited<ReturnType<typeof localTable>>;
let server: Awaited<ReturnType<typeof serveLocal>>;
let deps: Omit<ApiDeps, 'identify'> & { wait: { maxMs: number; pollMs: number } };
const started: string[] = [];
/** The fake report function's deliveries under way. */
const delivering: Promise<void>[] = [];

beforeAll(async () => {
  env = await localTable();
  const runs = new DynamoReportRunStore(env.table);
  const budget = new DynamoBudgetStore(env.table);
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    runs,
    idempotency: new DynamoIdempotencyStore(env.table),
    budget,
    summaryFor: async (label) =>
      summarize(
        { cases: [] },
        {
          period: parsePeriod(label, { tz: 'UTC', fiscalYearStartMonth: 4 }),
          asOf: Date.parse('2026-11-24T00:00:00Z'),
          settings: config,
        },
      ),
    // The "report function": marks the run delivered a little later, so a waiting trigger sees it move.
    trigger: {
      start: async (runId) => {
        started.push(runId);
        // Kept, so that the stand-in is stopped only after the last of these (else a late one meets a closed port).
        delivering.push(
          new Promise<void>((resolve) => setTimeout(resolve, 300)).then(async () => {
            const run = await runs.getById(runId);
            if (!run) return;
            const claim = await runs.claim(run, `claim-${runId}`, new Date());
            if (claim.outcome === 'claimed')
              await runs.update(claim.run, { status: 'delivered', leaseUntil: undefined });
          }),
        );
      },
    },
    now: () => new Date('2026-11-24T09:00:00Z'),
    wait: { maxMs: 10_000, pollMs: 100 },
  };
  await budget.addSnapshot(budgetSnapshotContent());
  server = await serveLocal(deps, 0);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await Promise.all(delivering);
  await env?.stop();
});

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
});

/** A raw HTTP request with exactly the headers given (fetch would not let a test choose the Host header). */
function raw(
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          accept: 'application/json, text/event-stream',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const own = () => new URL(server.url).host;
const bearer = (role: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[role]}` });

async function connect(role: keyof typeof TOKENS) {
  const client = new Client({ name: 'agent', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      requestInit: { headers: bearer(role) },
    }),
  );
  return client;
}

describe('local MCP server: DNS-rebinding protection', () => {
  it('refuses a foreign Host or Origin with 403, even with a valid token, and accepts its own', async () => {
    const evil = await raw(
      '/mcp',
      { host: 'evil.example.com', origin: 'http://evil.example.com', ...bearer('manager') },
      INITIALIZE,
    );
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.text)).toMatchObject({ error: { message: 'Host "evil.example.com" is not allowed' } });
    const evilOrigin = await raw(
      '/mcp',
      { host: own(), origin: 'http://evil.example.com', ...bearer('manager') },
      INITIALIZE,
    );
    expect(evilOrigin.status).toBe(403);
    expect(evilOrigin.text).toMatch(/Origin/);
    // The API behind the same server is protected the same way (a rebound page could read KPIs otherwise).
    const api = await raw('/kpis?period=2026-W47', { host: 'evil.example.com:80', ...bearer('viewer') });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.text)).toMatchObject({ error: { code: 'forbidden_host' } });
    for (const host of [own(), `localhost:${new URL(server.url).port}`]) {
      const good = await raw('/mcp', { host, origin: `http://${host}`, ...bearer('manager') }, INITIALIZE);
      expect(good.status).toBe(200);
      expect(JSON.parse(good.text)).toMatchObject({ result: { serverInfo: { name: 'socpulse' } } });
    }
  });

  it('checks Host and Origin before the token: a rebound page learns nothing about tokens', async () => {
    const res = await raw('/mcp', { host: 'evil.example.com', origin: 'http://evil.example.com' }, INITIALIZE);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('local MCP server: 401 with WWW-Authenticate before anything else', () => {
  const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no Authorization', {}, /^Bearer realm="socpulse"$/],
    ['an unknown token', { authorization: 'Bearer unknown-token-000000000' }, /error="invalid_token"/],
    ['Bearer __proto__', { authorization: 'Bearer __proto__' }, /error="invalid_token"/],
    ['Bearer constructor', { authorization: 'Bearer constructor' }, /error="invalid_token"/],
    ['another scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, /invalid_token/],
  ];
  for (const [what, headers, challenge] of cases)
    for (const [method, body] of [
      ['initialize', INITIALIZE],
      ['tools/list', TOOLS_LIST],
    ] as const)
      it(`${method} with ${what} → 401`, async () => {
        const res = await raw('/mcp', { host: own(), ...headers }, body);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(challenge);
        expect(res.text).not.toMatch(/serverInfo|get_kpis|object Object/);
      });

  it('answers the API 401 the same way, and never maps __proto__ to a role', async () => {
    const res = await raw('/kpis?period=2026-W47', { host: own(), authorization: 'Bearer __proto__' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'unauthenticated', message: 'no or unknown credentials' } });
    for (const token of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
      expect(callerFromLocalToken(config, `Bearer ${token}`)).toBeUndefined();
    // A config key that spells __proto__ is an own key of the parsed JSON, and still maps to no role.
    const odd = parseConfig(
      JSON.parse('{"sender":"a@example.com","localTokens":{"__proto__-but-long-enough":"viewer"}}'),
    );
    expect(callerFromLocalToken(odd, 'Bearer __proto__')).toBeUndefined();
  });
});

describe('local MCP server: roles, resources, progress, schemas', () => {
  it('checks the role before the arguments: a viewer gets "forbidden", never the schema', async () => {
    const viewer = await connect('viewer');
    try {
      for (const args of [{}, { runbook: 42 }, { runbook: 'weekly-kpi', wait: 'yes' }]) {
        const res = await viewer.callTool({ name: 'trigger_report', arguments: args });
        expect(res.isError).toBe(true);
        expect(JSON.stringify(res.content)).toMatch(/forbidden: role viewer may not call trigger_report/);
        expect(JSON.stringify(res.content)).not.toMatch(/Input validation|expected/);
      }
      // The manager does get the validation error: the role passed, then the arguments were checked.
      const manager = await connect('manager');
      const bad = await manager.callTool({ name: 'trigger_report', arguments: { runbook: 42 } });
      expect(bad.isError).toBe(true);
      expect(JSON.stringify(bad.content)).toMatch(/validation/i);
      await manager.close();
    } finally {
      await viewer.close();
    }
  });

  it('lists and reads report runs and budget snapshots as resources, per role', async () => {
    const manager = await connect('manager');
    const finance = await connect('finance');
    const viewer = await connect('viewer');
    try {
      const triggered = await manager.callTool({
        name: 'trigger_report',
        arguments: { runbook: 'monthly-budget', period: '2026-10' },
      });
      const runId = (triggered.structuredContent as { runId: string }).runId;
      const { resourceTemplates } = await manager.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
        'socpulse://budget-snapshots/{snapshotId}',
        'socpulse://report-runs/{runId}',
      ]);
      const runs = await viewer.listResources();
      expect(runs.resources.map((r) => r.uri)).toContain(`socpulse://report-runs/${runId}`);
      const read = await viewer.readResource({ uri: `socpulse://report-runs/${runId}` });
      const run = JSON.parse((read.contents[0] as { text: string }).text) as Record<string, unknown>;
      expect(run).toMatchObject({ runId, runbook: 'monthly-budget', period: '2026-10' });
      expect(run).not.toHaveProperty('claimId');
      await expect(viewer.readResource({ uri: 'socpulse://budget-snapshots/FY2027-2026-10-v1' })).rejects.toThrow(
        /forbidden: role viewer/,
      );
      await expect(viewer.readResource({ uri: `socpulse://report-runs/${'x'.repeat(5000)}` })).rejects.toThrow(
        /no report run "x{64}"$/,
      );

      const snaps = await finance.listResources();
      expect(snaps.resources.map((r) => r.uri)).toEqual(['socpulse://budget-snapshots/FY2027-2026-10-v1']);
      const snap = await finance.readResource({ uri: 'socpulse://budget-snapshots/FY2027-2026-10-v1' });
      expect(JSON.parse((snap.contents[0] as { text: string }).text)).toMatchObject({
        snapshotId: 'FY2027-2026-10-v1',
        currency: 'EUR',
      });
      await expect(finance.readResource({ uri: 'socpulse://budget-snapshots/FY2027-2026-10-v9' })).rejects.toThrow(
        /no budget snapshot/,
      );
    } finally {
      await Promise.all([manager.close(), finance.close(), viewer.close()]);
    }
  });

  it('reports progress on trigger_report with wait, then returns the final status', async () => {
    const manager = await connect('manager');
    try {
      const progress: { progress: number; message?: string }[] = [];
      const result = await manager.request(
        {
          method: 'tools/call',
          params: {
            name: 'trigger_report',
            arguments: { runbook: 'weekly-kpi', period: '2026-W45', wait: true },
            _meta: { progressToken: 'p-1' },
          },
        },
        CallToolResultSchema,
        { onprogress: (p) => void progress.push(p) },
      );
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ status: 'delivered', period: '2026-W45' });
      expect(progress.length).toBeGreaterThanOrEqual(2);
      const values = progress.map((p) => p.progress);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(progress.at(-1)!.message).toMatch(/delivered/);
      // Without wait the call returns at once, queued, and sends no progress.
      const quick: unknown[] = [];
      const queued = await manager.request(
        {
          method: 'tools/call',
          params: {
            name: 'trigger_report',
            arguments: { runbook: 'weekly-kpi', period: '2026-W44' },
            _meta: { progressToken: 'p-2' },
          },
        },
        CallToolResultSchema,
        { onprogress: (p) => quick.push(p) },
      );
      expect(queued.structuredContent).toMatchObject({ status: 'queued' });
      expect(quick).toEqual([]);
    } finally {
      await manager.close();
    }
  });

  it('publishes input and output schemas that are valid JSON Schema, and results that match them', async () => {
    const manager = await connect('manager');
    try {
      const { tools } = await manager.listTools();
      const ajv = new Ajv({ strict: false });
      for (const t of tools) {
        expect(ajv.validateSchema(t.inputSchema), `${t.name} inputSchema`).toBe(true);
        expect(t.outputSchema, `${t.name} outputSchema`).toBeDefined();
        expect(ajv.validateSchema(t.outputSchema!), `${t.name} outputSchema`).toBe(true);
      }
      const validate = (name: string) => ajv.compile(tools.find((t) => t.name === name)!.outputSchema!);
      const calls: [string, Record<string, unknown>][] = [
        ['get_kpis', { period: '2026-W47' }],
        ['get_staffing', { period: '2026-W47' }],
        ['get_budget_snapshot', { fiscalYear: 'FY2027' }],
        ['list_report_runs', { runbook: 'weekly-kpi' }],
        ['trigger_report', { runbook: 'weekly-kpi', period: '2026-W43' }],
      ];
      for (const [name, args] of calls) {
        const res = await manager.callTool({ name, arguments: args });
        expect(res.isError, name).toBeFalsy();
        const v = validate(name);
        expect(v(res.structuredContent), `${name}: ${JSON.stringify(v.errors)}`).toBe(true);
      }
    } finally {
      await manager.close();
    }
  });
});
