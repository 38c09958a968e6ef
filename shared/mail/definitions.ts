import type { EmailSettings, Section } from './report-model.js';
import { formatRate } from './format.js';

/** Every figure the email shows, defined (METRICS.md, shortened), per section shown. */
export function definitions(sections: readonly Section[], s: EmailSettings): string[] {
  const out = [
    `Low n: a figure from fewer than 10 cases is greyed and marked "low n"; it is shown, never called a change.`,
    'What changed: each figure against the previous period of the same kind; named a change only when p < 0.01 (counts: Poisson; rates: two-proportion z; medians: Mood’s median test). Contributions split the change exactly by severity or rule. Method: docs/what-changed.md.',
  ];
  if (sections.includes('kpi'))
    out.push(
      'Cases and alerts created: created in the period (local time). Open backlog: cases open at the period end (or the report time, if earlier), any creation date; buckets by age.',
      'Time to detect: detection minus first event. Time to acknowledge: first assignment or move to in-progress minus creation; time to contain likewise; cases created in the period.',
      'Time to resolve: close minus creation, cases closed in the period. Medians and p90s are nearest-rank; the mean is secondary.',
      'Resolve median (Kaplan–Meier): over cases created in the period, counting still-open cases as censored at the report time.',
      `SLA compliance: met / (met + breached), cases created in the period, per severity against its targets (acknowledge / resolve); pending cases excluded. Compliance target: ${formatRate(s.slaComplianceTarget)}. Open past resolve SLA: open cases past their resolve target; at risk: 75% of it used.`,
      'False positive rate: false positives / (true + benign + false positives), closed in the period; precision: true positives / the same. Escalation rate: closed cases escalated / closed cases. Cases per alert: cases created / alerts created.',
      'Top rules: alerts created per rule (top 10), its closed cases and their false positive share. Runbooks: closed cases per runbook, their median time to resolve, false positive rate and resolve SLA compliance.',
      `Significant incidents: ${s.significantIncidents.severities.join(', ')} cases and escalated ${s.significantIncidents.escalatedSeverities.join(', ')} cases created or closed in the period; times in the SOC's zone.`,
    );
  if (sections.includes('staffing'))
    out.push(
      'Required analysts per hour of week: Erlang C at the configured service target, from average arrivals over the whole ISO weeks of the period and the average handle time, at least the configured minimum on shift.',
      `Required FTE: required analyst-hours / (hours per FTE × (1 − shrinkage ${Math.round(s.shrinkage * 100)}%)); scheduled FTE: scheduled analyst-hours / ${s.hoursPerFte} hours per FTE. Hours short: hours of the week scheduled below required; analyst-hours short: the sum of the shortfalls.`,
      'Occupancy: offered load / scheduled analysts per hour, mean over staffed hours, and the hours above 85%. Utilization: handle minutes / on-shift minutes.',
      'Analysts: distinct analysts on shift in the period per tier. Cases per analyst-hour: closed cases first handled by the tier / its on-shift hours; escalated cases are counted apart.',
    );
  if (sections.includes('budget'))
    out.push(
      `Variance: actual − plan; variance % = variance / plan. Flagged when both ±${s.varianceThresholdPct}% and ±${s.varianceThresholdAbs} are reached, for months and the forecast.`,
      'Year to date: the fiscal year’s months through the report month that have actuals. Burn rate: mean monthly actual over the last 3 such months. Forecast: year-to-date actual + burn rate × remaining months.',
      "Unit costs: the month's total actual divided by alerts created, cases created, or true positives closed that month.",
    );
  return out;
}
