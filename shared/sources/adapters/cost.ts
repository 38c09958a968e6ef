import { CostSchema, type BudgetCategory } from '../../domain/records.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { toAmount } from './util.js';

type Raw = Record<string, unknown>;

/** Default mapping of a billed service to a budget category; anything unknown is cloud spend. */
export function categoryOf(service: string): BudgetCategory {
  const s = service.toLowerCase();
  if (/chronicle|splunk|sentinel|cloudwatch ?logs|log analytics|elasticsearch|siem|datadog logs/.test(s))
    return 'siem_ingest';
  if (/guardduty|security hub|inspector|macie|crowdstrike|sentinelone|defender|edr|soar|threat/.test(s))
    return 'tooling';
  if (/support|professional services|consulting|mdr/.test(s)) return 'services';
  if (/training|certification/.test(s)) return 'training';
  return 'cloud';
}

const month = (date: unknown) => (typeof date === 'string' && /^\d{4}-\d{2}/.test(date) ? date.slice(0, 7) : undefined);

/**
 * Costs from Vantage (`query-costs(start_date, end_date, date_bin, groupings)` → `{costs: [...], total_cost}`) or the
 * AWS billing server (`cost-explorer(operation="getCostAndUsage", …)` → `ResultsByTime`), chosen by the tools the
 * server offers. Amounts stay decimal strings; currencies are kept (mixed currencies are refused by the engine).
 */
export async function costReader(client: SourceClient, opts: { redact: (t: string) => string }): Promise<SourceReader> {
  const tools = await client.requireTools([]);
  const vantage = tools.has('query-costs');
  if (!vantage) await client.requireTools(['cost-explorer']);
  const validator = new RecordValidator();
  return {
    kind: 'cost',
    families: new Set(['costs'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      const start = window.from.toISOString().slice(0, 10);
      const end = window.to.toISOString().slice(0, 10);
      const records: unknown[] = [];
      // Sum per (month, category, currency): a month's cost is one figure per category, as the budget compares it.
      const sums = new Map<
        string,
        { month: string; category: BudgetCategory; cents: bigint; currency: string; vendors: Set<string> }
      >();
      const add = (m: string | undefined, service: string, amount: unknown, currency: unknown) => {
        const a = toAmount(amount);
        if (!m || a === undefined || typeof currency !== 'string')
          return void records.push({ month: m, category: categoryOf(service), amount, currency });
        const category = categoryOf(service);
        const key = `${m}|${category}|${currency}`;
        const hit = sums.get(key) ?? { month: m, category, cents: 0n, currency, vendors: new Set<string>() };
        hit.cents += BigInt(a.replace('.', ''));
        hit.vendors.add(service);
        sums.set(key, hit);
      };
      if (vantage) {
        const body = (await client.call('query-costs', {
          start_date: start,
          end_date: end,
          date_bin: 'month',
          groupings: 'service',
        })) as { costs?: Raw[] };
        for (const c of body.costs ?? [])
          add(
            month(c.accrued_at ?? c.date),
            String(c.service ?? c.category ?? 'unknown'),
            c.amount,
            c.currency ?? 'USD',
          );
      } else {
        const body = (await client.call('cost-explorer', {
          operation: 'getCostAndUsage',
          start_date: start,
          end_date: end,
          granularity: 'MONTHLY',
          group_by: 'SERVICE',
          metrics: ['UnblendedCost'],
        })) as { ResultsByTime?: Raw[] };
        for (const r of body.ResultsByTime ?? []) {
          const m = month((r.TimePeriod as Raw | undefined)?.Start);
          for (const g of (r.Groups ?? []) as Raw[]) {
            const metric = ((g.Metrics as Raw | undefined)?.UnblendedCost ?? {}) as Raw;
            add(m, String((g.Keys as unknown[] | undefined)?.[0] ?? 'unknown'), metric.Amount, metric.Unit);
          }
        }
      }
      for (const s of sums.values()) {
        const neg = s.cents < 0n;
        const abs = neg ? -s.cents : s.cents;
        records.push({
          month: s.month,
          category: s.category,
          amount: `${neg ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`,
          currency: s.currency,
          vendor: [...s.vendors].sort().slice(0, 5).join(', '),
          source: client.source,
        });
      }
      yield { family: 'costs', records: validator.keep('costs', CostSchema, records, opts.redact) };
    },
    summary: () => ({ rejects: validator.rejects, notes: [] }),
    close: () => client.close(),
  };
}
