/**
 * Next week's arrivals, analysts required and analysts rostered, per local hour of week (docs/forecast.md).
 *
 * The model (chosen for a SOC's low hourly counts — a few cases an hour — and for being explainable in one line):
 * - each history week's arrivals per bucket are made rates per real hour (a DST week's doubled bucket counts half,
 *   its skipped one not at all) and normalised to a weekly shape that sums to 1;
 * - the shape of the coming week is, per bucket, the trimmed mean over the last weeks (the lowest and highest dropped,
 *   so one holiday week or one burst does not move it), smoothed 1-2-1 with the neighbouring hours;
 * - the week's total is a Theil–Sen line through the weekly totals (the median of pairwise slopes: a burst or a
 *   holiday week barely moves it), projected ahead with a damped slope;
 * - the 80 % interval per bucket comes from a rolling backtest inside the history: the same forecast made for each
 *   of the last weeks from the weeks before it, its Pearson residuals `(y − μ)/√μ` pooled, and their 10th and 90th
 *   percentiles applied as `μ + q·√μ` — so the band is as wide as this SOC's own forecast errors have been.
 * Pure: no I/O; the loader and the CLI feed it case creation instants and shifts.
 */
import { mergeShifts, coverageGap, hourOfWeek, requiredByHour, scheduledByHourOfWeek } from './staffing.js';
import { NO_CODE, type CaseColumns, type ShiftFacts } from './facts.js';
import {
  formatInstant,
  localFields,
  parsePeriod,
  periodContaining,
  PeriodError,
  zonedTime,
  type Period,
} from './periods.js';
import { ahtFor, type MetricSettings } from './settings.js';
import { stableSum } from './stats.js';

const HOUR = 3_600_000;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Weeks the shape and the level are estimated from (the most recent ones before the target week). */
export const PROFILE_WEEKS = 8;
/** Weeks of the rolling backtest inside the history that calibrates the interval. */
export const CALIBRATION_WEEKS = 6;
/** Fewer whole weeks of history than this and there is no forecast ("no data", never a guess). */
export const MIN_HISTORY_WEEKS = 2;
/** How much of the Theil–Sen slope carries into each further week (damped trend). */
export const TREND_DAMPING = 0.8;
/** Interval quantiles when the history is too short to backtest: a quasi-Poisson band with dispersion 1.5. */
const FALLBACK_Z = 1.2816 * Math.sqrt(1.5);

/** Names the method in every output, so a reader knows what produced the numbers. */
export const FORECAST_METHOD =
  `robust seasonal: per hour of week, trimmed mean of the last ${PROFILE_WEEKS} weeks' shape (1-2-1 smoothed) × ` +
  `Theil–Sen weekly level with damped trend (${TREND_DAMPING}); 80% interval from a rolling backtest of the last ` +
  `${CALIBRATION_WEEKS} weeks' residuals`;

/** One whole week of history: arrivals per local bucket and the real hours each bucket held (DST: 0 or 2). */
export interface WeekCounts {
  label: string;
  counts: number[];
  hours: number[];
}

/** Expected arrivals per bucket and the 80 % prediction interval. */
export interface ArrivalForecast {
  expected: number[];
  low: number[];
  high: number[];
}

export type Missing = { missing: true; reason: string };

/** The ISO week a forecast is for; `--week`/`?week=` take only week labels. */
export function parseForecastWeek(label: string, tz: string): Period {
  if (!/^\d{4}-W\d{2}$/.test(label)) throw new PeriodError(`"${label}" is not an ISO week label (e.g. 2026-W49)`);
  return parsePeriod(label, { tz, fiscalYearStartMonth: 1 });
}

/** The ISO week `n` weeks after (or before, n < 0) `week`, in the same zone. */
export function shiftWeek(week: Period, n: number): Period {
  let w = week;
  const opts = { tz: week.tz, fiscalYearStartMonth: 1 };
  for (let i = 0; i < Math.abs(n); i++) w = periodContaining('week', n > 0 ? w.end : w.start - 1, opts);
  return w;
}

/** Whole weeks the forecast reads before its target week: every history and calibration week. */
export const HISTORY_WEEKS = PROFILE_WEEKS + CALIBRATION_WEEKS;

/**
 * The whole ISO weeks a forecast of `week` judged at `asOf` may read (oldest first: the last complete week before
 * both, and up to HISTORY_WEEKS − 1 before that), and how many weeks ahead of the last of them the target lies.
 */
export function historyWeeksFor(
  week: Period,
  asOf: number,
  count = HISTORY_WEEKS,
): { weeks: Period[]; horizon: number } {
  const cut = Math.min(asOf, week.start);
  let last = shiftWeek(week, -1);
  let horizon = 1;
  while (last.end > cut) {
    last = shiftWeek(last, -1);
    horizon++;
  }
  const weeks = [last];
  while (weeks.length < count) weeks.unshift(shiftWeek(weeks[0]!, -1));
  return { weeks, horizon };
}

/** Real hours inside each local bucket of a week: 1, or 0 and 2 where a DST change skips or repeats an hour. */
export function bucketHours(week: Period): number[] {
  const hours = new Array<number>(168).fill(0);
  for (let t = week.start; t < week.end; t += HOUR)
    hours[hourOfWeek(t, week.tz)]! += Math.min(1, (week.end - t) / HOUR);
  return hours;
}

/**
 * Arrivals per local bucket of consecutive whole ISO weeks, taken one case at a time (cases of other weeks are
 * ignored), with the handle times of cases closed inside those weeks for the average handle time.
 */
export class WeeklyArrivals {
  private readonly counts: Float64Array[];
  private readonly starts: number[];
  private handleSum = 0;
  private handleN = 0;
  private firstCreated = Infinity;

  constructor(
    readonly weeks: Period[],
    private readonly settings: Pick<MetricSettings, 'ahtMinutes'>,
    /** Nothing at or after this instant is visible (a forecast uses only what was known before its week). */
    private readonly asOf = Infinity,
  ) {
    this.counts = weeks.map(() => new Float64Array(168));
    this.starts = weeks.map((w) => w.start);
  }

  /** Take a day of cases: each an arrival in the week it was created in, a handle time if it closed inside the weeks. */
  addCases(cols: CaseColumns): void {
    const { asOf, weeks } = this;
    const { created, closed, handle, tier } = cols;
    for (let i = 0; i < cols.length; i++) {
      const c = created[i]!;
      if (c >= asOf) continue;
      if (c < this.firstCreated) this.firstCreated = c;
      const w = this.weekIndex(c);
      if (w >= 0) this.counts[w]![hourOfWeek(c, weeks[w]!.tz)]!++;
      const x = closed[i]!; // NaN when open: never in a week
      if (x < asOf && this.weekIndex(x) >= 0) {
        const h = handle[i]!;
        const t = tier[i]!;
        this.handleSum += h === h ? h : ahtFor(this.settings, t === NO_CODE ? 1 : (t as 1 | 2 | 3));
        this.handleN++;
      }
    }
  }

  private weekIndex(ms: number): number {
    const { starts, weeks } = this;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ms < starts[mid]!) hi = mid - 1;
      else if (ms >= weeks[mid]!.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /**
   * The weeks' counts, oldest first, leaving out weeks that start before `knownFrom` (the first instant the data
   * covers; default: the local midnight before the earliest case seen): a week before the data began is unknown,
   * never a week with no arrivals.
   */
  result(knownFrom?: number): WeekCounts[] {
    if (knownFrom === undefined) {
      if (this.firstCreated === Infinity) return [];
      const tz = this.weeks[0]!.tz;
      const f = localFields(this.firstCreated, tz);
      knownFrom = zonedTime(f.year, f.month, f.day, tz);
    }
    return this.weeks.flatMap((w, i) =>
      w.start < knownFrom ? [] : [{ label: w.label, counts: Array.from(this.counts[i]!), hours: bucketHours(w) }],
    );
  }

  /** METRICS.md `aht` over the cases closed in these weeks: `ahtMinutes[1]` when none closed. */
  aht(): number {
    return this.handleN ? this.handleSum / this.handleN : ahtFor(this.settings, 1);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Rates per real hour of a week (NaN where the bucket held no hour) and its total scaled to 168 hours. */
function weekRates(w: WeekCounts): { rates: number[]; total: number } {
  const rates = w.counts.map((c, h) => (w.hours[h]! > 0 ? c / w.hours[h]! : NaN));
  const realHours = stableSum(w.hours);
  return { rates, total: realHours > 0 ? (stableSum(w.counts) * 168) / realHours : 0 };
}

/** Mean of the values left after dropping the lowest and the highest (with four or more values). */
function trimmedMean(values: number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const kept = v.length >= 4 ? v.slice(1, -1) : v;
  return stableSum(kept) / kept.length;
}

/** The point forecast per real hour for `horizon` weeks after the last history week (history oldest first). */
function pointRates(history: WeekCounts[], horizon: number): number[] {
  const weeks = history.slice(-PROFILE_WEEKS).map(weekRates);
  // Level and trend: Theil–Sen through the weekly totals, the slope damped as it is carried forward.
  const n = weeks.length;
  const totals = weeks.map((w) => w.total);
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slopes.push((totals[j]! - totals[i]!) / (j - i));
  const slope = slopes.length ? median(slopes) : 0;
  const intercept = median(totals.map((t, i) => t - slope * i));
  let ahead = 0;
  for (let k = 1, d = TREND_DAMPING; k <= horizon; k++, d *= TREND_DAMPING) ahead += d;
  const total = Math.max(0, intercept + slope * (n - 1 + ahead));
  // Shape: each week's rates as shares of its total, trimmed mean per bucket, then 1-2-1 across neighbouring hours.
  const shares = weeks.map((w) => w.rates.map((r) => (w.total > 0 ? r / w.total : NaN)));
  const raw = Array.from({ length: 168 }, (_, h) => trimmedMean(shares.map((s) => s[h]!)));
  const filled = raw.map((x, h) => (Number.isNaN(x) ? (raw[(h + 167) % 168]! + raw[(h + 1) % 168]!) / 2 || 0 : x));
  const smooth = filled.map((x, h) => (filled[(h + 167) % 168]! + 2 * x + filled[(h + 1) % 168]!) / 4);
  const sum = stableSum(smooth);
  return smooth.map((x) => (sum > 0 ? (x / sum) * total : 0));
}

/**
 * Forecast the arrivals per bucket of a week `horizon` weeks after the last history week (1 = the next week), with
 * the 80 % interval calibrated on the history's own backtest. `targetHours` are the target week's `bucketHours`.
 */
export function forecastArrivals(history: WeekCounts[], targetHours: readonly number[], horizon = 1): ArrivalForecast {
  const rates = pointRates(history, horizon);
  // Rolling backtest inside the history: each of the last weeks forecast from the weeks before it.
  const z: number[] = [];
  for (let k = Math.max(MIN_HISTORY_WEEKS, history.length - CALIBRATION_WEEKS); k < history.length; k++) {
    const trainEnd = k - horizon + 1;
    if (trainEnd < MIN_HISTORY_WEEKS) continue;
    const past = pointRates(history.slice(0, trainEnd), horizon);
    const week = history[k]!;
    for (let h = 0; h < 168; h++) {
      if (week.hours[h] === 0) continue;
      const mu = past[h]! * week.hours[h]!;
      z.push((week.counts[h]! - mu) / Math.sqrt(Math.max(mu, 0.25)));
    }
  }
  let qLow = -FALLBACK_Z;
  let qHigh = FALLBACK_Z;
  if (z.length >= 168 * 2) {
    z.sort((a, b) => a - b);
    qLow = z[Math.floor(0.1 * (z.length - 1))]!;
    qHigh = z[Math.ceil(0.9 * (z.length - 1))]!;
  }
  const expected = rates.map((r, h) => r * targetHours[h]!);
  const spread = (mu: number) => Math.sqrt(Math.max(mu, 0.25));
  return {
    expected,
    low: expected.map((mu) => Math.max(0, mu + qLow * spread(mu))),
    high: expected.map((mu, h) => (targetHours[h] === 0 ? 0 : Math.max(mu, mu + qHigh * spread(mu)))),
  };
}

/** The staffing look-ahead of one week (the `socpulse forecast` JSON; docs/forecast.md). */
export interface StaffingForecast {
  week: { label: string; start: string; end: string; tz: string };
  arrivals: ArrivalForecast;
  required: number[];
  requiredHigh: number[];
  scheduled: number[] | null;
  gap: { hours: number; analystHours: number; worst: { hour: number; short: number }[] } | null;
  method: string;
}

/** What the forecast is computed with: whole weeks before the target, the roster, and how far ahead it is. */
export interface ForecastInput {
  week: Period;
  history: WeekCounts[];
  aht: number;
  /** Shifts overlapping the target week; undefined when no roster source exists. */
  shifts: ShiftFacts[] | undefined;
  settings: Pick<MetricSettings, 'slaTarget' | 'slaWithinMinutes' | 'minOnShift'>;
  /** Weeks from the last history week to the target (1 = the target follows the history directly). */
  horizon?: number;
}

/**
 * Arrivals, analysts required (Erlang C from the forecast and from the interval's high end), analysts rostered and
 * where the roster falls short, for one coming week; missing with the reason when there is too little history.
 */
export function buildStaffingForecast(input: ForecastInput): StaffingForecast | Missing {
  const { week, history, aht, settings } = input;
  if (history.length < MIN_HISTORY_WEEKS)
    return {
      missing: true,
      reason: `no data for a forecast of ${week.label}: ${history.length} whole ISO week(s) of cases before it, at least ${MIN_HISTORY_WEEKS} needed`,
    };
  const arrivals = forecastArrivals(history, bucketHours(week), input.horizon ?? 1);
  const required = requiredByHour(arrivals.expected, aht, settings);
  const requiredHigh = requiredByHour(arrivals.high, aht, settings);
  const inWeek = input.shifts?.filter((s) => s.start < week.end && s.end > week.start);
  // A roster with no shift at all in the week is a rota not yet published: unknown, never "nobody on shift".
  const scheduled =
    inWeek && inWeek.length > 0 ? scheduledByHourOfWeek(mergeShifts(inWeek), week.start, week.end, week.tz, 1) : null;
  return {
    week: {
      label: week.label,
      start: formatInstant(week.start, week.tz),
      end: formatInstant(week.end, week.tz),
      tz: week.tz,
    },
    arrivals,
    required,
    requiredHigh,
    scheduled,
    gap: scheduled ? gapOf(required, scheduled) : null,
    method: FORECAST_METHOD,
  };
}

/** The coverage gap of the forecast and the five buckets short by the most analysts (ties: earliest first). */
function gapOf(required: number[], scheduled: number[]): NonNullable<StaffingForecast['gap']> {
  const worst = required
    .map((r, hour) => ({ hour, short: r - scheduled[hour]! }))
    .filter((x) => x.short > 1e-9)
    .sort((a, b) => b.short - a.short || a.hour - b.hour)
    .slice(0, 5);
  return { ...coverageGap(required, scheduled), worst };
}

/** The look ahead of the weekly staffing email: next week's forecast, and how last week's forecast did. */
export interface StaffingLookAhead {
  forecast: StaffingForecast | Missing;
  review: { week: string; forecast: ArrivalForecast; actual: number[]; accuracy: ForecastAccuracy } | Missing;
}

/** A run of consecutive short buckets with the same whole number of analysts short. */
export interface ShortRun {
  from: number;
  /** Exclusive. */
  to: number;
  short: number;
}

/** Short hours as runs ("Tue 14:00–16:00 short 1"): analysts short rounded up, runs split at day ends. */
export function shortRuns(required: readonly number[], scheduled: readonly number[]): ShortRun[] {
  const runs: ShortRun[] = [];
  for (let h = 0; h < 168; h++) {
    const short = Math.ceil(required[h]! - scheduled[h]! - 1e-9);
    if (short <= 0) continue;
    const last = runs.at(-1);
    if (last && last.to === h && last.short === short && h % 24 !== 0) last.to = h + 1;
    else runs.push({ from: h, to: h + 1, short });
  }
  return runs;
}

const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;

/** "Tue 14:00–16:00 short 1", or "Thu 21:00 short 2" for a single hour. */
export function describeShortRun(r: ShortRun): string {
  const day = DAY_NAMES[Math.floor(r.from / 24)]!;
  const span = r.to - r.from === 1 ? hh(r.from) : `${hh(r.from)}–${r.to % 24 === 0 ? '24:00' : hh(r.to)}`;
  return `${day} ${span} short ${r.short}`;
}

/** How a past week's forecast did: weighted absolute percentage error and the share of hours inside the band. */
export interface ForecastAccuracy {
  expectedTotal: number;
  actualTotal: number;
  wape: number | null;
  coverage: number;
}

/** Compare a forecast with what happened (buckets that held no real hour are left out). */
export function forecastAccuracy(f: ArrivalForecast, actual: WeekCounts): ForecastAccuracy {
  let absErr = 0;
  let inside = 0;
  let n = 0;
  for (let h = 0; h < 168; h++) {
    if (actual.hours[h] === 0) continue;
    const y = actual.counts[h]!;
    absErr += Math.abs(y - f.expected[h]!);
    if (y >= f.low[h]! - 1e-9 && y <= f.high[h]! + 1e-9) inside++;
    n++;
  }
  const actualTotal = stableSum(actual.counts);
  return {
    expectedTotal: stableSum(f.expected),
    actualTotal,
    wape: actualTotal > 0 ? absErr / actualTotal : null,
    coverage: n ? inside / n : 0,
  };
}
