import * as z from 'zod';
import type { BudgetSummary } from './budget.js';
import { CurrencyCode, DecimalString as Amount, MonthLabel } from './records.js';

/** One category line of a budget snapshot. */
export const BudgetSnapshotLineSchema = z
  .object({
    category: z.string(),
    plan: Amount.nullable(),
    /** Null when the month is missing (no actual at all): unknown, never zero. */
    actual: Amount.nullable(),
    variance: Amount.nullable(),
    variancePct: z.number().nullable(),
    forecast: Amount.nullable(),
    flagged: z.boolean(),
    estimated: z.boolean(),
  })
  .strict();
export type BudgetSnapshotLine = z.infer<typeof BudgetSnapshotLineSchema>;

/**
 * An immutable budget snapshot (METRICS.md "Budget"): a correction is a new snapshot with a higher version. Every
 * field is required and checked: the store returns only snapshots that parse, so no caller reads a partial one.
 */
export const BudgetSnapshotSchema = z
  .object({
    snapshotId: z.string(),
    version: z.number().int().positive(),
    fiscalYear: z.string().regex(/^FY\d{4}$/),
    month: MonthLabel,
    periodStart: z.string(),
    periodEnd: z.string(),
    asOf: z.string(),
    currency: CurrencyCode,
    /** Months of the fiscal year through `month` with actuals, and those without (METRICS.md "Budget"). */
    coveredMonths: z.array(MonthLabel),
    missingMonths: z.array(MonthLabel),
    /** How many months the forecast estimates at the burn rate. */
    forecastEstimatedMonths: z.number().int().nonnegative(),
    lines: z.array(BudgetSnapshotLineSchema),
    totals: z
      .object({
        plan: Amount.nullable(),
        actual: Amount.nullable(),
        variance: Amount.nullable(),
        variancePct: z.number().nullable(),
        forecast: Amount.nullable(),
        annualPlan: Amount.nullable(),
        /** Over the covered months only. */
        ytdActual: Amount.nullable(),
        ytdPlan: Amount.nullable(),
      })
      .strict(),
  })
  .strict();
export type BudgetSnapshot = z.infer<typeof BudgetSnapshotSchema>;
/** A snapshot's content: everything but what the store assigns when it saves it (id and version). */
export type BudgetSnapshotContent = Omit<BudgetSnapshot, 'snapshotId' | 'version'>;

/** The snapshot content of a budget summary (id and version are given by the store when it is saved). */
export function buildBudgetSnapshot(
  b: BudgetSummary,
  meta: { asOf: string; periodStart: string; periodEnd: string },
): BudgetSnapshotContent {
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
