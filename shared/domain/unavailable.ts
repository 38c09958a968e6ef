import { markUnavailable } from './kpi.js';
import type { StaffingSummary } from './staffing.js';
import { isMissing, type Summary } from './summary.js';

const STAFFING = 'staffing.';

/**
 * The summary with what its sources cannot give said, not shown (the one way: collection records each source's
 * `unavailable`, reports and the API call this): the KPIs' `unavailable` is set (kpi.ts `markUnavailable`), and the
 * figures that would otherwise read as a real 0 are null — the escalation rates; the staffing figures made of case
 * tiers or handle times (`casesPerAnalystHour`, the per-tier case counts, `utilization`, `aht`; required FTE and occupancy
 * then rest on the configured `ahtMinutes`, which the staffing `unavailable` says) — and their trend entries dropped.
 * Durations (`ttd`, `ttc` …) need nothing more: no case carries them, so their statistics are already n 0 and null.
 */
export function markSummaryUnavailable(summary: Summary, unavailable: Record<string, string> | undefined): Summary {
  if (!unavailable) return summary;
  const kpiKeys = Object.fromEntries(Object.entries(unavailable).filter(([k]) => !k.startsWith(STAFFING)));
  const staffingKeys = Object.fromEntries(
    Object.entries(unavailable)
      .filter(([k]) => k.startsWith(STAFFING))
      .map(([k, why]) => [k.slice(STAFFING.length), why]),
  );
  const out: Summary = { ...summary };
  if (!isMissing(summary.kpi) && Object.keys(kpiKeys).length) {
    const kpi = markUnavailable(summary.kpi, kpiKeys);
    if (kpiKeys.escalationRate !== undefined) {
      kpi.escalationRate = null;
      kpi.escalationRateByTier = { '2': null, '3': null };
    }
    if (kpi.trend?.metrics)
      kpi.trend = {
        ...kpi.trend,
        metrics: Object.fromEntries(Object.entries(kpi.trend.metrics).filter(([key]) => !(key in kpiKeys))),
      };
    out.kpi = kpi;
  }
  if (!isMissing(summary.staffing) && Object.keys(staffingKeys).length) {
    const s: StaffingSummary = { ...summary.staffing, unavailable: staffingKeys };
    if (staffingKeys.casesPerAnalystHour !== undefined) {
      s.casesPerAnalystHour = { '1': null, '2': null, '3': null };
      // On-shift hours come from the roster and stand; which tier handled or was escalated to does not.
      s.tiers = Object.fromEntries(
        Object.entries(s.tiers).map(([t, x]) => [t, { ...x, firstHandled: null, escalatedTo: null }]),
      ) as StaffingSummary['tiers'];
    }
    if (staffingKeys.utilization !== undefined) s.utilization = null;
    if (staffingKeys.aht !== undefined) s.aht = null;
    out.staffing = s;
  }
  return out;
}
