import { parse as parseCsvSync } from 'csv-parse/sync';
import { fromCents, toCents } from '../domain/money.js';
import { monthsOfFiscalYear } from '../domain/periods.js';
import {
  BUDGET_CATEGORIES,
  BudgetCategory,
  CurrencyCode,
  DecimalString,
  MonthLabel,
  type BudgetLine,
} from '../domain/records.js';

export const BUDGET_CSV_HEADER = ['fiscalYear', 'month', 'category', 'amount', 'currency'] as const;

/** One bad row of a budget CSV: its line number and what is wrong. */
export interface CsvRowProblem {
  line: number;
  field: string;
  message: string;
}

/** A budget CSV with bad rows: rejected whole, listing every bad row. */
export class BudgetCsvError extends Error {
  override name = 'BudgetCsvError';
  constructor(
    readonly file: string,
    readonly problems: CsvRowProblem[],
  ) {
    super(`${file}: ${problems.map((p) => `line ${p.line}: ${p.field}: ${p.message}`).join('; ')}`);
  }
}

/**
 * The largest plan amount accepted on one line: 10^12 minor units (10,000,000,000.00 in a two-decimal currency).
 * Far above any SOC's yearly budget, and far below where integer cents stop being exact in a double (2^53), so a
 * year's sum of 84 lines stays exact too. A larger figure is a typo or an attack, refused with the line named.
 */
export const MAX_PLAN_AMOUNT_MINOR = 1_000_000_000_000;

/** Years a plan may name: the same range every socpulse date accepts. */
const PLAN_YEARS = [1970, 2199] as const;

/** What a budget plan must agree with: the config's currency and fiscal year start. */
export interface BudgetCsvRules {
  currency: string;
  fiscalYearStartMonth: number;
}

/**
 * Parse and check `budget.csv` (header `fiscalYear,month,category,amount,currency`) strictly: `fiscalYear` as
 * `FY2027` or `2027` (stored as `FY2027`); the month inside that fiscal year (given the config's start month); a known
 * category; an amount from 0 to MAX_PLAN_AMOUNT_MINOR minor units; the config's currency; no (fiscal year, month,
 * category) twice (both lines named). Every bad row is reported with its line, and none is kept.
 */
export function parseBudgetCsv(text: string, file: string, rules: BudgetCsvRules): BudgetLine[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsvSync(text, {
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof rows;
  } catch (e) {
    throw new BudgetCsvError(file, [
      { line: (e as { lines?: number }).lines ?? 1, field: '(csv)', message: (e as Error).message },
    ]);
  }
  const header = rows[0]?.record.map((h) => h.trim());
  if (!header || BUDGET_CSV_HEADER.some((h, i) => header[i] !== h) || header.length !== BUDGET_CSV_HEADER.length)
    throw new BudgetCsvError(file, [
      { line: rows[0]?.info.lines ?? 1, field: '(header)', message: `expected "${BUDGET_CSV_HEADER.join(',')}"` },
    ]);
  const problems: CsvRowProblem[] = [];
  const seen = new Map<string, number>(); // `${fiscalYear}|${month}|${category}` → first line
  const lines: BudgetLine[] = [];
  for (const { record: row, info } of rows.slice(1)) {
    // The line a record ends on (csv-parse counts it; a quoted field may span lines), not its index: blank
    // lines are skipped and must not shift the numbers a person looks up.
    const line = info.lines;
    const bad = (field: string, message: string) => void problems.push({ line, field, message });
    if (row.length !== BUDGET_CSV_HEADER.length) {
      bad('(row)', `expected ${BUDGET_CSV_HEADER.length} columns, found ${row.length}`);
      continue;
    }
    const raw = Object.fromEntries(BUDGET_CSV_HEADER.map((h, j) => [h, row[j]!])) as Record<
      (typeof BUDGET_CSV_HEADER)[number],
      string
    >;
    const before = problems.length;
    // Finance tools write the year either way; the plan is stored under the label METRICS.md uses.
    const fy = /^(?:FY)?(\d{4})$/.exec(raw.fiscalYear);
    const year = fy ? Number(fy[1]) : NaN;
    const fiscalYear = `FY${fy?.[1] ?? ''}`;
    if (!fy) bad('fiscalYear', `"${clip(raw.fiscalYear)}" is not a fiscal year such as FY2027 or 2027`);
    else if (year < PLAN_YEARS[0] || year > PLAN_YEARS[1])
      bad('fiscalYear', `${fiscalYear} is outside the years socpulse accepts (${PLAN_YEARS[0]}–${PLAN_YEARS[1]})`);
    if (!MonthLabel.safeParse(raw.month).success) bad('month', `"${clip(raw.month)}" is not a month such as 2026-11`);
    else if (!problems.slice(before).some((p) => p.field === 'fiscalYear')) {
      const months = monthsOfFiscalYear(fiscalYear, rules.fiscalYearStartMonth);
      if (!months.includes(raw.month))
        bad('month', `${raw.month} is outside ${fiscalYear} (${months[0]} to ${months[11]})`);
    }
    if (!BudgetCategory.safeParse(raw.category).success)
      bad('category', `unknown category "${clip(raw.category)}" (one of ${BUDGET_CATEGORIES.join(', ')})`);
    if (!DecimalString.safeParse(raw.amount).success)
      bad('amount', `"${clip(raw.amount)}" is not a decimal amount such as 1234.56`);
    else if (raw.amount.startsWith('-')) bad('amount', `${raw.amount} is negative; a plan amount is 0 or more`);
    else if (raw.amount.split('.')[0]!.replace(/^0+/, '').length > 11 || toCents(raw.amount) > MAX_PLAN_AMOUNT_MINOR)
      bad('amount', `${clip(raw.amount)} is over the bound of ${fromCents(MAX_PLAN_AMOUNT_MINOR)} per line`);
    if (!CurrencyCode.safeParse(raw.currency).success)
      bad('currency', `"${clip(raw.currency)}" is not an ISO 4217 code such as EUR`);
    else if (raw.currency !== rules.currency)
      bad('currency', `${raw.currency} differs from the configured currency ${rules.currency}`);
    if (problems.length > before) continue;
    const key = `${fiscalYear}|${raw.month}|${raw.category}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad('month,category', `${raw.month} ${raw.category} is planned twice: line ${first} and line ${line}`);
      continue;
    }
    seen.set(key, line);
    lines.push({ ...raw, fiscalYear, category: raw.category as BudgetLine['category'] });
  }
  if (problems.length) throw new BudgetCsvError(file, problems);
  return lines;
}

/** A value from the input, shortened for an error message (a hostile 1 MB cell is not echoed whole). */
const clip = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}…` : v);
