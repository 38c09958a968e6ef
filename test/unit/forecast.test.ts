import { describe, expect, it } from 'vitest';
import { casesAsDay, type CaseFacts, type ShiftFacts } from '../../shared/domain/facts.js';
import {
  bucketHours,
  buildStaffingForecast,
  describeShortRun,
  forecastAccuracy,
  forecastArrivals,
  historyWeeksFor,
  MIN_HISTORY_WEEKS,
  parseForecastWeek,
  shiftWeek,
  shortRuns,
  WeeklyArrivals,
  type StaffingForecast,
} from '../../shared/domain/forecast.js';
import { hourOfWeek } from '../../shared/domain/staffing.js';
import { buildStaffingSummary } from '../../shared/domain/staffing.js';
import { parsePeriod, type Period } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { isMissing } from '../../shared/domain/summary.js';

const HOUR = 3_600_000;
const settings = MetricSettingsSchema.parse({});

/** A smooth weekly pattern: a daytime hump on weekdays, flatter weekends (cases per real hour). */
const pattern = (h: number) => {
  const d = Math.floor(h / 24);
  const hod = h % 24;
  const day = 1 - Math.cos(((hod - 2) / 24) * 2 * Math.PI); // 0 at 02:00, 2 at 14:00
  return d < 5 ? 8 + 20 * day : 6 + 6 * day;
};

/** Cases created in a week: `perHour(bucket, weekIndex)` of them in every real hour (DST weeks get 167 or 169 hours). */
function casesFor(weeks: Period[], perHour: (bucket: number, w: number) => number, handle = 20): CaseFacts[] {
  const out: CaseFacts[] = [];
  weeks.forEach((week, w) => {
    for (let t = week.start; t < week.end; t += HOUR) {
      const n = Math.round(perHour(hourOfWeek(t, week.tz), w));
      for (let i = 0; i < n; i++) {
        const created = t + Math.floor(((i + 0.5) / n) * HOUR);
        out.push({ id: `c${w}-${t}-${i}`, sev: 'medium', created, closed: created + 30 * 60_000, handle });
      }
    }
  });
  return out;
}

function historyOf(target: Period, perHour: (bucket: number, w: number) => number, count = 14) {
  const { weeks, horizon } = historyWeeksFor(target, target.start, count);
  const acc = new WeeklyArrivals(weeks, settings, target.start);
  acc.addCases(casesAsDay(casesFor(weeks, perHour)).columns());
  return { history: acc.result(), horizon, aht: acc.aht(), weeks };
}

const week = (label: string, tz = 'UTC') => parsePeriod(label, { tz, fiscalYearStartMonth: 1 });

describe('arrivals forecast', () => {
  it('recovers a known weekly pattern from weeks that repeat it', () => {
    const target = week('2026-W49');
    const { history } = historyOf(target, (h) => pattern(h));
    const f = forecastArrivals(history, bucketHours(target));
    expect(f.expected).toHaveLength(168);
    const truth = Array.from({ length: 168 }, (_, h) => Math.round(pattern(h)));
    for (let h = 0; h < 168; h++) {
      // Identical weeks: the shape is the pattern itself, smoothed 1-2-1 with its neighbouring hours.
      const smoothed = (truth[(h + 167) % 168]! + 2 * truth[h]! + truth[(h + 1) % 168]!) / 4;
      expect(f.expected[h]).toBeCloseTo(smoothed, 9);
      expect(f.low[h]!).toBeLessThanOrEqual(f.expected[h]!);
      expect(f.high[h]!).toBeGreaterThanOrEqual(f.expected[h]!);
    }
    // Smoothing blurs the steps a little (weekday to weekend), the pattern stays: hourly error ≤ 3% of the volume.
    const absErr = f.expected.reduce((a, x, h) => a + Math.abs(x - truth[h]!), 0);
    expect(absErr / truth.reduce((a, b) => a + b, 0)).toBeLessThan(0.03);
    const total = f.expected.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(
      truth.reduce((a, b) => a + b, 0),
      6,
    );
  });

  it('follows a trend with a damped slope and does not chase last week burst', () => {
    const target = week('2026-W49');
    // 3 % more each week, and in the last history week a Tuesday 09:00–17:00 burst at three times the usual.
    const grow = (h: number, w: number) => pattern(h) * (1 + 0.03 * w);
    const { history } = historyOf(target, (h, w) =>
      w === 13 && h >= 24 + 9 && h < 24 + 17 ? 3 * grow(h, w) : grow(h, w),
    );
    const f = forecastArrivals(history, bucketHours(target));
    const total = f.expected.reduce((a, b) => a + b, 0);
    const lastNormal = Array.from({ length: 168 }, (_, h) => Math.round(grow(h, 13))).reduce((a, b) => a + b, 0);
    // Above the last (un-burst) week by less than one full week's growth: the damped slope.
    expect(total).toBeGreaterThan(lastNormal * 1.005);
    expect(total).toBeLessThan(lastNormal * 1.03);
    for (let h = 24 + 10; h < 24 + 16; h++) expect(f.expected[h]!).toBeLessThan(grow(h, 14) * 1.15);
  });

  it('keeps 168 local buckets across both London DST changes: a skipped hour expects nothing, a repeated one twice', () => {
    const spring = week('2026-W13', 'Europe/London'); // Sunday 29 March 01:00 → 02:00
    const autumn = week('2026-W43', 'Europe/London'); // Sunday 25 October 02:00 → 01:00
    expect((spring.end - spring.start) / HOUR).toBe(167);
    expect((autumn.end - autumn.start) / HOUR).toBe(169);
    const sunday1 = 6 * 24 + 1;
    expect(bucketHours(spring)[sunday1]).toBe(0);
    expect(bucketHours(autumn)[sunday1]).toBe(2);
    for (const target of [spring, autumn]) {
      const { history } = historyOf(target, (h) => pattern(h));
      const r = buildStaffingForecast({ week: target, history, aht: 20, shifts: undefined, settings });
      if (isMissing(r)) throw new Error(r.reason);
      for (const a of [r.arrivals.expected, r.arrivals.low, r.arrivals.high, r.required, r.requiredHigh])
        expect(a).toHaveLength(168);
      const neighbours = (r.arrivals.expected[sunday1 - 1]! + r.arrivals.expected[sunday1 + 1]!) / 2;
      if (target === spring) expect(r.arrivals.expected[sunday1]).toBe(0);
      else expect(r.arrivals.expected[sunday1]! / neighbours).toBeGreaterThan(1.7);
    }
    // History that itself holds a DST week reads that week per real hour: the forecast for a plain week stays flat.
    const after = week('2026-W45', 'Europe/London');
    const { history } = historyOf(after, () => 5);
    expect(history.map((w) => w.label)).toContain('2026-W43');
    const f = forecastArrivals(history, bucketHours(after));
    for (const x of f.expected) expect(x).toBeCloseTo(5, 6);
  });

  it('reads only whole weeks before the week, and says when there are too few', () => {
    const target = week('2026-W49');
    // Judged on the Thursday before: the current week is incomplete, so the history ends a week earlier.
    const thursday = shiftWeek(target, -1).start + 3 * 24 * HOUR;
    const { weeks, horizon } = historyWeeksFor(target, thursday);
    expect(weeks.at(-1)!.label).toBe('2026-W47');
    expect(horizon).toBe(2);
    // Data starting mid-history: weeks before the first case are unknown, not empty.
    const acc = new WeeklyArrivals(historyWeeksFor(target, target.start).weeks, settings, target.start);
    acc.addCases(casesAsDay(casesFor([shiftWeek(target, -1)], () => 1)).columns());
    const history = acc.result();
    expect(history.map((w) => w.label)).toEqual(['2026-W48']);
    const r = buildStaffingForecast({ week: target, history, aht: 20, shifts: undefined, settings });
    expect(isMissing(r)).toBe(true);
    expect((r as { reason: string }).reason).toMatch(
      new RegExp(`no data for a forecast of 2026-W49: 1 whole ISO week.* at least ${MIN_HISTORY_WEEKS}`),
    );
    expect(() => parseForecastWeek('2026-12', 'UTC')).toThrow(/not an ISO week label/);
  });
});

describe('analysts required next week', () => {
  it('the Erlang C step on a forecast equals the staffing engine on the same arrivals', () => {
    const target = week('2026-W49');
    // Whole numbers the same every week: each forecast hour is (a + 2b + c)/4 of them, a multiple of 1/4.
    const steps = (h: number) => (h < 120 ? 3 + (Math.floor(h / 6) % 4) * 2 : 2);
    const { history, aht } = historyOf(target, steps);
    const cautious = { ...settings, slaTarget: 0.9, slaWithinMinutes: 10, minOnShift: 2 };
    const r = buildStaffingForecast({ week: target, history, aht, shifts: undefined, settings: cautious });
    if (isMissing(r)) throw new Error(r.reason);
    // The engine over June 2026 (four whole ISO weeks, so its arrivals are counts / 4), given 4 × the forecast's
    // arrivals per bucket in the first week and the same handle time: its arrivals are the forecast's exactly.
    const june = parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const first = shiftWeek(parsePeriod('2026-W23', { tz: 'UTC', fiscalYearStartMonth: 1 }), 0);
    const cases = casesFor([first], (h) => 4 * r.arrivals.expected[h]!, aht);
    const engine = buildStaffingSummary({ shifts: [], cases, period: june, asOf: june.end, settings: cautious });
    if (isMissing(engine)) throw new Error(engine.reason);
    expect(engine.weeks).toHaveLength(4);
    for (let h = 0; h < 168; h++) expect(engine.arrivals[h]).toBeCloseTo(r.arrivals.expected[h]!, 9);
    expect(engine.aht).toBe(aht);
    expect(r.required).toEqual(engine.required);
    expect(new Set(r.required).size).toBeGreaterThan(2);
    // The cautious plan is the same step on the interval's high end: never fewer analysts.
    expect(r.requiredHigh.every((x, h) => x >= r.required[h]!)).toBe(true);
    expect(r.requiredHigh.some((x, h) => x > r.required[h]!)).toBe(true);
  });
});

describe('the roster ahead', () => {
  const target = week('2026-W49');
  const at = (h: number, min = 0) => target.start + h * HOUR + min * 60_000;
  const { history, aht } = historyOf(target, () => 2);
  const forecastWith = (shifts: ShiftFacts[] | undefined): StaffingForecast => {
    const r = buildStaffingForecast({ week: target, history, aht, shifts, settings });
    if (isMissing(r)) throw new Error(r.reason);
    return r;
  };

  it('counts analysts per hour from the shifts inside the week, overlaps once, partial hours in proportion', () => {
    const shifts: ShiftFacts[] = [
      { analyst: 'a', tier: 1, start: at(-2), end: at(8) }, // from the week before: only its part inside counts
      { analyst: 'a', tier: 1, start: at(6), end: at(10) }, // overlaps a's own shift: counted once
      { analyst: 'b', tier: 2, start: at(0, 30), end: at(2) }, // half of hour 0
      { analyst: 'c', tier: 1, start: at(167), end: at(170) }, // runs past the week's end
      { analyst: 'd', tier: 1, start: at(200), end: at(208) }, // the week after: not this roster
    ];
    const r = forecastWith(shifts);
    expect(r.scheduled).toHaveLength(168);
    expect(r.scheduled![0]).toBeCloseTo(1.5, 9);
    expect(r.scheduled![1]).toBe(2);
    expect(r.scheduled![7]).toBe(1);
    expect(r.scheduled![9]).toBe(1);
    expect(r.scheduled![10]).toBe(0);
    expect(r.scheduled![167]).toBe(1);
    // Everywhere nobody is rostered the SOC is short its required analysts.
    const expectedGap = r.required.reduce((a, req, h) => a + Math.max(0, req - r.scheduled![h]!), 0);
    expect(r.gap!.analystHours).toBeCloseTo(expectedGap, 9);
    expect(r.gap!.hours).toBe(r.required.filter((req, h) => r.scheduled![h]! < req).length);
    expect(r.gap!.worst).toHaveLength(5);
    expect(r.gap!.worst[0]!.short).toBeGreaterThanOrEqual(r.gap!.worst[4]!.short);
  });

  it('a roster with nothing in the week is unknown, not nobody; no roster source is unknown too', () => {
    expect(forecastWith([{ analyst: 'd', tier: 1, start: at(200), end: at(208) }]).scheduled).toBeNull();
    expect(forecastWith(undefined).gap).toBeNull();
  });

  it('lists short hours as runs a manager can read', () => {
    const required = new Array<number>(168).fill(1);
    const scheduled = new Array<number>(168).fill(1);
    for (const h of [24 + 14, 24 + 15]) scheduled[h] = 0; // Tue 14:00–16:00, short 1
    required[3 * 24 + 21] = 3; // Thu 21:00, short 2
    scheduled[3 * 24 + 21] = 1;
    scheduled[6 * 24 + 23] = 0.5; // Sun 23:00, half an analyst short rounds up to 1
    const runs = shortRuns(required, scheduled);
    expect(runs.map(describeShortRun)).toEqual(['Tue 14:00–16:00 short 1', 'Thu 21:00 short 2', 'Sun 23:00 short 1']);
  });

  it('scores a past forecast against what happened', () => {
    const target2 = week('2026-W48');
    const f = { expected: new Array(168).fill(2), low: new Array(168).fill(1), high: new Array(168).fill(3) };
    const actual = { label: target2.label, counts: new Array(168).fill(2), hours: bucketHours(target2) };
    actual.counts[0] = 6;
    const a = forecastAccuracy(f, actual);
    expect(a.actualTotal).toBe(340);
    expect(a.wape).toBeCloseTo(4 / 340, 12);
    expect(a.coverage).toBeCloseTo(167 / 168, 12);
  });
});
