import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp, type ApiDeps } from '../../functions/api/app.js';
import { serveLocal } from '../../functions/cli/serve.js';
import { parseConfig } from '../../shared/config/config.js';
import { callerFromIamArn, callerFromLocalToken } from '../../shared/config/roles.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { summarize } from '../../shared/domain/summary.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { budgetSnapshotContent, localTable } from './helpers.js';

const config = parseConfig({
  timezone: 'UTC',
  fiscalYearStartMonth: 4,
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com'], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
  localTokens: {
    'manager-token-0123456789': 'manager',
    'finance-token-0123456789': 'finance',
    'viewer-token-01234567890': 'viewer',
  },
});
const TOKENS = {
  manager: 'manager-token-0123456789',
  finance: 'finance-token-0123456789',
  viewer: 'viewer-token-01234567890',
} as const;

let env: Awaited<ReturnType<typeof localTable>>;
let deps: Omit<ApiDeps, 'identify'>;
const started: string[] = [];

beforeAll(async () => {
  env = await localTable();
  const budget = new DynamoBudgetStore(env.table);
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    runs: new DynamoReportRunStore(env.table),
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
    // The forecast itself is tested against stored snapshots in forecast.test.ts; here only routes and roles.
    forecastFor: async (label) => ({ week: label, missing: true, reason: `no data for a forecast of ${label}` }),
    trigger: { start: async (runId) => void started.push(runId) },
    now: () => new Date('2026-11-24T09:00:00Z'),
  };
  await budget.addSnapshot(
    budgetSnapshotContent({
      lines: [
        {
          category: '=cmd|calc',
          plan: '10.00',
          actual: '-12.50',
          variance: '-22.50',
          variancePct: -225,
          forecast: '1.00',
          flagged: true,
          estimated: false,
        },
      ],
    }),
  );
});
afterAll(async () => env.stop());

const app = () =>
  createApiApp({ ...deps, identify: (c) => callerFromLocalToken(config, c.req.header('authorization')) });
const call = (
  method: string,
  path: string,
  role?: keyof typeof TOKENS,
  body?: string,
  contentType = 'application/json',
) =>
  app().request(path, {
    method,
    body,
    headers: {
      ...(role ? { authorization: `Bearer ${TOKENS[role]}` } : {}),
      ...(body ? { 'content-type': contentType } : {}),
    },
  });

describe('HTTP API: routes and roles', () => {
  const routes: [string, string, string | undefined, Record<keyof typeof TOKENS, number>][] = [
    [
      'POST',
      '/reports',
      JSON.stringify({ runbook: 'weekly-kpi', period: '2026-W47' }),
      { manager: 202, finance: 403, viewer: 403 },
    ],
    ['GET', '/kpis?period=2026-W47', undefined, { manager: 200, finance: 403, viewer: 200 }],
    ['GET', '/staffing/forecast?week=2026-W49', undefined, { manager: 200, finance: 403, viewer: 200 }],
    ['GET', '/budget/snapshots?fiscalYear=FY2027', undefined, { manager: 200, finance: 200, viewer: 403 }],
    [
      'PUT',
      '/budget/plan',
      'fiscalYear,month,category,amount,currency\nFY2027,2026-04,tooling,100.00,EUR\n',
      { manager: 403, finance: 200, viewer: 403 },
    ],
  ];
  for (const [method, path, body, expected] of routes)
    for (const role of ['manager', 'finance', 'viewer'] as const)
      it(`${method} ${path.split('?')[0]} as ${role} → ${expected[role]}`, async () => {
        const res = await call(method, path, role, body, method === 'PUT' ? 'text/csv' : 'application/json');
        expect(res.status).toBe(expected[role]);
        if (res.status === 403)
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      });

  it('answers 401 without credentials or with an unknown token', async () => {
    expect((await call('GET', '/kpis?period=2026-W47')).status).toBe(401);
    const res = await app().request('/kpis?period=2026-W47', {
      headers: { authorization: 'Bearer not-a-token-at-all' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: 'no or unknown credentials' } });
  });

  it('queues a report and shows the run with its status', async () => {
    const res = await call(
      'POST',
      '/reports',
      'manager',
      JSON.stringify({ runbook: 'monthly-budget', period: '2026-10', recipients: ['fpa@example.com'] }),
    );
    const { runId, status } = (await res.json()) as { runId: string; status: string };
    expect(status).toBe('queued');
    expect(started).toContain(runId);
    const run = (await (await call('GET', `/reports/${runId}`, 'viewer')).json()) as Record<string, unknown>;
    expect(run).toMatchObject({
      runId,
      runbook: 'monthly-budget',
      period: '2026-10',
      status: 'queued',
      recipients: ['fpa@example.com'],
    });
    expect(run).not.toHaveProperty('claimId');
    expect((await call('GET', '/reports/no-such-run', 'manager')).status).toBe(404);
  });

  it('rejects an unknown runbook, a malformed period and an outside recipient with 400 naming the field', async () => {
    const bad = async (body: object) =>
      (await (await call('POST', '/reports', 'manager', JSON.stringify(body))).json()) as { error: { field: string } };
    expect((await bad({ runbook: 'nope' })).error.field).toBe('runbook');
    expect((await bad({ runbook: 'weekly-kpi', period: '2026-W99' })).error.field).toBe('period');
    expect((await bad({ runbook: 'weekly-kpi', recipients: ['mallory@evil.example'] })).error.field).toBe('recipients');
    expect((await bad({ runbook: 'weekly-kpi', extra: 1 })).error.field).toBe('body');
    const kpi = await call('GET', '/kpis?period=last-week', 'manager');
    expect(kpi.status).toBe(400);
    expect(((await kpi.json()) as { error: { field: string } }).error.field).toBe('period');
  });

  it('returns the KPI object, and staffing with include=staffing', async () => {
    const body = (await (await call('GET', '/kpis?period=2026-W47&include=staffing', 'viewer')).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(body)).toEqual(['period', 'kpi', 'staffing']);
  });

  it('rejects a budget plan with bad rows whole, naming every row, and stores nothing', async () => {
    const csv =
      'fiscalYear,month,category,amount,currency\nFY2028,2027-04,tooling,100.00,EUR\nFY2028,2027-13,tooling,1.00,EUR\nFY2028,2027-05,coffee,1.00,EUR\nFY2028,2027-06,tooling,12.345,EUR\n';
    const res = await call('PUT', '/budget/plan', 'finance', csv, 'text/csv');
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; field: string } };
    expect(error.field).toBe('line 3: month, line 4: category, line 5: amount');
    expect(await deps.budget.plan('FY2028')).toBeUndefined();
    expect((await call('PUT', '/budget/plan', 'finance', csv, 'application/json')).status).toBe(415);
  });

  it('imports a good plan and reports its line count', async () => {
    const csv =
      'fiscalYear,month,category,amount,currency\nFY2028,2027-04,tooling,100.00,EUR\nFY2028,2027-05,tooling,100.00,EUR\n';
    const res = await call('PUT', '/budget/plan', 'finance', csv, 'text/csv');
    expect(await res.json()).toEqual({ lines: 2 });
    expect((await deps.budget.plan('FY2028'))?.lines).toHaveLength(2);
  });

  it('serves budget snapshots as FOCUS-aligned CSV with formula cells neutralized', async () => {
    const res = await call('GET', '/budget/snapshots?fiscalYear=FY2027&month=2026-10&format=csv', 'finance');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="socpulse-budget-FY2027-2026-10.csv"');
    const [header, row] = (await res.text()).trim().split('\n');
    expect(header).toMatch(
      /^BillingPeriodStart,BillingPeriodEnd,BilledCost,BillingCurrency,ServiceCategory,.*x_FiscalYear,x_FiscalPeriod,x_Plan,x_Forecast,x_VarianceAbs,x_VariancePct/,
    );
    expect(row).toContain("'=cmd|calc");
    expect(row).toContain(',-12.50,'); // our own negative numbers stay numbers
    expect((await call('GET', '/budget/snapshots?fiscalYear=2027', 'finance')).status).toBe(400);
  });

  it('maps IAM assumed-role callers to roles, and never a local token in the cloud', () => {
    const arns = {
      manager: 'arn:aws:iam::123456789012:role/socpulse-prod-manager',
      viewer: 'arn:aws:iam::123456789012:role/socpulse-prod-viewer',
    };
    expect(callerFromIamArn(arns, 'arn:aws:sts::123456789012:assumed-role/socpulse-prod-manager/alice')?.role).toBe(
      'manager',
    );
    expect(callerFromIamArn(arns, 'arn:aws:sts::999999999999:assumed-role/socpulse-prod-manager/eve')).toBeUndefined();
    expect(
      callerFromIamArn(arns, 'arn:aws:sts::123456789012:assumed-role/socpulse-prod-manager-x/eve'),
    ).toBeUndefined();
    expect(callerFromIamArn(arns, undefined)).toBeUndefined();
  });
});

describe('Authorization: the scheme in any case (RFC 9110 §11.1), then exactly one token', () => {
  const accepted = [
    `bearer ${TOKENS.viewer}`,
    `BEARER ${TOKENS.viewer}`,
    `BeArEr ${TOKENS.viewer}`,
    `Bearer   ${TOKENS.viewer}`, // RFC 6750 §2.1: "Bearer" 1*SP b64token
  ];
  const refused = [
    `Bearer ${TOKENS.viewer} ${TOKENS.viewer}`, // a second word
    `Bearer\t${TOKENS.viewer}`, // a tab is not SP
    `Bearer${TOKENS.viewer}`, // no space at all
    `Bearers ${TOKENS.viewer}`,
    `Token ${TOKENS.viewer}`,
    `Basic ${Buffer.from(`x:${TOKENS.viewer}`).toString('base64')}`,
    TOKENS.viewer, // no scheme
    'bearer',
    `bearer ${TOKENS.viewer.toUpperCase()}`, // the scheme is case-insensitive, the token is not
  ];

  it('the API app itself: any case of the scheme is the viewer, anything else 401', async () => {
    for (const authorization of accepted) {
      const res = await app().request('/kpis?period=2026-W47', { headers: { authorization } });
      expect(res.status, authorization).toBe(200);
    }
    for (const authorization of refused) {
      const res = await app().request('/kpis?period=2026-W47', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('the local server (API and MCP): same, and every 401 carries WWW-Authenticate', async () => {
    const server = await serveLocal(deps, 0);
    try {
      for (const authorization of accepted) {
        const res = await fetch(`${server.url}/kpis?period=2026-W47`, { headers: { authorization } });
        expect(res.status, authorization).toBe(200);
        expect(((await res.json()) as { period: { label: string } }).period.label).toBe('2026-W47');
      }
      // An MCP client that writes the scheme in lower case connects and lists the tools of its role.
      const client = new Client({ name: 'agent', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `bearer ${TOKENS.finance}` } },
        }),
      );
      expect((await client.listTools()).tools.length).toBe(6);
      await client.close();
      for (const authorization of refused) {
        const res = await fetch(`${server.url}/kpis?period=2026-W47`, { headers: { authorization } });
        expect(res.status, authorization).toBe(401);
        expect(res.headers.get('www-authenticate'), authorization).toBe(
          'Bearer realm="socpulse", error="invalid_token", error_description="unknown token"',
        );
        expect(await res.json()).toEqual({ error: { code: 'unauthenticated', message: 'no or unknown credentials' } });
      }
      const none = await fetch(`${server.url}/kpis?period=2026-W47`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="socpulse"');
    } finally {
      await server.close();
    }
  });
});

describe('socpulse MCP server over Streamable HTTP', () => {
  it('lists its tools with schemas and answers per role', async () => {
    const server = await serveLocal(deps, 0);
    const connect = async (token: string) => {
      const client = new Client({ name: 'agent', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      return client;
    };
    try {
      const manager = await connect(TOKENS.manager);
      const { tools } = await manager.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([
        'get_budget_snapshot',
        'get_kpis',
        'get_staffing',
        'get_staffing_forecast',
        'list_report_runs',
        'trigger_report',
      ]);
      expect(tools.every((t) => t.inputSchema && t.outputSchema)).toBe(true);
      const kpis = await manager.callTool({ name: 'get_kpis', arguments: { period: '2026-W47' } });
      expect(kpis.isError).toBeFalsy();
      expect((kpis.structuredContent as { period: { label: string } }).period.label).toBe('2026-W47');
      const triggered = await manager.callTool({
        name: 'trigger_report',
        arguments: { runbook: 'weekly-kpi', period: '2026-W46' },
      });
      const runId = (triggered.structuredContent as { runId: string }).runId;
      expect(started).toContain(runId);
      const runs = await manager.callTool({ name: 'list_report_runs', arguments: { runbook: 'weekly-kpi' } });
      expect((runs.structuredContent as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toContain(runId);
      const bad = await manager.callTool({ name: 'get_kpis', arguments: { period: 'soon' } });
      expect(bad.isError).toBe(true);
      await manager.close();

      const finance = await connect(TOKENS.finance);
      const denied = await finance.callTool({ name: 'trigger_report', arguments: { runbook: 'weekly-kpi' } });
      expect(denied.isError).toBe(true);
      expect(JSON.stringify(denied.content)).toMatch(/forbidden: role finance may not call trigger_report/);
      const snaps = await finance.callTool({ name: 'get_budget_snapshot', arguments: { fiscalYear: 'FY2027' } });
      expect((snaps.structuredContent as { snapshots: unknown[] }).snapshots).toHaveLength(1);
      await finance.close();

      // Unknown tokens never reach the MCP server (test/integration/mcp-server.test.ts has the HTTP-level details).
      await expect(connect('unknown-token-000000000')).rejects.toThrow(/unauthenticated/);
      const get = await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
      expect(get.status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
