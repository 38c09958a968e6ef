import type { CoverageNote } from './coverage.js';
import { pushTo } from './group.js';
import { requiredAgents } from './erlang.js';
import { casesAsDay, NO_CODE, type CaseColumns, type CaseFacts, type ShiftFacts } from './facts.js';
import { isoWeeksInside, offsetAt, type Period } from './periods.js';
import { ahtFor, type MetricSettings } from './settings.js';
import { NumberList, ratio, stableSum } from './stats.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
type TierKey = '1' | '2' | '3';
/** A tier's key by its number (tiers are 1–3; index 0 is never read). */
const TIER_KEYS: readonly TierKey[] = ['1', '1', '2', '3'];
const TIERS: TierKey[] = ['1', '2', '3'];

export interface StaffingSummary {
  weeks: string[];
  /** Mean handle time of the period's closed cases; null where no source gives handle times (see `unavailable`). */
  aht: number | null;
  headcount: Record<TierKey, number>;
  scheduledFte: number;
  requiredFte: number;
  required: number[];
  scheduled: number[];
  arrivals: number[];
  coverageGap: { hours: number; analystHours: number };
  occupancy: { mean: number | null; bucketsAbove85: number };
  utilization: number | null;
  casesPerAnalystHour: Record<TierKey, number | null>;
  /**
   * What `casesPerAnalystHour` is made of, per tier: closed-in-period cases first handled by the tier, those
   * escalated to it (not counted in its rate: METRICS.md counts the first-handling tier), and its on-shift hours.
   */
  tiers: Record<TierKey, { firstHandled: number | null; escalatedTo: number | null; onShiftHours: number }>;
  /** Staffing figures a case source cannot give (`utilization`, `aht` …), with what a reader is told instead. */
  unavailable?: Record<string, string>;
  /** Which parts of the period the roster and case sources did not collect (present when coverage is known). */
  dataCoverage?: CoverageNote;
}

export type Missing = { missing: true; reason: string };

/** Merge each analyst's overlapping shifts so an analyst on two overlapping shifts counts once. */
export function mergeShifts(shifts: ShiftFacts[]): ShiftFacts[] {
  const byAnalyst = new Map<string, ShiftFacts[]>();
  for (const s of shifts) pushTo(byAnalyst, s.analyst, s);
  const out: ShiftFacts[] = [];
  for (const list of byAnalyst.values()) {
    list.sort((a, b) => a.start - b.start);
    let cur = { ...list[0]! };
    for (const s of list.slice(1)) {
      if (s.start <= cur.end) cur.end = Math.max(cur.end, s.end);
      else {
        out.push(cur);
        cur = { ...s };
      }
    }
    out.push(cur);
  }
  return out;
}

/** Hour-of-week bucket (Monday 00:00 local = 0) of an instant: wall-clock based, so DST's repeated hour lands twice in one bucket and the skipped hour's bucket stays empty. */
export function hourOfWeek(ms: number, tz: string): number {
  // Arithmetic on the local instant, not a Date per case: day 0 (1970-01-01) was a Thursday, weekday 3 from Monday.
  const local = ms + offsetAt(ms, tz);
  const day = Math.floor(local / DAY);
  const weekday = (((day + 3) % 7) + 7) % 7;
  return weekday * 24 + Math.floor((local - day * DAY) / HOUR);
}

/** Spread the minutes of [start, end) over local hour-of-week buckets. */
function addInterval(minutes: Float64Array, start: number, end: number, tz: string) {
  let t = start;
  while (t < end) {
    const off = offsetAt(t, tz);
    const nextLocalHour = Math.floor((t + off) / HOUR) * HOUR + HOUR - off;
    const stop = Math.min(end, nextLocalHour > t ? nextLocalHour : t + HOUR);
    minutes[hourOfWeek(t, tz)]! += (stop - t) / 60_000;
    t = stop;
  }
}

/**
 * Analysts on shift per hour-of-week bucket over [from, to) (METRICS.md `scheduled[h]`): analyst-minutes in each local
 * bucket / 60 / `weeks`; pass shifts already merged per analyst (`mergeShifts`) so overlaps count once.
 */
export function scheduledByHourOfWeek(
  merged: ShiftFacts[],
  from: number,
  to: number,
  tz: string,
  weeks: number,
): number[] {
  const minutes = new Float64Array(168);
  for (const s of merged) {
    const a = Math.max(s.start, from);
    const b = Math.min(s.end, to);
    if (a < b) addInterval(minutes, a, b, tz);
  }
  return Array.from(minutes, (m) => m / 60 / weeks);
}

/**
 * Erlang C per bucket (METRICS.md `required[h]`): the fewest analysts meeting `slaTarget` within `slaWithinMinutes`
 * for `arrivals[h]` cases an hour of `aht` minutes each, at least `minOnShift`; 0 for no arrivals and no minimum.
 */
export function requiredByHour(
  arrivals: readonly number[],
  aht: number,
  settings: Pick<MetricSettings, 'slaTarget' | 'slaWithinMinutes' | 'minOnShift'>,
): number[] {
  return arrivals.map((a) => {
    const need = a === 0 ? 0 : requiredAgents((a * aht) / 60, aht, settings.slaWithinMinutes, settings.slaTarget);
    return Math.max(need, settings.minOnShift);
  });
}

/** `coverageGap` of METRICS.md: buckets with scheduled < required, and the analyst-hours short over them. */
export function coverageGap(
  required: readonly number[],
  scheduled: readonly number[],
): { hours: number; analystHours: number } {
  let hours = 0;
  let analystHours = 0;
  for (let h = 0; h < required.length; h++)
    if (scheduled[h]! < required[h]!) {
      hours++;
      analystHours += required[h]! - scheduled[h]!;
    }
  return { hours, analystHours };
}

/**
 * The case side of staffing, taken one case at a time: arrivals per hour-of-week bucket over the whole ISO weeks
 * inside the period, and the handle times and tiers of the closed-in-period cohort.
 */
export class StaffingAccumulator {
  private readonly weeks: Period[];
  private readonly from: number;
  private readonly to: number;
  private readonly arrivalsCount = new Float64Array(168);
  private readonly handles = new NumberList();
  private readonly closedByTier: Record<TierKey, number> = { '1': 0, '2': 0, '3': 0 };
  private readonly escalatedTo: Record<TierKey, number> = { '1': 0, '2': 0, '3': 0 };

  constructor(
    private readonly period: Period,
    private readonly asOf: number,
    private readonly settings: MetricSettings,
  ) {
    this.weeks = isoWeeksInside(period);
    this.from = this.weeks[0]?.start ?? 0;
    this.to = this.weeks.at(-1)?.end ?? 0;
  }

  /** Take a day of cases: an arrival when created inside the whole weeks, a handled case when closed in the period. */
  addCases(cols: CaseColumns): void {
    const { period, asOf, from, to, settings } = this;
    const { start, end, tz } = period;
    const { created, closed, handle, tier, esc } = cols;
    for (let i = 0; i < cols.length; i++) {
      const c = created[i]!;
      if (c >= from && c < to && c < asOf) this.arrivalsCount[hourOfWeek(c, tz)]!++;
      const x = closed[i]!;
      if (x >= start && x < end && x < asOf) {
        const h = handle[i]!;
        const t = tier[i]! === NO_CODE ? 1 : (tier[i]! as 1 | 2 | 3);
        this.handles.push(h === h ? h : ahtFor(settings, t));
        this.closedByTier[TIER_KEYS[t]!]++;
        const e = esc[i]!;
        if (e !== NO_CODE) this.escalatedTo[TIER_KEYS[e]!]++;
      }
    }
  }

  /** Staffing figures of METRICS.md over the whole ISO weeks inside the period, with the roster's shifts. */
  result(shifts: ShiftFacts[] | undefined, hasCases: boolean): StaffingSummary | Missing {
    const { period, weeks } = this;
    if (!shifts) return { missing: true, reason: 'no roster source (shifts)' };
    if (!hasCases) return { missing: true, reason: 'no case source' };
    if (weeks.length === 0) return { missing: true, reason: `${period.label} holds no whole ISO week` };
    return this.figures(shifts);
  }

  private figures(shifts: ShiftFacts[]): StaffingSummary {
    const { period, asOf, settings, weeks, from, to, arrivalsCount, closedByTier } = this;
    const handles = this.handles.values();
    const W = weeks.length;
    const merged = mergeShifts(shifts);

    const scheduled = scheduledByHourOfWeek(merged, from, Math.min(to, asOf), period.tz, W);
    const handled = stableSum(handles);
    const closedCount = handles.length;
    const aht = closedCount ? handled / closedCount : ahtFor(settings, 1);

    const arrivals = Array.from(arrivalsCount, (n) => n / W);
    const required = requiredByHour(arrivals, aht, settings);
    const { hours: gapHours, analystHours: gapAnalystHours } = coverageGap(required, scheduled);
    const occupancies: number[] = [];
    for (let h = 0; h < 168; h++) if (scheduled[h]! > 0) occupancies.push((arrivals[h]! * aht) / 60 / scheduled[h]!);

    // Period-wide figures: shifts clipped to the period itself, not to its whole weeks.
    const onShiftMinutes: Record<TierKey, number> = { '1': 0, '2': 0, '3': 0 };
    const analysts: Record<TierKey, Set<string>> = { '1': new Set(), '2': new Set(), '3': new Set() };
    for (const s of shifts)
      // Rostered shifts not yet begun at asOf (the stored rota ahead) are not on shift yet.
      if (s.start < period.end && s.end > period.start && s.start < asOf)
        analysts[String(s.tier) as TierKey].add(s.analyst);
    for (const s of merged) {
      const a = Math.max(s.start, period.start);
      const b = Math.min(s.end, period.end, asOf);
      if (a < b) onShiftMinutes[String(s.tier) as TierKey] += (b - a) / 60_000;
    }
    const totalOnShift = onShiftMinutes['1'] + onShiftMinutes['2'] + onShiftMinutes['3'];

    return {
      weeks: weeks.map((w) => w.label),
      aht,
      headcount: { '1': analysts['1'].size, '2': analysts['2'].size, '3': analysts['3'].size },
      scheduledFte: stableSum(scheduled) / settings.hoursPerFte,
      requiredFte: required.reduce((a, b) => a + b, 0) / (settings.hoursPerFte * (1 - settings.shrinkage)),
      required,
      scheduled,
      arrivals,
      coverageGap: { hours: gapHours, analystHours: gapAnalystHours },
      occupancy: {
        mean: occupancies.length ? stableSum(occupancies) / occupancies.length : null,
        bucketsAbove85: occupancies.filter((o) => o > 0.85).length,
      },
      utilization: ratio(handled, totalOnShift),
      casesPerAnalystHour: Object.fromEntries(
        TIERS.map((t) => [t, ratio(closedByTier[t], onShiftMinutes[t] / 60)]),
      ) as Record<TierKey, number | null>,
      tiers: Object.fromEntries(
        TIERS.map((t) => [
          t,
          { firstHandled: closedByTier[t], escalatedTo: this.escalatedTo[t], onShiftHours: onShiftMinutes[t] / 60 },
        ]),
      ) as StaffingSummary['tiers'],
    };
  }
}

/** Staffing figures of METRICS.md over the whole ISO weeks inside the period. */
export function buildStaffingSummary(input: {
  shifts: ShiftFacts[] | undefined;
  cases: CaseFacts[] | undefined;
  period: Period;
  asOf: number;
  settings: MetricSettings;
}): StaffingSummary | Missing {
  const acc = new StaffingAccumulator(input.period, input.asOf, input.settings);
  if (input.cases) acc.addCases(casesAsDay(input.cases).columns());
  return acc.result(input.shifts, input.cases !== undefined);
}
