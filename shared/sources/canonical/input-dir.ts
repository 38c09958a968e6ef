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
import { AlertSchema, CaseSchema, CostSchema, ShiftSchema, type BudgetLine, type Cost } from '../../domain/records.js';
import { plainAlert, plainCaseFacts } from './fast-record-checks.js';
import { readJsonl } from './jsonl-reader.js';

/** The files a summarize input directory may hold; a missing one leaves its family missing. */
export const CANONICAL_FILES = ['cases.jsonl', 'alerts.jsonl', 'shifts.jsonl', 'costs.jsonl', 'budget.csv'] as const;
/** What a directory's small files hold, each read whole (absent when its file is). */
export interface CanonicalWholeFiles {
  shifts?: ShiftFacts[];
  costs?: Cost[];
  budget?: BudgetLine[];
}
export type CanonicalFile = (typeof CANONICAL_FILES)[number];

/**
 * Read the files of a summarize input directory that `present` names, in the order the engine wants them: cases and
 * alerts streamed to `sink` one record at a time, shifts, costs and the plan whole (returned). Every line is
 * validated; a bad one is an InputFileError naming file and line.
 */
export async function readCanonicalDir(
  dir: string,
  present: ReadonlySet<CanonicalFile>,
  sink: { addCase: (c: CaseFacts) => void; addAlerts: (a: AlertCount) => void },
  rules: BudgetCsvRules,
): Promise<CanonicalWholeFiles> {
  const file = (name: string) => join(dir, name);
  const rest: CanonicalWholeFiles = {};
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
