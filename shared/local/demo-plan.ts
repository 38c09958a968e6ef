import { monthsOfFiscalYear } from '../domain/periods.js';
import type { BudgetLine } from '../domain/records.js';

/** Monthly plan per category for the demo SOC (EUR), sized to the simulator's spend so variances are realistic. */
const MONTHLY: Record<string, number> = {
  personnel: 145000,
  tooling: 42000,
  siem_ingest: 27000,
  cloud: 6500,
  services: 12000,
  training: 2500,
};

/** A budget plan for one fiscal year of the local demo (what finance would import with `PUT /budget/plan`). */
export function demoBudgetPlan(fiscalYear: string, startMonth: number, currency: string): BudgetLine[] {
  return monthsOfFiscalYear(fiscalYear, startMonth).flatMap((month) =>
    Object.entries(MONTHLY).map(([category, amount]) => ({
      fiscalYear,
      month,
      category: category as BudgetLine['category'],
      amount: amount.toFixed(2),
      currency,
    })),
  );
}
