import { stringify } from 'csv-stringify/sync';
import type { BudgetSnapshot } from '../domain/budget-snapshot.js';
import { csvCell } from './escape.js';

/** FOCUS-aligned column names (DESIGN.md "API, roles, agents"), socpulse extensions prefixed `x_`. */
export const BUDGET_CSV_COLUMNS = [
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'BilledCost',
  'BillingCurrency',
  'ServiceCategory',
  'x_Category',
  'x_FiscalYear',
  'x_FiscalPeriod',
  'x_Plan',
  'x_Forecast',
  'x_VarianceAbs',
  'x_VariancePct',
  'x_Estimated',
  'x_SnapshotId',
  'x_SnapshotAsOf',
  'x_NoData',
] as const;

/** FOCUS ServiceCategory for each socpulse budget category. */
const SERVICE_CATEGORY: Record<string, string> = {
  personnel: 'Other',
  tooling: 'Security',
  siem_ingest: 'Security',
  cloud: 'Compute',
  services: 'Other',
  training: 'Other',
  other: 'Other',
};

/**
 * The finance CSV of one or more budget snapshots; every cell neutralized against formula injection. A month with
 * no actual (missing) has an empty BilledCost and `x_NoData` true: unknown, never 0.00. FOCUS itself says BilledCost
 * "MUST NOT be null" (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, specification/columns/billedcost.md): this file is
 * FOCUS-aligned, not a FOCUS dataset, and a consumer that needs strict FOCUS drops the `x_NoData` rows rather than
 * reading a gap as a zero charge.
 */
export function budgetSnapshotCsv(snapshots: BudgetSnapshot[]): string {
  const rows = snapshots.flatMap((s) =>
    s.lines.map((l) => [
      s.periodStart,
      s.periodEnd,
      csvCell(l.actual ?? '', { numeric: true }),
      csvCell(s.currency),
      SERVICE_CATEGORY[l.category] ?? 'Other',
      csvCell(l.category),
      csvCell(s.fiscalYear),
      csvCell(s.month),
      csvCell(l.plan ?? '', { numeric: true }),
      csvCell(l.forecast ?? '', { numeric: true }),
      csvCell(l.variance ?? '', { numeric: true }),
      l.variancePct === null ? '' : l.variancePct.toFixed(2),
      l.estimated ? 'true' : 'false',
      csvCell(s.snapshotId),
      csvCell(s.asOf),
      l.actual === null ? 'true' : 'false',
    ]),
  );
  return stringify([[...BUDGET_CSV_COLUMNS], ...rows], { quoted_match: /[",\r\n']/ });
}
