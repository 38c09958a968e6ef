import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBudgetCsv, type BudgetCsvRules } from '../../config/budget-plan-csv.js';
import {
  alertCount,
  caseFacts,
  shiftFacts,
  type AlertCount,
  type CaseFacts,
  type ShiftFacts,
} from '../../domain/facts.js';
import { AlertSchema, CaseSchema, CostSchema, ShiftSchema, type Cost } from '../../domain/records.js';
import { SummaryAccumulator, type Summary, type SummaryInput, type SummaryOptions } from '../../domain/summary.js';
import { countAlertsOnWorker } from './alert-counts.js';
import { plainAlert, plainCaseFacts } from './fast-record-checks.js';
import { readJsonl } from './jsonl-reader.js';

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
