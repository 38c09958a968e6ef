// Small MCP servers that speak exactly the shapes of the real SOC servers socpulse reads (DESIGN.md "Sources"),
// for adapter tests: the real SDK server, with canned upstream data. Each fake's comment names the public code its
// shapes and behaviour come from (read late 2026); the fixtures passed in are our own, written in those shapes.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { fastMcpAnswer, fastMcpOutputSchema, type FastMcpReturn } from './fastmcp.js';

const text = (body: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(body) }] });

// google/mcp-security SOAR: test/fakes/secops-soar-local.ts and secops-soar-remote.ts.

type Raw = Record<string, unknown>;

/**
 * Google SecOps SIEM through google/mcp-security (server/secops/secops_mcp/tools/security_rules.py):
 * `search_rule_alerts(start_time, end_time, max_alerts=10, project_id?, customer_id?, region?)` returns Chronicle's
 * `legacySearchRulesAlerts` answer as google/secops-wrapper documents it (src/secops/chronicle/rule_alert.py): alerts
 * grouped by rule, start inclusive, end exclusive, at most `max_alerts` of them, `tooManyAlerts` when more matched
 * (the answer is then cut, as the API's is). A failure answers `{"error", "ruleAlerts": [], "tooManyAlerts": false}`.
 * `rules` maps a rule id to its `ruleMetadata.properties` (written by the test in the public shape).
 * The tool is annotated `-> Dict[str, Any]` (typing's Dict), so FastMCP wraps its answer: structuredContent
 * `{"result": …}` and the unwrapped JSON as text (test/fakes/fastmcp.ts); `returns` plays other annotations, and
 * `rewrite` changes a body before it is sent (answers in shapes the adapter must refuse).
 */
export function fakeSiem(opts: {
  rules: Record<string, Raw>;
  alerts: { ruleId: string; id: string; at: string }[];
  failures?: number;
  calls?: Raw[];
  returns?: FastMcpReturn;
  rewrite?: (body: Raw) => unknown;
}) {
  const returns = opts.returns ?? 'Dict[str, Any]';
  const answer = (body: Raw) => fastMcpAnswer(opts.rewrite ? opts.rewrite(body) : body, returns);
  const server = new McpServer({ name: 'secops-mcp', version: '0' });
  let failures = opts.failures ?? 0;
  server.registerTool(
    'search_rule_alerts',
    {
      inputSchema: {
        start_time: z.string(),
        end_time: z.string(),
        max_alerts: z.number().int().optional().default(10),
        project_id: z.string().optional(),
        customer_id: z.string().optional(),
        region: z.string().optional(),
      },
      outputSchema: fastMcpOutputSchema('search_rule_alerts', returns),
    },
    async (args) => {
      opts.calls?.push(args);
      if (failures-- > 0)
        return answer({
          error: 'Failed to search rule alerts: 503 Service Unavailable',
          ruleAlerts: [],
          tooManyAlerts: false,
        });
      const from = Date.parse(args.start_time);
      const to = Date.parse(args.end_time);
      const inside = opts.alerts.filter((a) => Date.parse(a.at) >= from && Date.parse(a.at) < to);
      const kept = inside.slice(0, args.max_alerts);
      const byRule = new Map<string, typeof kept>();
      for (const a of kept) byRule.set(a.ruleId, [...(byRule.get(a.ruleId) ?? []), a]);
      return answer({
        ruleAlerts: [...byRule].map(([ruleId, list]) => ({
          alerts: list.map((a) => ({
            id: a.id,
            detectionTimestamp: a.at,
            commitTimestamp: new Date(Date.parse(a.at) + 30_000).toISOString(),
            alertingType: 'ALERTING',
            ruleType: 'SINGLE_EVENT',
            timeWindow: { startTime: a.at, endTime: a.at },
          })),
          ruleMetadata: { properties: { ruleId, ...opts.rules[ruleId] } },
        })),
        tooManyAlerts: inside.length > kept.length,
      });
    },
  );
  server.registerTool(
    'list_security_rules',
    { inputSchema: { page_size: z.number().optional(), page_token: z.string().optional() } },
    async () => text({ rules: [] }),
  );
  return server;
}

/**
 * PagerDuty's MCP server (PagerDuty/pagerduty-mcp-server): `list_oncalls` with the flat arguments of v1.0.0
 * (pagerduty_mcp/tools/oncalls.py; CHANGELOG.md), `earliest` defaulting to true (only the earliest on-call per user
 * and escalation policy), `limit` capping the total gathered (utils.py `paginate`, 1000 when absent), and the answer a
 * `ListResponseModel` (models/base.py): `{"response": [...], "response_summary": "..."}`, given both as structured
 * content and as its JSON text, as FastMCP does for a pydantic return type. On-calls overlap [since, until); a null
 * start or end (a permanent on-call) overlaps everything.
 */
export function fakePagerDuty(oncalls: Raw[], calls?: Raw[], rewrite?: (body: Raw) => Raw) {
  const server = new McpServer({ name: 'PagerDuty MCP Server', version: '0' });
  const ids = z.array(z.string()).optional();
  server.registerTool(
    'list_oncalls',
    {
      inputSchema: {
        time_zone: z.string().optional(),
        user_ids: ids,
        escalation_policy_ids: ids,
        schedule_ids: ids,
        service_ids: ids,
        since: z.string().optional(),
        until: z.string().optional(),
        earliest: z.boolean().optional().default(true),
        limit: z.number().int().optional(),
      },
      outputSchema: rewrite
        ? undefined
        : { response: z.array(z.record(z.string(), z.unknown())), response_summary: z.string() },
    },
    async (args) => {
      calls?.push(args);
      const since = args.since ? Date.parse(args.since) : Date.now();
      const until = args.until ? Date.parse(args.until) : Date.now();
      const id = (o: Raw, k: string) => (o[k] as Raw | null | undefined)?.id as string | undefined;
      let found = oncalls.filter(
        (o) =>
          (o.start == null || Date.parse(o.start as string) < until) &&
          (o.end == null || Date.parse(o.end as string) > since) &&
          (!args.schedule_ids || args.schedule_ids.includes(id(o, 'schedule') ?? '')) &&
          (!args.escalation_policy_ids || args.escalation_policy_ids.includes(id(o, 'escalation_policy') ?? '')),
      );
      if (args.earliest) {
        const first = new Map<string, Raw>();
        for (const o of found) {
          const key = `${id(o, 'user')}|${id(o, 'escalation_policy')}`;
          const hit = first.get(key);
          if (!hit || Date.parse((o.start as string) ?? '') < Date.parse((hit.start as string) ?? ''))
            first.set(key, o);
        }
        found = [...first.values()];
      }
      const response = found.slice(0, args.limit ?? 1000);
      const summary = [`ListResponseModel<Oncall>:`, `- Returned ${response.length} record(s) of type 'Oncall'.`];
      if (response.length === 1000)
        summary.push(
          '- WARNING: The number of records equals the response limit. There may be more records not included in this response.',
        );
      const plain = { response, response_summary: summary.join('\n') };
      const body = rewrite ? rewrite(plain) : plain;
      return { ...text(body), structuredContent: body };
    },
  );
  return server;
}

const MONTH_DAYS = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};
const nextMonthStart = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};

/**
 * AWS billing (awslabs/mcp src/billing-cost-management-mcp-server): tool `cost-explorer`
 * (tools/cost_explorer_tools.py) whose `metrics`, `group_by` and `filter` are strings holding JSON (a list fails the
 * argument validation; bad JSON is a `validation_error`, utilities/aws_service_base.py `parse_json`), answering
 * `{"status": "success", "data": <GetCostAndUsage answer>}` or `{"status": "error", "message", …}`. With `max_pages`
 * or `next_token` the server pages Cost Explorer itself and adds `Pagination` (tools/cost_explorer_operations.py);
 * an answer over `storeAboveBytes` (25 KB by default, utilities/sql_utils.py) is stored in SQLite and `data` only says
 * so (`data_stored: true`). Only MONTHLY grouped by SERVICE is served. `lines` are whole months per service; a
 * period that starts after the 1st gets its share of the month by days, as a partial-month query would.
 */
export function fakeAwsBilling(opts: {
  lines: { month: string; service: string; amount: string; unit?: string; estimated?: boolean }[];
  groupsPerPage?: number;
  storeAboveBytes?: number;
  failMonths?: string[];
  calls?: Raw[];
  rewrite?: (body: Raw) => Raw;
}) {
  const server = new McpServer({ name: 'billing-cost-management-mcp-server', version: '0' });
  const str = z.string().optional();
  server.registerTool(
    'cost-explorer',
    {
      inputSchema: {
        operation: z.string(),
        start_date: str,
        end_date: str,
        granularity: z.string().default('DAILY'),
        metrics: str,
        group_by: str,
        filter: str,
        dimension: str,
        search_string: str,
        max_results: z.number().int().optional(),
        next_token: str,
        max_pages: z.number().int().optional(),
        metric: str,
        prediction_interval_level: z.number().int().default(80),
        tag_key: str,
        cost_category_name: str,
        billing_view_arn: str,
        context: str,
      },
    },
    async (args) => {
      opts.calls?.push(args);
      const error = (error_type: string, message: string) =>
        text({ status: 'error', service: 'Cost Explorer', operation: args.operation, error_type, message });
      if (args.operation !== 'getCostAndUsage')
        return error('validation_error', `Unknown operation: ${args.operation}`);
      let groupBy: unknown;
      try {
        JSON.parse(args.metrics ?? '["UnblendedCost"]');
        groupBy = JSON.parse(args.group_by ?? 'null');
      } catch {
        return error('validation_error', `Invalid JSON format for metrics or group_by parameter`);
      }
      if (args.granularity !== 'MONTHLY' || JSON.stringify(groupBy) !== '[{"Type":"DIMENSION","Key":"SERVICE"}]')
        return error('validation_error', 'this fake serves MONTHLY grouped by SERVICE only');
      const start = args.start_date!;
      const end = args.end_date!;
      if (opts.failMonths?.includes(start.slice(0, 7)))
        return error('AccessDeniedException', 'User is not authorized to perform ce:GetCostAndUsage');
      const periods: Raw[] = [];
      const groups: Raw[][] = [];
      for (let m = start.slice(0, 7); `${m}-01` < end; m = nextMonthStart(m).slice(0, 7)) {
        const pStart = start > `${m}-01` ? start : `${m}-01`;
        const pEnd = end < nextMonthStart(m) ? end : nextMonthStart(m);
        const share = (Date.parse(pEnd) - Date.parse(pStart)) / 86_400_000 / MONTH_DAYS(m);
        const lines = opts.lines.filter((l) => l.month === m);
        periods.push({
          TimePeriod: { Start: pStart, End: pEnd },
          Total: {},
          Estimated: lines.some((l) => l.estimated),
        });
        groups.push(
          lines.map((l) => ({
            Keys: [l.service],
            Metrics: {
              UnblendedCost: {
                Amount: pStart > `${m}-01` ? (Number(l.amount) * share).toFixed(10) : l.amount,
                Unit: l.unit ?? 'USD',
              },
            },
          })),
        );
      }
      // Cost Explorer pages by groups: page p holds groups [p·n, (p+1)·n) of every period.
      const n = opts.groupsPerPage ?? 1000;
      const pageCount = Math.max(1, ...groups.map((g) => Math.ceil(g.length / n)));
      const page = (p: number) => periods.map((r, i) => ({ ...r, Groups: groups[i]!.slice(p * n, (p + 1) * n) }));
      let data: Raw;
      if (args.max_pages || args.next_token) {
        const first = args.next_token ? Number(args.next_token) : 0;
        const last = Math.min(pageCount, first + (args.max_pages ?? pageCount));
        const results = Array.from({ length: last - first }, (_, k) => page(first + k)).flat();
        data = {
          ResultsByTime: results,
          Pagination: {
            complete_dataset: last >= pageCount,
            pages_fetched: last - first,
            total_results: results.length,
            has_more: last < pageCount,
            next_token: last < pageCount ? String(last) : null,
          },
        };
      } else {
        data = {
          GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
          ResultsByTime: page(0),
          DimensionValueAttributes: [],
          ...(pageCount > 1 ? { NextPageToken: '1' } : {}),
        };
      }
      if (JSON.stringify(data).length > (opts.storeAboveBytes ?? 25 * 1024))
        data = {
          status: 'success',
          data_stored: true,
          session_db: '/tmp/awslabs/sessions/session_1a2b3c4d.db',
          table_name: 'cost_explorer_get_cost_and_usage_5e6f7a8b',
          schema: ['time_period_start', 'time_period_end', 'estimated', 'group_key_1', 'metric_name', 'amount', 'unit'],
          row_count: groups.flat().length,
          sample_queries: [],
          preview: [],
          granularity: args.granularity,
          start_date: start,
          end_date: end,
          group_by: args.group_by,
          metrics: args.metrics,
        };
      const body = { status: 'success', data };
      return text(opts.rewrite ? opts.rewrite(body) : body);
    },
  );
  return server;
}

/**
 * Vantage (vantage-sh/vantage-mcp-server src/tools/costs/query-costs.ts): `query-costs` needs a VQL `filter` naming a
 * provider and a `workspace_token` (`wrkspc_…`), takes `groupings` as an array (default provider, service, region) and
 * `page` (default 1); dates are inclusive; rows are summed per date bin and grouping. The answer is text JSON
 * (structure/registerTool.ts): `{costs, total_cost, notes, pagination: {nextPage, hasNextPage}}` (utils/paginationData.ts),
 * `pageSize` rows a page (the API's limit is 1,000). An API error comes back as `isError` with `{errors: [...]}`.
 * `rows` are daily costs.
 */
export function fakeVantage(opts: {
  rows: { accrued_at: string; provider: string; service: string; region?: string; amount: string; currency?: string }[];
  pageSize?: number;
  calls?: Raw[];
  rewrite?: (body: Raw) => Raw;
}) {
  const server = new McpServer({ name: 'Vantage', version: '0' });
  const date = z
    .string()
    .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d > '2010-01-01' && d < '2030-01-01', 'Invalid date input');
  server.registerTool(
    'query-costs',
    {
      inputSchema: {
        page: z.number().optional().default(1),
        filter: z.string(),
        start_date: date.optional(),
        end_date: date.optional(),
        workspace_token: z
          .string()
          .trim()
          .min(1)
          .refine((t) => t.startsWith('wrkspc_'), 'Must be a Workspace token (wrkspc_*)'),
        date_bin: z.enum(['day', 'week', 'month']).optional(),
        settings_include_credits: z.boolean().optional(),
        settings_amortize: z.boolean().optional(),
        groupings: z.array(z.string()).default(['provider', 'service', 'region']),
      },
    },
    async (args) => {
      opts.calls?.push(args);
      const provider = /costs\.provider\s*=\s*'([^']+)'/.exec(args.filter)?.[1];
      if (!provider)
        return {
          ...text({ errors: ["VQL: a cost provider is required, e.g. (costs.provider = 'aws')"] }),
          isError: true,
        };
      const inRange = opts.rows.filter(
        (r) =>
          r.provider === provider &&
          (!args.start_date || r.accrued_at >= args.start_date) &&
          (!args.end_date || r.accrued_at <= args.end_date),
      );
      const bin = (d: string) => (args.date_bin === 'month' ? `${d.slice(0, 7)}-01` : d);
      const sums = new Map<string, Raw & { micros: bigint }>();
      for (const r of inRange) {
        const keyed: Raw = { accrued_at: bin(r.accrued_at), currency: r.currency ?? 'USD' };
        for (const g of args.groupings) keyed[g] = (r as Raw)[g] ?? null;
        const key = JSON.stringify(keyed);
        const hit = sums.get(key) ?? { ...keyed, micros: 0n };
        hit.micros += BigInt(Math.round(Number(r.amount) * 1e6));
        sums.set(key, hit);
      }
      const micros = (v: bigint) => (Number(v) / 1e6).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
      const all = [...sums.values()].map(({ micros: v, ...rest }) => ({ ...rest, amount: micros(v) }));
      const size = opts.pageSize ?? 1000;
      const costs = all.slice((args.page - 1) * size, args.page * size);
      const more = args.page * size < all.length;
      const plain: Raw = {
        costs,
        total_cost: { amount: micros([...sums.values()].reduce((t, s) => t + s.micros, 0n)), currency: 'USD' },
        notes: 'Costs records represent one month, the accrued_at field is the first day of the month.',
        pagination: more ? { nextPage: args.page + 1, hasNextPage: true } : { nextPage: 0, hasNextPage: false },
      };
      const body = opts.rewrite ? opts.rewrite(plain) : plain;
      return { content: [{ type: 'text' as const, text: JSON.stringify(body, null, 2) }], isError: false };
    },
  );
  return server;
}
