import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import * as z from 'zod';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { IdempotencyConflictError, parseIdempotencyKey, requestReport } from '../../shared/usecases/enqueue-report.js';
import { allowed, type Caller, type Permission } from '../../shared/config/roles.js';
import { parsePeriod, PeriodError } from '../../shared/domain/periods.js';
import { budgetSnapshotCsv } from '../../shared/mail/budget-csv.js';
import { BudgetCsvError, parseBudgetCsv } from '../../shared/config/budget-plan-csv.js';
import { edgeFailure, publicRun, type EdgeDeps } from '../../shared/usecases/edge.js';

/** The API's dependencies: the edge's use cases and stores (shared/usecases/edge.ts), and who is calling. */
export interface ApiDeps extends EdgeDeps {
  /** Who is calling: the IAM identity in the cloud, a local token locally. Undefined = unknown credentials. */
  identify: (c: Context) => Caller | undefined;
}

/** An API error: `{"error": {"code", "message", "field"?}}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const MAX_PLAN_BYTES = 1024 * 1024;
/** Longest run id accepted (ours are UUIDs, 36): anything longer is refused before it reaches a DynamoDB key. */
const MAX_ID = 64;
const TriggerBody = z
  .object({
    runbook: z.string().min(1).max(MAX_ID),
    period: z.string().min(1).max(32).optional(),
    recipients: z.array(z.string().max(254)).max(100).optional(),
    /** Send a delivered report again (manager only; recorded on the run with who asked). */
    resend: z.boolean().optional(),
  })
  .strict();
/** A value from the request as an error message quotes it: never more than 64 characters of it. */
const quote = (v: string) => JSON.stringify(v.length > MAX_ID ? `${v.slice(0, MAX_ID)}…` : v);
const FiscalYear = z.string().regex(/^FY\d{4}$/, 'expected a fiscal year such as FY2027');
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month such as 2026-09');

/** What a route tells the error mapper: the query parameter a period label was read from (a PeriodError names it). */
type ApiEnv = { Variables: { periodParam?: 'period' | 'week' } };

/**
 * The one mapping from a typed error to its HTTP status and `{"error": {"code", "message", "field"?}}` body: routes
 * and the use cases they call throw, and only this turns what they throw into a response. Undefined for an error
 * that is not the request's fault (a 500, or a 503 for an unreachable table).
 */
function requestError(e: unknown, c: Context<ApiEnv>): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof ReportRequestError)
    return new ApiError(400, `invalid_${e.field.toLowerCase().replace(/-/g, '_')}`, e.message, e.field);
  if (e instanceof IdempotencyConflictError) return new ApiError(409, e.code, e.message, e.field);
  if (e instanceof BudgetCsvError)
    return new ApiError(400, 'invalid_plan', e.message, e.problems.map((p) => `line ${p.line}: ${p.field}`).join(', '));
  const param = c.get('periodParam');
  if (e instanceof PeriodError && param) return new ApiError(400, `invalid_${param}`, e.message, param);
  return undefined;
}

/** The HTTP API of DESIGN.md: one Hono app for the Lambda handler and the local server alike. */
export function createApiApp(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const guard = (c: Context, permission: Permission): Caller => {
    const caller = deps.identify(c);
    if (!caller) throw new ApiError(401, 'unauthenticated', 'no or unknown credentials');
    if (!allowed(caller.role, permission))
      throw new ApiError(403, 'forbidden', `role ${caller.role} may not ${permission}`);
    return caller;
  };
  const popts = () => ({ tz: deps.config.timezone, fiscalYearStartMonth: deps.config.fiscalYearStartMonth });

  app.post('/reports', async (c) => {
    const caller = guard(c, 'POST /reports');
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      throw new ApiError(415, 'unsupported_media_type', 'send the request as application/json', 'Content-Type');
    const body = TriggerBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) {
      const issue = body.error.issues[0]!;
      throw new ApiError(
        400,
        'invalid_body',
        issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message,
        issue.path.join('.') || 'body',
      );
    }
    if (body.data.resend) guard(c, 'resend a report');
    // One mechanism for every trigger (shared/usecases/enqueue-report.ts): 202 when this request queued the run, 200
    // with the run when an identical one was already queued, running or delivered (nothing is sent twice).
    const { run, queued } = await requestReport(deps, {
      ...body.data,
      requestedBy: caller.principal,
      idempotencyKey: parseIdempotencyKey(c.req.header('idempotency-key')),
    });
    return c.json(publicRun(run), queued ? 202 : 200);
  });

  app.get('/reports/:runId', async (c) => {
    guard(c, 'GET /reports/{runId}');
    const runId = c.req.param('runId');
    if (runId.length > MAX_ID)
      throw new ApiError(400, 'invalid_run_id', `runId is longer than ${MAX_ID} characters`, 'runId');
    const run = await deps.runs.getById(runId);
    if (!run) throw new ApiError(404, 'not_found', `no report run ${quote(runId)}`, 'runId');
    return c.json(publicRun(run));
  });

  app.get('/kpis', async (c) => {
    guard(c, 'GET /kpis');
    const label = c.req.query('period');
    if (!label) throw new ApiError(400, 'missing_period', 'period is required (e.g. 2026-W47)', 'period');
    c.set('periodParam', 'period');
    parsePeriod(label, popts());
    const include = c.req.query('include');
    if (include !== undefined && include !== 'staffing')
      throw new ApiError(400, 'invalid_include', 'include may only be "staffing"', 'include');
    const summary = await deps.summaryFor(label);
    return c.json(
      include
        ? { period: summary.period, kpi: summary.kpi, staffing: summary.staffing }
        : { period: summary.period, kpi: summary.kpi },
    );
  });

  app.get('/staffing/forecast', async (c) => {
    guard(c, 'GET /staffing/forecast');
    const label = c.req.query('week');
    if (!label) throw new ApiError(400, 'missing_week', 'week is required (an ISO week, e.g. 2026-W49)', 'week');
    if (!deps.forecastFor) throw new ApiError(404, 'not_found', 'no staffing forecast here');
    c.set('periodParam', 'week');
    return c.json(await deps.forecastFor(label));
  });

  app.get('/budget/snapshots', async (c) => {
    guard(c, 'GET /budget/snapshots');
    const fy = FiscalYear.safeParse(c.req.query('fiscalYear'));
    if (!fy.success) throw new ApiError(400, 'invalid_fiscal_year', fy.error.issues[0]!.message, 'fiscalYear');
    const monthQ = c.req.query('month');
    const month = monthQ === undefined ? undefined : Month.safeParse(monthQ);
    if (month && !month.success) throw new ApiError(400, 'invalid_month', month.error.issues[0]!.message, 'month');
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw new ApiError(400, 'invalid_format', 'format is json or csv', 'format');
    const snapshots = await deps.budget.snapshots(fy.data, month?.data);
    if (format === 'json') return c.json({ fiscalYear: fy.data, month: month?.data ?? null, snapshots });
    // The filename is built from validated values only: nothing from the data reaches a header.
    const name = `socpulse-budget-${fy.data}${month ? `-${month.data}` : ''}.csv`;
    return c.body(budgetSnapshotCsv(snapshots), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
    });
  });

  app.put('/budget/plan', async (c) => {
    const caller = guard(c, 'PUT /budget/plan');
    if (!(c.req.header('content-type') ?? '').startsWith('text/csv'))
      throw new ApiError(415, 'unsupported_media_type', 'send the plan as text/csv', 'Content-Type');
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_PLAN_BYTES)
      throw new ApiError(413, 'too_large', `the plan is over ${MAX_PLAN_BYTES} bytes`);
    const lines = parseBudgetCsv(text, 'body', {
      currency: deps.config.currency,
      fiscalYearStartMonth: deps.config.fiscalYearStartMonth,
    });
    if (lines.length === 0) throw new ApiError(400, 'invalid_plan', 'the plan has no lines', 'body');
    await deps.budget.importPlan(
      lines,
      `imp-${deps
        .now()
        .toISOString()
        .replace(/[^0-9]/g, '')}-${randomUUID().slice(0, 8)}`,
      deps.now().toISOString(),
      caller.principal,
    );
    return c.json({ lines: lines.length }, 200);
  });

  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${quote(c.req.path)}` } }, 404),
  );
  app.onError((e, c) => {
    const known = requestError(e, c);
    if (known)
      return c.json(
        { error: { code: known.code, message: known.message, ...(known.field ? { field: known.field } : {}) } },
        known.status,
      );
    // The edges' one rule (shared/usecases/edge.ts): a request error's message, else a generic one and a log line.
    const failure = edgeFailure(e, deps.logger);
    if (failure.kind === 'request')
      return c.json({ error: { code: 'invalid_request', message: failure.message } }, 400);
    if (failure.kind === 'unavailable')
      return c.json({ error: { code: 'unavailable', message: failure.message } }, 503);
    return c.json({ error: { code: 'internal', message: failure.message } }, 500);
  });
  return app;
}
