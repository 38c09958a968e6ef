import { describe, expect, it } from 'vitest';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { previousNotCollected } from '../../shared/mail/headline.js';
import { parseConfig } from '../../shared/config/config.js';
import { caseFacts } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { CaseSchema } from '../../shared/domain/records.js';
import { significantRule } from '../../shared/domain/settings.js';
import { summarize } from '../../shared/domain/summary.js';
import { renderReport } from '../../shared/mail/render.js';

/** The two fields the note reads: the previous period with where the data begins, and the p90 time to resolve. */
const kpi = (casesFrom: string | undefined, p90Minutes: number | null) =>
  ({
    ttr: { p90: p90Minutes },
    trend: {
      previous: {
        label: '2026-09',
        start: '2026-09-01T00:00:00+01:00',
        end: '2026-10-01T00:00:00+01:00',
        ...(casesFrom ? { casesFrom } : {}),
      },
    },
  }) as unknown as KpiSummary;

describe('the note beside a trend whose previous period leaves out what was never collected', () => {
  it('is said when the data begins on the previous period’s first day', () => {
    expect(previousNotCollected(kpi('2026-09-01T00:00:00+01:00', 600))).toBe(
      '2026-09 is not complete for comparison: its figures over closed cases (time to resolve, false positive rate, quality) leave out cases created before Tue 1 Sept 2026, the first day of data, and closed in 2026-09.',
    );
  });

  it('is said when the data begins less than the p90 time to resolve before it, and not when earlier', () => {
    // p90 of 3 days (4,320 min): data from 30 Aug is 2 days before 1 Sep — closures of older cases are likely.
    expect(previousNotCollected(kpi('2026-08-30T00:00:00+01:00', 4_320))).toMatch(/before Sun 30 Aug 2026/);
    // Data from 29 Aug 00:00 is exactly 3 days before: such a case would take longer than nine in ten do.
    expect(previousNotCollected(kpi('2026-08-29T00:00:00+01:00', 4_320))).toBeUndefined();
    expect(previousNotCollected(kpi('2026-06-01T00:00:00+01:00', 4_320))).toBeUndefined();
  });

  it('is not said without a known start of the data, or when the trend is missing', () => {
    expect(previousNotCollected(kpi(undefined, 600))).toBeUndefined();
    // Data from 1 October: September has no data at all, nothing left out of figures it does not have.
    expect(previousNotCollected(kpi('2026-10-01T00:00:00+01:00', 600))).toBeUndefined();
    const missing = kpi('2026-09-01T00:00:00+01:00', 600);
    missing.trend!.missing = true;
    expect(previousNotCollected(missing)).toBeUndefined();
  });

  it('summarize gives where the data begins: the local day of the earliest case (files)', () => {
    const settings = parseConfig({ timezone: 'UTC', sender: 'socpulse@example.com' });
    const c = (id: string, createdAt: string, closedAt: string) =>
      caseFacts(
        CaseSchema.parse({
          id,
          source: 's',
          title: 't',
          severity: 'low',
          createdAt,
          closedAt,
          disposition: 'false_positive',
        }),
        significantRule(settings),
      );
    const period = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const summary = summarize(
      {
        cases: [
          c('a', '2026-11-10T10:00:00Z', '2026-11-10T12:00:00Z'), // Tuesday of W46: the data begins that day
          c('b', '2026-11-17T10:00:00Z', '2026-11-17T11:00:00Z'),
        ],
      },
      { period, asOf: period.end, settings },
    );
    const k = summary.kpi as KpiSummary;
    expect(k.trend?.previous.label).toBe('2026-W46');
    expect(k.trend?.previous.casesFrom).toBe('2026-11-10T00:00:00+00:00');
    expect(previousNotCollected(k)).toMatch(/^2026-W46 is not complete for comparison: .* before Tue 10 Nov 2026/);
  });

  it('a previous period before the data begins: "no comparison" and "no data for", never "nothing changed" or a 0', () => {
    const settings = parseConfig({ timezone: 'UTC', sender: 'socpulse@example.com' });
    const period = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const cases = Array.from({ length: 30 }, (_, i) =>
      caseFacts(
        CaseSchema.parse({
          id: `c${i}`,
          source: 's',
          title: 't',
          severity: 'low',
          createdAt: new Date(period.start + i * 3_600_000).toISOString(),
          closedAt: new Date(period.start + i * 3_600_000 + 1_800_000).toISOString(),
          disposition: 'false_positive',
        }),
        significantRule(settings),
      ),
    );
    const summary = summarize({ cases }, { period, asOf: period.end, settings });
    const { text } = renderReport({
      runbook: { id: 'weekly-kpi', title: 'SOC weekly KPI report', sections: ['kpi'] },
      summary,
      sources: [],
      generatedAt: '2026-11-24T08:00:00+00:00',
      settings,
    });
    expect(text).toContain('No comparison: 2026-W46 has no data to compare with.');
    expect(text).not.toContain('Nothing changed');
    expect(text).toContain('- Cases created: 30 (no data for 2026-W46)');
    expect(text).not.toMatch(/\(0 in 2026-W46/);
  });
});
