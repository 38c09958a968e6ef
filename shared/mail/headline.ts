import type { BudgetSummary } from '../domain/budget.js';
import type { Change, ChangeMetric } from '../domain/changes.js';
import type { KpiSummary } from '../domain/kpi.js';
import { SEVERITIES } from '../domain/records.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing, type Summary } from '../domain/summary.js';
import {
  formatCount,
  formatMinutes,
  formatMoney,
  formatPct,
  formatRate,
  formatYmd,
  humanName,
  listMonths,
} from './format.js';

/**
 * The words of every email's headline, made only from figures the email shows (docs/what-changed.md): no language
 * model, no guess. Each sentence names the figure, its value and, for a change, the test and the driver, so a reader
 * can find every number in the "What changed" table or the tiles.
 */

/** Display names of the tested figures. */
export const CHANGE_LABELS: Record<ChangeMetric, string> = {
  'cases.created': 'Cases created',
  'alerts.created': 'Alerts created',
  'sla.resolve.compliance': 'Resolve SLA compliance',
  'sla.acknowledge.compliance': 'Acknowledge SLA compliance',
  'ttr.p50': 'Median time to resolve',
  'tta.p50': 'Median time to acknowledge',
  falsePositiveRate: 'False positive rate',
};

/** A tested figure's value as the email shows it. */
export function changeValue(c: Change, v: number | null): string {
  if (c.test === 'poisson') return formatCount(v);
  if (c.test === 'median') return formatMinutes(v);
  return formatRate(v);
}

/** A rate's move in percentage points, signed: "−9.6 pts" (rates move in points, never in relative %). */
export function pointsText(x: number): string {
  const pts = Math.abs(x * 100).toFixed(1);
  return `${x > 0 && pts !== '0.0' ? '+' : x < 0 && pts !== '0.0' ? '−' : ''}${pts} pts`;
}

/** A contribution as the email shows it: cases (counts) or percentage points (rates, the median test's share). */
export function contributionText(c: Change, x: number): string {
  if (c.test === 'poisson') return `${x > 0 ? '+' : x < 0 ? '−' : ''}${formatCount(Math.abs(x))}`;
  return pointsText(x);
}

/** How much a changed figure moved from its usual value: "+190", "−9.6 pts", "+2 h 5 min". */
export function moveText(c: Change): string {
  if (c.current === null || c.baseline === null) return '—';
  const d = c.current - c.baseline;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '';
  if (c.test === 'poisson') return `${sign}${formatCount(Math.abs(d))}`;
  if (c.test === 'median') return `${sign}${formatMinutes(Math.abs(d))}`;
  return pointsText(d);
}

/** The group a driver names, in words: "high-severity cases", "rule Impossible travel". */
export function groupText(c: Pick<Change, 'dimension'>, group: string): string {
  if (c.dimension === 'severity') return `${group}-severity cases`;
  return group === '(no rule)' ? 'cases without a rule' : `rule ${group}`;
}

/** The kind of period a label names, in words ("week", "month" …), for "the 12 weeks before". */
export function periodWord(label: string, plural = false): string {
  const w = /W\d\d$/.test(label)
    ? 'week'
    : /^\d{4}-\d{2}$/.test(label)
      ? 'month'
      : /Q\d$/.test(label)
        ? 'quarter'
        : /^FY/.test(label)
          ? 'fiscal year'
          : 'day';
  return plural ? `${w}s` : w;
}

/** What a figure was compared with, in words: "its usual 1,050 (12 weeks before)" or "1,050 in 2026-W46". */
export function comparedWith(c: Change, previousLabel: string): string {
  if (c.method === 'history')
    return `a usual ${changeValue(c, c.baseline)} (the ${c.periods} ${periodWord(previousLabel, c.periods !== 1)} before, at the same age)`;
  // Counts over periods of unequal length (months, DST weeks) are compared at the previous period's rate.
  if (c.test === 'poisson' && c.exposure && c.exposure.current !== c.exposure.previous)
    return `${changeValue(c, c.baseline)} at ${previousLabel}'s rate (${changeValue(c, c.previous)} in all)`;
  return `${changeValue(c, c.previous)} in ${previousLabel}`;
}

/** The figure an entry is about, in words: the whole figure's name, or one group's share of it. */
export function changeSubject(c: Change): string {
  const label = CHANGE_LABELS[c.metric];
  if (c.group === undefined) return label;
  if (c.metric === 'alerts.created') return `Alerts of ${groupText(c, c.group)}`;
  if (c.metric === 'cases.created') return `${humanName(c.group)}-severity cases created`;
  return `${label} of ${groupText(c, c.group)}`;
}

/** The driver of a whole figure's change, in words, with the mix effect of a rate. */
function driverText(c: Change): string {
  if (!c.driver && c.test === 'median' && c.group === undefined)
    return '; no severity’s own times changed beyond noise: the mix of severities moved it';
  if (!c.driver) return '';
  const who = groupText(c, c.driver.group);
  // A rate's driver is a group's own rate ("high-severity cases' own rate"), apart from the mix.
  const own = c.test === 'two-proportion' ? `${who.endsWith('s') ? "'" : "'s"} own rate` : '';
  const mix =
    c.mix !== undefined && Math.abs(c.mix) >= 0.0005
      ? `; the mix of ${c.dimension === 'severity' ? 'severities' : 'rules'} moved it ${pointsText(c.mix)}`
      : '';
  return `; most of it from ${who}${own} (${contributionText(c, c.driver.contribution)})${mix}`;
}

/** One sentence for one tested figure (a change, no change, low n or no data). */
export function changeSentence(c: Change, previousLabel: string): string {
  const subject = changeSubject(c);
  const to = changeValue(c, c.current);
  if (c.verdict === 'no-data') return `${subject}: no data for ${previousLabel} to compare with.`;
  if (c.verdict === 'low-n')
    return `${subject}: too few cases to judge a change (n = ${formatCount(c.n.current)} now, ${formatCount(c.n.baseline)} in a usual ${periodWord(previousLabel)}).`;
  if (c.verdict === 'no-change')
    return `${subject} is within normal variation (${to} now, against ${comparedWith(c, previousLabel)}).`;
  const verb = c.sign > 0 ? 'rose' : 'fell';
  const by = c.test === 'two-proportion' ? ` by ${pointsText(Math.abs(c.total)).replace(/^[+−]/, '')}` : '';
  return `${subject} ${verb}${by} to ${to}, against ${comparedWith(c, previousLabel)}${driverText(c)}.`;
}

/** The resolve-SLA figure leadership must see first: the severity furthest below target with enough cases. */
export function worstResolveSla(
  k: KpiSummary,
  target: number,
): { severity: string; compliance: number; met: number; breached: number } | null {
  let worst: { severity: string; compliance: number; met: number; breached: number } | null = null;
  for (const s of SEVERITIES) {
    const r = k.bySeverity[s].sla.resolve;
    if (!r || r.compliance === null || r.met + r.breached < 10 || r.compliance >= target) continue;
    if (!worst || r.compliance < worst.compliance)
      worst = { severity: s, compliance: r.compliance, met: r.met, breached: r.breached };
  }
  return worst;
}

/** Budget driver: the category whose variance contributes most in the direction of the month's total variance. */
export function budgetDriver(b: BudgetSummary): { category: string; variance: string } | null {
  const total = Number(b.month.variance ?? 0);
  if (!total) return null;
  let best: { category: string; variance: string } | null = null;
  for (const [category, f] of Object.entries(b.byCategory)) {
    const v = Number(f.variance ?? 0);
    if (Math.sign(v) !== Math.sign(total)) continue;
    if (!best || Math.abs(v) > Math.abs(Number(best.variance))) best = { category, variance: f.variance! };
  }
  return best;
}

/**
 * What the previous period's figures leave out, beside its trend: closures in it of cases created before the case data
 * begins (`casesFrom`) are in none of its figures. Said when the data begins later than the previous period's start
 * less the period's p90 time to resolve (one case in ten takes that long), so such closures are likely; else undefined.
 */
export function previousNotCollected(k: KpiSummary): string | undefined {
  const p = k.trend?.previous;
  if (!p?.casesFrom || k.trend?.missing) return undefined;
  const from = Date.parse(p.casesFrom);
  // Wholly before the data begins: it has no figures to leave anything out of (the changes say "no data").
  if (from >= Date.parse(p.end)) return undefined;
  const reach = (k.ttr.p90 ?? 0) * 60_000;
  if (from <= Date.parse(p.start) - reach) return undefined;
  const day = formatYmd(p.casesFrom.slice(0, 10), true);
  return `${p.label} is not complete for comparison: its figures over closed cases (time to resolve, false positive rate, quality) leave out cases created before ${day}, the first day of data, and closed in ${p.label}.`;
}

/** What the changes were judged against, in words: the history, the budget, and any caveat. */
export function basisText(k: KpiSummary): string {
  const b = k.changesBasis;
  const prev = k.trend?.previous.label ?? 'the previous period';
  if (!b) return '';
  const against =
    b.method === 'history'
      ? `against the ${b.periods} ${periodWord(prev, b.periods !== 1)} before (${b.from} to ${b.to}), each judged at the same age, and the spread those ${periodWord(prev, true)} show`
      : `against ${prev} alone`;
  const caveat = b.caveat ? ` Caution: ${b.caveat}.` : '';
  return `Judged ${against}; ${formatCount(b.tests)} tests (figures, and each severity and rule) share a ${Math.round(b.falseDiscoveryRate * 100)}% false-alarm budget.${caveat}`;
}

/** The sentences of a KPI section's headline: the SLA against target, then the largest changes (or none). */
function kpiSentences(k: KpiSummary, target: number, max: number): string[] {
  const out: string[] = [];
  const worst = worstResolveSla(k, target);
  if (worst)
    out.push(
      `${humanName(worst.severity)} resolve SLA was ${formatRate(worst.compliance)} (${formatCount(worst.met)} met, ${formatCount(worst.breached)} breached) against a ${formatRate(target)} target.`,
    );
  const prev = k.trend?.previous.label ?? 'the previous period';
  const changed = (k.changes ?? []).filter((c) => c.verdict === 'changed');
  for (const c of changed.slice(0, Math.max(1, max - out.length))) out.push(changeSentence(c, prev));
  const b = k.changesBasis;
  if (!changed.length && k.changes?.length && k.changes.every((c) => c.verdict === 'no-data'))
    // Nothing was compared: never "nothing changed".
    out.push(`No comparison: ${prev} has no data to compare with.`);
  else if (!changed.length && k.changes?.length && b?.method === 'history')
    out.push(
      `Nothing changed beyond normal variation: ${formatCount(b.tests)} tests against the ${b.periods} ${periodWord(prev, true)} before, none beyond what those ${periodWord(prev, true)} show.`,
    );
  else if (!changed.length && k.changes?.length && b)
    out.push(
      `Nothing changed beyond textbook variation against ${prev}, the only comparable ${periodWord(prev)} with data (too little history to learn the usual spread).`,
    );
  else if (changed.some((c) => c.method === 'previous'))
    out.push(`Caution: judged against ${prev} alone, with too little history to know how much figures usually vary.`);
  return out;
}

/** A year figure's variance against its plan in %, rounded as every budget figure is (formatPct), or null. */
export function forecastVariancePct(b: BudgetSummary): number | null {
  if (b.forecastVariance === null || b.annualPlan === null || Number(b.annualPlan) === 0) return null;
  return (100 * Number(b.forecastVariance)) / Number(b.annualPlan);
}

/** The month's spend against plan, its driver and flag; with `year`, year to date and the year-end forecast too. */
function budgetSentences(b: BudgetSummary, year: boolean): string[] {
  const money = (a: string | null) => formatMoney(a, b.currency);
  if (b.month.actual === null) return [`No cost data for ${b.month.label}: its spend is unknown, not zero.`];
  if (b.month.variance === null || b.month.plan === null)
    return [`${b.month.label} actual spend was ${money(b.month.actual)}; no plan covers the month.`];
  const noRoster = b.personnelWithoutShifts;
  if (noRoster.includes(b.month.label))
    // Personnel is estimated from rosters and none was read for the month: the total is not the month's spend.
    return [
      `${b.month.label} spend was ${money(b.month.actual)} without personnel: it is estimated from rosters, and no roster was read for ${b.month.label}, so the month is not compared with plan.`,
    ];
  const d = budgetDriver(b);
  const over = Number(b.month.variance) >= 0 ? 'over' : 'under';
  const fy = forecastVariancePct(b);
  const forecast =
    fy === null
      ? ''
      : `the year-end forecast is ${formatPct(fy)} against the annual plan${b.forecastFlagged ? ', flagged' : ''}`;
  const ytd = b.ytd.variancePct === null ? '' : `year to date is ${formatPct(b.ytd.variancePct)} against plan`;
  const month = `${b.month.label} spend was ${money(b.month.actual)}, ${formatPct(b.month.variancePct)} against plan (${money(b.month.variance.replace('-', ''))} ${over})${d ? `, mostly ${humanName(d.category)} (${money(d.variance)})` : ''}${b.month.flagged ? ', flagged' : ''}`;
  // Earlier months without a roster count no personnel: year to date and the forecast understate it.
  const yearDoubt = noRoster.length
    ? `Year to date and the year-end forecast are not compared with plan: they count no personnel for ${listMonths(noRoster)}, where no roster was read`
    : '';
  if (!year)
    // Beside other sections: one sentence, with the forecast only when it is flagged.
    return [`${month}${b.forecastFlagged && forecast && !yearDoubt ? `; ${forecast}` : ''}.`];
  if (yearDoubt) return [`${month}.`, `${yearDoubt}.`];
  const rest = [ytd, forecast].filter(Boolean).join('; ');
  return [`${month}.`, ...(rest ? [`${rest[0]!.toUpperCase()}${rest.slice(1)}.`] : [])];
}

function staffingSentence(s: StaffingSummary): string {
  const hours =
    s.coverageGap.hours === 1 ? '1 hour of the week was' : `${formatCount(s.coverageGap.hours)} hours of the week were`;
  return `${s.scheduledFte.toFixed(1)} FTE were scheduled against ${s.requiredFte.toFixed(1)} required; ${hours} short by ${s.coverageGap.analystHours.toFixed(1)} analyst-hours in all.`;
}

/** Two or three sentences for the top of an email, from the sections it shows. */
export function headlineSentences(summary: Summary, sections: readonly string[], slaTarget: number): string[] {
  const out: string[] = [];
  const k = summary.kpi;
  const wantsKpi = sections.includes('kpi') && !isMissing(k);
  if (wantsKpi) out.push(...kpiSentences(k, slaTarget, sections.length > 1 ? 2 : 3));
  if (sections.includes('budget') && !isMissing(summary.budget))
    out.push(...budgetSentences(summary.budget, sections.length === 1));
  if (sections.includes('staffing') && !isMissing(summary.staffing) && out.length < 3)
    out.push(staffingSentence(summary.staffing));
  return out.slice(0, 3);
}

/** The figure a subject line carries, e.g. "critical resolve SLA 51% (target 90%), budget +24%". */
export function subjectFigures(summary: Summary, sections: readonly string[], slaTarget: number): string {
  const parts: string[] = [];
  const k = summary.kpi;
  const pct = (r: number) => `${Math.round(r * 100)}%`;
  if (sections.includes('kpi') && !isMissing(k)) {
    const worst = worstResolveSla(k, slaTarget);
    if (worst) parts.push(`${worst.severity} resolve SLA ${pct(worst.compliance)} (target ${pct(slaTarget)})`);
    else if (k.sla.resolve.compliance !== null)
      parts.push(`resolve SLA ${pct(k.sla.resolve.compliance)} (target ${pct(slaTarget)})`);
    parts.push(`${formatCount(k.cases.created)} cases`);
  }
  if (
    sections.includes('budget') &&
    !isMissing(summary.budget) &&
    summary.budget.month.variancePct !== null &&
    // A month without its roster has no personnel estimate: its variance is not the month's (budgetSentences).
    !summary.budget.personnelWithoutShifts.includes(summary.budget.month.label)
  ) {
    // Rounded as the body rounds it (formatPct), and flagged only where the body flags it.
    parts.push(
      `budget ${formatPct(summary.budget.month.variancePct)}${summary.budget.month.flagged ? ' (flagged)' : ''}`,
    );
  }
  if (sections.includes('staffing') && !isMissing(summary.staffing) && parts.length < 2) {
    const s = summary.staffing;
    parts.push(`${s.scheduledFte.toFixed(1)} FTE scheduled vs ${s.requiredFte.toFixed(1)} required`);
  }
  return parts.slice(0, 3).join(', ');
}
