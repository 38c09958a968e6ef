import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { z } from 'zod';
import { alertCount, caseFacts, shiftFacts, type AlertCount } from '../domain/facts.js';
import {
  AlertSchema,
  BudgetLineSchema,
  CaseSchema,
  CostSchema,
  DISPOSITIONS,
  SEVERITIES,
  ShiftSchema,
} from '../domain/records.js';
import type { SummaryInput } from '../domain/summary.js';
import { offsetAt, zonedTime } from '../domain/periods.js';

/** A line of an input file that is not a valid canonical record: names the file, the line and the field. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(record)'}: ${issue.message}`;
}

// Fast paths for the two big files: plain checks that accept only what the zod schema accepts. Anything they do not
// accept goes through zod, which either accepts it too or produces the error message naming the field.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isInstant = (v: unknown): boolean => {
  if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(v))) return false;
  // Date.parse rolls 2026-02-30 over to March; the schema does not, so neither may this.
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  const day = new Date(Date.UTC(y, m - 1, d));
  return (
    day.getUTCMonth() === m - 1 &&
    day.getUTCDate() === d &&
    Number(v.slice(11, 13)) < 24 &&
    Number(v.slice(14, 16)) < 60 &&
    Number(v.slice(17, 19)) < 60
  );
};
const SEV = new Set<unknown>(SEVERITIES);
const DISP = new Set<unknown>(DISPOSITIONS);
const ALERT_KEYS = new Set(Object.keys(AlertSchema.shape));
const CASE_KEYS = new Set(Object.keys(CaseSchema.shape));
const str = (x: unknown) => typeof x === 'string';
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);

/** True only for alerts the AlertSchema accepts (the schema may accept more; never less). */
export function isPlainAlert(r: Record<string, unknown>): boolean {
  for (const k in r) if (!ALERT_KEYS.has(k)) return false;
  return (
    nonEmpty(r.id) &&
    nonEmpty(r.source) &&
    nonEmpty(r.rule) &&
    SEV.has(r.severity) &&
    isInstant(r.createdAt) &&
    optional(r.firstEventAt, isInstant) &&
    optional(r.caseId, str) &&
    optional(r.disposition, (x) => DISP.has(x))
  );
}

/** True only for cases the CaseSchema accepts. */
export function isPlainCase(r: Record<string, unknown>): boolean {
  for (const k in r) if (!CASE_KEYS.has(k)) return false;
  return (
    nonEmpty(r.id) &&
    nonEmpty(r.source) &&
    str(r.title) &&
    SEV.has(r.severity) &&
    isInstant(r.createdAt) &&
    optional(r.firstEventAt, isInstant) &&
    optional(r.detectedAt, isInstant) &&
    optional(r.acknowledgedAt, isInstant) &&
    optional(r.containedAt, isInstant) &&
    optional(r.closedAt, isInstant) &&
    optional(r.disposition, (x) => DISP.has(x)) &&
    optional(r.assignee, str) &&
    optional(r.tier, (x) => x === 1 || x === 2 || x === 3) &&
    optional(r.escalatedToTier, (x) => x === 2 || x === 3) &&
    optional(r.runbook, str) &&
    optional(r.rule, str) &&
    optional(r.handleMinutes, (x) => typeof x === 'number' && x >= 0 && Number.isFinite(x))
  );
}

/** Stream a JSONL file, validating each line with `schema` (after `fast`, when given) and handing it to `onRecord`. */
async function readJsonl<S extends z.ZodType>(
  path: string,
  name: string,
  schema: S,
  onRecord: (r: z.infer<S>) => void,
  fast?: (r: Record<string, unknown>) => boolean,
) {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new InputFileError(name, n, `not valid JSON (${(e as Error).message})`);
    }
    if (
      fast &&
      typeof raw === 'object' &&
      raw !== null &&
      !Array.isArray(raw) &&
      fast(raw as Record<string, unknown>)
    ) {
      onRecord(raw as z.infer<S>);
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new InputFileError(name, n, describeIssue(parsed.error));
    onRecord(parsed.data);
  }
}

const DAY = 86_400_000;
const SEVERITY_INDEX = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<
  (typeof SEVERITIES)[number],
  number
>;

/**
 * Read a summarize input directory: any of `cases.jsonl alerts.jsonl shifts.jsonl costs.jsonl budget.csv`.
 * A missing file leaves its family undefined (reported as missing, never zeros). Alerts are counted per local day
 * of `tz`, except on the day of `asOf`, where exact instants are kept so the asOf cut stays exact.
 */
export async function readCanonicalDir(dir: string, opts: { asOf?: number; tz?: string } = {}): Promise<SummaryInput> {
  const input: SummaryInput = {};
  const file = (name: string) => join(dir, name);
  if (existsSync(file('cases.jsonl'))) {
    const cases: SummaryInput['cases'] = [];
    await readJsonl(file('cases.jsonl'), 'cases.jsonl', CaseSchema, (c) => cases.push(caseFacts(c)), isPlainCase);
    input.cases = cases;
  }
  if (existsSync(file('alerts.jsonl'))) {
    // Alerts are counted per (local day, rule, severity): every period is a union of local days in the SOC's zone,
    // so day buckets are exact for every period, and a 5-million-line file becomes a few tens of thousands of rows.
    // Only the local day holding asOf keeps exact instants, so the asOf cut stays exact too.
    const tz = opts.tz ?? 'UTC';
    const buckets = new Map<number, AlertCount>();
    const exact: AlertCount[] = [];
    const ruleIds = new Map<string, number>();
    const dayStarts = new Map<number, number>();
    const dayIndex = (at: number) => Math.floor((at + offsetAt(at, tz)) / DAY);
    const asOfDay = opts.asOf === undefined ? NaN : dayIndex(opts.asOf);
    await readJsonl(
      file('alerts.jsonl'),
      'alerts.jsonl',
      AlertSchema,
      (a) => {
        const at = Date.parse(a.createdAt);
        const day = dayIndex(at);
        if (day === asOfDay) return void exact.push(alertCount(a));
        let ruleId = ruleIds.get(a.rule);
        if (ruleId === undefined) ruleIds.set(a.rule, (ruleId = ruleIds.size));
        const key = (day * 65_536 + ruleId) * 8 + SEVERITY_INDEX[a.severity];
        const hit = buckets.get(key);
        if (hit) hit.count++;
        else {
          let start = dayStarts.get(day);
          if (start === undefined) {
            const d = new Date(day * DAY);
            dayStarts.set(day, (start = zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), tz)));
          }
          buckets.set(key, { at: start, rule: a.rule, sev: a.severity, count: 1 });
        }
      },
      isPlainAlert,
    );
    input.alerts = [...buckets.values(), ...exact];
  }
  if (existsSync(file('shifts.jsonl'))) {
    const shifts: SummaryInput['shifts'] = [];
    await readJsonl(file('shifts.jsonl'), 'shifts.jsonl', ShiftSchema, (s) => shifts.push(shiftFacts(s)));
    input.shifts = shifts;
  }
  if (existsSync(file('costs.jsonl'))) {
    const costs: NonNullable<SummaryInput['costs']> = [];
    await readJsonl(file('costs.jsonl'), 'costs.jsonl', CostSchema, (c) => costs.push(c));
    input.costs = costs;
  }
  if (existsSync(file('budget.csv'))) input.budget = parseBudgetCsv(await readText(file('budget.csv')), 'budget.csv');
  return input;
}

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}

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

/** Parse `budget.csv` (header `fiscalYear,month,category,amount,currency`); every bad row is reported, none kept. */
export function parseBudgetCsv(text: string, file = 'budget.csv') {
  let rows: string[][];
  try {
    rows = parseCsvSync(text, {
      skip_empty_lines: true,
      trim: true,
      bom: true,
      relax_column_count: true,
    }) as string[][];
  } catch (e) {
    throw new BudgetCsvError(file, [
      { line: (e as { lines?: number }).lines ?? 1, field: '(csv)', message: (e as Error).message },
    ]);
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header || BUDGET_CSV_HEADER.some((h, i) => header[i] !== h) || header.length !== BUDGET_CSV_HEADER.length)
    throw new BudgetCsvError(file, [
      { line: 1, field: '(header)', message: `expected "${BUDGET_CSV_HEADER.join(',')}"` },
    ]);
  const problems: CsvRowProblem[] = [];
  const lines = rows.slice(1).map((row, i) => {
    const line = i + 2;
    if (row.length !== BUDGET_CSV_HEADER.length) {
      problems.push({
        line,
        field: '(row)',
        message: `expected ${BUDGET_CSV_HEADER.length} columns, found ${row.length}`,
      });
      return undefined;
    }
    const parsed = BudgetLineSchema.safeParse(Object.fromEntries(BUDGET_CSV_HEADER.map((h, j) => [h, row[j]])));
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ line, field: issue.path.join('.'), message: issue.message });
      return undefined;
    }
    return parsed.data;
  });
  const currencies = new Set(lines.filter((l) => l).map((l) => l!.currency));
  if (currencies.size > 1)
    problems.push({ line: 1, field: 'currency', message: `mixed currencies ${[...currencies].join(', ')}` });
  if (problems.length) throw new BudgetCsvError(file, problems);
  return lines as NonNullable<(typeof lines)[number]>[];
}
