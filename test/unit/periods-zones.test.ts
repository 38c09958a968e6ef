import { describe, expect, it } from 'vitest';
import {
  comparablePeriods,
  exposureOf,
  formatInstant,
  isoWeeksInside,
  labelContaining,
  lastCompletePeriod,
  localDayNumber,
  localDaysOf,
  localFields,
  localMonth,
  monthsOfFiscalYear,
  offsetAt,
  parsePeriod,
  periodContaining,
  pointInTimeOf,
  quoteLabel,
  zonedTime,
} from '../../shared/domain/periods.js';

// Every instant and offset below was computed with Python's zoneinfo and datetime (python3 3.x, the system tz
// database), never with this code: `datetime(y, m, d, h, mi, tzinfo=ZoneInfo(tz), fold=0)` for a wall time,
// `date.isocalendar()` / `date.fromisocalendar()` for ISO weeks.
const z = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const utc = { tz: 'UTC', fiscalYearStartMonth: 1 };
const ny = { tz: 'America/New_York', fiscalYearStartMonth: 1 };
const span = (p: { start: number; end: number }) => [new Date(p.start).toISOString(), new Date(p.end).toISOString()];

describe('zonedTime: wall times across DST changes', () => {
  it('resolves a repeated time to its first occurrence, west and east of UTC', () => {
    // New York falls back at 02:00 EDT on 2026-11-01: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(zonedTime(2026, 11, 1, 'America/New_York', 1, 30)).toBe(z('2026-11-01T05:30:00Z'));
    // London falls back at 02:00 BST on 2026-10-25: 01:30 at 00:30Z (BST) and 01:30Z (GMT).
    expect(zonedTime(2026, 10, 25, 'Europe/London', 1, 30)).toBe(z('2026-10-25T00:30:00Z'));
    // Berlin: 02:30 at 00:30Z (CEST) and 01:30Z (CET).
    expect(zonedTime(2026, 10, 25, 'Europe/Berlin', 2, 30)).toBe(z('2026-10-25T00:30:00Z'));
  });

  it('shifts a skipped time forward by the jump', () => {
    // New York springs forward 02:00 EST → 03:00 EDT on 2026-03-08 (07:00Z): 02:30 is 03:30 EDT.
    expect(zonedTime(2026, 3, 8, 'America/New_York', 2, 30)).toBe(z('2026-03-08T07:30:00Z'));
    expect(zonedTime(2026, 3, 8, 'America/New_York', 3, 0)).toBe(z('2026-03-08T07:00:00Z'));
    expect(zonedTime(2026, 3, 8, 'America/New_York', 1, 59)).toBe(z('2026-03-08T06:59:00Z'));
    // London 01:00 GMT → 02:00 BST on 2026-03-29: 01:30 is 02:30 BST.
    expect(zonedTime(2026, 3, 29, 'Europe/London', 1, 30)).toBe(z('2026-03-29T01:30:00Z'));
  });

  it('starts a day at its first midnight, or just after a skipped one, and in a half-hour zone', () => {
    // São Paulo skipped midnight on 2018-11-04 (00:00 -03 → 01:00 -02): that day began at 03:00Z and had 23 hours.
    const sp = parsePeriod('2018-11-04', { tz: 'America/Sao_Paulo', fiscalYearStartMonth: 1 });
    expect(span(sp)).toEqual(['2018-11-04T03:00:00.000Z', '2018-11-05T02:00:00.000Z']);
    // Amman repeated midnight on 2021-10-29 (01:00 +03 → 00:00 +02): that day began at the first, 21:00Z, and had
    // 25 hours; the day before had 24.
    const amman = { tz: 'Asia/Amman', fiscalYearStartMonth: 1 };
    expect(span(parsePeriod('2021-10-29', amman))).toEqual(['2021-10-28T21:00:00.000Z', '2021-10-29T22:00:00.000Z']);
    expect(span(parsePeriod('2021-10-28', amman))).toEqual(['2021-10-27T21:00:00.000Z', '2021-10-28T21:00:00.000Z']);
    // 00:30 +03 (the first one) lies in the day containing it.
    const firstHalfHour = z('2021-10-28T21:30:00Z');
    const day = periodContaining('day', firstHalfHour, amman);
    expect(day.label).toBe('2021-10-29');
    expect(day.start <= firstHalfHour && firstHalfHour < day.end).toBe(true);
    expect(zonedTime(2026, 11, 23, 'Asia/Kolkata')).toBe(z('2026-11-22T18:30:00Z'));
  });
});

describe('offsetAt', () => {
  it('changes at the transition instant, on a day it is asked about more than once', () => {
    for (let twice = 0; twice < 2; twice++) {
      expect(offsetAt(z('2026-03-08T06:59:59.999Z'), 'America/New_York')).toBe(-5 * H);
      expect(offsetAt(z('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-4 * H);
      expect(offsetAt(z('2026-03-08T23:00:00Z'), 'America/New_York')).toBe(-4 * H);
      expect(offsetAt(z('2026-10-25T00:59:59.999Z'), 'Europe/London')).toBe(H);
      expect(offsetAt(z('2026-10-25T01:00:00Z'), 'Europe/London')).toBe(0);
    }
  });

  it('is right on a transition day first asked about after its transition', () => {
    // No other test here touches these days: New York springs forward on 2027-03-14 at 07:00Z, London falls back
    // on 2027-10-31 at 01:00Z.
    expect(offsetAt(z('2027-03-14T12:00:00Z'), 'America/New_York')).toBe(-4 * H);
    expect(offsetAt(z('2027-03-14T06:59:00Z'), 'America/New_York')).toBe(-5 * H);
    expect(offsetAt(z('2027-10-31T12:00:00Z'), 'Europe/London')).toBe(0);
  });

  it('keeps zones apart when they alternate', () => {
    const t = z('2026-07-01T12:00:00Z');
    expect(offsetAt(t, 'Asia/Kolkata')).toBe(5.5 * H);
    expect(offsetAt(t, 'America/New_York')).toBe(-4 * H);
    expect(offsetAt(t, 'Asia/Kolkata')).toBe(5.5 * H);
    expect(offsetAt(t, 'Asia/Kathmandu')).toBe(5.75 * H);
  });

  it('answers outside its table of days (1900–2173) too', () => {
    // Local mean time before standard time: Kolkata +5:53:28 and New York -4:56:02 in 1850.
    expect(offsetAt(z('1850-01-15T00:00:00Z'), 'Asia/Kolkata')).toBe((5 * 3600 + 53 * 60 + 28) * 1000);
    expect(offsetAt(z('1850-01-15T00:00:00Z'), 'America/New_York')).toBe(-17_762_000);
    expect(offsetAt(z('1899-12-31T12:00:00Z'), 'America/New_York')).toBe(-5 * H);
    expect(offsetAt(z('1900-01-01T12:00:00Z'), 'America/New_York')).toBe(-5 * H);
    // 2173-10-15 is the table's last day, 2173-10-16 the first after it.
    expect(offsetAt(z('2173-10-15T12:00:00Z'), 'America/New_York')).toBe(-4 * H);
    expect(offsetAt(z('2173-10-16T12:00:00Z'), 'America/New_York')).toBe(-4 * H);
    expect(offsetAt(z('2250-01-15T00:00:00Z'), 'America/New_York')).toBe(-5 * H);
  });
});

describe('local fields and formats', () => {
  it('formats an instant with its offset: negative, half-hour and three-quarter-hour zones', () => {
    expect(formatInstant(z('2026-01-15T14:05:00Z'), 'America/New_York')).toBe('2026-01-15T09:05:00-05:00');
    expect(formatInstant(z('2026-07-15T13:05:00Z'), 'America/New_York')).toBe('2026-07-15T09:05:00-04:00');
    expect(formatInstant(z('2026-07-15T03:35:00Z'), 'Asia/Kolkata')).toBe('2026-07-15T09:05:00+05:30');
    expect(formatInstant(z('2026-07-15T11:35:00Z'), 'America/St_Johns')).toBe('2026-07-15T09:05:00-02:30');
    expect(formatInstant(z('2026-07-14T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-07-15T00:00:00+05:45');
  });

  it('gives the local day number, month and ISO weekday in the zone', () => {
    // 2026-11-24 is day 20781 after 1970-01-01.
    expect(localDayNumber(z('2026-11-23T18:30:00Z'), 'Asia/Kolkata')).toBe(20_781);
    expect(localDayNumber(z('2026-11-23T18:29:59Z'), 'Asia/Kolkata')).toBe(20_780);
    expect(localMonth(z('2026-11-30T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-12');
    expect(localMonth(z('2026-11-30T18:29:59Z'), 'Asia/Kolkata')).toBe('2026-11');
    expect(localFields(z('2026-11-23T12:00:00Z'), 'UTC')).toEqual({
      year: 2026,
      month: 11,
      day: 23,
      hour: 12,
      minute: 0,
      weekday: 1, // a Monday
    });
    expect(localFields(z('2026-11-30T03:59:00Z'), 'America/New_York')).toMatchObject({ day: 29, weekday: 7, hour: 22 });
  });

  it('quotes a label of at most 40 characters whole, a longer one cut', () => {
    expect(quoteLabel('x'.repeat(40))).toBe(`"${'x'.repeat(40)}"`);
    expect(quoteLabel('x'.repeat(41))).toBe(`"${'x'.repeat(40)}…"`);
  });
});

describe('ISO weeks', () => {
  it('labels the days around new year with their ISO week-year', () => {
    const week = (iso: string) => labelContaining('week', z(iso), utc);
    expect(week('2021-01-03T12:00:00Z')).toBe('2020-W53');
    expect(week('2021-01-04T00:00:00Z')).toBe('2021-W01');
    expect(week('2024-12-30T00:00:00Z')).toBe('2025-W01');
    expect(week('2027-01-03T23:59:00Z')).toBe('2026-W53');
    expect(week('2008-12-29T00:00:00Z')).toBe('2009-W01');
    expect(week('2010-01-03T00:00:00Z')).toBe('2009-W53');
    expect(week('2026-11-22T12:00:00Z')).toBe('2026-W47');
  });

  it('has week 53 exactly in the years that have one', () => {
    for (const [y, monday] of [
      [2015, '2015-12-28'],
      [2020, '2020-12-28'],
      [2032, '2032-12-27'],
    ] as const)
      expect(new Date(parsePeriod(`${y}-W53`, utc).start).toISOString().slice(0, 10)).toBe(monday);
    expect(() => parsePeriod('2021-W53', utc)).toThrow(/2021 has ISO weeks 01–52/);
    expect(() => parsePeriod('2026-W00', utc)).toThrow(/2026 has ISO weeks 01–53/);
    expect(span(parsePeriod('2026-W01', utc))).toEqual(['2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z']);
  });

  it('makes New York DST weeks 167 and 169 hours long', () => {
    expect(span(parsePeriod('2026-W10', ny))).toEqual(['2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(span(parsePeriod('2026-W44', ny))).toEqual(['2026-10-26T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });

  it('lists the whole weeks inside a month, a first Monday and a last Sunday included', () => {
    // May 2026 runs Friday 1st to Sunday 31st; June 2026 Monday 1st to Tuesday 30th.
    const inside = (label: string) => isoWeeksInside(parsePeriod(label, utc)).map((w) => w.label);
    expect(inside('2026-05')).toEqual(['2026-W19', '2026-W20', '2026-W21', '2026-W22']);
    expect(inside('2026-06')).toEqual(['2026-W23', '2026-W24', '2026-W25', '2026-W26']);
    // In New York the weeks are New York's: June's first Monday begins at 04:00Z, and its weeks are in that zone.
    const nyWeeks = isoWeeksInside(parsePeriod('2026-06', ny));
    expect(nyWeeks.map((w) => w.label)).toEqual(['2026-W23', '2026-W24', '2026-W25', '2026-W26']);
    expect(span(nyWeeks[0]!)).toEqual(['2026-06-01T04:00:00.000Z', '2026-06-08T04:00:00.000Z']);
    expect(nyWeeks.every((w) => w.tz === 'America/New_York')).toBe(true);
    // May 2026 in New York begins on a Friday: its first whole week begins Monday 4 May, 04:00Z.
    const nyMay = isoWeeksInside(parsePeriod('2026-05', ny));
    expect(nyMay.map((w) => w.label)).toEqual(['2026-W19', '2026-W20', '2026-W21', '2026-W22']);
    expect(span(nyMay[0]!)).toEqual(['2026-05-04T04:00:00.000Z', '2026-05-11T04:00:00.000Z']);
    expect(nyMay.every((w) => w.tz === 'America/New_York')).toBe(true);
    expect(isoWeeksInside(parsePeriod('2026-06', utc)).every((w) => w.tz === 'UTC')).toBe(true);
  });
});

describe('months, quarters and fiscal years', () => {
  it('gives months their length, leap years included', () => {
    const days = (label: string) => {
      const p = parsePeriod(label, utc);
      return (p.end - p.start) / (24 * H);
    };
    expect([days('2024-02'), days('2023-02'), days('2000-02'), days('2100-02'), days('2026-12')]).toEqual([
      29, 28, 29, 28, 31,
    ]);
    expect(span(parsePeriod('2026-12', utc))[1]).toBe('2027-01-01T00:00:00.000Z');
    expect(parsePeriod('2024-02-29', utc).kind).toBe('day');
    expect(() => parsePeriod('2023-02-29', utc)).toThrow(/"2023-02-29" is not a calendar day/);
    expect(() => parsePeriod('2026-03-00', utc)).toThrow(/not a calendar day/);
    expect(() => parsePeriod('2026-00', utc)).toThrow(/month must be 01–12/);
    // Kolkata's February 2024 is 29 × 24 = 696 hours (no DST).
    const k = parsePeriod('2024-02', { tz: 'Asia/Kolkata', fiscalYearStartMonth: 1 });
    expect((k.end - k.start) / H).toBe(696);
  });

  it('bounds quarters at months 1, 4, 7 and 10, with the DST hour in New York', () => {
    expect(span(parsePeriod('2026-Q2', utc))).toEqual(['2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']);
    expect(span(parsePeriod('2026-Q3', utc))).toEqual(['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']);
    expect(span(parsePeriod('2026-Q4', utc))).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    const hours = (label: string) => {
      const p = parsePeriod(label, ny);
      return (p.end - p.start) / H;
    };
    expect(hours('2026-Q1')).toBe(2159); // 90 days less the hour skipped on 8 March
    expect(hours('2026-Q4')).toBe(2209); // 92 days and the hour repeated on 1 November
    const q = (month: number) => labelContaining('quarter', Date.UTC(2026, month - 1, 15), utc);
    expect([1, 3, 4, 6, 7, 9, 10, 12].map(q)).toEqual([
      '2026-Q1',
      '2026-Q1',
      '2026-Q2',
      '2026-Q2',
      '2026-Q3',
      '2026-Q3',
      '2026-Q4',
      '2026-Q4',
    ]);
    expect(() => parsePeriod('2026-Q5', utc)).toThrow(/is not a period label/);
  });

  it('bounds fiscal years that start in July or December, and labels months with them', () => {
    const july = { tz: 'Europe/London', fiscalYearStartMonth: 7 };
    expect(monthsOfFiscalYear('FY2027', 7)).toEqual([
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
      '2027-04',
      '2027-05',
      '2027-06',
    ]);
    const fy = parsePeriod('FY2027', july);
    expect(formatInstant(fy.start, fy.tz)).toBe('2026-07-01T00:00:00+01:00');
    expect(formatInstant(fy.end, fy.tz)).toBe('2027-07-01T00:00:00+01:00');
    expect((fy.end - fy.start) / H).toBe(8760);
    expect(labelContaining('fiscalYear', z('2026-06-30T22:59:59Z'), july)).toBe('FY2026');
    expect(labelContaining('fiscalYear', z('2026-06-30T23:00:00Z'), july)).toBe('FY2027');
    const dec = parsePeriod('FY2027', { tz: 'UTC', fiscalYearStartMonth: 12 });
    expect(span(dec)).toEqual(['2026-12-01T00:00:00.000Z', '2027-12-01T00:00:00.000Z']);
    const jan = parsePeriod('FY2026', utc);
    expect(span(jan)).toEqual(['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(labelContaining('fiscalYear', z('2026-12-31T12:00:00Z'), utc)).toBe('FY2026');
  });

  it('labels the day and month containing an instant in the zone', () => {
    expect(labelContaining('day', z('2026-11-30T04:59:59Z'), ny)).toBe('2026-11-29');
    expect(labelContaining('month', z('2026-12-01T04:59:59Z'), ny)).toBe('2026-11');
    expect(labelContaining('month', z('2026-12-01T05:00:00Z'), ny)).toBe('2026-12');
  });
});

describe('days, exposure and the comparable previous periods', () => {
  it('lists local days, a 25-hour day once and a month in full', () => {
    expect(localDaysOf(parsePeriod('2026-11-01', ny))).toEqual(['2026-11-01']);
    const nov = localDaysOf(parsePeriod('2026-11', ny));
    expect(nov).toHaveLength(30);
    expect([nov[0], nov[29]]).toEqual(['2026-11-01', '2026-11-30']);
    const week = localDaysOf(parsePeriod('2026-W47', { tz: 'Asia/Kolkata', fiscalYearStartMonth: 1 }));
    expect(week).toEqual([
      '2026-11-16',
      '2026-11-17',
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
  });

  it('finds the last complete week at the instant the new one begins', () => {
    // Monday 2026-11-23 00:00 EST is 05:00Z.
    expect(lastCompletePeriod('week', z('2026-11-23T05:00:00Z'), ny).label).toBe('2026-W47');
    expect(lastCompletePeriod('week', z('2026-11-23T04:59:59.999Z'), ny).label).toBe('2026-W46');
  });

  it('judges at min(end, asOf) and measures exposure from the start, never below 0', () => {
    const p = { start: 1000, end: 5000 };
    expect(pointInTimeOf(p, 3000)).toBe(3000);
    expect(pointInTimeOf(p, 9000)).toBe(5000);
    expect(exposureOf(p, 3000)).toBe(2000);
    expect(exposureOf(p, 9000)).toBe(4000);
    expect(exposureOf(p, 500)).toBe(0);
  });

  it('judges each previous period at the same age: after the end, to date, and exactly at the end', () => {
    const london = { tz: 'Europe/London', fiscalYearStartMonth: 4 };
    const w47 = parsePeriod('2026-W47', london);
    const after = comparablePeriods(w47, w47.end + 72 * H, london, 2);
    expect(after.map((j) => j.period.label)).toEqual(['2026-W46', '2026-W45']);
    expect(after.map((j) => j.asOf - j.period.end)).toEqual([72 * H, 72 * H]);
    const toDate = comparablePeriods(w47, w47.start + 50 * H, london, 1);
    expect(toDate[0]!.asOf - toDate[0]!.period.start).toBe(50 * H);
    // W44 (168 h) judged at its end: W43 (169 h, the clocks went back) at its end too, not 168 h after its start.
    const w44 = parsePeriod('2026-W44', london);
    const [w43] = comparablePeriods(w44, w44.end, london, 1);
    expect(w43!.period.label).toBe('2026-W43');
    expect(w43!.asOf).toBe(w43!.period.end);
    expect(w43!.period.end - w43!.period.start).toBe(169 * H);
    // W44 to date, 50 h in: W43 (169 h long) is judged 50 h after its start, not 118 h before its end (51 h in).
    const [w43ToDate] = comparablePeriods(w44, w44.start + 50 * H, london, 1);
    expect(w43ToDate!.asOf - w43ToDate!.period.start).toBe(50 * H);
  });

  it('stops at 1970, where periods begin, for every kind, and refuses a period with no previous one', () => {
    const april = { tz: 'UTC', fiscalYearStartMonth: 4 };
    const labels = (label: string, opts = april) =>
      comparablePeriods(parsePeriod(label, opts), parsePeriod(label, opts).end, opts, 5).map((j) => j.period.label);
    // FY1971 (April 1970 – March 1971) is the first whole fiscal year: FY1970 would begin in April 1969.
    expect(labels('FY1972')).toEqual(['FY1971']);
    expect(labels('1970-01-03')).toEqual(['1970-01-02', '1970-01-01']);
    expect(labels('1970-03')).toEqual(['1970-02', '1970-01']);
    expect(labels('1970-Q2')).toEqual(['1970-Q1']);
    expect(() => labels('1970-01')).toThrow(/"1969-12": years 1970–2199 only/);
  });
});

describe('parsePeriod: only whole labels', () => {
  const utc2 = { tz: 'UTC', fiscalYearStartMonth: 4 };
  it('refuses a label with anything before or after it', () => {
    for (const label of [
      'x2026-11-23',
      '2026-11-23x',
      'x2026-W47',
      '2026-W47x',
      'x2026-11',
      '2026-11x',
      'x2026-Q4',
      '2026-Q4x',
      'xFY2027',
      'FY2027x',
      // A year-range check reads the label's own start only.
      'x2200-01',
    ])
      expect(() => parsePeriod(label, utc2), label).toThrow(
        `"${label}" is not a period label (expected 2026-11-23, 2026-W47, 2026-11, 2026-Q4 or FY2027)`,
      );
  });

  it('says a label over 16 characters is too long, and one of 16 is judged as a label', () => {
    expect(() => parsePeriod('2026-11-23T00:00Z', utc2)).toThrow(
      '"2026-11-23T00:00Z" is not a period label (too long)',
    );
    expect(() => parsePeriod('2026-11-23T00:00', utc2)).toThrow('"2026-11-23T00:00" is not a period label (expected');
    try {
      parsePeriod('2026-13', utc2);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).name).toBe('PeriodError');
    }
  });
});
