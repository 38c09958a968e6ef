import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { fromStoredDays } from './kpi-stored-days.js';
import { durationStats, kaplanMeierMedian, nearestRank } from '../../shared/domain/stats.js';

const settings = MetricSettingsSchema.parse({});
const utc = { tz: 'UTC', fiscalYearStartMonth: 1 };
const week = parsePeriod('2026-W47', utc); // 2026-11-16 .. 2026-11-23
const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;

describe('statistics', () => {
  it('takes nearest-rank percentiles with an integer rank', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // p90 of 10 values: rank ceil(90·10/100) = 9 → 9 (0.9·10 in floating point would be 9.000000000000002 → rank 10)
    expect(nearestRank(ten, 90)).toBe(9);
    // p50 of 5: rank ceil(2.5) = 3
    expect(nearestRank([10, 20, 30, 40, 50], 50)).toBe(30);
    expect(nearestRank([], 50)).toBeNull();
  });

  it('reports n, p50, p90, mean and lowN', () => {
    expect(durationStats([30, 10, 20])).toEqual({ n: 3, p50: 20, p90: 30, mean: 20, lowN: true });
    expect(durationStats([])).toEqual({ n: 0, p50: null, p90: null, mean: null, lowN: true });
    expect(durationStats(Array.from({ length: 10 }, (_, i) => i)).lowN).toBe(false);
  });

  it('Kaplan–Meier handles censoring: events before censorings at equal times, moreThan when S never reaches 0.5', () => {
    // 4 subjects: events at 10 and 20, censored at 20 and 30.
    // t=10: S = 1 − 1/4 = 0.75; t=20: the event comes first, at risk 3 → S = 0.75·(1 − 1/3) = 0.5 ≤ 0.5 → median 20.
    expect(
      kaplanMeierMedian([
        { t: 10, event: true },
        { t: 20, event: false },
        { t: 20, event: true },
        { t: 30, event: false },
      ]).median,
    ).toBe(20);
    // 3 subjects, one event at 5, two censored at 50 and 60: S(5) = 2/3 > 0.5 → no median, more than 60.
    expect(
      kaplanMeierMedian([
        { t: 5, event: true },
        { t: 50, event: false },
        { t: 60, event: false },
      ]),
    ).toEqual({ n: 3, median: null, moreThan: 60 });
  });

  it('property: percentiles are monotone and KM equals the plain median when nothing is censored', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 200 }), (xs) => {
        const s = durationStats([...xs]);
        const km = kaplanMeierMedian(xs.map((x) => ({ t: x, event: true })));
        return s.p50! <= s.p90! && Math.min(...xs) <= s.p50! && s.p90! <= Math.max(...xs) && km.median === s.p50;
      }),
    );
  });
});

const base = (over: Partial<CaseFacts> & { id: string }): CaseFacts => ({
  sev: 'critical',
  created: t('2026-11-16T09:00:00Z'),
  ...over,
});

describe('buildKpiSummary', () => {
  it('judges SLA per case: met, breached late, breached overdue, pending', () => {
    const asOf = t('2026-11-23T00:00:00Z');
    const cases = [
      // critical ack target 15 min, resolve 240 min
      base({ id: 'met', ack: t('2026-11-16T09:10:00Z'), closed: t('2026-11-16T12:00:00Z') }), // ack 10 ≤ 15 met; resolve 180 ≤ 240 met
      base({ id: 'late', ack: t('2026-11-16T09:30:00Z'), closed: t('2026-11-16T14:00:00Z') }), // ack 30 > 15; resolve 300 > 240
      base({ id: 'overdue', created: t('2026-11-20T00:00:00Z') }), // nothing happened, > 3 days elapsed: both breached
      base({ id: 'pending', created: t('2026-11-22T23:55:00Z') }), // 5 min elapsed: both pending
    ];
    const k = buildKpiSummary({ cases, alerts: undefined, period: week, asOf, settings });
    expect(k.bySeverity.critical.sla.acknowledge).toEqual({ met: 1, breached: 2, pending: 1, compliance: 1 / 3 });
    expect(k.bySeverity.critical.sla.resolve).toEqual({ met: 1, breached: 2, pending: 1, compliance: 1 / 3 });
    // Open at asOf: 'overdue' (age 3 days > 240 min) is openBreached; 'pending' (5 min < 0.75·240) is neither.
    expect(k.sla.openBreached).toBe(1);
    expect(k.sla.atRisk).toBe(0);
    expect(k.alerts).toEqual({ missing: true, reason: 'no alert source' });
    expect(k.alertToCaseRatio).toBeNull();
  });

  it('hides everything after asOf', () => {
    const asOf = t('2026-11-16T10:00:00Z');
    const k = buildKpiSummary({
      cases: [
        base({ id: 'a', ack: t('2026-11-16T09:05:00Z'), closed: t('2026-11-16T11:00:00Z') }),
        base({ id: 'future', created: t('2026-11-17T00:00:00Z') }),
      ],
      alerts: [
        { at: t('2026-11-16T08:00:00Z'), rule: 'r', sev: 'high', count: 2 },
        { at: t('2026-11-16T10:30:00Z'), rule: 'r', sev: 'high', count: 5 },
      ],
      period: week,
      asOf,
      settings,
    });
    expect(k.cases).toEqual({ created: 1, closed: 0, openAtAsOf: 1 });
    expect(k.alerts).toEqual({ created: 2 });
    expect(k.tta.p50).toBe(5);
    // ttrCohort: one case, censored at asOf − created = 60 min.
    expect(k.ttrCohort).toEqual({ n: 1, median: null, moreThan: 60 });
  });

  it('computes quality, backlog buckets, rules and runbooks', () => {
    const asOf = t('2026-11-23T00:00:00Z');
    const closed = (id: string, disp: CaseFacts['disp'], extra: Partial<CaseFacts> = {}) =>
      base({ id, disp, closed: t('2026-11-16T10:00:00Z'), rule: 'r1', runbook: 'triage_alerts', ...extra });
    const cases = [
      closed('tp', 'true_positive', { esc: 2 }),
      closed('fp1', 'false_positive'),
      closed('fp2', 'false_positive', { rule: 'r2' }),
      closed('bp', 'benign_positive', { esc: 3 }),
      closed('u', 'undetermined'),
      base({ id: 'open-12h', created: asOf - 12 * 60 * MIN }),
      base({ id: 'open-1d', created: asOf - 24 * 60 * MIN }), // exactly 1 day → d1to7 (lower bound inclusive)
      base({ id: 'open-10d', created: asOf - 10 * 24 * 60 * MIN }),
      base({ id: 'open-40d', created: asOf - 40 * 24 * 60 * MIN }),
    ];
    const alerts = [
      { at: t('2026-11-16T08:00:00Z'), rule: 'r1', sev: 'high' as const, count: 30 },
      { at: t('2026-11-17T08:00:00Z'), rule: 'r2', sev: 'low' as const, count: 10 },
    ];
    const k = buildKpiSummary({ cases, alerts, period: week, asOf, settings });
    // FP / (TP + BP + FP) = 2 / (1 + 1 + 2) = 0.5, undetermined excluded; precision = 1/4
    expect(k.falsePositiveRate).toBe(0.5);
    expect(k.precision).toBe(0.25);
    expect(k.dispositions).toEqual({ true_positive: 1, benign_positive: 1, false_positive: 2, undetermined: 1 });
    // 2 of 5 closed escalated; one to tier 2, one to tier 3
    expect(k.escalationRate).toBe(2 / 5);
    expect(k.escalationRateByTier).toEqual({ '2': 1 / 5, '3': 1 / 5 });
    expect(k.backlog.buckets).toEqual({ lt1d: 1, d1to7: 1, d7to30: 1, gt30d: 1 });
    // Created in period: the 5 closed ones (created 11-16) + open-12h + open-1d (created 11-22) = 7 cases over 40 alerts.
    expect(k.cases.created).toBe(7);
    expect(k.alertToCaseRatio).toBe(7 / 40);
    expect(k.rules[0]).toEqual({ rule: 'r1', alerts: 30, closedCases: 4, falsePositiveRate: 1 / 3 });
    expect(k.rules[1]).toEqual({ rule: 'r2', alerts: 10, closedCases: 1, falsePositiveRate: 1 });
    expect(k.runbooks[0]).toMatchObject({
      runbook: 'triage_alerts',
      closed: 5,
      falsePositiveRate: 0.5,
      resolveCompliance: 1,
    });
    expect(k.volume.days[0]).toEqual({ day: '2026-11-16', alerts: 30, cases: 5 });
    expect(k.volume.alertsBySeverity).toMatchObject({ high: 30, low: 10, critical: 0 });
  });
});

describe('sections', () => {
  it('computes only the sections asked for, each equal to the same section of the whole summary', async () => {
    const { summarize } = await import('../../shared/domain/summary.js');
    const cases: CaseFacts[] = Array.from({ length: 60 }, (_, i) => ({
      id: String(i),
      sev: (['critical', 'high', 'low'] as const)[i % 3]!,
      created: week.start - 3 * 86_400_000 + i * 3 * 3_600_000,
      ...(i % 2 ? { closed: week.start + i * 3_600_000, disp: 'true_positive' as const } : {}),
    }));
    const alerts = [{ at: week.start + 3_600_000, rule: 'r', sev: 'low' as const, count: 4 }];
    const shifts = [{ analyst: 'a', tier: 1, start: week.start, end: week.start + 8 * 3_600_000 }];
    const costs = [{ month: '2026-10', category: 'tooling' as const, amount: '1000.00', currency: 'EUR' }];
    const input = { cases, alerts, shifts, costs };
    const opts = { period: week, asOf: week.end, settings };
    const whole = summarize(input, opts);
    for (const only of ['kpi', 'staffing', 'budget'] as const) {
      const part = summarize(input, { ...opts, sections: [only] });
      expect(part[only]).toEqual(whole[only]);
      for (const other of ['kpi', 'staffing', 'budget'] as const)
        if (other !== only) expect(part[other]).toEqual({ missing: true, reason: `${other} was not asked for` });
    }
  });
});

describe('rule and runbook lists', () => {
  it('come out in one order whatever order the records arrive in, even for names the locale sees as equal', () => {
    // "é" precomposed and as e + combining accent: localeCompare says 0, yet they are two rules.
    const names = ['D\u00e9fense', 'De\u0301fense', 'x', 'x\u0001'];
    const asOf = week.end;
    const alerts = names.map((rule) => ({ at: week.start + 3_600_000, rule, sev: 'high' as const, count: 1 }));
    const cases = names.map((runbook, i) => ({
      id: `c${i}`,
      sev: 'high' as const,
      created: week.start + 3_600_000,
      closed: week.start + 7_200_000,
      rule: runbook,
      runbook,
    }));
    const one = buildKpiSummary({ cases, alerts, period: week, asOf, settings });
    const other = buildKpiSummary({
      cases: [...cases].reverse(),
      alerts: [...alerts].reverse(),
      period: week,
      asOf,
      settings,
    });
    expect(other.rules.map((r) => r.rule)).toEqual(one.rules.map((r) => r.rule));
    expect(other.runbooks.map((r) => r.runbook)).toEqual(one.runbooks.map((r) => r.runbook));
  });
});

describe('the bounded work of a report', () => {
  it("reads a stored day's text only when one of its incidents is listed", () => {
    const critical = (day: number, k: number, minute: number): CaseFacts => ({
      id: `d${day}-${k}`,
      sev: 'critical',
      created: week.start + minute * MIN,
      title: `Critical ${k} on day ${day}`,
    });
    // Day 0 holds the 100 oldest criticals; days 1 and 2 hold later ones, never listed.
    const days = [
      Array.from({ length: 120 }, (_, k) => critical(0, k, k)),
      Array.from({ length: 50 }, (_, k) => critical(1, k, 1000 + k)),
      Array.from({ length: 50 }, (_, k) => critical(2, k, 2000 + k)),
    ];
    const { kpi, read } = fromStoredDays(days, week, week.end, settings);
    expect(kpi.significantTotal).toBe(220);
    expect(kpi.significant.map((x) => x.id)).toEqual(days[0]!.slice(0, 100).map((c) => c.id));
    expect(kpi.significant[0]!.title).toBe('Critical 0 on day 0');
    expect([...read]).toEqual([0]);

    // A sparse month: 80 days of two criticals each. The 100 listed are days 0–49's; days 50–79 are never read.
    const sparse = Array.from({ length: 80 }, (_, d) => [critical(d, 0, 10 * d), critical(d, 1, 10 * d + 1)]);
    const few = fromStoredDays(sparse, week, week.end, settings);
    expect(few.kpi.significant.map((x) => x.id)).toEqual(sparse.slice(0, 50).flatMap((day) => day.map((c) => c.id)));
    expect([...few.read].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, d) => d));
  });

  it('past 32 stored days held, reads the text of the kept incidents, even those not listed in the end', () => {
    const critical = (day: number, k: number, minute: number): CaseFacts => ({
      id: `d${day}-${k}`,
      sev: 'critical',
      created: week.start + minute * MIN,
      ...(k === 0 ? {} : { title: `t${k}` }),
    });
    // Days 0–39 hold one critical each (minutes 1000 + d); day 40 holds 100 older ones (minutes 0–99). The 33rd day
    // held pending passes the bound of 32: the 33 kept incidents (days 0–32) read their text then. Days 33–39 are
    // never read; day 40's incidents are the ones listed.
    const days = [
      ...Array.from({ length: 40 }, (_, d) => [critical(d, 0, 1000 + d)]),
      Array.from({ length: 100 }, (_, k) => critical(40, k, k)),
    ];
    const { kpi, read } = fromStoredDays(days, week, week.end, settings);
    expect(kpi.significantTotal).toBe(140);
    expect(kpi.significant.map((x) => x.id)).toEqual(days[40]!.map((c) => c.id));
    expect([...read].sort((a, b) => a - b)).toEqual([...Array.from({ length: 33 }, (_, d) => d), 40]);
    // An incident without a title has no title key, one with a title has it.
    expect('title' in kpi.significant[0]!).toBe(false);
    expect(kpi.significant[1]!.title).toBe('t1');
  });

  it('lists the most severe first, oldest first, whatever order they arrive in', () => {
    // An escalated high arrives first, then 100 criticals newest first: the high is the 101st and is left out.
    const cases: CaseFacts[] = [
      { id: 'high', sev: 'high', esc: 2, created: week.start },
      ...Array.from({ length: 100 }, (_, i) => ({
        id: `c${99 - i}`,
        sev: 'critical' as const,
        created: week.start + (99 - i) * MIN,
      })),
    ];
    const kpi = buildKpiSummary({ cases, alerts: undefined, period: week, asOf: week.end, settings });
    expect(kpi.significant.map((x) => x.id)).toEqual(Array.from({ length: 100 }, (_, m) => `c${m}`));
  });

  it('shows of an incident only what was visible at asOf', () => {
    const asOf = week.start + 10 * 60 * MIN;
    const cases: CaseFacts[] = [
      // Acknowledged and contained exactly at asOf: not yet.
      { id: 'a', sev: 'critical', created: week.start, ack: asOf, contained: asOf },
      // Closed without a disposition: no disposition key.
      { id: 'b', sev: 'critical', created: week.start + MIN, closed: week.start + 2 * MIN },
    ];
    const kpi = buildKpiSummary({ cases, alerts: undefined, period: week, asOf, settings });
    expect(kpi.significant).toStrictEqual([
      { id: 'a', severity: 'critical', created: week.start },
      { id: 'b', severity: 'critical', created: week.start + MIN, closed: week.start + 2 * MIN },
    ]);
  });
});
