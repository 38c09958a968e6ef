// Budget edges of METRICS.md "Budget" computed by hand: which plan lines, costs and shifts belong to the fiscal year
// and to what is known at asOf, and which figures say they are estimated.
import { describe, expect, it } from 'vitest';
import { buildBudgetSummary, MixedCurrencyError, type BudgetInput } from '../../shared/domain/budget.js';
import type { ShiftFacts } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import type { BudgetLine, Cost } from '../../shared/domain/records.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';

const t = (iso: string) => Date.parse(iso);
// FY2027 runs 2026-04 … 2027-03; the report month is June 2026, judged on 15 June at noon.
const settings = MetricSettingsSchema.parse({
  fiscalYearStartMonth: 4,
  currency: 'EUR',
  hourlyRate: { '1': '50.00', '2': '70.00' },
});
const June = parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 });
const asOf = t('2026-06-15T12:00:00Z');
const noCounts = { alertsCreated: null, casesCreated: null, truePositivesClosed: null };
const shift = (analyst: string, tier: number, start: string, end: string): ShiftFacts => ({
  analyst,
  tier,
  start: t(start),
  end: t(end),
});
const cost = (month: string, category: Cost['category'], amount: string, currency = 'EUR'): Cost => ({
  month,
  category,
  amount,
  currency,
});
const line = (fiscalYear: string, month: string, amount: string, currency = 'EUR'): BudgetLine => ({
  fiscalYear,
  month,
  category: 'tooling',
  amount,
  currency,
});

function budget(input: Partial<BudgetInput>) {
  const b = buildBudgetSummary({
    costs: undefined,
    budget: undefined,
    shifts: undefined,
    period: June,
    asOf,
    settings,
    counts: noCounts,
    ...input,
  });
  if ('missing' in b) throw new Error(b.reason);
  return b;
}

describe('personnel estimated from shifts', () => {
  const shifts = [
    // One analyst's overlapping shifts on 1 June count once: 08:00–18:00 = 10 h × 70.00 = 700.00.
    shift('ann', 2, '2026-06-01T08:00:00Z', '2026-06-01T16:00:00Z'),
    shift('ann', 2, '2026-06-01T12:00:00Z', '2026-06-01T18:00:00Z'),
    // Under way at asOf: priced up to it, 08:00–12:00 = 4 h × 50.00 = 200.00.
    shift('bob', 1, '2026-06-15T08:00:00Z', '2026-06-15T16:00:00Z'),
    // Not begun at asOf (the rota ahead): not priced.
    shift('bob', 1, '2026-06-20T08:00:00Z', '2026-06-20T16:00:00Z'),
    // Tier 3 has no hourly rate: not priced.
    shift('cat', 3, '2026-06-02T08:00:00Z', '2026-06-02T16:00:00Z'),
    // Last fiscal year: not priced; May: 2 h × 50.00 = 100.00.
    shift('bob', 1, '2026-03-31T20:00:00Z', '2026-03-31T23:00:00Z'),
    shift('bob', 1, '2026-05-10T08:00:00Z', '2026-05-10T10:00:00Z'),
  ];
  // A personnel cost of last fiscal year does not make this year's personnel "from costs".
  const costs = [cost('2026-06', 'tooling', '300.00'), cost('2026-03', 'personnel', '9999.00')];

  it('prices merged shifts begun before asOf, up to asOf, in the fiscal year only', () => {
    const b = budget({ costs, shifts });
    expect(b.byCategory.personnel).toMatchObject({ actual: '900.00', estimated: true });
    expect(b.personnelEstimated).toBe(true);
    // Only personnel is estimated: tooling comes from its cost record.
    expect(b.byCategory.tooling!.actual).toBe('300.00');
    expect(b.byCategory.tooling!.estimated).toBeUndefined();
    expect(b.month.estimated).toBeUndefined();
    expect(b.month.actual).toBe('1200.00');
    expect(b.coveredMonths).toEqual(['2026-05', '2026-06']);
    expect(b.missingMonths).toEqual(['2026-04']);
    // YTD over May (100.00) and June (1200.00).
    expect(b.ytd.actual).toBe('1300.00');
    expect(b.months).toEqual([
      { month: '2026-04', plan: null, actual: null },
      { month: '2026-05', plan: null, actual: '100.00' },
      { month: '2026-06', plan: null, actual: '1200.00' },
    ]);
    expect(b.categoriesWithoutSource).toEqual(['siem_ingest', 'cloud', 'services', 'training', 'other']);
  });

  it('refuses hourly rates in the config currency when the costs are in another', () => {
    expect(() => budget({ costs: [cost('2026-06', 'tooling', '300.00', 'USD')], shifts: shifts.slice(0, 1) })).toThrow(
      MixedCurrencyError,
    );
    expect(() => budget({ costs: [cost('2026-06', 'tooling', '300.00', 'USD')], shifts: shifts.slice(0, 1) })).toThrow(
      /config hourlyRate is in EUR, but cost 2026-06\/tooling is in USD/,
    );
  });

  it('does not estimate personnel when a personnel cost of this fiscal year exists', () => {
    const b = budget({ costs: [cost('2026-06', 'personnel', '1000.00')], shifts });
    expect(b.byCategory.personnel!.actual).toBe('1000.00');
    expect(b.byCategory.personnel!.estimated).toBeUndefined();
    expect(b.personnelEstimated).toBe(false);
    // May had shifts but no cost: not covered when nothing is estimated from shifts.
    expect(b.coveredMonths).toEqual(['2026-06']);
  });
});

describe('personnel estimated from shifts, in months whose roster was not read', () => {
  // Tooling costs cover April, May and June; the roster was read for May only (and a tier-3 shift, which has no rate,
  // on 2 June: a roster was read for June, though nothing in it is priced).
  const costs = [
    cost('2026-04', 'tooling', '100.00'),
    cost('2026-05', 'tooling', '100.00'),
    cost('2026-06', 'tooling', '100.00'),
  ];
  const may = shift('bob', 1, '2026-05-10T08:00:00Z', '2026-05-10T10:00:00Z'); // 2 h × 50.00 = 100.00

  it('lists the covered months with no shift, the report month included', () => {
    const b = budget({ costs, shifts: [may] });
    expect(b.personnelEstimated).toBe(true);
    // April and June are covered by tooling, and count 0 personnel (METRICS), but no roster was read for them.
    expect(b.coveredMonths).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(b.byCategory.personnel!.actual).toBe('0.00');
    expect(b.ytd.actual).toBe('400.00'); // 100 + (100 + 100) + 100
    expect(b.personnelWithoutShifts).toEqual(['2026-04', '2026-06']);
  });

  it('counts a month with a shift of an unpriced tier as read', () => {
    const b = budget({ costs, shifts: [may, shift('cat', 3, '2026-06-02T08:00:00Z', '2026-06-02T16:00:00Z')] });
    expect(b.personnelWithoutShifts).toEqual(['2026-04']);
  });

  it('does not count a shift begun after asOf, or one of another fiscal year, as a roster for its month', () => {
    const late = shift('bob', 1, '2026-06-20T08:00:00Z', '2026-06-20T16:00:00Z');
    const lastYear = shift('bob', 1, '2026-03-31T20:00:00Z', '2026-03-31T23:00:00Z');
    expect(budget({ costs, shifts: [may, late, lastYear] }).personnelWithoutShifts).toEqual(['2026-04', '2026-06']);
  });

  it('is empty when every covered month has a shift, when personnel comes from costs, and without shifts', () => {
    const april = shift('bob', 1, '2026-04-10T08:00:00Z', '2026-04-10T10:00:00Z');
    const june = shift('bob', 1, '2026-06-10T08:00:00Z', '2026-06-10T10:00:00Z');
    expect(budget({ costs, shifts: [april, may, june] }).personnelWithoutShifts).toEqual([]);
    expect(
      budget({ costs: [...costs, cost('2026-06', 'personnel', '1.00')], shifts: [may] }).personnelWithoutShifts,
    ).toEqual([]);
    // No shift at all: personnel has no source (categoriesWithoutSource), which is a different statement.
    const none = budget({ costs, shifts: [] });
    expect(none.personnelWithoutShifts).toEqual([]);
    expect(none.categoriesWithoutSource).toContain('personnel');
  });
});

describe('the fiscal year of plan lines and costs', () => {
  it('reads no plan line of another fiscal year, whatever its currency', () => {
    const b = budget({
      costs: [cost('2026-06', 'tooling', '300.00')],
      budget: [line('FY2026', '2026-03', '5000.00'), line('FY2028', '2027-06', '7000.00', 'USD')],
    });
    // No line of FY2027: there is no plan, not a plan of zero.
    expect(b.annualPlan).toBeNull();
    expect(b.month.plan).toBeNull();
    expect(b.byCategory.tooling!.plan).toBeNull();
    expect(b.byCategory.tooling!.variance).toBeNull();
  });

  it('sums this fiscal year’s plan lines and keeps costs of other years out of every figure', () => {
    const b = budget({
      costs: [
        cost('2026-03', 'tooling', '4000.00'), // FY2026
        cost('2026-05', 'tooling', '200.00'),
        cost('2026-06', 'tooling', '300.00'),
        cost('2027-04', 'tooling', '8000.00'), // FY2028
      ],
      budget: [
        line('FY2027', '2026-06', '250.00'),
        line('FY2027', '2026-06', '50.00'),
        line('FY2027', '2027-03', '1000.00'),
      ],
    });
    expect(b.month).toMatchObject({ plan: '300.00', actual: '300.00', variance: '0.00' });
    expect(b.annualPlan).toBe('1300.00');
    expect(b.coveredMonths).toEqual(['2026-05', '2026-06']);
    expect(b.ytd.actual).toBe('500.00');
    // Burn rate (200 + 300) / 2 = 250.00; forecast 500.00 + 250.00 × 10 estimated months = 3000.00.
    expect(b.burnRate).toBe('250.00');
    expect(b.forecastEstimatedMonths).toBe(10);
    expect(b.forecast).toBe('3000.00');
  });
});
