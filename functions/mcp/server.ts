import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import * as z from 'zod';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { allowed, PERMISSIONS, type Caller, type Permission } from '../../shared/config/roles.js';
import { fiscalYearOf, localMonth, parsePeriod } from '../../shared/domain/periods.js';
import { parseIdempotencyKey, requestReport } from '../../shared/usecases/enqueue-report.js';
import type { ReportRun } from '../../shared/store/report-run-store.js';
import { edgeFailure, publicRun, type EdgeDeps } from '../../shared/usecases/edge.js';

/** The MCP server's dependencies: the edge's use cases and stores (shared/usecases/edge.ts), as the API's. */
export interface McpDeps extends EdgeDeps {
  /** How long `trigger_report` with `wait` follows a run, and how often it looks (defaults 20 s and 1 s). */
  wait?: { maxMs: number; pollMs: number };
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

const Period = z.string().max(32).describe('Period label: 2026-11-23, 2026-W47, 2026-11, 2026-Q4 or FY2027');
const Obj = z.object({}).passthrough();
const RunbookId = z.string().min(1).max(64);
/** Statuses after which a run changes no more (shared/store/report-run-store.ts). */
const FINAL: readonly ReportRun['status'][] = ['delivered', 'failed', 'no-data-sent', 'dry-run'];
const SNAPSHOT_ID = /^(FY\d{4})-(\d{4}-(?:0[1-9]|1[0-2]))-v(\d{1,6})$/;

/** Hostnames a local server answers to (as the SDK's localhostHostValidation, server/middleware/hostHeaderValidation). */
export const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/**
 * DNS-rebinding protection: the Host header's hostname, and the Origin's when a browser sends one, must be one of
 * `hostnames` (port-agnostic, as the SDK's hostHeaderValidation). Returns what is wrong, or undefined. A page on
 * evil.example whose name was rebound to 127.0.0.1 still sends `Host: evil.example` and `Origin: http://evil.example`.
 */
export function hostOrOriginProblem(headers: Headers, hostnames: readonly string[]): string | undefined {
  const hostname = (value: string, prefix: string) => {
    try {
      return new URL(`${prefix}${value}`).hostname;
    } catch {
      return undefined;
    }
  };
  const host = headers.get('host');
  if (!host) return 'missing Host header';
  const h = hostname(host, 'http://');
  if (!h || !hostnames.includes(h)) return `Host ${JSON.stringify(host.slice(0, 100))} is not allowed`;
  const origin = headers.get('origin');
  if (origin === null) return undefined;
  const o = hostname(origin, '');
  if (!o || !hostnames.includes(o)) return `Origin ${JSON.stringify(origin.slice(0, 100))} is not allowed`;
  return undefined;
}

/** The JSON-RPC error body the SDK's transports answer transport-level refusals with. */
export function jsonRpcErrorResponse(status: number, message: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Why a caller may not use a permission, or undefined when it may (one wording for tools, resources and pre-checks). */
function denial(caller: Caller, permission: Permission): string | undefined {
  return allowed(caller.role, permission)
    ? undefined
    : `forbidden: role ${caller.role} may not call ${permission.slice(4)}`;
}

/** socpulse's own MCP server for the SOC manager's AI agent; every tool and resource checks the caller's role. */
export function createSocpulseMcpServer(deps: McpDeps, caller: Caller): McpServer {
  const server = new McpServer(
    { name: 'socpulse', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {} }, jsonSchemaValidator: noElicitationValidator },
  );
  const ok = (body: Record<string, unknown>) => ({
    structuredContent: body,
    content: [{ type: 'text' as const, text: JSON.stringify(body) }],
  });
  const fail = (message: string) => ({ isError: true, content: [{ type: 'text' as const, text: message }] });
  // A denied or bad call is a tool error the agent can read and act on, not a protocol failure. The role is also
  // checked before the SDK validates arguments (handleMcpRequest); this check covers any other transport.
  const guarded =
    <A, E>(
      permission: Permission,
      fn: (args: A, who: Caller, extra: E) => Promise<ReturnType<typeof ok | typeof fail>>,
    ) =>
    async (args: A, extra: E) => {
      const denied = denial(caller, permission);
      if (denied) return fail(denied);
      try {
        return await fn(args, caller, extra);
      } catch (e) {
        // The edges' one rule (shared/usecases/edge.ts): a request error's message, else a generic one, logged.
        return fail(edgeFailure(e, deps.logger).message);
      }
    };
  // A resource read or list that throws: an MCP error the SDK answers with, by the same rule.
  const reading =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (e) {
        if (e instanceof McpError) throw e;
        const failure = edgeFailure(e, deps.logger);
        throw new McpError(
          failure.kind === 'request' ? ErrorCode.InvalidParams : ErrorCode.InternalError,
          failure.message,
        );
      }
    };
  const readable = (permission: Permission) => {
    const denied = denial(caller, permission);
    if (denied) throw new McpError(ErrorCode.InvalidRequest, denied);
  };
  const checkPeriod = (label: string) =>
    parsePeriod(label, { tz: deps.config.timezone, fiscalYearStartMonth: deps.config.fiscalYearStartMonth });
  const json = (uri: URL, body: unknown) => ({
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body) }],
  });

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
      description:
        'Immutable budget snapshots of a fiscal year (optionally one month), every version, oldest first. Each is also the resource socpulse://budget-snapshots/{snapshotId}.',
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
        'Ask for a report run (the email goes to the runbook audience, or to the given recipients within it). Exactly once: an identical request returns the run already queued, running or delivered and sends nothing; resend: true sends a delivered report again. idempotencyKey: the same key with the same arguments returns the same run. With wait, follow the run until it is delivered or failed (up to about 20 s), reporting progress when the request carries a progressToken; the run stays readable as socpulse://report-runs/{runId}.',
      inputSchema: {
        runbook: RunbookId,
        period: Period.optional(),
        recipients: z.array(z.string().max(254)).max(100).optional(),
        resend: z.boolean().optional(),
        idempotencyKey: z.string().optional(),
        wait: z.boolean().optional(),
      },
      outputSchema: { runId: z.string(), status: z.string(), period: z.string(), queued: z.boolean() },
    },
    guarded(
      'mcp:trigger_report',
      async (
        {
          wait,
          ...args
        }: {
          runbook: string;
          period?: string;
          recipients?: string[];
          resend?: boolean;
          idempotencyKey?: string;
          wait?: boolean;
        },
        who,
        extra: ProgressExtra,
      ) => {
        if (args.resend && !allowed(who.role, 'resend a report'))
          return fail(`forbidden: role ${who.role} may not resend a report`);
        const { idempotencyKey, ...rest } = args;
        // The one trigger path (shared/usecases/enqueue-report.ts), as POST /reports uses it.
        const { run, queued } = await requestReport(deps, {
          ...rest,
          requestedBy: `mcp:${who.principal}`,
          idempotencyKey: parseIdempotencyKey(idempotencyKey),
        });
        const status = wait ? await followRun(deps, run.runId, extra) : run.status;
        return ok({ runId: run.runId, status, period: run.period, queued });
      },
    ),
  );
  server.registerTool(
    'list_report_runs',
    {
      description:
        'Recent runs of a report runbook, newest period first, with delivery status and SES message ids. Each is also the resource socpulse://report-runs/{runId}.',
      inputSchema: { runbook: RunbookId, limit: z.number().int().min(1).max(100).optional() },
      outputSchema: { runs: z.array(Obj) },
    },
    guarded('mcp:list_report_runs', async ({ runbook, limit }: { runbook: string; limit?: number }) => {
      if (!deps.runbooks.some((r) => r.id === runbook))
        throw new ReportRequestError('runbook', `unknown runbook "${runbook}"`);
      const runs = await deps.runs.list(runbook, limit ?? 20);
      return ok({ runs: runs.map(publicRun) });
    }),
  );

  // Resources: what agents read by URI (and may attach as context) rather than call for. Same roles as the tools.
  server.registerResource(
    'report-run',
    new ResourceTemplate('socpulse://report-runs/{runId}', {
      // A role that may not read runs sees none listed (resources/list spans every template, so no error here).
      list: reading(async () => {
        if (denial(caller, 'mcp:list_report_runs')) return { resources: [] };
        const runs = (await Promise.all(deps.runbooks.map((rb) => deps.runs.list(rb.id, 20)))).flat();
        return {
          resources: runs.map((r) => ({
            uri: `socpulse://report-runs/${r.runId}`,
            name: `${r.runbook} ${r.period} (${r.status})`,
            mimeType: 'application/json',
          })),
        };
      }),
    }),
    {
      title: 'Report run',
      description: 'One report run: runbook, period, status, recipients and SES message ids.',
      mimeType: 'application/json',
    },
    reading(async (uri: URL, { runId }: Variables) => {
      readable('mcp:list_report_runs');
      const id = String(runId);
      const run = id.length <= 64 ? await deps.runs.getById(id) : undefined;
      if (!run) throw new McpError(ErrorCode.InvalidParams, `no report run ${JSON.stringify(id.slice(0, 64))}`);
      return json(uri, publicRun(run));
    }),
  );
  server.registerResource(
    'budget-snapshot',
    new ResourceTemplate('socpulse://budget-snapshots/{snapshotId}', {
      // The current and the previous fiscal year: what finance reads month to month.
      list: reading(async () => {
        if (denial(caller, 'mcp:get_budget_snapshot')) return { resources: [] };
        const fy = fiscalYearOf(
          localMonth(deps.now().getTime(), deps.config.timezone),
          deps.config.fiscalYearStartMonth,
        );
        const years = [`FY${Number(fy.slice(2)) - 1}`, fy];
        const snapshots = (await Promise.all(years.map((y) => deps.budget.snapshots(y)))).flat();
        return {
          resources: snapshots.map((s) => ({
            uri: `socpulse://budget-snapshots/${s.snapshotId}`,
            name: `budget ${s.fiscalYear} ${s.month} v${s.version}`,
            mimeType: 'application/json',
          })),
        };
      }),
    }),
    {
      title: 'Budget snapshot',
      description: 'One immutable budget snapshot version, e.g. socpulse://budget-snapshots/FY2027-2026-10-v1.',
      mimeType: 'application/json',
    },
    reading(async (uri: URL, { snapshotId }: Variables) => {
      readable('mcp:get_budget_snapshot');
      const m = SNAPSHOT_ID.exec(String(snapshotId));
      const found = m ? (await deps.budget.snapshots(m[1]!, m[2]!)).find((s) => s.version === Number(m[3])) : undefined;
      if (!found)
        throw new McpError(
          ErrorCode.InvalidParams,
          `no budget snapshot ${JSON.stringify(String(snapshotId).slice(0, 64))} (ids look like FY2027-2026-10-v1)`,
        );
      return json(uri, found);
    }),
  );
  return server;
}

/** What a tool call's handler gets beside its arguments that progress reporting uses (MCP utilities/progress). */
type ProgressExtra = {
  _meta?: { progressToken?: string | number };
  sendNotification: (n: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
  signal: AbortSignal;
};

/**
 * Follow a queued run until it reaches a final status or the wait ends, sending `notifications/progress` on the
 * request's progressToken at each look (MCP utilities/progress: progress only increases). Returns the last status.
 */
async function followRun(deps: McpDeps, runId: string, extra: ProgressExtra): Promise<string> {
  const { maxMs, pollMs } = deps.wait ?? { maxMs: 20_000, pollMs: 1_000 };
  const token = extra._meta?.progressToken;
  const deadline = Date.now() + maxMs;
  let status: string = 'queued';
  for (let step = 1; ; step++) {
    status = (await deps.runs.getById(runId))?.status ?? status;
    const done = (FINAL as readonly string[]).includes(status);
    if (token !== undefined)
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: step, message: `run ${runId}: ${status}` },
      });
    if (done || Date.now() >= deadline || extra.signal.aborted) return status;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** JSON-RPC messages of a POST body (one, or a batch). */
type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { name?: unknown; _meta?: unknown } };

/** The tool a message calls and the permission it needs; undefined for other messages and unknown tools. */
function toolPermission(msg: Message): Permission | undefined {
  if (msg.method !== 'tools/call' || typeof msg.params?.name !== 'string') return undefined;
  const permission = `mcp:${msg.params.name}`;
  return Object.hasOwn(PERMISSIONS, permission) ? (permission as Permission) : undefined;
}

/**
 * Serve one MCP request statelessly (Lambda-friendly): a fresh server and transport per request. The caller is already
 * authenticated (the entry point answers 401/403 otherwise) and Host/Origin checked. A tool call the caller's role may
 * not make is answered here, before the SDK validates its arguments: a viewer learns "forbidden", not the schema.
 * Responses are JSON, except a call carrying a progressToken, which is answered as an SSE stream so the progress
 * notifications can travel before the result.
 */
export async function handleMcpRequest(deps: McpDeps, caller: Caller, request: Request): Promise<Response> {
  if (request.method !== 'POST')
    return new Response(
      JSON.stringify({ error: { code: 'method_not_allowed', message: 'stateless MCP server: POST only' } }),
      { status: 405, headers: { 'content-type': 'application/json', allow: 'POST' } },
    );
  const text = await request.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined; // the transport answers the parse error in its own words
  }
  const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (m): m is Message => typeof m === 'object' && m !== null,
  );
  for (const msg of messages) {
    const permission = toolPermission(msg);
    const denied = permission && denial(caller, permission);
    if (!denied) continue;
    if (messages.length > 1) return jsonRpcErrorResponse(403, denied);
    return new Response(
      JSON.stringify({
        jsonrpc: '2.0',
        id: msg.id ?? null,
        result: { isError: true, content: [{ type: 'text', text: denied }] },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  }
  const wantsProgress = messages.some(
    (m) =>
      m.method === 'tools/call' &&
      typeof m.params?._meta === 'object' &&
      m.params._meta !== null &&
      'progressToken' in m.params._meta,
  );
  const server = createSocpulseMcpServer(deps, caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !wantsProgress,
  });
  await server.connect(transport);
  const replay = new Request(request.url, { method: 'POST', headers: request.headers, body: text });
  const response = await transport.handleRequest(replay, parsed === undefined ? undefined : { parsedBody: parsed });
  // An SSE response streams until the server has answered, and the transport ends the stream itself then: closing
  // the server now would cut it. Nothing outlives the request either way (no session, no timers).
  if (wantsProgress) return response;
  void server.close();
  return response;
}
