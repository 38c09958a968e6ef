import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { z } from 'zod';
import { alertCount, caseFacts, shiftFacts, type AlertCount } from '../domain/facts.js';
import { AlertSchema, BudgetLineSchema, CaseSchema, CostSchema, ShiftSchema } from '../domain/records.js';
import type { SummaryInput } from '../domain/summary.js';

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

/** Stream a JSONL file, validating each line with `schema` and handing the parsed record to `onRecord`. */
async function readJsonl<S extends z.ZodType>(
  path: string,
  name: string,
  schema: S,
  onRecord: (r: z.infer<S>) => void,
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
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new InputFileError(name, n, describeIssue(parsed.error));
    onRecord(parsed.data);
  }
}

const MINUTE = 60_000;

/**
 * Read a summarize input directory: any of `cases.jsonl alerts.jsonl shifts.jsonl costs.jsonl budget.csv`.
 * A missing file leaves its family undefined (reported as missing, never zeros). Alerts are counted per minute,
 * except in the minute of `asOf`, where exact instants are kept so the asOf cut stays exact.
 */
export async function readCanonicalDir(dir: string, opts: { asOf?: number } = {}): Promise<SummaryInput> {
  const input: SummaryInput = {};
  const file = (name: string) => join(dir, name);
  if (existsSync(file('cases.jsonl'))) {
    const cases: SummaryInput['cases'] = [];
    await readJsonl(file('cases.jsonl'), 'cases.jsonl', CaseSchema, (c) => cases.push(caseFacts(c)));
    input.cases = cases;
  }
  if (existsSync(file('alerts.jsonl'))) {
    const buckets = new Map<string, AlertCount>();
    const asOfMinute = opts.asOf === undefined ? NaN : Math.floor(opts.asOf / MINUTE);
    await readJsonl(file('alerts.jsonl'), 'alerts.jsonl', AlertSchema, (a) => {
      const one = alertCount(a);
      const minute = Math.floor(one.at / MINUTE);
      const at = minute === asOfMinute ? one.at : minute * MINUTE;
      const key = `${at}|${one.sev}|${one.rule}`;
      const hit = buckets.get(key);
      if (hit) hit.count++;
      else buckets.set(key, { ...one, at });
    });
    input.alerts = [...buckets.values()];
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
