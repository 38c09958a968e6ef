import type { BudgetSummary } from '../domain/budget.js';
import type { Change, ChangeMetric } from '../domain/changes.js';
import type { KpiSummary } from '../domain/kpi.js';
import { SEVERITIES } from '../domain/records.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing, type Summary } from '../domain/summary.js';
import { formatCount, formatMinutes, formatMoney, formatPct, formatRate, humanName } from './format.js';

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

/** A contribution as the email shows it: cases (counts) or percentage points (rates, the median test's share). */
export function contributionText(c: Change, x: number): string {
  const sign = x > 0 ? '+' : x < 0 ? '−' : '';
  if (c.test === 'poisson') return `${sign}${formatCount(Math.abs(x))}`;
  return `${sign}${(Math.abs(x) * 100).toFixed(1)} pts`;
}

/** The group a driver names, in words: "high-severity cases", "rule Impossible travel". */
export function groupText(c: Change, group: string): string {
  if (c.dimension === 'severity') return `${group}-severity cases`;
  return group === '(no rule)' ? 'cases without a rule' : `rule ${group}`;
}

/** One sentence for one tested change (a change, no change, or low n). */
export function changeSentence(c: Change, previousLabel: string): string {
  const label = CHANGE_LABELS[c.metric];
  const from = changeValue(c, c.previous);
  const to = changeValue(c, c.current);
  if (c.verdict === 'low-n')
    return `${label}: too few cases to judge a change (n = ${formatCount(c.n.current)} now, ${formatCount(c.n.previous)} in ${previousLabel}).`;
  if (c.verdict === 'no-change') return `${label} is within normal variation (${from} in ${previousLabel}, ${to} now).`;
  const verb = c.sign > 0 ? 'rose' : 'fell';
  if (c.test === 'poisson' && c.exposure) {
    // Periods of unequal length (months, DST weeks) are compared per day, as the test compares them.
    const perDay = (x: number | null, ms: number) => (x === null ? '—' : formatCount((x * 86_400_000) / ms));
    const driverText = c.driver
      ? `; the largest contribution came from ${groupText(c, c.driver.group)} (${contributionText(c, c.driver.contribution)}, ${Math.round(c.driver.share * 100)}% of the change)`
      : '';
    return `${label} ${verb} from ${perDay(c.previous, c.exposure.previous)} a day in ${previousLabel} to ${perDay(c.current, c.exposure.current)} a day (${to} in all)${driverText}.`;
  }
  const driver = c.driver
    ? `; the largest contribution came from ${groupText(c, c.driver.group)} (${contributionText(c, c.driver.contribution)}, ${Math.round(c.driver.share * 100)}% of the change)`
    : '';
  return `${label} ${verb} from ${from} in ${previousLabel} to ${to}${driver}.`;
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
  if (!changed.length && k.changes?.length)
    out.push(
      `Nothing changed beyond normal variation against ${prev}: ${k.changes.length} figures tested, none moved by more than chance allows.`,
    );
  return out;
}

function budgetSentence(b: BudgetSummary): string {
  const money = (a: string | null) => formatMoney(a, b.currency);
  if (b.month.actual === null) return `No cost data for ${b.month.label}: its spend is unknown, not zero.`;
  if (b.month.variance === null || b.month.plan === null)
    return `${b.month.label} actual spend was ${money(b.month.actual)}; no plan covers the month.`;
  const d = budgetDriver(b);
  const over = Number(b.month.variance) >= 0 ? 'over' : 'under';
  return `${b.month.label} spend was ${money(b.month.actual)}, ${formatPct(b.month.variancePct)} against plan (${money(b.month.variance.replace('-', ''))} ${over})${d ? `, mostly ${humanName(d.category)} (${money(d.variance)})` : ''}${b.month.flagged ? ', beyond the flag thresholds' : ''}.`;
}

function staffingSentence(s: StaffingSummary): string {
  return `${s.scheduledFte.toFixed(1)} FTE were scheduled against ${s.requiredFte.toFixed(1)} required; ${formatCount(s.coverageGap.hours)} hours of the week were short by ${s.coverageGap.analystHours.toFixed(1)} analyst-hours in all.`;
}

/** Two or three sentences for the top of an email, from the sections it shows. */
export function headlineSentences(summary: Summary, sections: readonly string[], slaTarget: number): string[] {
  const out: string[] = [];
  const k = summary.kpi;
  const wantsKpi = sections.includes('kpi') && !isMissing(k);
  if (wantsKpi) out.push(...kpiSentences(k, slaTarget, sections.length > 1 ? 2 : 3));
  if (sections.includes('budget') && !isMissing(summary.budget)) out.push(budgetSentence(summary.budget));
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
  if (sections.includes('budget') && !isMissing(summary.budget) && summary.budget.month.variancePct !== null) {
    const v = summary.budget.month.variancePct;
    parts.push(`budget ${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(Math.round(v))}%`);
  }
  if (sections.includes('staffing') && !isMissing(summary.staffing) && parts.length < 2) {
    const s = summary.staffing;
    parts.push(`${s.scheduledFte.toFixed(1)} FTE scheduled vs ${s.requiredFte.toFixed(1)} required`);
  }
  return parts.slice(0, 3).join(', ');
}
