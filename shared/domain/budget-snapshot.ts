import type { BudgetSummary } from './budget.js';

/** One category line of a budget snapshot. */
export interface BudgetSnapshotLine {
  category: string;
  plan: string | null;
  actual: string;
  variance: string | null;
  variancePct: number | null;
  forecast: string;
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
  lines: BudgetSnapshotLine[];
  totals: {
    plan: string | null;
    actual: string;
    variance: string | null;
    variancePct: number | null;
    forecast: string;
    annualPlan: string | null;
    ytdActual: string;
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
    },
  };
}
