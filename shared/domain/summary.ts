import type { AlertCount, CaseFacts, ShiftFacts } from './facts.js';
import { buildBudgetSummary, reportMonth, type BudgetSummary } from './budget.js';
import { buildKpiSummary, buildTrend, type KpiSummary } from './kpi.js';
import { formatInstant, parsePeriod, previousPeriod, type Period } from './periods.js';
import type { BudgetLine, Cost } from './records.js';
import type { MetricSettings } from './settings.js';
import { buildStaffingSummary, type StaffingSummary } from './staffing.js';

export type Missing = { missing: true; reason: string };

/** The engine's input; an absent family is missing (reported as such), never an empty list. */
export interface SummaryInput {
  cases?: CaseFacts[];
  alerts?: AlertCount[];
  shifts?: ShiftFacts[];
  costs?: Cost[];
  budget?: BudgetLine[];
}

/** The whole `summarize --json` output (METRICS.md "The summarize command"). */
export interface Summary {
  period: { label: string; start: string; end: string; tz: string; asOf: string };
  kpi: KpiSummary | Missing;
  staffing: StaffingSummary | Missing;
  budget: BudgetSummary | Missing;
}

/** True when a section is missing rather than computed. */
export function isMissing<T extends object>(section: T | Missing): section is Missing {
  return 'missing' in section && section.missing === true;
}

/**
 * Compute every figure for one period judged at `asOf` (nothing after it is visible). The trend compares with the
 * previous period of equal kind as it stood at its own end.
 */
export function summarize(
  input: SummaryInput,
  opts: { period: Period; asOf: number; settings: MetricSettings },
): Summary {
  const { period, settings } = opts;
  const asOf = opts.asOf;
  const popts = { tz: period.tz, fiscalYearStartMonth: settings.fiscalYearStartMonth };

  let kpi: KpiSummary | Missing = { missing: true, reason: 'no case source (cases.jsonl)' };
  if (input.cases) {
    kpi = buildKpiSummary({ cases: input.cases, alerts: input.alerts, period, asOf, settings });
    const prev = previousPeriod(period, popts);
    const prevKpi = buildKpiSummary({
      cases: input.cases,
      alerts: input.alerts,
      period: prev,
      asOf: Math.min(asOf, prev.end),
      settings,
    });
    kpi.trend = buildTrend(kpi, prevKpi, {
      label: prev.label,
      start: formatInstant(prev.start, prev.tz),
      end: formatInstant(prev.end, prev.tz),
    });
  }

  const month = parsePeriod(reportMonth(period, asOf), popts);
  const inMonth = (t: number) => t >= month.start && t < month.end && t < asOf;
  const counts = {
    alertsCreated: input.alerts ? input.alerts.reduce((n, a) => (inMonth(a.at) ? n + a.count : n), 0) : null,
    casesCreated: input.cases ? input.cases.filter((c) => inMonth(c.created)).length : null,
    truePositivesClosed: input.cases
      ? input.cases.filter((c) => c.closed !== undefined && inMonth(c.closed) && c.disp === 'true_positive').length
      : null,
  };

  return {
    period: {
      label: period.label,
      start: formatInstant(period.start, period.tz),
      end: formatInstant(period.end, period.tz),
      tz: period.tz,
      asOf: formatInstant(asOf, period.tz),
    },
    kpi,
    staffing: buildStaffingSummary({ shifts: input.shifts, cases: input.cases, period, asOf, settings }),
    budget: buildBudgetSummary({
      costs: input.costs,
      budget: input.budget,
      shifts: input.shifts,
      period,
      asOf,
      settings,
      counts,
    }),
  };
}
