// The forecast's estimators on histories small enough to compute by hand (docs/forecast.md): the Theil–Sen level,
// the trimmed-mean shape, the 8-week profile window and the 80 % band from the rolling backtest.
import { describe, expect, it } from 'vitest';
import { casesAsDay, type CaseFacts } from '../../shared/domain/facts.js';
import { forecastArrivals, WeeklyArrivals, type WeekCounts } from '../../shared/domain/forecast.js';
import { parsePeriod } from '../../shared/domain/periods.js';

const ONES = new Array<number>(168).fill(1);
/** A plain week (168 real hours) whose bucket h holds `count(h)` arrivals. */
const weekOf = (i: number, count: (h: number) => number): WeekCounts => ({
  label: `w${i}`,
  counts: Array.from({ length: 168 }, (_, h) => count(h)),
  hours: [...ONES],
});
const flat = (perBucket: number[]) => perBucket.map((c, i) => weekOf(i, () => c));

describe('the weekly level: Theil–Sen with a damped slope', () => {
  // Per-bucket counts 2, 10, 2, 6 (a flat shape, so each bucket expects total / 168). Pairwise slopes 8, 0, 4/3,
  // −8, −2, 4: median (0 + 4/3) / 2 = 2/3. Intercepts cᵢ − 2/3·i = 2, 28/3, 2/3, 4: median (2 + 4) / 2 = 3.
  const history = flat([2, 10, 2, 6]);
  it('projects the median slope from the median intercept, damped 0.8 a week', () => {
    // One week ahead: 3 + 2/3 · (3 + 0.8) = 83/15 per bucket.
    for (const x of forecastArrivals(history, ONES).expected) expect(x).toBeCloseTo(83 / 15, 9);
    // Two weeks ahead: 3 + 2/3 · (3 + 0.8 + 0.64) = 5.96 per bucket.
    for (const x of forecastArrivals(history, ONES, 2).expected) expect(x).toBeCloseTo(5.96, 9);
  });

  it('never forecasts a negative week', () => {
    // Counts 9, 6, 3, 0: slope −3, intercept 9: 9 − 3 · 3.8 < 0 → 0.
    const f = forecastArrivals(flat([9, 6, 3, 0]), ONES);
    expect(f.expected.every((x) => x === 0)).toBe(true);
  });
});

describe('the weekly shape: trimmed mean per bucket over the last 8 weeks', () => {
  it('drops the lowest and highest share of each bucket, not the first and last week', () => {
    // Four weeks of 840 arrivals: bucket 0 holds 5, 9, 3, 5 and bucket 1 holds 5, 1, 7, 5; every other bucket 5.
    // Trimmed: bucket 0 keeps 5, 5 and bucket 1 keeps 5, 5, so the shape is flat: 5 everywhere.
    const b0 = [5, 9, 3, 5];
    const b1 = [5, 1, 7, 5];
    const history = [0, 1, 2, 3].map((i) => weekOf(i, (h) => (h === 0 ? b0[i]! : h === 1 ? b1[i]! : 5)));
    for (const x of forecastArrivals(history, ONES).expected) expect(x).toBeCloseTo(5, 9);
  });

  it('reads only the last 8 weeks', () => {
    // Two old weeks put all 840 arrivals in the first half of the week (10 a bucket); the last eight spread them
    // (5 a bucket). The level is 840 throughout; the shape is the last eight weeks': flat.
    const old = [0, 1].map((i) => weekOf(i, (h) => (h < 84 ? 10 : 0)));
    const recent = [2, 3, 4, 5, 6, 7, 8, 9].map((i) => weekOf(i, () => 5));
    for (const x of forecastArrivals([...old, ...recent], ONES).expected) expect(x).toBeCloseTo(5, 9);
  });
});

describe('the 80 % band from the rolling backtest', () => {
  // Eight identical weeks repeating, every 8 hours, the counts 4 4 4 4 4 4 0 12 (so each bucket's forecast is its
  // 1-2-1 smoothed count: 6 4 4 4 4 3 4 7). The backtest of the last six weeks has 1008 Pearson residuals
  // (y − μ)/√μ, 126 of each position: −0.816, 0 ×4, 0.577, −2 and 5/√7 for positions 0 … 7. The 10th percentile
  // (index 100) is −2, the 20th would be −0.816; the 90th (index 907) is 5/√7.
  const p = [4, 4, 4, 4, 4, 4, 0, 12];
  const mu = [6, 4, 4, 4, 4, 3, 4, 7];
  const history = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => weekOf(i, (h) => p[h % 8]!));

  it('is μ − 2√μ … μ + (5/√7)·√μ, the low end never below 0', () => {
    const f = forecastArrivals(history, ONES); // inside the test: a mutant that throws fails it
    for (let h = 0; h < 168; h++) {
      const m = mu[h % 8]!;
      expect(f.expected[h]).toBeCloseTo(m, 9);
      expect(f.low[h]).toBeCloseTo(Math.max(0, m - 2 * Math.sqrt(m)), 9);
      expect(f.high[h]).toBeCloseTo(m + (5 / Math.sqrt(7)) * Math.sqrt(m), 9);
    }
    // Position 7 by hand: 7 − 2√7 = 1.708 and 7 + 5 = 12; position 5: 3 − 2√3 < 0 → 0.
    expect(f.low[7]).toBeCloseTo(1.7085, 4);
    expect(f.high[7]).toBeCloseTo(12, 9);
    expect(f.low[5]).toBe(0);
  });

  it('falls back to a quasi-Poisson band (z = 1.2816·√1.5) when the history is too short to backtest', () => {
    // Three weeks: one backtest week, 168 residuals < 336.
    const g = forecastArrivals(flat([4, 4, 4]), ONES);
    const z = 1.2816 * Math.sqrt(1.5);
    expect(g.expected[0]).toBeCloseTo(4, 9);
    expect(g.low[0]).toBeCloseTo(4 - 2 * z, 9);
    expect(g.high[0]).toBeCloseTo(4 + 2 * z, 9);
  });

  it('expects nothing and allows nothing above 0 in a bucket the target week skips', () => {
    const hours = [...ONES];
    hours[6 * 24 + 1] = 0; // a spring-forward Sunday 01:00
    const g = forecastArrivals(history, hours);
    expect(g.expected[6 * 24 + 1]).toBe(0);
    expect(g.high[6 * 24 + 1]).toBe(0);
    expect(g.low[6 * 24 + 1]).toBe(0);
  });
});

describe('weekly arrivals taken one case at a time', () => {
  const tz = 'UTC';
  const w1 = parsePeriod('2026-W47', { tz, fiscalYearStartMonth: 1 }); // Mon 16 – Mon 23 November
  const w2 = parsePeriod('2026-W48', { tz, fiscalYearStartMonth: 1 });
  const t = (iso: string) => Date.parse(iso);
  let n = 0;
  const kase = (created: string, closed?: string, handle?: number, tier?: number): CaseFacts => ({
    id: `c${++n}`,
    sev: 'low',
    created: t(created),
    ...(closed ? { closed: t(closed) } : {}),
    ...(handle !== undefined ? { handle } : {}),
    ...(tier !== undefined ? { tier } : {}),
  });

  it('counts each arrival in its week and bucket, nothing outside the weeks or at or after asOf', () => {
    const acc = new WeeklyArrivals([w1, w2], { ahtMinutes: { '2': 44 } }, t('2026-11-25T00:00:00Z'));
    acc.addCases(
      casesAsDay([
        kase('2026-11-15T23:00:00Z', '2026-11-16T01:00:00Z', 10), // before the weeks; closed inside: handle 10
        kase('2026-11-16T00:00:00Z'), // W47 bucket 0
        kase('2026-11-22T23:59:00Z', '2026-11-23T00:30:00Z', undefined, 2), // W47 bucket 167; tier 2 AHT 44
        kase('2026-11-24T10:00:00Z', '2026-11-25T00:00:00Z', 99), // W48 bucket 34; closed at asOf: no handle
        kase('2026-11-25T00:00:00Z'), // at asOf: unseen
        kase('2026-11-24T11:00:00Z', '2026-11-30T01:00:00Z', 77), // closed after asOf (and the weeks)
      ]).columns(),
    );
    const [a, b] = acc.result(w1.start);
    const at = (w: WeekCounts) => Object.fromEntries(w.counts.flatMap((c, h) => (c ? [[h, c]] : [])));
    expect(a!.label).toBe('2026-W47');
    expect(at(a!)).toEqual({ 0: 1, 167: 1 });
    expect(at(b!)).toEqual({ 34: 1, 35: 1 });
    expect(acc.aht()).toBe((10 + 44) / 2);
  });

  it('leaves out weeks before the data began, and has none without a case', () => {
    const acc = new WeeklyArrivals([w1, w2], { ahtMinutes: {} });
    expect(acc.result()).toEqual([]);
    expect(acc.aht()).toBe(20);
    acc.addCases(casesAsDay([kase('2026-11-23T10:00:00Z')]).columns());
    // The first case is on Monday 23 November: W47 is before the data, not a week without arrivals.
    expect(acc.result().map((w) => w.label)).toEqual(['2026-W48']);
  });
});
