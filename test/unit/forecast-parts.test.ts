// The forecast's week arithmetic, its staffing step, its short-hour runs and its accuracy check on cases small
// enough to compute by hand (docs/forecast.md). Fast on purpose: the one-file mutation run of forecast.ts uses
// this file and forecast-estimators.test.ts.
import { describe, expect, it } from 'vitest';
import {
  bucketHours,
  buildStaffingForecast,
  describeShortRun,
  forecastAccuracy,
  forecastArrivals,
  historyWeeksFor,
  parseForecastWeek,
  shiftWeek,
  shortRuns,
  WeeklyArrivals,
  type WeekCounts,
} from '../../shared/domain/forecast.js';
import { casesAsDay, type CaseFacts, type ShiftFacts } from '../../shared/domain/facts.js';
import { parsePeriod, PeriodError } from '../../shared/domain/periods.js';
import { isMissing } from '../../shared/domain/summary.js';

const HOUR = 3_600_000;
const ONES = new Array<number>(168).fill(1);
// Fixtures from periods.ts: forecast.ts runs only inside the tests (a mutant that throws then fails a test).
const w49 = parsePeriod('2026-W49', { tz: 'UTC', fiscalYearStartMonth: 1 });
const iso = (ms: number) => new Date(ms).toISOString();
const plainWeek = (label: string, count: (h: number) => number, hours = ONES): WeekCounts => ({
  label,
  counts: Array.from({ length: 168 }, (_, h) => count(h)),
  hours: [...hours],
});
// 1.2816 · √1.5: the fallback band's quantile when there is too little history to backtest.
const Z = 1.2816 * Math.sqrt(1.5); // 1.569631…

describe('weeks', () => {
  it('parses only ISO week labels', () => {
    expect(parseForecastWeek('2026-W49', 'UTC')).toEqual(w49);
    expect(parseForecastWeek('2026-W13', 'Europe/London')).toEqual(
      parsePeriod('2026-W13', { tz: 'Europe/London', fiscalYearStartMonth: 1 }),
    );
    // 1 January 2026 is a Thursday, so W01 starts Monday 29 December 2025 and W49 336 days later: 30 November.
    expect([iso(w49.start), iso(w49.end)]).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(w49.label).toBe('2026-W49');
    for (const bad of ['2026-12', '2026-W4', 'x2026-W49', '2026-W49x', '2026-W49 ', '26-W49', '2026-W4x'])
      expect(() => parseForecastWeek(bad, 'UTC')).toThrow(PeriodError);
    expect(() => parseForecastWeek('2026-12', 'UTC')).toThrow('"2026-12" is not an ISO week label (e.g. 2026-W49)');
  });

  it('shifts by whole ISO weeks either way', () => {
    expect(shiftWeek(w49, 2).label).toBe('2026-W51');
    expect(shiftWeek(w49, -3).label).toBe('2026-W46');
    expect(shiftWeek(w49, 0).label).toBe('2026-W49');
    // Across the year end: 2026 has 53 ISO weeks (it starts on a Thursday), so W49 + 4 is 2026-W53 (Monday 28
    // December) and + 5 is 2027-W01.
    expect(shiftWeek(w49, 4).label).toBe('2026-W53');
    expect(shiftWeek(w49, 5).label).toBe('2027-W01');
  });

  it('reads the whole weeks ended by min(asOf, week start), oldest first', () => {
    // Judged at W49's start (= W48's end, the half-open boundary): W48 is whole, one week ahead.
    const atStart = historyWeeksFor(w49, w49.start, 3);
    expect(atStart.weeks.map((w) => w.label)).toEqual(['2026-W46', '2026-W47', '2026-W48']);
    expect(atStart.horizon).toBe(1);
    // One millisecond earlier W48 is not over: the history ends at W47, two weeks ahead.
    const justBefore = historyWeeksFor(w49, w49.start - 1, 3);
    expect(justBefore.weeks.map((w) => w.label)).toEqual(['2026-W45', '2026-W46', '2026-W47']);
    expect(justBefore.horizon).toBe(2);
    // Judged after the week began: still only what ended before it.
    const later = historyWeeksFor(w49, w49.start + 3 * 24 * HOUR);
    expect(later.horizon).toBe(1);
    // By default 8 + 6 = 14 weeks: W35 … W48.
    expect(later.weeks.map((w) => w.label)).toEqual(
      Array.from({ length: 14 }, (_, i) => `2026-W${String(35 + i).padStart(2, '0')}`),
    );
  });

  it('counts the real hours in each local bucket', () => {
    expect(bucketHours(w49)).toEqual(ONES);
    // London: Sunday 29 March 2026 01:00 is skipped, Sunday 25 October 01:00 happens twice (bucket 6·24 + 1 = 145).
    const spring = bucketHours(parseForecastWeek('2026-W13', 'Europe/London'));
    const autumn = bucketHours(parseForecastWeek('2026-W43', 'Europe/London'));
    expect(spring[145]).toBe(0);
    expect(autumn[145]).toBe(2);
    expect(spring.reduce((a, b) => a + b)).toBe(167);
    expect(autumn.reduce((a, b) => a + b)).toBe(169);
    expect(spring.filter((x) => x !== 1)).toEqual([0]);
    expect(autumn.filter((x) => x !== 1)).toEqual([2]);
    // Lord Howe Island moves its clocks by half an hour (Sunday 4 October 2026, 02:00 → 02:30): the week holds
    // 167.5 real hours, so one bucket holds half an hour.
    const lordHowe = bucketHours(parsePeriod('2026-W40', { tz: 'Australia/Lord_Howe', fiscalYearStartMonth: 1 }));
    expect(lordHowe.reduce((a, b) => a + b)).toBe(167.5);
    expect(lordHowe.filter((x) => x === 0.5)).toHaveLength(1);
  });
});

describe('the forecast at its edges', () => {
  it('a history without arrivals expects nothing, its band only the fallback above 0', () => {
    // Every share is 0/0: the shape falls back to 0, the total is 0. Low: max(0, 0 − Z·√0.25) = 0; high:
    // max(0, 0 + Z·√0.25) = Z/2 ≈ 0.785 (the spread of a zero forecast is √0.25), and 0 where the target has no hour.
    const hours = [...ONES];
    hours[145] = 0;
    const f = forecastArrivals([plainWeek('a', () => 0), plainWeek('b', () => 0)], hours);
    expect(f.expected.every((x) => x === 0)).toBe(true);
    expect(f.low.every((x) => x === 0)).toBe(true);
    expect(f.high[0]).toBeCloseTo(Z / 2, 9);
    expect(f.high[145]).toBe(0);
  });

  it('reads a bucket that held two real hours per hour', () => {
    // Bucket 145 held two hours (a repeated 01:00) and 2 arrivals: 1 an hour, like every other bucket. Each week's
    // total is (167 + 2) · 168 / 169 = 168, the shape flat: 1 an hour everywhere, 2 in a target bucket of 2 hours.
    const hours = [...ONES];
    hours[145] = 2;
    const history = ['a', 'b'].map((l) => plainWeek(l, (h) => (h === 145 ? 2 : 1), hours));
    const f = forecastArrivals(history, hours);
    expect(f.expected[145]).toBeCloseTo(2, 9);
    for (let h = 0; h < 168; h++) if (h !== 145) expect(f.expected[h]).toBeCloseTo(1, 9);
  });

  it('a bucket no history week held an hour takes the mean of its neighbours', () => {
    // Two weeks of one arrival an hour, bucket 5 without an hour in either (0 arrivals): the total is
    // 167 · 168 / 167 = 168, each share 1/168, bucket 5's share (1/168 + 1/168)/2: flat, 1 an hour everywhere.
    const hours = [...ONES];
    hours[5] = 0;
    const history = ['a', 'b'].map((l) => plainWeek(l, (h) => (h === 5 ? 0 : 1), hours));
    const f = forecastArrivals(history, ONES);
    for (const x of f.expected) expect(x).toBeCloseTo(1, 9);
  });
});

describe('the staffing forecast of a week', () => {
  // Two weeks of one case an hour: Theil–Sen slope 0, level 168, flat shape: expected 1 in every hour. Two weeks
  // leave no backtest week (k runs from 2 to 1), so the band is the fallback: low max(0, 1 − Z) = 0, high 1 + Z.
  const history = [plainWeek('2026-W47', () => 1), plainWeek('2026-W48', () => 1)];
  const settings = { slaTarget: 0.9, slaWithinMinutes: 15, minOnShift: 1 };
  const at = (h: number) => w49.start + h * HOUR;
  const forecastWith = (shifts: ShiftFacts[] | undefined) => {
    const r = buildStaffingForecast({ week: w49, history, aht: 20, shifts, settings });
    if (isMissing(r)) throw new Error(r.reason);
    return r;
  };

  it('expects the arrivals and the analysts they need, from the forecast and from its high end', () => {
    const r = forecastWith(undefined);
    expect(r.week).toEqual({
      label: '2026-W49',
      start: '2026-11-30T00:00:00+00:00',
      end: '2026-12-07T00:00:00+00:00',
      tz: 'UTC',
    });
    for (const x of r.arrivals.expected) expect(x).toBeCloseTo(1, 9);
    expect(r.arrivals.low.every((x) => x === 0)).toBe(true);
    for (const x of r.arrivals.high) expect(x).toBeCloseTo(1 + Z, 9);
    // Erlang C, aht 20 min, 90 % within 15 min. Expected 1/h: A = 1/3 erlang. c = 1: Pw = A = 1/3,
    // SL = 1 − (1/3)·e^(−(2/3)·15/20) = 0.798; c = 2: A²/2 · 2/(2 − A) = 1/15, Pw = (1/15)/(4/3 + 1/15) = 0.0476,
    // SL = 1 − 0.0476·e^(−(5/3)·0.75) = 0.986 ≥ 0.9 → 2.
    expect(new Set(r.required)).toEqual(new Set([2]));
    // High 1 + Z = 2.5696/h: A = 0.8565. c = 2: A²/2 · 2/(2 − A) = 0.6416, Pw = 0.6416/(1.8565 + 0.6416) = 0.2568,
    // SL = 1 − 0.2568·e^(−1.1435·0.75) = 0.891 < 0.9; c = 3: A³/6 · 3/(3 − A) = 0.1466,
    // Pw = 0.1466/(2.2234 + 0.1466) = 0.0619, SL = 1 − 0.0619·e^(−2.1435·0.75) = 0.988 → 3.
    expect(new Set(r.requiredHigh)).toEqual(new Set([3]));
    expect(r.scheduled).toBeNull();
    expect(r.gap).toBeNull();
    expect(r.method).toBe(
      "robust seasonal: per hour of week, trimmed mean of the last 8 weeks' shape (1-2-1 smoothed) × " +
        "Theil–Sen weekly level with damped trend (0.8); 80% interval from a rolling backtest of the last 6 weeks' residuals",
    );
  });

  it('says there is no forecast with one week of history', () => {
    const r = buildStaffingForecast({ week: w49, history: history.slice(1), aht: 20, shifts: undefined, settings });
    expect(r).toEqual({
      missing: true,
      reason: 'no data for a forecast of 2026-W49: 1 whole ISO week(s) of cases before it, at least 2 needed',
    });
    // Two weeks are enough.
    expect(isMissing(buildStaffingForecast({ week: w49, history, aht: 20, shifts: undefined, settings }))).toBe(false);
  });

  it('compares the roster with the 2 analysts required: the gap and the five worst hours', () => {
    const r = forecastWith([
      { analyst: 'a', tier: 1, start: at(0), end: at(100) },
      { analyst: 'a', tier: 1, start: at(101), end: at(168) }, // nobody at hour 100
      { analyst: 'b', tier: 2, start: at(0), end: at(2) }, // two analysts in hours 0 and 1
      { analyst: 'c', tier: 1, start: at(-8), end: at(0) }, // ends as the week starts: not in it
      { analyst: 'd', tier: 1, start: at(168), end: at(176) }, // starts as the week ends: not in it
    ]);
    const scheduled = new Array<number>(168).fill(1);
    scheduled[0] = scheduled[1] = 2;
    scheduled[100] = 0;
    expect(r.scheduled).toEqual(scheduled);
    // Short: 0 in hours 0 and 1, 2 in hour 100, 1 in the other 165 hours: 166 hours, 165 + 2 = 167 analyst-hours.
    // Worst: hour 100 (short 2), then the earliest of the ties: 2, 3, 4, 5.
    expect(r.gap).toEqual({
      hours: 166,
      analystHours: 167,
      worst: [
        { hour: 100, short: 2 },
        { hour: 2, short: 1 },
        { hour: 3, short: 1 },
        { hour: 4, short: 1 },
        { hour: 5, short: 1 },
      ],
    });
  });

  it('lists only the hours that are short, however few', () => {
    const r = forecastWith([
      { analyst: 'a', tier: 1, start: at(0), end: at(168) },
      { analyst: 'b', tier: 1, start: at(0), end: at(100) },
      { analyst: 'b', tier: 1, start: at(101), end: at(168) },
    ]);
    // Two analysts everywhere but hour 100 (one): short 1 there, nowhere else.
    expect(r.gap).toEqual({ hours: 1, analystHours: 1, worst: [{ hour: 100, short: 1 }] });
  });

  it('a roster whose shifts only touch the week is not published for it', () => {
    const r = forecastWith([
      { analyst: 'c', tier: 1, start: at(-8), end: at(0) },
      { analyst: 'd', tier: 1, start: at(168), end: at(176) },
    ]);
    expect(r.scheduled).toBeNull();
    expect(r.gap).toBeNull();
  });
});

describe('short hours as runs', () => {
  it('splits runs at day ends and where the shortfall changes; rounds the shortfall up', () => {
    const required = new Array<number>(168).fill(1);
    const scheduled = new Array<number>(168).fill(1);
    scheduled[22] = scheduled[23] = scheduled[24] = 0; // Mon 22:00–24:00 and Tue 00:00, short 1
    scheduled[50] = 0; // Wed 02:00 short 1 …
    required[51] = 3; // … then Wed 03:00 short 2: a new run
    required[60] = 1.2; // Wed 12:00: 0.2 short rounds up to 1
    required[70] = 1 + 1e-12; // Wed 22:00: a rounding error is not short
    scheduled[166] = scheduled[167] = 0; // Sun 22:00–24:00
    const runs = shortRuns(required, scheduled);
    expect(runs).toEqual([
      { from: 22, to: 24, short: 1 },
      { from: 24, to: 25, short: 1 },
      { from: 50, to: 51, short: 1 },
      { from: 51, to: 52, short: 2 },
      { from: 60, to: 61, short: 1 },
      { from: 166, to: 168, short: 1 },
    ]);
    expect(runs.map(describeShortRun)).toEqual([
      'Mon 22:00–24:00 short 1',
      'Tue 00:00 short 1',
      'Wed 02:00 short 1',
      'Wed 03:00 short 2',
      'Wed 12:00 short 1',
      'Sun 22:00–24:00 short 1',
    ]);
    expect(describeShortRun({ from: 33, to: 36, short: 4 })).toBe('Tue 09:00–12:00 short 4');
  });
});

describe('how a past forecast did', () => {
  const f = { expected: new Array(168).fill(2), low: new Array(168).fill(1), high: new Array(168).fill(3) };

  it('WAPE over the real hours and the share of hours inside the band, edges inside', () => {
    const hours = [...ONES];
    hours[5] = 0; // a skipped hour: left out, although 0 arrivals against 2 expected
    const actual = plainWeek('w', (h) => [1, 3, 0, 4, 2, 0][h] ?? 2, hours);
    const a = forecastAccuracy(f, actual);
    // Actual: 1 + 3 + 0 + 4 + 2 + 0 + 162 · 2 = 334; expected 336. Errors |1−2| + |3−2| + |0−2| + |4−2| = 6.
    // Inside [1, 3]: every real hour but hours 2 (0) and 3 (4): 167 − 2 = 165 of 167.
    expect(a).toEqual({ expectedTotal: 336, actualTotal: 334, wape: 6 / 334, coverage: 165 / 167 });
  });

  it('no arrivals: no WAPE; no real hour: no coverage', () => {
    expect(
      forecastAccuracy(
        f,
        plainWeek('w', () => 0),
      ).wape,
    ).toBeNull();
    expect(
      forecastAccuracy(
        f,
        plainWeek('w', () => 0),
      ).coverage,
    ).toBe(0); // 0 is below every low of 1
    expect(
      forecastAccuracy(
        f,
        plainWeek('w', () => 2, new Array(168).fill(0)),
      ).coverage,
    ).toBe(0);
  });
});

describe('weekly arrivals at the week boundaries', () => {
  const w47 = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 }); // Mon 16 – Mon 23 November
  const w48 = parsePeriod('2026-W48', { tz: 'UTC', fiscalYearStartMonth: 1 });
  const kase = (id: string, created: number, over: Partial<CaseFacts> = {}): CaseFacts => ({
    id,
    sev: 'low',
    created,
    ...over,
  });
  const nonZero = (w: WeekCounts) => Object.fromEntries(w.counts.flatMap((c, h) => (c ? [[h, c]] : [])));

  it('a case created exactly at a week end belongs to the next week; before the first or at the last end, to none', () => {
    const acc = new WeeklyArrivals([w47, w48], { ahtMinutes: {} });
    acc.addCases(
      casesAsDay([
        kase('a', w47.end), // = W48's start: W48 bucket 0
        kase('b', w47.end - 1), // W47's last millisecond: bucket 167
        kase('c', w47.start - 1), // before the weeks (but the first case: the data begin on Sunday 15th)
        kase('d', w48.end), // after the weeks
      ]).columns(),
    );
    const [a, b] = acc.result();
    expect(a!.label).toBe('2026-W47');
    expect(nonZero(a!)).toEqual({ 167: 1 });
    expect(nonZero(b!)).toEqual({ 0: 1 });
  });

  it('the data begin at the local midnight of the earliest case, whatever order cases come in', () => {
    const acc = new WeeklyArrivals([w47, w48], { ahtMinutes: {} });
    // The W47 case comes after the later one: W47 is still known.
    acc.addCases(casesAsDay([kase('late', w48.start + 5 * HOUR)]).columns());
    acc.addCases(casesAsDay([kase('early', w47.start + 30 * HOUR)]).columns());
    expect(acc.result().map((w) => w.label)).toEqual(['2026-W48']); // 17 November 06:00: W47 began before the data
    const only48 = new WeeklyArrivals([w47, w48], { ahtMinutes: {} });
    only48.addCases(casesAsDay([kase('x', w48.start + 5 * HOUR)]).columns());
    // Told the data cover W47 from its start, W47 is a week of no arrivals, not unknown.
    expect(only48.result(w47.start).map((w) => [w.label, w.counts.reduce((p, q) => p + q)])).toEqual([
      ['2026-W47', 0],
      ['2026-W48', 1],
    ]);
    const first = new WeeklyArrivals([w47, w48], { ahtMinutes: {} });
    first.addCases(casesAsDay([kase('z', w47.start), kase('y', w48.start + 5 * HOUR)]).columns()); // earliest first
    expect(first.result().map((w) => w.label)).toEqual(['2026-W47', '2026-W48']);
  });

  it('the handle time of cases closed inside the weeks before asOf, by tier where unknown', () => {
    const asOf = w48.end - HOUR;
    const acc = new WeeklyArrivals([w47, w48], { ahtMinutes: { '1': 10, '2': 30, '3': 50 } }, asOf);
    acc.addCases(
      casesAsDay([
        kase('h', w47.start - HOUR, { closed: w47.start, handle: 7 }), // closed at the first week's start: 7
        kase('t3', w47.start, { closed: w47.start + HOUR, tier: 3 }), // no handle time, tier 3: 50
        kase('none', w47.start, { closed: w47.start + HOUR }), // no handle time, no tier: tier 1's 10
        kase('late', w47.start, { closed: asOf, handle: 1000 }), // closed at asOf: unseen
        kase('before', w47.start - 2 * HOUR, { closed: w47.start - 1, handle: 1000 }), // closed before the weeks
      ]).columns(),
    );
    // (7 + 50 + 10) / 3
    expect(acc.aht()).toBeCloseTo(67 / 3, 12);
  });
});
