import { isAscii } from 'node:buffer';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { z } from 'zod';
import {
  alertCount,
  caseFacts,
  shiftFacts,
  type AlertCount,
  type CaseFacts,
  type ShiftFacts,
} from '../domain/facts.js';
import {
  AlertSchema,
  BUDGET_CATEGORIES,
  BudgetCategory,
  CaseSchema,
  CostSchema,
  CurrencyCode,
  DecimalString,
  MonthLabel,
  DISPOSITIONS,
  isEscalationTier,
  isTier,
  SEVERITIES,
  SEVERITY_INDEX,
  ShiftSchema,
  type BudgetLine,
  type Cost,
} from '../domain/records.js';
import { fromCents, toCents } from '../domain/money.js';
import { localDayNumber, monthsOfFiscalYear, zonedTime } from '../domain/periods.js';
import { SummaryAccumulator, type Summary, type SummaryInput, type SummaryOptions } from '../domain/summary.js';

/** A line of an input file that is not a valid canonical record: names the file, the line and the field. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.') || '(record)'}: ${issue.message}`;
}

// Fast paths for the two big files: plain checks that accept only what the zod schema accepts, and that read each
// instant once (validating and converting to epoch ms together). Anything they do not accept goes through zod, which
// either accepts it too or produces the error message naming the field.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * Epoch ms of `yyyy-mm-ddThh:mm:ss[.f…](Z|±hh:mm)` with a real calendar date and in-range fields; NaN for anything
 * else (which then goes to zod). Equal to `Date.parse` wherever it is not NaN.
 */
export function parseInstant(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const n = v.length;
  if (n < 20 || v[4] !== '-' || v[7] !== '-' || v[10] !== 'T' || v[13] !== ':' || v[16] !== ':') return NaN;
  const y = two(v, 0) * 100 + two(v, 2);
  const mo = two(v, 5);
  const d = two(v, 8);
  const h = two(v, 11);
  const mi = two(v, 14);
  const se = two(v, 17);
  // Years before 1000 go to zod (Date.UTC reads years 0–99 as 1900–1999).
  if (!(y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && se <= 59)) return NaN; // NaN fails every test
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return NaN;
  let i = 19;
  let ms = 0;
  if (v[i] === '.') {
    const from = ++i;
    while (i < n && !Number.isNaN(digit(v, i))) i++;
    const k = i - from;
    if (k === 0) return NaN;
    // Milliseconds are the first three digits; further digits are truncated, as Date.parse does.
    ms = digit(v, from) * 100 + (k > 1 ? digit(v, from + 1) * 10 : 0) + (k > 2 ? digit(v, from + 2) : 0);
  }
  let offset = 0;
  if (v[i] === 'Z' && i + 1 === n) offset = 0;
  else if ((v[i] === '+' || v[i] === '-') && i + 6 === n && v[i + 3] === ':') {
    const oh = two(v, i + 1);
    const om = two(v, i + 4);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (v[i] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se, ms) - offset;
}

const SEV = new Set<unknown>(SEVERITIES);
const DISP = new Set<unknown>(DISPOSITIONS);
const ALERT_KEYS = new Set(Object.keys(AlertSchema.shape));
const CASE_KEYS = new Set(Object.keys(CaseSchema.shape));
const str = (x: unknown) => typeof x === 'string';
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
const isInstant = (v: unknown) => !Number.isNaN(parseInstant(v));
/** An optional instant: undefined when absent, NaN when present but not a plain instant. */
const optInstant = (v: unknown) => (v === undefined ? undefined : parseInstant(v));
const bad = (t: number | undefined) => t !== undefined && Number.isNaN(t);

/** True only for alerts the AlertSchema accepts (the schema may accept more; never less). */
export function isPlainAlert(r: Record<string, unknown>): boolean {
  return plainAlert(r) !== undefined;
}

/** An alert the AlertSchema accepts, as a count of one at its creation instant; undefined to let zod decide. */
function plainAlert(r: Record<string, unknown>): AlertCount | undefined {
  for (const k in r) if (!ALERT_KEYS.has(k)) return undefined;
  const at = parseInstant(r.createdAt);
  if (
    Number.isNaN(at) ||
    !nonEmpty(r.id) ||
    !nonEmpty(r.source) ||
    !nonEmpty(r.rule) ||
    !SEV.has(r.severity) ||
    !optional(r.firstEventAt, isInstant) ||
    !optional(r.caseId, str) ||
    !optional(r.disposition, (x) => DISP.has(x)) ||
    !optional(r.product, nonEmpty) ||
    // A source's own SLA clock is rare and nested: zod checks it.
    r.sla !== undefined
  )
    return undefined;
  return { at, rule: r.rule as string, sev: r.severity as AlertCount['sev'], count: 1 };
}

/** True only for cases the CaseSchema accepts. */
export function isPlainCase(r: Record<string, unknown>): boolean {
  return plainCaseFacts(r) !== undefined;
}

/** A case the CaseSchema accepts, converted to engine facts exactly as `caseFacts` would; undefined to let zod decide. */
export function plainCaseFacts(r: Record<string, unknown>): CaseFacts | undefined {
  for (const k in r) if (!CASE_KEYS.has(k)) return undefined;
  const created = parseInstant(r.createdAt);
  const firstEvent = optInstant(r.firstEventAt);
  const detected = optInstant(r.detectedAt);
  const ack = optInstant(r.acknowledgedAt);
  const contained = optInstant(r.containedAt);
  const closed = optInstant(r.closedAt);
  if (
    Number.isNaN(created) ||
    bad(firstEvent) ||
    bad(detected) ||
    bad(ack) ||
    bad(contained) ||
    bad(closed) ||
    !nonEmpty(r.id) ||
    !nonEmpty(r.source) ||
    !str(r.title) ||
    !SEV.has(r.severity) ||
    !optional(r.disposition, (x) => DISP.has(x)) ||
    !optional(r.assignee, str) ||
    !optional(r.tier, isTier) ||
    !optional(r.escalatedToTier, isEscalationTier) ||
    !optional(r.runbook, str) ||
    !optional(r.rule, str) ||
    !optional(r.handleMinutes, (x) => typeof x === 'number' && x >= 0 && Number.isFinite(x)) ||
    r.sla !== undefined
  )
    return undefined;
  const f: CaseFacts = { id: `${r.source as string}:${r.id as string}`, sev: r.severity as CaseFacts['sev'], created };
  if (firstEvent !== undefined) f.firstEvent = firstEvent;
  if (detected !== undefined) f.detected = detected;
  if (ack !== undefined) f.ack = ack;
  if (contained !== undefined) f.contained = contained;
  if (closed !== undefined) f.closed = closed;
  if (r.disposition !== undefined) f.disp = r.disposition as CaseFacts['disp'];
  if (r.tier !== undefined) f.tier = r.tier as number;
  if (r.escalatedToTier !== undefined) f.esc = r.escalatedToTier as number;
  if (r.runbook !== undefined) f.runbook = r.runbook as string;
  if (r.rule !== undefined) f.rule = r.rule as string;
  if (r.handleMinutes !== undefined) f.handle = r.handleMinutes as number;
  if (r.assignee !== undefined) f.assignee = r.assignee as string;
  return f;
}

const CHUNK = 4 << 20;
const NEWLINE = 10;

/**
 * Call `onLine` for every line of a file with its 1-based number. Reads big chunks and splits them itself (several
 * times cheaper than readline for millions of short lines); a line never splits inside a UTF-8 sequence because the
 * split is at a newline byte.
 */
async function forEachLine(path: string, onLine: (line: string, n: number) => void): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0; // bytes of an unfinished line at the start of buf
    let n = 0;
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
      const end = carry + bytesRead;
      const last = bytesRead === 0 ? end : buf.lastIndexOf(NEWLINE, end - 1);
      if (last >= 0) {
        const stop = bytesRead === 0 ? end : last;
        // Plain ASCII (almost every export) decodes as latin1, a copy; anything else as UTF-8.
        const text = buf.toString(isAscii(buf.subarray(0, stop)) ? 'latin1' : 'utf8', 0, stop);
        let from = 0;
        while (from <= text.length) {
          let to = text.indexOf('\n', from);
          if (to < 0) to = text.length;
          const line = to > from && text.charCodeAt(to - 1) === 13 ? text.slice(from, to - 1) : text.slice(from, to);
          n++;
          if (bytesRead > 0 || to > from) onLine(line, n);
          from = to + 1;
        }
        if (bytesRead === 0) return;
        carry = end - last - 1;
        buf.copy(buf, 0, last + 1, end);
      } else carry = end;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Stream a JSONL file: each line is parsed, taken by `fast` when it accepts it, else validated with `schema` and
 * converted with `convert`; an invalid line throws InputFileError naming the file, the line and the field.
 */
async function readJsonl<S extends z.ZodType, T>(
  path: string,
  name: string,
  schema: S,
  convert: (r: z.infer<S>) => T,
  onRecord: (r: T) => void,
  fast?: (r: Record<string, unknown>) => T | undefined,
) {
  await forEachLine(path, (line, n) => {
    // A record starts with "{"; anything else that trims to nothing (spaces, a BOM, NBSP) is a blank line.
    if (line.length === 0 || (line.charCodeAt(0) !== 123 && line.trim() === '')) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new InputFileError(name, n, `not valid JSON (${(e as Error).message})`);
    }
    if (fast && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const hit = fast(raw as Record<string, unknown>);
      if (hit !== undefined) return onRecord(hit);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new InputFileError(name, n, describeIssue(parsed.error));
    onRecord(convert(parsed.data));
  });
}

const FILES = ['cases.jsonl', 'alerts.jsonl', 'shifts.jsonl', 'costs.jsonl', 'budget.csv'] as const;

/** Alerts files at least this big are counted on a second thread while the cases are read on this one. */
const PARALLEL_ALERTS_BYTES = 32 << 20;

/**
 * Read a summarize input directory — any of `cases.jsonl alerts.jsonl shifts.jsonl costs.jsonl budget.csv` — and
 * compute the summary. Cases stream through the engine one record at a time; a big alerts file is counted per local
 * day on a worker thread meanwhile (`countAlertsByDay`, exact for every period), so millions of lines need no more
 * memory than the period's figures and both cores work. Shifts, costs and the plan are small and read whole. A
 * missing file leaves its family missing (reported as such, never as zeros).
 */
export async function summarizeCanonicalDir(
  dir: string,
  opts: SummaryOptions & { parallelAlertsBytes?: number },
): Promise<Summary> {
  const present = new Set(FILES.filter((f) => existsSync(join(dir, f))));
  const has = { cases: present.has('cases.jsonl'), alerts: present.has('alerts.jsonl') };
  const acc = new SummaryAccumulator(opts);
  const alertsFile = join(dir, 'alerts.jsonl');
  const parallel =
    present.has('alerts.jsonl') && statSync(alertsFile).size >= (opts.parallelAlertsBytes ?? PARALLEL_ALERTS_BYTES);
  const worker = parallel ? countAlertsOnWorker(alertsFile, { tz: opts.period.tz, asOf: opts.asOf }) : undefined;
  if (worker) present.delete('alerts.jsonl');
  try {
    const rest = await readDir(
      dir,
      present,
      { addCase: (c) => acc.addCase(c), addAlerts: (a) => acc.addAlerts(a) },
      // The plan must be in the config's currency and fiscal year, as it must be when imported.
      { currency: opts.settings.currency, fiscalYearStartMonth: opts.settings.fiscalYearStartMonth },
    );
    if (worker) for (const a of await worker.counts) acc.addAlerts(a);
    return acc.result(rest, has);
  } finally {
    await worker?.stop();
  }
}

/**
 * Alert counts of an alerts file per (local day of `tz`, rule, severity), each at its day's start; on the local day
 * holding `asOf`, alerts keep their exact instants. Every period boundary is a local midnight, so day counts give
 * exact figures for every period, and the asOf cut stays exact.
 */
export async function countAlertsByDay(path: string, opts: { tz: string; asOf: number }): Promise<AlertCount[]> {
  const buckets = new Map<number, AlertCount>();
  const exact: AlertCount[] = [];
  const ruleIds = new Map<string, number>();
  const asOfDay = localDayNumber(opts.asOf, opts.tz);
  await readJsonl(
    path,
    'alerts.jsonl',
    AlertSchema,
    alertCount,
    (a) => {
      const day = localDayNumber(a.at, opts.tz);
      if (day === asOfDay) return void exact.push(a);
      let ruleId = ruleIds.get(a.rule);
      if (ruleId === undefined) ruleIds.set(a.rule, (ruleId = ruleIds.size));
      const key = (day * 1_048_576 + ruleId) * 8 + SEVERITY_INDEX.get(a.sev)!;
      const hit = buckets.get(key);
      if (hit) hit.count++;
      else {
        const d = new Date(day * 86_400_000);
        const at = zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), opts.tz);
        buckets.set(key, { at, rule: a.rule, sev: a.sev, count: 1 });
      }
    },
    plainAlert,
  );
  return [...buckets.values(), ...exact];
}

/** Run `countAlertsByDay` on a worker thread; its InputFileError comes back as one. */
function countAlertsOnWorker(path: string, opts: { tz: string; asOf: number }) {
  // From TypeScript sources (the CLI runs through tsx) the worker registers the same loader first; a build runs the .js.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./alert-count-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const tsx = fromSource
    ? new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href
    : '';
  const worker = fromSource
    ? new Worker(
        `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`,
        { eval: true, workerData: { path, ...opts } },
      )
    : new Worker(entry, { workerData: { path, ...opts } });
  const counts = new Promise<AlertCount[]>((resolve, reject) => {
    worker.once('message', (m: AlertCountReply) => {
      if ('counts' in m) resolve(m.counts);
      else if ('file' in m) reject(new InputFileError(m.file, m.line, m.detail));
      else reject(new Error(`counting alerts in ${path}: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`counting alerts in ${path}: worker exited with code ${code}`)));
  });
  counts.catch(() => undefined); // awaited by the caller unless reading the cases failed first
  return { counts, stop: async () => void (await worker.terminate()) };
}

/** What the alert-count worker answers. */
export type AlertCountReply =
  { counts: AlertCount[] } | { file: string; line: number; detail: string } | { message: string };

async function readDir(
  dir: string,
  present: ReadonlySet<(typeof FILES)[number]>,
  sink: { addCase: (c: CaseFacts) => void; addAlerts: (a: AlertCount) => void },
  rules: BudgetCsvRules,
): Promise<Pick<SummaryInput, 'shifts' | 'costs' | 'budget'>> {
  const file = (name: string) => join(dir, name);
  const rest: Pick<SummaryInput, 'shifts' | 'costs' | 'budget'> = {};
  if (present.has('cases.jsonl'))
    await readJsonl(file('cases.jsonl'), 'cases.jsonl', CaseSchema, caseFacts, sink.addCase, plainCaseFacts);
  if (present.has('alerts.jsonl'))
    await readJsonl(file('alerts.jsonl'), 'alerts.jsonl', AlertSchema, alertCount, sink.addAlerts, plainAlert);
  if (present.has('shifts.jsonl')) {
    const shifts: ShiftFacts[] = [];
    await readJsonl(file('shifts.jsonl'), 'shifts.jsonl', ShiftSchema, shiftFacts, (s) => shifts.push(s));
    rest.shifts = shifts;
  }
  if (present.has('costs.jsonl')) {
    const costs: Cost[] = [];
    await readJsonl(
      file('costs.jsonl'),
      'costs.jsonl',
      CostSchema,
      (c: Cost) => c,
      (c) => costs.push(c),
    );
    rest.costs = costs;
  }
  if (present.has('budget.csv'))
    rest.budget = parseBudgetCsv(await readFile(file('budget.csv'), 'utf8'), 'budget.csv', rules);
  return rest;
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

/** Stream a `cases.jsonl` file as engine facts, validated as `summarize` does (a bad line is an InputFileError). */
export async function readCanonicalCases(path: string, onCase: (c: CaseFacts) => void): Promise<void> {
  await readJsonl(path, 'cases.jsonl', CaseSchema, caseFacts, onCase, plainCaseFacts);
}

/** Read a whole `shifts.jsonl` file as engine facts (a bad line is an InputFileError). */
export async function readCanonicalShifts(path: string): Promise<ShiftFacts[]> {
  const shifts: ShiftFacts[] = [];
  await readJsonl(path, 'shifts.jsonl', ShiftSchema, shiftFacts, (s) => shifts.push(s));
  return shifts;
}
