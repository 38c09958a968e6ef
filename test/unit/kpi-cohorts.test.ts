// The KPI cohorts of METRICS.md on one hand-computed week: who is created, closed and open at the period's end,
// the backlog's age buckets and its at-risk / breached split, escalation per tier, and time to contain.
import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary, KpiAccumulator } from '../../shared/domain/kpi.js';
import { casesAsDay } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';

const settings = MetricSettingsSchema.parse({});
const week = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 }); // Mon 16 – Mon 23 November
const asOf = Date.parse('2026-11-23T00:00:00Z'); // the week's end: pointInTime
const t = (iso: string) => Date.parse(iso);
// Critical: acknowledge within 15 min, resolve within 240 (at risk from 0.75 · 240 = 180 min of age).
const crit = (id: string, created: string, over: Partial<CaseFacts> = {}): CaseFacts => ({
  id,
  sev: 'critical',
  created: t(created),
  ...over,
});
const cases: CaseFacts[] = [
  crit('A', '2026-11-16T09:00:00Z', {
    ack: t('2026-11-16T09:10:00Z'),
    contained: t('2026-11-16T09:40:00Z'),
    closed: t('2026-11-16T11:00:00Z'),
    esc: 2,
    disp: 'true_positive',
  }),
  crit('B', '2026-11-16T10:00:00Z', {
    ack: t('2026-11-16T10:20:00Z'),
    contained: t('2026-11-16T10:50:00Z'),
    closed: t('2026-11-16T12:00:00Z'),
    esc: 2,
    disp: 'false_positive',
  }),
  crit('C', '2026-11-16T11:00:00Z', {
    ack: t('2026-11-16T11:05:00Z'),
    closed: t('2026-11-16T11:30:00Z'),
    disp: 'benign_positive',
  }),
  crit('D', '2026-11-22T21:30:00Z'), // open, 150 min old: neither at risk nor breached
  crit('E', '2026-11-22T20:40:00Z'), // open, 200 min old: at risk
  crit('F', '2026-11-22T19:50:00Z'), // open, 250 min old: breached
  crit('G', '2026-11-23T00:00:00Z'), // created exactly at the end: in no cohort
  crit('H', '2026-11-10T00:00:00Z'), // open, 13 days old (created before the week)
  crit('I', '2026-10-01T00:00:00Z'), // open, 53 days old
  crit('J', '2026-11-20T00:00:00Z'), // open, 3 days old
];

describe('one week of critical cases', () => {
  // Each test computes its own figures: a mutant that throws then fails a test, not the collection of this file.
  const kpi = () => buildKpiSummary({ cases, alerts: undefined, period: week, asOf, settings });

  it('puts each case in its cohorts: created before the end, closed in the week, open at the end', () => {
    const k = kpi();
    // Created: A B C D E F J (not G at the end, not H and I before the week).
    expect(k.cases).toEqual({ created: 7, closed: 3, openAtAsOf: 6 });
    expect(k.createdBySeverity.critical).toBe(7);
  });

  it('measures time to acknowledge and to contain from creation to each event', () => {
    const k = kpi();
    expect(k.tta).toMatchObject({ n: 3, p50: 10, mean: (10 + 20 + 5) / 3 });
    // Contained after 40 and 50 min (not the acknowledgements' 10 and 20).
    expect(k.ttc).toMatchObject({ n: 2, p50: 40, p90: 50, mean: 45 });
    expect(k.ttr).toMatchObject({ n: 3, p50: 120, p90: 120, mean: 90 });
    expect(k.ttd.n).toBe(0);
  });

  it('splits the open backlog by age and by its resolve target', () => {
    const k = kpi();
    expect(k.backlog.open).toBe(6);
    expect(k.backlog.buckets).toEqual({ lt1d: 3, d1to7: 1, d7to30: 1, gt30d: 1 });
    // Past 240 min: F, H, I, J. From 180 min up to 240: E alone (D at 150 is not at risk yet).
    expect(k.sla.openBreached).toBe(4);
    expect(k.sla.atRisk).toBe(1);
  });

  it('judges both SLAs of the created cases', () => {
    const k = kpi();
    // Acknowledge: A (10) and C (5) met; B (20) late; D E F J never acknowledged and past 15 min.
    expect(k.sla.acknowledge).toEqual({ met: 2, breached: 5, pending: 0, compliance: 2 / 7 });
    // Resolve: A B C met; D (150) and E (200) pending; F (250) and J (3 days) breached.
    expect(k.sla.resolve).toEqual({ met: 3, breached: 2, pending: 2, compliance: 3 / 5 });
  });

  it('counts escalations per tier and dispositions of the closed cases', () => {
    const k = kpi();
    expect(k.escalationRate).toBeCloseTo(2 / 3, 12);
    expect(k.escalationRateByTier).toEqual({ '2': 2 / 3, '3': 0 });
    expect(k.falsePositiveRate).toBeCloseTo(1 / 3, 12);
    expect(k.precision).toBeCloseTo(1 / 3, 12);
    expect(k.dispositions).toMatchObject({ true_positive: 1, false_positive: 1, benign_positive: 1 });
  });

  it('gives the change tests the same per-group figures whether or not result() ran first', () => {
    const fresh = () => {
      const acc = new KpiAccumulator(week, asOf, settings);
      acc.addCases(casesAsDay(cases));
      return acc;
    };
    const before = fresh().changeFacts(false);
    const acc = fresh();
    acc.result(false);
    const after = acc.changeFacts(false);
    expect(before).toEqual(after);
    // Critical acknowledge: 2 met of 7 judged; the sorted durations the median tests read.
    expect(before.sla.acknowledge.critical).toEqual({ hit: 2, n: 7 });
    expect([...before.durations.tta.critical!]).toEqual([5, 10, 20]);
    expect([...before.durations.ttr.critical!]).toEqual([30, 120, 120]);
  });
});
