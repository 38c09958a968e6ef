import type { BudgetSummary } from './budget.js';

/** One category line of a budget snapshot. */
export interface BudgetSnapshotLine {
  category: string;
  plan: string | null;
  /** Null when the month is missing (no actual at all): unknown, never zero. */
  actual: string | null;
  variance: string | null;
  variancePct: number | null;
  forecast: string | null;
  flagged: boolean;
  estimated: boolean;
}

/** An immutable budget snapshot (METRICS.md "Budget"): a correction is a new snapshot with a higher version. */
export interface BudgetSnapshot {
  snapshotId: string;
  version: number;
  fiscalYear: string;
  month: string;
  periodStart: string;
  periodEnd: string;
  asOf: string;
  currency: string;
  /** Months of the fiscal year through `month` with actuals, and those without (METRICS.md "Budget"). */
  coveredMonths: string[];
  missingMonths: string[];
  /** How many months the forecast estimates at the burn rate. */
  forecastEstimatedMonths: number;
  lines: BudgetSnapshotLine[];
  totals: {
    plan: string | null;
    actual: string | null;
    variance: string | null;
    variancePct: number | null;
    forecast: string | null;
    annualPlan: string | null;
    /** Over the covered months only. */
    ytdActual: string | null;
    ytdPlan: string | null;
  };
}

/** The snapshot content of a budget summary (id and version are given by the store when it is saved). */
export function buildBudgetSnapshot(
  b: BudgetSummary,
  meta: { asOf: string; periodStart: string; periodEnd: string },
): Omit<BudgetSnapshot, 'snapshotId' | 'version'> {
  return {
    fiscalYear: b.fiscalYear,
    month: b.month.label,
    periodStart: meta.periodStart,
    periodEnd: meta.periodEnd,
    asOf: meta.asOf,
    currency: b.currency,
    coveredMonths: b.coveredMonths,
    missingMonths: b.missingMonths,
    forecastEstimatedMonths: b.forecastEstimatedMonths,
    lines: Object.entries(b.byCategory).map(([category, f]) => ({
      category,
      plan: f.plan,
      actual: f.actual,
      variance: f.variance,
      variancePct: f.variancePct,
      forecast: f.forecast,
      flagged: f.flagged,
      estimated: f.estimated === true,
    })),
    totals: {
      plan: b.month.plan,
      actual: b.month.actual,
      variance: b.month.variance,
      variancePct: b.month.variancePct,
      forecast: b.forecast,
      annualPlan: b.annualPlan,
      ytdActual: b.ytd.actual,
      ytdPlan: b.ytd.plan,
    },
  };
}
