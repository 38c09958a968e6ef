import { describe, expect, it } from 'vitest';
import {
  dayIsMissing,
  judgedPeriodCovered,
  previousIncomplete,
  summaryCoverage,
  windowCoverage,
} from '../../shared/domain/coverage.js';
import { parsePeriod, previousPeriod } from '../../shared/domain/periods.js';

const opts = { tz: 'Europe/London', fiscalYearStartMonth: 4 };
const t = (iso: string) => Date.parse(iso);

describe('coverage of a window by collections', () => {
  const week = parsePeriod('2026-W44', opts); // Mon 26 Oct 2026 (after the clocks went back) – Sun 1 Nov
  const window = { label: week.label, start: week.start, end: week.end, tz: opts.tz };

  it('is complete when every source offering the family covered it, and ignores sources without the family', () => {
    const c = windowCoverage(window, 'cases', [
      {
        source: 'sim',
        families: ['cases'],
        covered: { cases: [[t('2026-10-01T00:00:00Z'), t('2026-11-20T00:00:00Z')]] },
        failing: false,
      },
      { source: 'roster', families: ['shifts'], covered: {}, failing: true },
    ]);
    expect(c).toEqual({ complete: true, none: false, missing: [] });
  });

  it('names a gap between two collections, and a source that stopped (failing) after it', () => {
    const c = windowCoverage(window, 'alerts', [
      {
        source: 'siem',
        families: ['alerts'],
        covered: {
          alerts: [
            [t('2026-10-01T00:00:00Z'), t('2026-10-27T00:00:00Z')],
            [t('2026-10-29T00:00:00Z'), t('2026-10-30T12:30:00Z')],
          ],
        },
        failing: true,
      },
    ]);
    expect(c.complete).toBe(false);
    expect(c.none).toBe(false);
    expect(c.missing.map((m) => [m.from, m.to, m.reason])).toEqual([
      [
        '2026-10-27T00:00:00+00:00',
        '2026-10-29T00:00:00+00:00',
        'source siem was not collected for 2026-10-27 to 2026-10-28',
      ],
      [
        '2026-10-30T12:30:00+00:00',
        '2026-11-02T00:00:00+00:00',
        'source siem has collected only up to 2026-10-30 12:30 (its latest collection failed)',
      ],
    ]);
    expect(c.reason).toBe(
      'no data for part of 2026-W44: 2026-10-27 to 2026-10-28 (siem): source siem was not collected for 2026-10-27 to 2026-10-28; 2026-10-30 12:30 to 2026-11-02 (siem): source siem has collected only up to 2026-10-30 12:30 (its latest collection failed)',
    );
  });

  it('says a source never collected successfully, and that the whole window has no data', () => {
    const c = windowCoverage(window, 'cases', [
      { source: 'soar', families: ['cases'], covered: { cases: [] }, failing: true },
    ]);
    expect(c).toMatchObject({
      complete: false,
      none: true,
      reason: 'no data for 2026-W44: source soar has not collected successfully yet (its collections fail)',
    });
  });

  it('judges only up to asOf: the rest of a running period is not yet, not missing', () => {
    const asOf = t('2026-10-28T09:00:00Z');
    const sources = [
      {
        source: 'sim',
        families: ['cases', 'alerts'],
        covered: {
          cases: [[t('2026-10-19T00:00:00Z'), asOf]] as const,
          alerts: [[t('2026-10-19T00:00:00Z'), asOf]] as const,
        },
        failing: false,
      },
    ];
    const c = summaryCoverage(week, { period: previousPeriod(week, opts), asOf }, asOf, sources);
    expect(c.cases.complete).toBe(true);
    // W43 began 19 Oct (still summer time, 23:00 UTC the day before): its first hour (local) was not collected.
    expect(c.previous.cases.complete).toBe(false);
    expect(previousIncomplete(c)).toBe(
      'previous week incomplete: no data for part of 2026-W43: 2026-10-19 to 2026-10-19 01:00 (sim): collection of source sim began 2026-10-19 01:00',
    );
  });
});

// Hand-built collection windows in UTC (midnights are whole days, so the reasons read as dates): every expectation
// below is worked out from the intervals by hand.
describe('coverage: edges of windows and collections', () => {
  const utc = { tz: 'UTC', fiscalYearStartMonth: 1 };
  const w = parsePeriod('2026-W44', utc); // Mon 2026-10-26 00:00Z – Mon 2026-11-02 00:00Z
  const win = { label: w.label, start: w.start, end: w.end, tz: 'UTC' };
  const src = (covered: [string, string][], failing = false, source = 'siem') => ({
    source,
    families: ['alerts'],
    covered: { alerts: covered.map(([a, b]) => [t(a), t(b)] as const) },
    failing,
  });

  it('calls an empty window, or a family nobody offers, complete; "none" only when nobody offers it', () => {
    const s = [src([])];
    expect(windowCoverage({ ...win, end: win.start }, 'alerts', s)).toEqual({
      complete: true,
      none: false,
      missing: [],
    });
    expect(windowCoverage({ ...win, end: win.start - 1 }, 'alerts', s)).toEqual({
      complete: true,
      none: false,
      missing: [],
    });
    expect(windowCoverage(win, 'cases', s)).toEqual({ complete: true, none: true, missing: [] });
    expect(windowCoverage({ ...win, end: win.start }, 'cases', s)).toEqual({ complete: true, none: true, missing: [] });
    // A source offering the family with no collections of it at all.
    const bare = { source: 'edr', families: ['alerts'], covered: {}, failing: false };
    expect(windowCoverage(win, 'alerts', [bare]).reason).toBe(
      'no data for 2026-W44: source edr has not collected successfully yet',
    );
  });

  it('ignores collections that only touch the window, and names the whole window then', () => {
    const c = windowCoverage(win, 'alerts', [
      src([
        ['2026-10-01T00:00:00Z', '2026-10-26T00:00:00Z'],
        ['2026-11-02T00:00:00Z', '2026-11-10T00:00:00Z'],
      ]),
    ]);
    expect(c.complete).toBe(false);
    expect(c.none).toBe(true);
    expect(c.missing).toEqual([
      {
        family: 'alerts',
        source: 'siem',
        from: '2026-10-26T00:00:00+00:00',
        to: '2026-11-02T00:00:00+00:00',
        reason: 'source siem was not collected for 2026-10-26 to 2026-11-01',
      },
    ]);
    expect(c.reason).toBe('no data for 2026-W44: source siem was not collected for 2026-10-26 to 2026-11-01');
  });

  it('says when collection began, to the day at midnight and to the minute otherwise', () => {
    const day = windowCoverage(win, 'alerts', [src([['2026-10-28T00:00:00Z', '2026-12-01T00:00:00Z']])]);
    expect(day.missing.map((m) => [m.to, m.reason])).toEqual([
      ['2026-10-28T00:00:00+00:00', 'collection of source siem began 2026-10-28'],
    ]);
    expect(day.none).toBe(false);
    expect(day.reason).toBe(
      'no data for part of 2026-W44: 2026-10-26 to 2026-10-27 (siem): collection of source siem began 2026-10-28',
    );
    const minute = windowCoverage(win, 'alerts', [src([['2026-10-26T09:15:00Z', '2026-12-01T00:00:00Z']])]);
    expect(minute.reason).toBe(
      'no data for part of 2026-W44: 2026-10-26 to 2026-10-26 09:15 (siem): collection of source siem began 2026-10-26 09:15',
    );
  });

  it('says a source collected only up to a day, failing or not, and one day in a span once', () => {
    const c = windowCoverage(win, 'alerts', [src([['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z']])]);
    expect(c.missing.map((m) => m.reason)).toEqual(['source siem has collected only up to 2026-11-01']);
    expect(c.reason).toBe(
      'no data for part of 2026-W44: 2026-11-01 (siem): source siem has collected only up to 2026-11-01',
    );
    const never = windowCoverage(win, 'alerts', [src([], false)]);
    expect(never.reason).toBe('no data for 2026-W44: source siem has not collected successfully yet');
  });

  it('leaves no false gap after a collection nested in an earlier one', () => {
    const c = windowCoverage(win, 'alerts', [
      src([
        ['2026-10-20T00:00:00Z', '2026-10-30T00:00:00Z'],
        ['2026-10-27T00:00:00Z', '2026-10-28T00:00:00Z'],
      ]),
    ]);
    expect(c.missing.map((m) => [m.from, m.to])).toEqual([['2026-10-30T00:00:00+00:00', '2026-11-02T00:00:00+00:00']]);
  });

  it('judges each source offering the family: one whole and one missing is partial', () => {
    const c = windowCoverage(win, 'alerts', [
      src([['2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z']], false, 'a'),
      src([], true, 'b'),
    ]);
    expect(c.complete).toBe(false);
    expect(c.none).toBe(false);
    expect(c.missing.map((m) => m.source)).toEqual(['b']);
    expect(c.reason).toBe(
      'no data for part of 2026-W44: source b has not collected successfully yet (its collections fail)',
    );
  });

  it('says whether a comparable period is covered, and which local days a missing part touches', () => {
    const prev = { period: parsePeriod('2026-W43', utc), asOf: t('2026-10-23T00:00:00Z') };
    const s = [src([['2026-10-19T00:00:00Z', '2026-10-23T00:00:00Z']])];
    // Judged on 19–22 October only: covered; judged at its end: the last three days are missing.
    expect(judgedPeriodCovered(prev, 'alerts', s)).toBe(true);
    expect(judgedPeriodCovered({ ...prev, asOf: prev.period.end }, 'alerts', s)).toBe(false);
    const c = windowCoverage(win, 'alerts', [
      src([
        ['2026-10-01T00:00:00Z', '2026-10-28T00:00:00Z'],
        ['2026-10-29T00:00:00Z', '2026-10-31T00:00:00Z'],
      ]),
    ]);
    // Missing: 28 October, and 31 October to the end.
    expect(c.missing).toHaveLength(2);
    const day = (d: number) => [Date.UTC(2026, 9, d), Date.UTC(2026, 9, d + 1)] as const;
    expect([27, 28, 29, 30, 31].map((d) => dayIsMissing(c, ...day(d)))).toEqual([false, true, false, false, true]);
  });

  it('names the previous period by its kind, each reason once, and nothing when it is whole', () => {
    const month = parsePeriod('2026-11', utc);
    const prevMonth = { period: parsePeriod('2026-10', utc), asOf: month.end };
    const both = {
      source: 'sim',
      families: ['cases', 'alerts', 'shifts'],
      covered: {
        cases: [[t('2026-10-05T00:00:00Z'), t('2026-12-01T00:00:00Z')] as const],
        alerts: [[t('2026-10-05T00:00:00Z'), t('2026-12-01T00:00:00Z')] as const],
        shifts: [[t('2026-11-01T00:00:00Z'), t('2026-11-20T00:00:00Z')] as const],
      },
      failing: false,
    };
    const c = summaryCoverage(month, prevMonth, month.end, [both]);
    expect(c.cases).toEqual({ complete: true, none: false, missing: [] });
    expect(c.alerts).toEqual({ complete: true, none: false, missing: [] });
    expect(c.shifts.complete).toBe(false);
    expect(c.previous).toMatchObject({ label: '2026-10', kind: 'month' });
    expect(previousIncomplete(c)).toBe(
      'previous month incomplete: no data for part of 2026-10: 2026-10-01 to 2026-10-04 (sim): collection of source sim began 2026-10-05',
    );
    const fy = parsePeriod('FY2027', utc);
    const prevFy = { period: parsePeriod('FY2026', utc), asOf: fy.end };
    const all = { ...both, covered: { cases: [[0, fy.end] as const], alerts: [] } };
    expect(previousIncomplete(summaryCoverage(fy, prevFy, fy.end, [all]))).toBe(
      'previous fiscal year incomplete: no data for FY2026: source sim has not collected successfully yet',
    );
    // Two different reasons, each said once, cases first.
    const split = { ...both, covered: { cases: [[t('2026-10-10T00:00:00Z'), fy.end] as const], alerts: [] } };
    expect(previousIncomplete(summaryCoverage(month, prevMonth, month.end, [split]))).toBe(
      'previous month incomplete: no data for part of 2026-10: 2026-10-01 to 2026-10-09 (sim): collection of source sim began 2026-10-10; no data for 2026-10: source sim has not collected successfully yet',
    );
    // Days and quarters by name.
    const none = { ...both, covered: {} };
    const dayCov = summaryCoverage(
      parsePeriod('2026-11-02', utc),
      { period: parsePeriod('2026-11-01', utc), asOf: t('2026-11-02T00:00:00Z') },
      t('2026-11-03T00:00:00Z'),
      [none],
    );
    expect(previousIncomplete(dayCov)).toMatch(/^previous day incomplete: no data for 2026-11-01: /);
    const q = parsePeriod('2026-Q4', utc);
    const qCov = summaryCoverage(q, { period: parsePeriod('2026-Q3', utc), asOf: q.start }, q.end, [none]);
    expect(previousIncomplete(qCov)).toMatch(/^previous quarter incomplete: no data for 2026-Q3: /);
    const whole = { ...both, covered: { cases: [[0, fy.end] as const], alerts: [[0, fy.end] as const] } };
    expect(previousIncomplete(summaryCoverage(fy, prevFy, fy.end, [whole]))).toBeUndefined();
  });
});
