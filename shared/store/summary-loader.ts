import { mergeDaySnapshots, SnapshotPayloadSchemas } from '../domain/day-snapshot.js';
import { reportMonth } from '../domain/budget.js';
import {
  fiscalYearOf,
  localDay,
  monthsOfFiscalYear,
  parsePeriod,
  previousPeriod,
  type Period,
} from '../domain/periods.js';
import type { MetricSettings } from '../domain/settings.js';
import { summarize, type Summary, type SummaryInput } from '../domain/summary.js';
import type { DynamoBudgetStore } from './budget-store.js';
import type { DynamoSnapshotStore } from './snapshot-store.js';
import type { DynamoCollectionRunStore } from './collection-run-store.js';

const DAY = 86_400_000;

/** The instant data is judged at: the newest collection time of any source, never later than now. */
export function collectionAsOf(statuses: { collectedThrough?: string }[], now: number): number {
  const through = statuses.map((s) => Date.parse(s.collectedThrough ?? '')).filter((t) => !Number.isNaN(t));
  return Math.min(now, through.length ? Math.max(...through) : now);
}

/** How far back cases are read for the backlog (open cases of any age): 13 months by default. */
export const DEFAULT_HISTORY_DAYS = 400;

/**
 * Load what the engine needs for a period and its previous period from stored snapshots and the budget plan, and
 * compute the summary. The one path from storage to figures: report, API and MCP server all use it.
 */
export async function loadSummary(
  stores: { snapshots: DynamoSnapshotStore; budget: DynamoBudgetStore },
  opts: { period: Period; asOf: number; settings: MetricSettings; historyDays?: number },
): Promise<Summary> {
  const { period, asOf, settings } = opts;
  const tz = period.tz;
  const popts = { tz, fiscalYearStartMonth: settings.fiscalYearStartMonth };
  const prev = previousPeriod(period, popts);
  const lastDay = localDay(Math.max(Math.min(asOf, period.end) - 1, period.start), tz);
  const caseFrom = localDay(Math.min(prev.start, asOf - (opts.historyDays ?? DEFAULT_HISTORY_DAYS) * DAY), tz);
  const month = reportMonth(period, asOf);
  const fiscalYear = fiscalYearOf(month, settings.fiscalYearStartMonth);
  const fyMonths = monthsOfFiscalYear(fiscalYear, settings.fiscalYearStartMonth);
  // Alerts and shifts: the period, the previous period, and the report month for the budget's unit costs.
  const alertFrom = localDay(Math.min(prev.start, Date.parse(`${month}-01T00:00:00Z`) - DAY), tz);
  const today = localDay(asOf, tz);
  const upTo = lastDay > today ? lastDay : today;

  const [cases, alerts, shifts, costs, plan] = await Promise.all([
    loadCaseDays(stores.snapshots, caseFrom, upTo, Math.min(prev.start, parsePeriod(month, popts).start), tz),
    stores.snapshots.list('alerts', alertFrom, upTo, SnapshotPayloadSchemas.alerts),
    stores.snapshots.list(
      'shifts',
      localDay(Math.min(prev.start, Date.parse(`${fyMonths[0]}-01T00:00:00Z`)) - DAY, tz),
      upTo,
      SnapshotPayloadSchemas.shifts,
    ),
    stores.snapshots.list('costs', fyMonths[0]!, fyMonths[11]!, SnapshotPayloadSchemas.costs),
    stores.budget.plan(fiscalYear),
  ]);
  const input: SummaryInput = mergeDaySnapshots([...cases, ...alerts, ...shifts, ...costs]);
  if (plan) input.budget = plan.lines;
  return summarize(input, { period, asOf, settings });
}

/**
 * The cases snapshots a period can need, without reading the rest of the history: every day from `since` on, and
 * older days only when their header says a case was still open or one closed since then (the backlog and the
 * closures of old cases). A header without meta figures is read, to be safe.
 */
async function loadCaseDays(snapshots: DynamoSnapshotStore, from: string, to: string, since: number, tz: string) {
  const sinceDay = localDay(since, tz);
  const headers = await snapshots.headers('cases', from, to);
  const days = [
    ...new Set(
      headers
        .filter(
          (h) =>
            h.periodKey >= sinceDay ||
            !(h.meta.open === 0 && h.meta.lastClosed !== undefined && h.meta.lastClosed < since),
        )
        .map((h) => h.periodKey),
    ),
  ].sort();
  const out: Awaited<ReturnType<typeof snapshots.list<typeof SnapshotPayloadSchemas.cases>>> = [];
  // Contiguous runs of days are read with one query each.
  let i = 0;
  const runs: [string, string][] = [];
  while (i < days.length) {
    let j = i;
    while (j + 1 < days.length && nextDay(days[j]!) === days[j + 1]) j++;
    runs.push([days[i]!, days[j]!]);
    i = j + 1;
  }
  const lists = await Promise.all(runs.map(([a, b]) => snapshots.list('cases', a, b, SnapshotPayloadSchemas.cases)));
  for (const l of lists) out.push(...l);
  return out;
}

function nextDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Figures for a period label judged at the newest collection time: what the API, MCP server and `--serve` answer. */
export function summaryForLabel(
  stores: { snapshots: DynamoSnapshotStore; budget: DynamoBudgetStore; collections: DynamoCollectionRunStore },
  settings: MetricSettings,
): (label: string) => Promise<Summary> {
  return async (label) =>
    loadSummary(stores, {
      period: parsePeriod(label, { tz: settings.timezone, fiscalYearStartMonth: settings.fiscalYearStartMonth }),
      asOf: collectionAsOf(await stores.collections.statuses(), Date.now()),
      settings,
    });
}
