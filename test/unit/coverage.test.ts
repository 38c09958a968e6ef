import { describe, expect, it } from 'vitest';
import { previousIncomplete, summaryCoverage, windowCoverage } from '../../shared/domain/coverage.js';
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
