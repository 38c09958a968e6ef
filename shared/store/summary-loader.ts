import { mergeDaySnapshots, SnapshotPayloadSchemas } from '../domain/day-snapshot.js';
import { reportMonth } from '../domain/budget.js';
import { fiscalYearOf, localDay, monthsOfFiscalYear, previousPeriod, type Period } from '../domain/periods.js';
import type { MetricSettings } from '../domain/settings.js';
import { summarize, type Summary, type SummaryInput } from '../domain/summary.js';
import type { DynamoBudgetStore } from './budget-store.js';
import type { DynamoSnapshotStore } from './snapshot-store.js';

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
    stores.snapshots.list('cases', caseFrom, upTo, SnapshotPayloadSchemas.cases),
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
