// `npm run bench forecast`: a rolling backtest of the arrivals forecast (shared/domain/forecast.ts) against two
// baselines computed in the same run — last week's same hour (seasonal naive) and the mean of the last four weeks'
// same hour — and the share of actual hours inside the forecast's 80 % interval.
//
// Honest tuning: the method's constants (weeks, trimming, smoothing, damping) were chosen on the TUNING sets below (a
// different simulator seed and a constructed set with other seeds); the REPORT sets are only measured. The target
// weeks of a backtest are forecast from the weeks before them only (as `socpulse forecast` does: asOf = week start).
import { casesForDay, DEFAULT_PROFILE, mulberry32 } from '../../functions/soc-sim/generate.js';
import {
  bucketHours,
  forecastArrivals,
  shiftWeek,
  WeeklyArrivals,
  type ArrivalForecast,
  type WeekCounts,
} from '../../shared/domain/forecast.js';
import { parsePeriod, type Period } from '../../shared/domain/periods.js';
import { caseFacts, casesAsDay } from '../../shared/domain/facts.js';

const DAY = 86_400_000;
const HISTORY = 14; // PROFILE_WEEKS + CALIBRATION_WEEKS: what the forecast reads before a week

function weeksFrom(first: string, n: number, tz: string): Period[] {
  const w0 = parsePeriod(first, { tz, fiscalYearStartMonth: 1 });
  return Array.from({ length: n }, (_, i) => shiftWeek(w0, i));
}

/** Simulator history: every case soc-sim creates, counted per local hour of week. */
function simulatorWeeks(seed: number, first: string, n: number): WeekCounts[] {
  const weeks = weeksFrom(first, n, 'UTC');
  const acc = new WeeklyArrivals(weeks, { ahtMinutes: {} });
  const profile = { ...DEFAULT_PROFILE, seed };
  for (let d = weeks[0]!.start; d < weeks.at(-1)!.end; d += DAY)
    acc.addCases(casesAsDay(casesForDay(profile, d, Infinity).map((c) => caseFacts(c))).columns());
  return acc.result();
}

function poisson(r: () => number, lambda: number): number {
  // Knuth for small means, normal approximation above (hourly means here stay below ~30).
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(r)));
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > L);
  return k - 1;
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());

/**
 * A constructed SOC in Europe/London (so two DST weeks fall inside): weekday and weekend daily shapes, +1.5 % a week
 * trend, day-to-day noise, a holiday week (weekdays at 40 %) and a burst day (×3 for eight hours).
 */
function constructedWeeks(
  seed: number,
  first: string,
  n: number,
  holidayWeek: number,
  burstWeek: number,
): WeekCounts[] {
  const r = mulberry32(seed);
  const weeks = weeksFrom(first, n, 'Europe/London');
  const weekday = [
    0.6, 0.5, 0.45, 0.45, 0.5, 0.6, 0.9, 1.6, 2.6, 3.2, 3.4, 3.3, 2.9, 3.1, 3.3, 3.1, 2.8, 2.2, 1.6, 1.3, 1.1, 0.9, 0.8,
    0.7,
  ];
  const weekend = [
    0.7, 0.6, 0.55, 0.5, 0.5, 0.55, 0.6, 0.7, 0.9, 1.1, 1.2, 1.25, 1.2, 1.2, 1.15, 1.1, 1.1, 1.0, 1.0, 0.95, 0.9, 0.85,
    0.8, 0.75,
  ];
  const dayFactor = [1.05, 1.1, 1.05, 1.0, 0.9, 1, 1];
  return weeks.map((week, w) => {
    const hours = bucketHours(week);
    const trend = 1.015 ** w;
    const burstDay = Math.floor(r() * 5);
    const dayNoise = Array.from({ length: 7 }, () => 0.88 + 0.24 * r());
    const counts = hours.map((hrs, h) => {
      const d = Math.floor(h / 24);
      const hod = h % 24;
      let rate = (d < 5 ? weekday[hod]! : weekend[hod]!) * dayFactor[d]! * trend * dayNoise[d]!;
      if (w === holidayWeek && d < 5) rate *= 0.4;
      if (w === burstWeek && d === burstDay && hod >= 9 && hod < 17) rate *= 3;
      return poisson(r, rate * hrs);
    });
    return { label: week.label, counts, hours };
  });
}

interface Scores {
  absErr: number;
  actual: number;
  inside: number;
  hours: number;
}
const zero = (): Scores => ({ absErr: 0, actual: 0, inside: 0, hours: 0 });

function score(s: Scores, f: ArrivalForecast | number[], y: WeekCounts) {
  const expected = Array.isArray(f) ? f : f.expected;
  for (let h = 0; h < 168; h++) {
    if (y.hours[h] === 0) continue;
    s.absErr += Math.abs(y.counts[h]! - expected[h]!);
    s.actual += y.counts[h]!;
    s.hours++;
    if (!Array.isArray(f) && y.counts[h]! >= f.low[h]! - 1e-9 && y.counts[h]! <= f.high[h]! + 1e-9) s.inside++;
  }
}

/** Backtest every week from `firstTarget` on, each from the (up to) HISTORY weeks before it. */
function backtest(name: string, weeks: WeekCounts[], firstTarget: number) {
  const model = zero();
  const naive = zero();
  const mean4 = zero();
  let ms = 0;
  let n = 0;
  for (let t = firstTarget; t < weeks.length; t++) {
    const history = weeks.slice(Math.max(0, t - HISTORY), t);
    const target = weeks[t]!;
    const t0 = performance.now();
    const f = forecastArrivals(history, target.hours, 1);
    ms += performance.now() - t0;
    n++;
    score(model, f, target);
    // Baselines per real hour, scaled to the target's bucket hours (a DST bucket is not held against them).
    const perHour = (w: WeekCounts, h: number) => (w.hours[h]! > 0 ? w.counts[h]! / w.hours[h]! : 0);
    score(
      naive,
      target.hours.map((hrs, h) => perHour(history.at(-1)!, h) * hrs),
      target,
    );
    score(
      mean4,
      target.hours.map((hrs, h) => (history.slice(-4).reduce((a, w) => a + perHour(w, h), 0) / 4) * hrs),
      target,
    );
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const wape = (s: Scores) => s.absErr / s.actual;
  const beats = wape(model) < wape(naive) && wape(model) < wape(mean4);
  const cover = model.inside / model.hours;
  console.log(
    `${name.padEnd(44)} weeks ${String(weeks.length - firstTarget).padStart(2)}  WAPE forecast ${pct(wape(model))}` +
      `  seasonal-naive ${pct(wape(naive))}  mean-of-4 ${pct(wape(mean4))}  80% interval holds ${pct(cover)}` +
      `  ${(ms / n).toFixed(2)} ms/forecast  ${beats && cover >= 0.7 && cover <= 0.9 ? 'OK' : 'NOT MET'}`,
  );
}

/** Run the backtests: the tuning sets first (as used to choose constants), then the report sets. */
export async function run(): Promise<void> {
  const t0 = performance.now();
  console.log('tuning sets (constants chosen on these):');
  backtest('simulator seed 101, 2025-W01…W30', simulatorWeeks(101, '2025-W01', 30), HISTORY);
  backtest('constructed seed 5 (holiday W20, burst W22)', constructedWeeks(5, '2025-W01', 32, 20, 22), HISTORY);
  console.log('report sets (measured only):');
  backtest('simulator seed 7, 2026-W10…W48', simulatorWeeks(DEFAULT_PROFILE.seed, '2026-W10', 39), HISTORY);
  // London weeks 2026-W01…W44 hold both DST changes (W13: 29 Mar, W43: 25 Oct); holiday week 24, burst week 27.
  backtest('constructed seed 42, London (holiday, burst)', constructedWeeks(42, '2026-W01', 44, 24, 27), HISTORY);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
