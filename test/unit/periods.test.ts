import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fiscalYearOf,
  formatInstant,
  isoWeeksInside,
  lastCompletePeriod,
  localDay,
  localDaysOf,
  monthsOfFiscalYear,
  parsePeriod,
  PeriodError,
  PERIOD_YEARS,
  periodContaining,
  previousPeriod,
} from '../../shared/domain/periods.js';

const london = { tz: 'Europe/London', fiscalYearStartMonth: 4 };
const hours = (p: { start: number; end: number }) => (p.end - p.start) / 3_600_000;

describe('periods', () => {
  it('starts an ISO week on Monday 00:00 local and ends it at the next Monday', () => {
    const w = parsePeriod('2026-W47', london);
    expect(formatInstant(w.start, w.tz)).toBe('2026-11-16T00:00:00+00:00');
    expect(formatInstant(w.end, w.tz)).toBe('2026-11-23T00:00:00+00:00');
  });

  it('makes DST weeks 167 and 169 hours long in Europe/London', () => {
    // Clocks go forward on Sunday 2026-03-29 (W13) and back on Sunday 2026-10-25 (W43).
    expect(hours(parsePeriod('2026-W13', london))).toBe(7 * 24 - 1);
    expect(hours(parsePeriod('2026-W43', london))).toBe(7 * 24 + 1);
    expect(hours(parsePeriod('2026-W44', london))).toBe(168);
    expect(hours(parsePeriod('2026-03-29', london))).toBe(23);
  });

  it('names fiscal years after the calendar year they end in', () => {
    expect(fiscalYearOf('2026-11', 4)).toBe('FY2027');
    expect(fiscalYearOf('2026-03', 4)).toBe('FY2026');
    expect(fiscalYearOf('2026-11', 1)).toBe('FY2026');
    expect(monthsOfFiscalYear('FY2027', 4)).toEqual([
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
    ]);
    const fy = parsePeriod('FY2027', london);
    expect(formatInstant(fy.start, fy.tz)).toBe('2026-04-01T00:00:00+01:00');
    expect(formatInstant(fy.end, fy.tz)).toBe('2027-04-01T00:00:00+01:00');
    const cal = parsePeriod('FY2026', { tz: 'UTC', fiscalYearStartMonth: 1 });
    expect(formatInstant(cal.start, 'UTC')).toBe('2026-01-01T00:00:00+00:00');
  });

  it('parses months and quarters and walks back to the previous period of equal kind', () => {
    expect(previousPeriod(parsePeriod('2026-01', london), london).label).toBe('2025-12');
    expect(previousPeriod(parsePeriod('2026-Q1', london), london).label).toBe('2025-Q4');
    expect(previousPeriod(parsePeriod('2026-W01', london), london).label).toBe('2025-W52');
    expect(previousPeriod(parsePeriod('2027-W01', london), london).label).toBe('2026-W53');
    expect(previousPeriod(parsePeriod('FY2027', london), london).label).toBe('FY2026');
  });

  it('finds the last complete period at a report time', () => {
    expect(lastCompletePeriod('week', Date.parse('2026-11-23T07:00:00Z'), london).label).toBe('2026-W47');
    expect(lastCompletePeriod('month', Date.parse('2026-11-03T08:00:00Z'), london).label).toBe('2026-10');
  });

  it('lists local days and whole ISO weeks inside a period', () => {
    expect(localDaysOf(parsePeriod('2026-W43', london))).toHaveLength(7);
    expect(isoWeeksInside(parsePeriod('2026-11', london)).map((w) => w.label)).toEqual([
      '2026-W45',
      '2026-W46',
      '2026-W47',
      '2026-W48',
    ]);
    expect(isoWeeksInside(parsePeriod('2026-11-23', london))).toEqual([]);
  });

  it('computes local days in the zone, not in UTC', () => {
    expect(localDay(Date.parse('2026-11-23T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-11-24');
    expect(localDay(Date.parse('2026-11-23T03:30:00Z'), 'America/New_York')).toBe('2026-11-22');
  });

  it('rejects bad labels and zones with an error naming them', () => {
    expect(() => parsePeriod('2026-13', london)).toThrow(PeriodError);
    expect(() => parsePeriod('2026-W54', london)).toThrow(/2026-W54/);
    expect(() => parsePeriod('2026-02-30', london)).toThrow(/not a calendar day/);
    expect(() => parsePeriod('last week', london)).toThrow(/"last week" is not a period label/);
    expect(() => parsePeriod('2026-11', { tz: 'Mars/Base', fiscalYearStartMonth: 1 })).toThrow(/Mars\/Base/);
  });

  it('property: any instant lies in the week containing it, and consecutive weeks tile time', () => {
    const zones = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(...zones),
        (ms, tz) => {
          const opts = { tz, fiscalYearStartMonth: 4 };
          for (const kind of ['day', 'week', 'month', 'quarter', 'fiscalYear'] as const) {
            const p = periodContaining(kind, ms, opts);
            if (!(p.start <= ms && ms < p.end)) return false;
            if (previousPeriod(p, opts).end !== p.start) return false;
          }
          const h = hours(periodContaining('week', ms, opts));
          return h === 167 || h === 168 || h === 169 || (tz === 'Australia/Sydney' && (h === 167 || h === 169));
        },
      ),
    );
  });
});

describe('parsePeriod: the documented year range and strict labels', () => {
  const utc = { tz: 'UTC', fiscalYearStartMonth: 4 };
  it(`accepts ${PERIOD_YEARS.min}–${PERIOD_YEARS.max} and refuses every label kind outside it`, () => {
    expect(parsePeriod('1970-01-01', { tz: 'UTC', fiscalYearStartMonth: 1 }).start).toBe(0);
    expect(parsePeriod('2199-12', utc).kind).toBe('month');
    for (const label of ['9999-W52', '0099-01', '0001-01-01', '1969-12-31', '2200-01', '2200-Q1', 'FY2200', 'FY1970'])
      expect(() => parsePeriod(label, utc), label).toThrow(/years 1970–2199 only/);
  });

  it('never shifts a two-digit year to 19xx', () => {
    expect(() => parsePeriod('0026-11', utc)).toThrow(PeriodError);
  });

  it('refuses week 53 of a year with 52 ISO weeks, and accepts it in a year with 53', () => {
    expect(() => parsePeriod('2025-W53', utc)).toThrow(/2025 has ISO weeks 01–52/);
    expect(() => parsePeriod('2027-W53', utc)).toThrow(/2027 has ISO weeks 01–52/);
    // 2026 starts on a Thursday: its week 53 is 2026-12-28 … 2027-01-03 (ISO 8601).
    const w53 = parsePeriod('2026-W53', utc);
    expect(new Date(w53.start).toISOString()).toBe('2026-12-28T00:00:00.000Z');
  });

  it('never echoes an over-long label in full', () => {
    const long = `2026-W47${'x'.repeat(5000)}`;
    try {
      parsePeriod(long, utc);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeriodError);
      expect((e as Error).message.length).toBeLessThan(120);
    }
  });
});
