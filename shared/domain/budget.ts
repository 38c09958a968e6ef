import type { ShiftFacts } from './facts.js';
import { mergeShifts } from './staffing.js';
import { fiscalYearOf, localMonth, monthsOfFiscalYear, parsePeriod, type Period } from './periods.js';
import { BUDGET_CATEGORIES, type BudgetLine, type Cost } from './records.js';
import type { MetricSettings } from './settings.js';
import { divideCents, fromCents, multiplyCents, toCents } from './money.js';

/** Costs in more than one currency: never summed (METRICS.md "Budget"). Names both currencies and where each came from. */
export class MixedCurrencyError extends Error {
  override name = 'MixedCurrencyError';
}

/** Plan against actual for one month (or one category of it). `actual` is null when the month is missing. */
export interface MoneyFigures {
  plan: string | null;
  /** Unknown (null) for a month no actual covers: never zero (METRICS.md "Budget"). */
  actual: string | null;
  variance: string | null;
  variancePct: number | null;
  flagged: boolean;
  estimated?: boolean;
}

/**
 * A category's month figures plus its year view: its YTD over the covered months, and its forecast (its own
 * covered actuals + its own burn rate over the same last covered months × the estimated months).
 */
export interface CategoryFigures extends MoneyFigures {
  ytdActual: string | null;
  forecast: string | null;
  annualPlan: string | null;
}

export interface BudgetSummary {
  fiscalYear: string;
  currency: string;
  byCategory: Record<string, CategoryFigures>;
  /** The report month: its label and its totals over all categories (actual null when the month is missing). */
  month: MoneyFigures & { label: string };
  /** Over the covered months of the fiscal year through the report month only; `months` names them. */
  ytd: {
    plan: string | null;
    actual: string | null;
    variance: string | null;
    variancePct: number | null;
    missingMonths: number;
    months: string[];
  };
  /** Months of the fiscal year through the report month with at least one actual, and those without. */
  coveredMonths: string[];
  missingMonths: string[];
  /** Mean monthly actual of the last (up to) 3 covered months; null when none is covered. */
  burnRate: string | null;
  /** The months `burnRate` is the mean of. */
  burnRateMonths: string[];
  forecast: string | null;
  /** Months of the fiscal year the forecast estimates at the burn rate: missing ones and those after the report month. */
  forecastEstimatedMonths: number;
  annualPlan: string | null;
  forecastVariance: string | null;
  forecastFlagged: boolean;
  unitCosts: { costPerAlert: string | null; costPerCase: string | null; costPerTruePositive: string | null };
  /** Per month of the fiscal year through the report month: plan and actual totals (for the chart); actual null = no data. */
  months: { month: string; plan: string | null; actual: string | null }[];
  /** True when personnel's actuals are estimated from shifts (and at least one shift gave one). */
  personnelEstimated: boolean;
  /**
   * Categories nothing reports: no cost record of them in the fiscal year through the report month and, for personnel,
   * no shift to estimate from. Their actuals are null throughout, and the totals leave out their plan.
   */
  categoriesWithoutSource: string[];
  /**
   * Where personnel is estimated from shifts: the covered months through the report month with no shift at all. A
   * month's cost records cover it, so personnel counts 0 there (as every sourced category does in a covered month), but
   * no roster was read for it: the month's, year to date's, burn rate's and forecast's personnel leave it out, and the
   * email says so instead of comparing them with plan. Empty otherwise.
   */
  personnelWithoutShifts: string[];
}

export interface BudgetInput {
  costs: Cost[] | undefined;
  budget: BudgetLine[] | undefined;
  shifts: ShiftFacts[] | undefined;
  period: Period;
  asOf: number;
  settings: MetricSettings;
  /** Counts over the report month (local time), computed by the KPI side; null when unknown. */
  counts: { alertsCreated: number | null; casesCreated: number | null; truePositivesClosed: number | null };
}

/** The report month: the period's month, else the last complete month at asOf. */
export function reportMonth(period: Period, asOf: number): string {
  if (period.kind === 'month') return period.label;
  const current = parsePeriod(localMonth(Math.min(asOf, period.end), period.tz), {
    tz: period.tz,
    fiscalYearStartMonth: 1,
  });
  return localMonth(current.start - 1, period.tz);
}

function check(currency: string, seen: string, where: string, expected: string) {
  if (currency !== expected)
    throw new MixedCurrencyError(
      `mixed currencies: ${where} is in ${currency}, but ${seen} is in ${expected}; amounts in different currencies are never summed`,
    );
}

const pct = (variance: number, plan: number) => (plan === 0 ? null : (100 * variance) / plan);

/**
 * Budget figures of METRICS.md: plan vs actual per category and month, YTD, burn rate, forecast, flags, unit costs.
 *
 * A category has a source when an actual of it exists in the fiscal year through the report month: a cost record, or
 * for personnel (with no personnel cost) a shift × hourly rate. A category with a source counts 0 in a covered month
 * that has no record of it (its source reported nothing then). A category without one is unknown, never an amount: its
 * actual, variance, variancePct, YTD actual and forecast are null, it is never flagged, and it is listed in
 * `categoriesWithoutSource`. Its plan stays on its line.
 *
 * Totals (the month, YTD, the chart's months, burn rate, forecast, annual plan, forecast variance, unit costs) are over
 * the categories with a source, plan and actual alike: as YTD compares plan and actual of the same months, the totals
 * compare them over the same categories, so a plan nothing reports against is not read as an underspend. When no
 * category has a source there is no actual to compare, and the plan totals are over every category.
 */
export function buildBudgetSummary(input: BudgetInput): BudgetSummary | { missing: true; reason: string } {
  const { settings, period, asOf } = input;
  if (!input.costs && !input.budget) return { missing: true, reason: 'no cost source and no budget plan' };
  const month = reportMonth(period, asOf);
  const fiscalYear = fiscalYearOf(month, settings.fiscalYearStartMonth);
  const months = monthsOfFiscalYear(fiscalYear, settings.fiscalYearStartMonth);
  const upTo = months.slice(0, months.indexOf(month) + 1);
  const currency = input.costs?.[0]?.currency ?? input.budget?.[0]?.currency ?? settings.currency;
  const seen = input.costs?.length ? `cost ${input.costs[0]!.month}/${input.costs[0]!.category}` : 'the budget plan';

  const plan = new Map<string, number>(); // `${month}|${category}` → cents
  const actual = new Map<string, number>();
  const covered = new Set<string>(); // months with at least one actual
  for (const line of input.budget ?? []) {
    if (line.fiscalYear !== fiscalYear) continue;
    check(line.currency, seen, `budget line ${line.month}/${line.category}`, currency);
    const k = `${line.month}|${line.category}`;
    plan.set(k, (plan.get(k) ?? 0) + toCents(line.amount));
  }
  let personnelFromCosts = false;
  for (const cost of input.costs ?? []) {
    check(
      cost.currency,
      seen,
      `cost ${cost.month}/${cost.category}${cost.vendor ? ` (${cost.vendor})` : ''}`,
      currency,
    );
    if (!months.includes(cost.month)) continue;
    if (cost.category === 'personnel') personnelFromCosts = true;
    covered.add(cost.month);
    const k = `${cost.month}|${cost.category}`;
    actual.set(k, (actual.get(k) ?? 0) + toCents(cost.amount));
  }
  // No personnel cost source: estimate from shifts × hourly rate per tier, and say so.
  const personnelEstimated =
    !personnelFromCosts && input.shifts !== undefined && Object.keys(settings.hourlyRate).length > 0;
  const shiftMonths = new Set<string>(); // months with at least one shift begun by asOf: a roster was read
  if (personnelEstimated) {
    if (settings.currency !== currency) check(settings.currency, seen, 'config hourlyRate', currency);
    for (const s of mergeShifts(input.shifts!)) {
      // Attribute each shift to the local month it starts in (shifts rarely straddle midnight of a month end).
      const m = localMonth(s.start, period.tz);
      if (!months.includes(m) || s.start >= asOf) continue;
      shiftMonths.add(m);
      const rate = settings.hourlyRate[String(s.tier) as '1' | '2' | '3'];
      if (!rate) continue;
      covered.add(m);
      const hours = (Math.min(s.end, asOf) - s.start) / 3_600_000;
      const k = `${m}|personnel`;
      actual.set(k, (actual.get(k) ?? 0) + multiplyCents(toCents(rate), hours));
    }
  }

  // The categories some actual of F through m speaks for; the totals are over them (over all when there is none).
  const sourced = new Set<string>(BUDGET_CATEGORIES.filter((c) => upTo.some((m) => actual.has(`${m}|${c}`))));
  const totalCats: readonly string[] = sourced.size ? [...sourced] : BUDGET_CATEGORIES;
  // Covered: at least one actual exists for the month (a cost record, or a shift where personnel is estimated).
  // Any other month through m is missing: its actual is unknown, never zero.
  const coveredMonths = upTo.filter((m) => covered.has(m));
  const missingMonths = upTo.filter((m) => !covered.has(m));
  const monthCovered = covered.has(month);
  const hasPlan = input.budget !== undefined && plan.size > 0;
  const absThreshold = toCents(settings.varianceThresholdAbs);
  const flag = (variance: number, planCents: number) =>
    hasPlan &&
    planCents !== 0 &&
    Math.abs(pct(variance, planCents)!) >= settings.varianceThresholdPct &&
    Math.abs(variance) >= absThreshold;
  const figures = (p: number, a: number | null, estimated?: boolean): MoneyFigures => ({
    plan: hasPlan ? fromCents(p) : null,
    actual: a === null ? null : fromCents(a),
    variance: hasPlan && a !== null ? fromCents(a - p) : null,
    variancePct: hasPlan && a !== null ? pct(a - p, p) : null,
    flagged: a !== null && flag(a - p, p),
    ...(estimated ? { estimated: true } : {}),
  });
  const sum = (map: Map<string, number>, ms: string[], cats: readonly string[] = totalCats) =>
    ms.reduce((t, m) => t + cats.reduce((u, c) => u + (map.get(`${m}|${c}`) ?? 0), 0), 0);

  // Months the forecast estimates at the burn rate: the missing ones and those after m.
  const estimatedMonths = months.length - coveredMonths.length;
  const burnMonths = coveredMonths.slice(-3);
  const anyCovered = coveredMonths.length > 0;
  const forecastOf = (cats: readonly string[]) =>
    anyCovered
      ? sum(actual, coveredMonths, cats) +
        divideCents(sum(actual, burnMonths, cats), burnMonths.length) * estimatedMonths
      : null;
  const byCategory: Record<string, CategoryFigures> = {};
  for (const c of BUDGET_CATEGORIES) {
    const known = sourced.has(c);
    const f = known ? forecastOf([c]) : null;
    byCategory[c] = {
      ...figures(
        sum(plan, [month], [c]),
        monthCovered && known ? sum(actual, [month], [c]) : null,
        c === 'personnel' && personnelEstimated && known,
      ),
      ytdActual: anyCovered && known ? fromCents(sum(actual, coveredMonths, [c])) : null,
      forecast: f === null ? null : fromCents(f),
      annualPlan: hasPlan ? fromCents(sum(plan, months, [c])) : null,
    };
  }
  const ytdPlan = sum(plan, coveredMonths);
  const ytdActual = sum(actual, coveredMonths);
  const burn = anyCovered ? divideCents(sum(actual, burnMonths), burnMonths.length) : null;
  const forecast = forecastOf(totalCats);
  const annualPlan = sum(plan, months);
  const forecastVariance = forecast === null ? null : forecast - annualPlan;
  const monthActual = monthCovered ? sum(actual, [month]) : null;
  const unit = (n: number | null) =>
    n === null || n === 0 || monthActual === null ? null : fromCents(divideCents(monthActual, n));

  return {
    fiscalYear,
    currency,
    byCategory,
    month: { label: month, ...figures(sum(plan, [month]), monthActual) },
    ytd: {
      plan: hasPlan && anyCovered ? fromCents(ytdPlan) : null,
      actual: anyCovered ? fromCents(ytdActual) : null,
      variance: hasPlan && anyCovered ? fromCents(ytdActual - ytdPlan) : null,
      variancePct: hasPlan && anyCovered ? pct(ytdActual - ytdPlan, ytdPlan) : null,
      missingMonths: missingMonths.length,
      months: coveredMonths,
    },
    coveredMonths,
    missingMonths,
    burnRate: burn === null ? null : fromCents(burn),
    burnRateMonths: burnMonths,
    forecast: forecast === null ? null : fromCents(forecast),
    forecastEstimatedMonths: estimatedMonths,
    annualPlan: hasPlan ? fromCents(annualPlan) : null,
    forecastVariance: hasPlan && forecastVariance !== null ? fromCents(forecastVariance) : null,
    forecastFlagged: forecastVariance !== null && flag(forecastVariance, annualPlan),
    unitCosts: {
      costPerAlert: unit(input.counts.alertsCreated),
      costPerCase: unit(input.counts.casesCreated),
      costPerTruePositive: unit(input.counts.truePositivesClosed),
    },
    months: upTo.map((m) => ({
      month: m,
      plan: hasPlan ? fromCents(sum(plan, [m])) : null,
      actual: covered.has(m) ? fromCents(sum(actual, [m])) : null,
    })),
    personnelEstimated: personnelEstimated && sourced.has('personnel'),
    personnelWithoutShifts:
      personnelEstimated && sourced.has('personnel') ? coveredMonths.filter((m) => !shiftMonths.has(m)) : [],
    categoriesWithoutSource: BUDGET_CATEGORIES.filter((c) => !sourced.has(c)),
  };
}
