import { isMissing, type Summary } from '../../domain/summary.js';
import { formatCount, formatMoney, formatPct, formatRate } from '../format.js';
import { worstResolveSla } from '../headline.js';
import type { EmailSettings } from '../report-model.js';
import type { Tile } from '../tiles.js';
import { commonKpiTiles, lowNRate, severityName } from './kpi.js';

/** The executive summary's six tiles: KPI, SLA, budget and staffing on one phone screen. */
export function executiveTiles(summary: Summary, s: EmailSettings): Tile[] {
  const target = s.slaComplianceTarget;
  const out: Tile[] = [];
  const k = summary.kpi;
  const nodata = (label: string, why: string): Tile => ({ label, value: 'no data', sub: why, tone: 'neutral' });
  if (!isMissing(k)) {
    const worst = worstResolveSla(k, target);
    const crit =
      worst ??
      (() => {
        const r = k.bySeverity.critical.sla.resolve;
        return r ? { severity: 'critical', compliance: r.compliance, met: r.met, breached: r.breached } : null;
      })();
    out.push(
      ...commonKpiTiles(k, 'Resolve SLA, all'),
      crit
        ? {
            label: `${severityName(crit.severity)} resolve SLA`,
            value: formatRate(crit.compliance),
            sub: `target ${Math.round(target * 100)}%; ${formatCount(crit.met)} met, ${formatCount(crit.breached)} breached`,
            tone: crit.compliance !== null && crit.compliance < target ? 'worse' : 'better',
            lowN: lowNRate(crit.met, crit.breached),
          }
        : nodata('Critical resolve SLA', 'no critical target'),
    );
  } else
    out.push(
      nodata('Cases created', k.reason),
      nodata('Time to resolve', k.reason),
      nodata('Resolve SLA', k.reason),
      nodata('Critical resolve SLA', k.reason),
    );
  const b = summary.budget;
  if (!isMissing(b) && b.month.actual === null) out.push(nodata('Budget vs plan', `no cost data for ${b.month.label}`));
  else if (!isMissing(b))
    out.push({
      label: `Budget vs plan`,
      value: formatPct(b.month.variancePct),
      // Whole amounts, cents and all: a figure is never cut short (the tile's line wraps instead).
      sub: `${formatMoney(b.month.actual, b.currency)} of ${formatMoney(b.month.plan, b.currency).replace(/^[A-Z]{3} /, '')}${b.month.flagged ? ', flagged' : ''}`,
      tone: b.month.flagged ? 'worse' : 'neutral',
    });
  else out.push(nodata('Budget vs plan', b.reason));
  const st = summary.staffing;
  if (!isMissing(st))
    out.push({
      label: 'Scheduled FTE',
      value: st.scheduledFte.toFixed(1),
      sub: `required ${st.requiredFte.toFixed(1)}; ${formatCount(st.coverageGap.hours)} h short`,
      tone: st.coverageGap.hours ? 'worse' : 'better',
    });
  else out.push(nodata('Scheduled FTE', st.reason));
  return out;
}
