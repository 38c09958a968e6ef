import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import * as z from 'zod';
import type { Config } from '../../shared/config/config.js';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { allowed, type Caller, type Permission } from '../../shared/config/roles.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { parsePeriod, PeriodError } from '../../shared/domain/periods.js';
import type { Summary } from '../../shared/domain/summary.js';
import type { Missing, StaffingForecast } from '../../shared/domain/forecast.js';
import type { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { IdempotencyConflictError, parseIdempotencyKey, requestReport } from '../../shared/store/enqueue-report.js';
import type { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import type { DynamoReportRunStore } from '../../shared/store/report-run-store.js';

export interface McpDeps {
  config: Config;
  runbooks: ReportRunbook[];
  runs: DynamoReportRunStore;
  idempotency: DynamoIdempotencyStore;
  budget: DynamoBudgetStore;
  summaryFor: (periodLabel: string) => Promise<Summary>;
  /** Optional only so that stand-ins for other tools need not wire it; every handler does. */
  forecastFor?: (weekLabel: string) => Promise<StaffingForecast | (Missing & { week: string })>;
  trigger: { start(runId: string): Promise<void> };
  now: () => Date;
}

/**
 * The SDK validates JSON Schema only for elicitation (the server asking the client for input), which this server
 * never does. Passing this instead of the default saves building an Ajv instance with its formats per request, and
 * lets the mcp bundle leave Ajv out (infra/constructs/socpulse-function.ts).
 */
const noElicitationValidator: jsonSchemaValidator = {
  getValidator: () => {
    throw new Error('socpulse MCP server: no JSON Schema validator, the server never elicits input');
  },
};

const Period = z.string().describe('Period label: 2026-11-23, 2026-W47, 2026-11, 2026-Q4 or FY2027');
const Obj = z.object({}).passthrough();

/** socpulse's own MCP server for the SOC manager's AI agent; every tool checks the caller's role. */
export function createSocpulseMcpServer(deps: McpDeps, caller: Caller | undefined): McpServer {
  const server = new McpServer(
    { name: 'socpulse', version: '1.0.0' },
    { capabilities: { tools: {} }, jsonSchemaValidator: noElicitationValidator },
  );
  const ok = (body: Record<string, unknown>) => ({
    structuredContent: body,
    content: [{ type: 'text' as const, text: JSON.stringify(body) }],
  });
  const fail = (message: string) => ({ isError: true, content: [{ type: 'text' as const, text: message }] });
  // A denied or bad call is a tool error the agent can read and act on, not a protocol failure.
  const guarded =
    <A>(permission: Permission, fn: (args: A, who: Caller) => Promise<ReturnType<typeof ok | typeof fail>>) =>
    async (args: A) => {
      if (!caller) return fail('unauthenticated: no or unknown credentials');
      if (!allowed(caller.role, permission))
        return fail(`forbidden: role ${caller.role} may not call ${permission.slice(4)}`);
      try {
        return await fn(args, caller);
      } catch (e) {
        if (e instanceof ReportRequestError || e instanceof PeriodError) return fail(e.message);
        throw e;
      }
    };
  const checkPeriod = (label: string) =>
    parsePeriod(label, { tz: deps.config.timezone, fiscalYearStartMonth: deps.config.fiscalYearStartMonth });

  server.registerTool(
    'get_kpis',
    {
      description:
        'SOC KPIs for a period (METRICS.md "kpi"): volumes, response times, SLA compliance, backlog, quality, trend.',
      inputSchema: { period: Period },
      outputSchema: { period: Obj, kpi: Obj },
    },
    guarded('mcp:get_kpis', async ({ period }: { period: string }) => {
      checkPeriod(period);
      const s = await deps.summaryFor(period);
      return ok({ period: s.period, kpi: s.kpi });
    }),
  );
  server.registerTool(
    'get_staffing',
    {
      description:
        'Staffing for a period: analysts scheduled vs required per hour of week (Erlang C), FTE, coverage gaps, utilization.',
      inputSchema: { period: Period },
      outputSchema: { period: Obj, staffing: Obj },
    },
    guarded('mcp:get_staffing', async ({ period }: { period: string }) => {
      checkPeriod(period);
      const s = await deps.summaryFor(period);
      return ok({ period: s.period, staffing: s.staffing });
    }),
  );
  const Hours = z.array(z.number()).length(168);
  server.registerTool(
    'get_staffing_forecast',
    {
      description:
        "Next week's staffing look ahead for an ISO week: forecast case arrivals per local hour of week (Monday 00:00 " +
        'first) with an 80% interval, analysts required (Erlang C, and from the interval high end), analysts rostered ' +
        'and the hours short. Judged at the latest collection; only cases created before the week are used.',
      inputSchema: { week: z.string().describe('ISO week label, e.g. 2026-W49') },
      outputSchema: {
        week: z.union([
          z.object({ label: z.string(), start: z.string(), end: z.string(), tz: z.string() }),
          z.string(),
        ]),
        arrivals: z.object({ expected: Hours, low: Hours, high: Hours }).optional(),
        required: Hours.optional(),
        requiredHigh: Hours.optional(),
        scheduled: Hours.nullable().optional(),
        gap: z
          .object({
            hours: z.number(),
            analystHours: z.number(),
            worst: z.array(z.object({ hour: z.number().int(), short: z.number() })),
          })
          .nullable()
          .optional(),
        method: z.string().optional(),
        missing: z.literal(true).optional(),
        reason: z.string().optional(),
      },
    },
    guarded('mcp:get_staffing_forecast', async ({ week }: { week: string }) => {
      if (!deps.forecastFor) throw new ReportRequestError('week', 'no staffing forecast on this server');
      return ok((await deps.forecastFor(week)) as unknown as Record<string, unknown>);
    }),
  );
  server.registerTool(
    'get_budget_snapshot',
    {
      description: 'Immutable budget snapshots of a fiscal year (optionally one month), every version, oldest first.',
      inputSchema: {
        fiscalYear: z.string().regex(/^FY\d{4}$/),
        month: z
          .string()
          .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
          .optional(),
      },
      outputSchema: { fiscalYear: z.string(), snapshots: z.array(Obj) },
    },
    guarded('mcp:get_budget_snapshot', async ({ fiscalYear, month }: { fiscalYear: string; month?: string }) =>
      ok({ fiscalYear, snapshots: await deps.budget.snapshots(fiscalYear, month) }),
    ),
  );
  server.registerTool(
    'trigger_report',
    {
      description:
        'Ask for a report run (the email goes to the runbook audience, or to the given recipients within it). Exactly once: an identical request returns the run already queued, running or delivered and sends nothing; resend: true sends a delivered report again. idempotencyKey: the same key with the same arguments returns the same run.',
      inputSchema: {
        runbook: z.string(),
        period: Period.optional(),
        recipients: z.array(z.string()).optional(),
        resend: z.boolean().optional(),
        idempotencyKey: z.string().optional(),
      },
      outputSchema: { runId: z.string(), status: z.string(), period: z.string(), queued: z.boolean() },
    },
    guarded(
      'mcp:trigger_report',
      async (
        args: { runbook: string; period?: string; recipients?: string[]; resend?: boolean; idempotencyKey?: string },
        who,
      ) => {
        if (args.resend && !allowed(who.role, 'resend a report'))
          return fail(`forbidden: role ${who.role} may not resend a report`);
        const { idempotencyKey, ...rest } = args;
        try {
          // The one trigger path (shared/store/enqueue-report.ts), as POST /reports uses it.
          const { run, queued } = await requestReport(deps, {
            ...rest,
            requestedBy: `mcp:${who.principal}`,
            idempotencyKey: parseIdempotencyKey(idempotencyKey),
          });
          return ok({ runId: run.runId, status: run.status, period: run.period, queued });
        } catch (e) {
          if (e instanceof IdempotencyConflictError) return fail(`${e.field}: ${e.message}`);
          throw e;
        }
      },
    ),
  );
  server.registerTool(
    'list_report_runs',
    {
      description: 'Recent runs of a report runbook, newest period first, with delivery status and SES message ids.',
      inputSchema: { runbook: z.string(), limit: z.number().int().min(1).max(100).optional() },
      outputSchema: { runs: z.array(Obj) },
    },
    guarded('mcp:list_report_runs', async ({ runbook, limit }: { runbook: string; limit?: number }) => {
      if (!deps.runbooks.some((r) => r.id === runbook))
        throw new ReportRequestError('runbook', `unknown runbook "${runbook}"`);
      const runs = await deps.runs.list(runbook, limit ?? 20);
      return ok({ runs: runs.map(({ claimId: _c, leaseUntil: _l, rev: _r, ...r }) => r) });
    }),
  );
  return server;
}

/** Serve one MCP request statelessly (Lambda-friendly): a fresh server and transport per request. */
export async function handleMcpRequest(deps: McpDeps, caller: Caller | undefined, request: Request): Promise<Response> {
  if (request.method !== 'POST')
    return new Response(
      JSON.stringify({ error: { code: 'method_not_allowed', message: 'stateless MCP server: POST only' } }),
      { status: 405, headers: { 'content-type': 'application/json', allow: 'POST' } },
    );
  const server = createSocpulseMcpServer(deps, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    void server.close();
  }
}
