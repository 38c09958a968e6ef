import type { SourceOptions } from '../../config/config.js';
import { CostSchema, type BudgetCategory } from '../../domain/records.js';
import { PaginationError, SourceError, ToolCallError } from '../errors.js';
import { keysOf, type SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { failIfNothingMapped, listAt, scaledToAmount, toScaled } from './util.js';

type Raw = Record<string, unknown>;

/**
 * Default mapping of a billed service to a budget category; anything unknown is cloud spend. Names are compared
 * without case, spaces or punctuation, so Cost Explorer's "AWS Security Hub" and Vantage's "AWSSecurityHub" agree.
 */
export function categoryOf(service: string, overrides?: Record<string, BudgetCategory>): BudgetCategory {
  const mapped = overrides?.[service];
  if (mapped) return mapped;
  const s = service.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/crowdstrike|sentinelone|defender|edr/.test(s)) return 'tooling';
  if (/chronicle|splunk|sentinel|cloudwatchlogs|loganalytics|elasticsearch|securitylake|siem|datadoglogs/.test(s))
    return 'siem_ingest';
  if (/guardduty|securityhub|inspector|macie|detective|soar|threat/.test(s)) return 'tooling';
  if (/support|professionalservices|consulting|mdr/.test(s)) return 'services';
  if (/training|certification/.test(s)) return 'training';
  return 'cloud';
}

/** One billed line as a source gave it, before it is summed into its month and category. */
interface CostRow {
  month: string | undefined;
  service: string;
  amount: unknown;
  currency: unknown;
  raw: unknown;
}

const AWS_MAX_PAGES = 50;
/** The service name a cost row with `service: null` is summed under (`options.cost.categories` may map it). */
export const NO_SERVICE = '(no service)';
const VANTAGE_MAX_PAGES = 1000;

/** Calendar months (UTC, `yyyy-mm`) that a window touches. */
function monthsOf(from: Date, to: Date): string[] {
  const out: string[] = [];
  let y = from.getUTCFullYear();
  let m = from.getUTCMonth();
  const last =
    to.getUTCFullYear() * 12 +
    to.getUTCMonth() -
    (to.getTime() === Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1) ? 1 : 0);
  while (y * 12 + m <= last) {
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
    if (++m === 12) [y, m] = [y + 1, 0];
  }
  return out;
}
const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Costs, from either of two cost servers, chosen by the tools the server offers:
 * - AWS billing: awslabs/mcp `src/billing-cost-management-mcp-server` (read late 2026): tool `cost-explorer`
 *   (tools/cost_explorer_tools.py) with `operation="getCostAndUsage"`, `start_date`, `end_date` (exclusive),
 *   `granularity`, and `metrics`, `group_by`, `filter` as JSON **strings** (parsed by utilities/aws_service_base.py
 *   `parse_json`; a list fails the tool's argument validation). Every answer is `{"status": "success", "data": …}` or
 *   `{"status": "error", "message", …}` (`format_response`, `handle_aws_error`). `data` is the GetCostAndUsage answer
 *   (`ResultsByTime[{TimePeriod, Groups[{Keys, Metrics{UnblendedCost{Amount, Unit}}}], Estimated}]`; with `max_pages`
 *   the server pages itself and adds `Pagination{has_more, …}` — tools/cost_explorer_operations.py), or, when the answer
 *   is over ~25 KB, a note that it was stored in the server's SQLite session instead (`data_stored: true`,
 *   utilities/sql_utils.py `convert_response_if_needed`). We ask one whole month at a time, MONTHLY, grouped by
 *   SERVICE; a stored or still-paged answer fails the read (it is never read as zero). Months Cost Explorer marks
 *   `Estimated` are flagged in the record and the collection notes.
 * - Vantage: vantage-sh/vantage-mcp-server (read late 2026) `src/tools/costs/query-costs.ts`: `query-costs(filter`
 *   (VQL naming a provider, required), `workspace_token` (required, `wrkspc_…`), `start_date`, `end_date` (inclusive),
 *   `date_bin`, `groupings` (an array), `page`)` answers text JSON (structure/registerTool.ts) `{costs: [{accrued_at,
 *   amount (string), currency, service, provider, …}], total_cost, notes, pagination: {nextPage, hasNextPage}}`, 1,000
 *   rows a page: every page is read. Filter and workspace come from `options.vantage`.
 * Both: every month the window touches is asked whole, from its first day (a month read from the middle would pass a
 * part for the whole). Rows are summed exactly per (month, category, currency) and rounded to cents once; a month
 * with no rows is not written (absent, never zero); a month with a row that cannot be read is not written either,
 * and the collection record says which. Categories: `options.cost.categories`, else `categoryOf`.
 */
export async function costReader(
  client: SourceClient,
  opts: { redact: (t: string) => string; options?: SourceOptions },
): Promise<SourceReader> {
  const tools = await client.requireTools([]);
  const vantage = tools.has('query-costs');
  if (!vantage) await client.requireTools(['cost-explorer']);
  const workspace = opts.options?.vantage?.workspaceToken;
  if (vantage && !workspace)
    throw new SourceError(
      client.source,
      'query-costs needs a Vantage workspace: set options.vantage.workspaceToken (a wrkspc_… token) for this source',
    );
  const overrides = opts.options?.cost?.categories;
  const validator = new RecordValidator();
  const notes = new Set<string>();
  const estimated = new Set<string>();

  async function* awsRows(window: { from: Date; to: Date }): AsyncGenerator<CostRow[]> {
    const filter = opts.options?.aws?.filter;
    // Cost Explorer's end is exclusive: up to and including the window's last day.
    const lastEnd = day(Date.parse(day(window.to.getTime() - 1)) + 86_400_000);
    for (const month of monthsOf(window.from, window.to)) {
      const end = `${nextMonth(month)}-01` < lastEnd ? `${nextMonth(month)}-01` : lastEnd;
      const body = (await client.call('cost-explorer', {
        operation: 'getCostAndUsage',
        start_date: `${month}-01`,
        end_date: end,
        granularity: 'MONTHLY',
        metrics: JSON.stringify(['UnblendedCost']),
        group_by: JSON.stringify([{ Type: 'DIMENSION', Key: 'SERVICE' }]),
        max_pages: AWS_MAX_PAGES,
        ...(filter ? { filter: JSON.stringify(filter) } : {}),
      })) as { status?: unknown; data?: unknown };
      if (body.status !== 'success' || !body.data || typeof body.data !== 'object')
        throw new ToolCallError(
          client.source,
          `cost-explorer answered without {"status": "success", "data"} for ${month}`,
        );
      const data = body.data as Raw;
      if (data.data_stored)
        throw new SourceError(
          client.source,
          `cost-explorer kept the answer for ${month} in its SQLite session (table ${String(data.table_name)}) instead of returning it: costs not collected (raise MCP_SQL_THRESHOLD on the billing server)`,
        );
      if ((data.Pagination as Raw | undefined)?.has_more || data.NextPageToken)
        throw new PaginationError(
          client.source,
          `cost-explorer has more than ${AWS_MAX_PAGES} pages for ${month}: costs not collected`,
        );
      const results = listAt(client.source, `cost-explorer (${month})`, data, 'ResultsByTime', 'data') as Raw[];
      const rows: CostRow[] = [];
      for (const [i, r] of results.entries()) {
        const start = (r.TimePeriod as Raw | undefined)?.Start;
        const m = typeof start === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(start) ? start.slice(0, 7) : undefined;
        if (r.Estimated === true && m) estimated.add(m);
        const groups = listAt(client.source, `cost-explorer (${month})`, r, 'Groups', `data.ResultsByTime[${i}]`);
        for (const g of groups as Raw[]) {
          const metric = ((g.Metrics as Raw | undefined)?.UnblendedCost ?? {}) as Raw;
          const service = (g.Keys as unknown[] | undefined)?.[0];
          rows.push({
            month: m,
            service: typeof service === 'string' ? service : '',
            amount: metric.Amount,
            currency: metric.Unit,
            raw: { month: m, ...g, ...(r.Estimated === true ? { estimated: true } : {}) },
          });
        }
      }
      yield rows;
    }
  }

  async function* vantageRows(window: { from: Date; to: Date }): AsyncGenerator<CostRow[]> {
    const [first] = monthsOf(window.from, window.to);
    const args = {
      filter: opts.options?.vantage?.filter ?? "(costs.provider = 'aws')",
      workspace_token: workspace!,
      start_date: `${first}-01`,
      end_date: day(window.to.getTime() - 1),
      date_bin: 'month',
      groupings: ['provider', 'service'],
    };
    for (let page = 1, pages = 1; ; pages++) {
      const body = (await client.call('query-costs', { ...args, page })) as { costs?: unknown; pagination?: Raw };
      const costs = listAt(client.source, 'query-costs', body, 'costs') as Raw[];
      // Without pagination nobody says whether this page was the last: fail rather than take it for the whole.
      if (typeof body.pagination !== 'object' || body.pagination === null)
        throw new SourceError(
          client.source,
          `query-costs answered without "pagination" (keys found: ${keysOf(body)}): cannot tell whether page ${page} was the last`,
        );
      yield costs.map((c) => ({
        month:
          typeof c.accrued_at === 'string' && /^\d{4}-\d{2}-\d{2}/.test(c.accrued_at)
            ? c.accrued_at.slice(0, 7)
            : undefined,
        // Vantage groups provider-level charges (tax, credits, support) under no service: a row of its own, not a
        // reason to drop the month.
        service: typeof c.service === 'string' ? c.service : c.service === null ? NO_SERVICE : '',
        amount: c.amount,
        currency: c.currency,
        raw: c,
      }));
      const next = body.pagination?.nextPage;
      if (!body.pagination?.hasNextPage) return;
      if (typeof next !== 'number' || next <= page)
        throw new PaginationError(
          client.source,
          `query-costs gave next page ${String(next)} after page ${page}: stopping`,
        );
      if (pages >= VANTAGE_MAX_PAGES)
        throw new PaginationError(client.source, `query-costs gave more than ${VANTAGE_MAX_PAGES} pages: stopping`);
      page = next;
    }
  }

  return {
    kind: 'cost',
    families: new Set(['costs'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      const sums = new Map<
        string,
        { month: string; category: BudgetCategory; v: bigint; currency: string; vendors: Set<string> }
      >();
      const unreadable = new Map<string, number>();
      const noService = new Map<string, number>();
      let seen = 0;
      for await (const rows of vantage ? vantageRows(window) : awsRows(window)) {
        for (const row of rows) {
          seen++;
          const v = toScaled(row.amount);
          const currency = typeof row.currency === 'string' ? row.currency : '';
          const why = !row.month
            ? 'no month (accrued_at / TimePeriod.Start)'
            : v === undefined
              ? `amount ${JSON.stringify(row.amount)} is not a number`
              : !/^[A-Z]{3}$/.test(currency)
                ? `currency ${JSON.stringify(row.currency)} is not an ISO 4217 code`
                : !row.service
                  ? 'no service'
                  : undefined;
          if (why) {
            // Which month a dateless row belongs to is unknown, so no month can be trusted whole.
            if (!row.month)
              throw new SourceError(
                client.source,
                `a cost row has ${why}: ${opts.redact(JSON.stringify(row.raw)).slice(0, 200)}`,
              );
            validator.reject('costs', why, row.raw, opts.redact);
            unreadable.set(row.month, (unreadable.get(row.month) ?? 0) + 1);
            continue;
          }
          if (row.service === NO_SERVICE) noService.set(row.month!, (noService.get(row.month!) ?? 0) + 1);
          const category = categoryOf(row.service, overrides);
          const key = `${row.month}|${category}|${currency}`;
          const hit = sums.get(key) ?? { month: row.month!, category, v: 0n, currency, vendors: new Set<string>() };
          hit.v += v!;
          hit.vendors.add(row.service);
          sums.set(key, hit);
        }
      }
      const records: unknown[] = [];
      for (const s of [...sums.values()].sort((a, b) => (a.month + a.category < b.month + b.category ? -1 : 1))) {
        if (unreadable.has(s.month)) continue;
        records.push({
          month: s.month,
          category: s.category,
          amount: scaledToAmount(s.v),
          currency: s.currency,
          vendor: [...s.vendors].sort().slice(0, 5).join(', '),
          ...(estimated.has(s.month) ? { description: 'estimated by AWS Cost Explorer' } : {}),
          source: client.source,
        });
      }
      for (const month of [...estimated].sort())
        if (!unreadable.has(month))
          notes.add(`AWS Cost Explorer marks ${month} as estimated: its figures may still change`);
      for (const [month, n] of [...noService].sort())
        if (!unreadable.has(month))
          notes.add(
            `${month}: ${n} cost row(s) with no service (provider-level charges such as tax or credits) summed as "${NO_SERVICE}" under ${categoryOf(NO_SERVICE, overrides)}`,
          );
      for (const [month, n] of [...unreadable].sort())
        notes.add(`${month} not collected: ${n} cost row(s) could not be read, so its total would be short`);
      const withRows = new Set([...sums.values()].map((s) => s.month));
      for (const month of monthsOf(window.from, window.to))
        if (!withRows.has(month) && !unreadable.has(month))
          notes.add(`no cost rows for ${month}: nothing written for it (no data, not a zero)`);
      const valid = validator.keep('costs', CostSchema, records, opts.redact);
      failIfNothingMapped(
        client.source,
        vantage ? 'query-costs' : 'cost-explorer',
        seen,
        valid.length,
        validator.rejects,
      );
      yield { family: 'costs', records: valid };
    },
    summary: () => ({ rejects: validator.rejects, notes: [...notes] }),
    reads: vantage
      ? { 'query-costs': { costs: ['accrued_at', 'amount', 'currency', 'service'] } }
      : {
          'cost-explorer': {
            'data.ResultsByTime': ['TimePeriod', 'Estimated', 'Groups'],
            'data.ResultsByTime[].Groups': ['Keys', 'Metrics'],
          },
        },
    close: () => client.close(),
  };
}
