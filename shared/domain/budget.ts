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

export interface MoneyFigures {
  plan: string | null;
  actual: string;
  variance: string | null;
  variancePct: number | null;
  flagged: boolean;
  estimated?: boolean;
}

/** A category's month figures plus its year view (forecast per category: its own YTD + its own burn rate). */
export interface CategoryFigures extends MoneyFigures {
  ytdActual: string;
  forecast: string;
  annualPlan: string | null;
}

export interface BudgetSummary {
  fiscalYear: string;
  currency: string;
  byCategory: Record<string, CategoryFigures>;
  /** The report month: its label and its totals over all categories. */
  month: MoneyFigures & { label: string };
  ytd: { plan: string | null; actual: string; variance: string | null; variancePct: number | null };
  burnRate: string;
  forecast: string;
  annualPlan: string | null;
  forecastVariance: string | null;
  forecastFlagged: boolean;
  unitCosts: { costPerAlert: string | null; costPerCase: string | null; costPerTruePositive: string | null };
  /** Per month of the fiscal year through the report month: plan and actual totals (for the chart). */
  months: { month: string; plan: string | null; actual: string }[];
  personnelEstimated: boolean;
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

/** Budget figures of METRICS.md: plan vs actual per category and month, YTD, burn rate, forecast, flags, unit costs. */
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
    const k = `${cost.month}|${cost.category}`;
    actual.set(k, (actual.get(k) ?? 0) + toCents(cost.amount));
  }
  // No personnel cost source: estimate from shifts × hourly rate per tier, and say so.
  const personnelEstimated =
    !personnelFromCosts && input.shifts !== undefined && Object.keys(settings.hourlyRate).length > 0;
  if (personnelEstimated) {
    if (settings.currency !== currency) check(settings.currency, seen, 'config hourlyRate', currency);
    for (const s of mergeShifts(input.shifts!)) {
      const rate = settings.hourlyRate[String(s.tier) as '1' | '2' | '3'];
      if (!rate) continue;
      // Attribute each shift to the local month it starts in (shifts rarely straddle midnight of a month end).
      const m = localMonth(s.start, period.tz);
      if (!months.includes(m) || s.start >= asOf) continue;
      const hours = (Math.min(s.end, asOf) - s.start) / 3_600_000;
      const k = `${m}|personnel`;
      actual.set(k, (actual.get(k) ?? 0) + multiplyCents(toCents(rate), hours));
    }
  }

  const hasPlan = input.budget !== undefined && plan.size > 0;
  const absThreshold = toCents(settings.varianceThresholdAbs);
  const flag = (variance: number, planCents: number) =>
    hasPlan &&
    planCents !== 0 &&
    Math.abs(pct(variance, planCents)!) >= settings.varianceThresholdPct &&
    Math.abs(variance) >= absThreshold;
  const figures = (p: number, a: number, estimated?: boolean): MoneyFigures => ({
    plan: hasPlan ? fromCents(p) : null,
    actual: fromCents(a),
    variance: hasPlan ? fromCents(a - p) : null,
    variancePct: hasPlan ? pct(a - p, p) : null,
    flagged: flag(a - p, p),
    ...(estimated ? { estimated: true } : {}),
  });
  const sum = (map: Map<string, number>, ms: string[], cats: readonly string[] = BUDGET_CATEGORIES) =>
    ms.reduce((t, m) => t + cats.reduce((u, c) => u + (map.get(`${m}|${c}`) ?? 0), 0), 0);

  const remaining = months.length - upTo.length;
  const byCategory: Record<string, CategoryFigures> = {};
  for (const c of BUDGET_CATEGORIES) {
    const ytd = sum(actual, upTo, [c]);
    const lastMonths = upTo.slice(-3);
    byCategory[c] = {
      ...figures(sum(plan, [month], [c]), sum(actual, [month], [c]), c === 'personnel' && personnelEstimated),
      ytdActual: fromCents(ytd),
      forecast: fromCents(ytd + divideCents(sum(actual, lastMonths, [c]), lastMonths.length) * remaining),
      annualPlan: hasPlan ? fromCents(sum(plan, months, [c])) : null,
    };
  }
  const ytdPlan = sum(plan, upTo);
  const ytdActual = sum(actual, upTo);
  const last3 = upTo.slice(-3);
  const burn = divideCents(sum(actual, last3), last3.length);
  const forecast = ytdActual + burn * remaining;
  const annualPlan = sum(plan, months);
  const forecastVariance = forecast - annualPlan;
  const monthActual = sum(actual, [month]);
  const unit = (n: number | null) => (n === null || n === 0 ? null : fromCents(divideCents(monthActual, n)));

  return {
    fiscalYear,
    currency,
    byCategory,
    month: { label: month, ...figures(sum(plan, [month]), monthActual) },
    ytd: {
      plan: hasPlan ? fromCents(ytdPlan) : null,
      actual: fromCents(ytdActual),
      variance: hasPlan ? fromCents(ytdActual - ytdPlan) : null,
      variancePct: hasPlan ? pct(ytdActual - ytdPlan, ytdPlan) : null,
    },
    burnRate: fromCents(burn),
    forecast: fromCents(forecast),
    annualPlan: hasPlan ? fromCents(annualPlan) : null,
    forecastVariance: hasPlan ? fromCents(forecastVariance) : null,
    forecastFlagged: flag(forecastVariance, annualPlan),
    unitCosts: {
      costPerAlert: unit(input.counts.alertsCreated),
      costPerCase: unit(input.counts.casesCreated),
      costPerTruePositive: unit(input.counts.truePositivesClosed),
    },
    months: upTo.map((m) => ({
      month: m,
      plan: hasPlan ? fromCents(sum(plan, [m])) : null,
      actual: fromCents(sum(actual, [m])),
    })),
    personnelEstimated,
  };
}
