// Each KPI family of METRICS.md on a few cases computed by hand, at its boundaries: an event exactly at asOf or at
// the SLA target, a case created exactly at the period's end, ages exactly at the at-risk share (0.75) and at the
// backlog bucket edges, escalations to tier 2 and 3, time to contain against time to acknowledge, local days.
// Fast on purpose: the one-file mutation runs of kpi*.ts use this file with kpi.test.ts and kpi-cohorts.test.ts.
import { describe, expect, it } from 'vitest';
import { alertsAsDay, casesAsDay, type AlertCount, type CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary, buildTrend, KpiAccumulator, markUnavailable } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';

const settings = MetricSettingsSchema.parse({});
const week = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 }); // Mon 16 – Mon 23 November
const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const DAY = 86_400_000;
let n = 0;
const kase = (sev: CaseFacts['sev'], created: number, over: Partial<CaseFacts> = {}): CaseFacts => ({
  id: `k${++n}`,
  sev,
  created,
  ...over,
});
const accumulate = (cases: CaseFacts[], asOf: number, alerts?: AlertCount[], scope?: 'summary' | 'trend') => {
  const acc = new KpiAccumulator(week, asOf, settings, scope);
  acc.addCases(casesAsDay(cases));
  if (alerts) acc.addAlertCounts(alertsAsDay(alerts).columns());
  return acc;
};

describe('SLA of the created cohort (critical: acknowledge 15 min, resolve 240 min)', () => {
  // Judged on Wednesday 18 November 00:00, inside the week.
  const asOf = t('2026-11-18T00:00:00Z');
  const at9 = t('2026-11-16T09:00:00Z');
  const cases = [
    // Acknowledged after exactly 15 min and closed after exactly 240: both met (≤ target).
    kase('critical', at9, { ack: at9 + 15 * MIN, closed: at9 + 240 * MIN }),
    // One millisecond later each: both breached.
    kase('critical', at9, { ack: at9 + 15 * MIN + 1, closed: at9 + 240 * MIN + 1 }),
    // Nothing yet, exactly 15 min elapsed at asOf: acknowledge pending (not > 15), resolve pending.
    kase('critical', asOf - 15 * MIN),
    // Nothing yet, 15 min and 1 ms elapsed: acknowledge breached (overdue), resolve pending.
    kase('critical', asOf - 15 * MIN - 1),
    // Acknowledged and closed exactly at asOf, 10 min after creation: not yet visible, so both pending.
    kase('critical', asOf - 10 * MIN, { ack: asOf, closed: asOf }),
    // Info has no target: no SLA at all.
    kase('info', at9, { ack: at9 + 600 * MIN, closed: at9 + 6000 * MIN }),
  ];
  // Each test computes its own figures: a mutant that throws then fails a test, not the collection of this file.
  const run = () => accumulate(cases, asOf);

  it('met at the target, breached past it, pending while within it or when the event is at asOf', () => {
    const k = run().result(false);
    // Acknowledge: met 1, breached 2 (late, overdue), pending 2: compliance 1/3.
    expect(k.bySeverity.critical.sla.acknowledge).toEqual({ met: 1, breached: 2, pending: 2, compliance: 1 / 3 });
    // Resolve: met 1, breached 1, pending 3: compliance 1/2.
    expect(k.bySeverity.critical.sla.resolve).toEqual({ met: 1, breached: 1, pending: 3, compliance: 1 / 2 });
    // The overall counts are the critical ones: the info case adds nothing, high/medium/low had no case.
    expect(k.sla.acknowledge).toEqual({ met: 1, breached: 2, pending: 2, compliance: 1 / 3 });
    expect(k.sla.resolve).toEqual({ met: 1, breached: 1, pending: 3, compliance: 1 / 2 });
    expect(k.bySeverity.info.sla).toEqual({});
    expect(k.bySeverity.low.sla).toEqual({
      acknowledge: { met: 0, breached: 0, pending: 0, compliance: null },
      resolve: { met: 0, breached: 0, pending: 0, compliance: null },
    });
  });

  it('gives the change tests met of met + breached per severity with a target', () => {
    const none = { hit: 0, n: 0 };
    expect(run().changeFacts(false).sla).toEqual({
      acknowledge: { critical: { hit: 1, n: 3 }, high: none, medium: none, low: none },
      resolve: { critical: { hit: 1, n: 2 }, high: none, medium: none, low: none },
    });
  });
});

describe('backlog at pointInTime = the week end (critical: at risk from 0.75 · 240 = 180 min)', () => {
  const end = week.end;
  const cases = [
    kase('critical', end - 180 * MIN), // exactly 180 min old: at risk
    kase('critical', end - 180 * MIN + 1), // 1 ms younger: neither
    kase('critical', end - 240 * MIN), // exactly at the target: at risk, not breached
    kase('critical', end - 240 * MIN - 1), // 1 ms past it: breached
    kase('info', end - 40 * DAY), // no target: neither; 40 days: gt30d
    kase('critical', end), // created exactly at the end: in no cohort
    kase('critical', end - 300 * MIN, { closed: end }), // closed exactly at the end: still open at it, breached
    kase('critical', end - DAY), // exactly 1 day: d1to7
    kase('critical', end - 7 * DAY), // exactly 7 days (= the week's start): d7to30, and created in the week
    kase('critical', end - 30 * DAY), // exactly 30 days: gt30d
  ];

  it('counts the open cases in age buckets (lower bound inclusive), at risk and breached', () => {
    const k = accumulate(cases, end).result(false);
    // Open: all but the one created at the end: 9. Ages in minutes: 179.99998, 180, 240, 240.00002, 300, 1440,
    // 10080, 43200, 57600; p50 = 5th = 300, p90 = 9th (ceil 8.1) = 57600, mean 113460 / 9 (the ±1 ms cancel).
    expect(k.backlog.open).toBe(9);
    expect(k.cases.openAtAsOf).toBe(9);
    expect(k.backlog.buckets).toEqual({ lt1d: 5, d1to7: 1, d7to30: 1, gt30d: 2 });
    expect(k.backlog.age).toMatchObject({ n: 9, p50: 300, p90: 57600, lowN: true });
    expect(k.backlog.age.mean).toBeCloseTo(113460 / 9, 6);
    // At risk: the 180 and 240 min ones. Breached: 240 min + 1 ms, 300 min, 1, 7 and 30 days.
    expect(k.sla.atRisk).toBe(2);
    expect(k.sla.openBreached).toBe(5);
    // Created in the week: the five of 11-22, the 1-day and the 7-day one (at the start, inclusive) = 7; none closed
    // (the one closed exactly at the end is outside the half-open week).
    expect(k.cases.created).toBe(7);
    expect(k.cases.closed).toBe(0);
  });

  it('judged a day after the week: a case created or closed exactly at its end is in neither cohort', () => {
    const k = accumulate(
      [
        kase('low', end), // created at the end: not created in the week (and not open at it)
        kase('low', end - DAY, { closed: end }), // closed at the end: not closed in the week, open at it
        kase('low', end - DAY, { closed: end - 1 }), // closed in the week's last millisecond
      ],
      end + DAY,
    ).result(false);
    expect(k.cases).toEqual({ created: 2, closed: 1, openAtAsOf: 1 });
  });

  it('a trend-only period counts the backlog but keeps no ages', () => {
    const k = accumulate(cases, end, undefined, 'trend').result(false);
    expect(k.backlog.open).toBe(9);
    expect(k.backlog.buckets).toEqual({ lt1d: 5, d1to7: 1, d7to30: 1, gt30d: 2 });
    expect(k.backlog.age).toEqual({ n: 0, p50: null, p90: null, mean: null, lowN: true });
    expect(k.sla.openBreached).toBe(5);
  });
});

describe('case timing', () => {
  const asOf = t('2026-11-18T00:00:00Z');
  const at = (iso: string) => t(`2026-11-${iso}Z`);
  const cases = [
    // ttd 30 (detected − first event), tta 5, ttc 40, ttr 60.
    kase('critical', at('16T09:00:00'), {
      firstEvent: at('16T08:00:00'),
      detected: at('16T08:30:00'),
      ack: at('16T09:05:00'),
      contained: at('16T09:40:00'),
      closed: at('16T10:00:00'),
    }),
    // ttd 60 (no detection time: created − first event); acknowledged and contained exactly at asOf: not yet; open,
    // censored at asOf − created = 36 h = 2160 min.
    kase('high', at('16T12:00:00'), { firstEvent: at('16T11:00:00'), ack: asOf, contained: asOf }),
    // No first event: no ttd. tta 20, ttc 30 (to containment, not to acknowledgement), ttr 360.
    kase('medium', at('17T00:00:00'), {
      ack: at('17T00:20:00'),
      contained: at('17T00:30:00'),
      closed: at('17T06:00:00'),
    }),
    // Created before the week, closed in it: ttr 120 only.
    kase('critical', at('15T23:00:00'), {
      firstEvent: at('15T22:00:00'),
      ack: at('15T23:10:00'),
      contained: at('15T23:20:00'),
      closed: at('16T01:00:00'),
    }),
    // Closed exactly at asOf: not in the closed cohort, censored at 720 min.
    kase('low', at('17T12:00:00'), { closed: asOf }),
  ];
  // Each test computes its own figures: a mutant that throws then fails a test, not the collection of this file.
  const run = () => accumulate(cases, asOf);

  it('measures each duration on its cohort, overall and per severity', () => {
    const k = run().result(false);
    expect(k.ttd).toEqual({ n: 2, p50: 30, p90: 60, mean: 45, lowN: true });
    expect(k.tta).toEqual({ n: 2, p50: 5, p90: 20, mean: 12.5, lowN: true });
    expect(k.ttc).toEqual({ n: 2, p50: 30, p90: 40, mean: 35, lowN: true });
    // ttr: 60, 120, 360: p50 = 2nd (ceil 1.5), p90 = 3rd (ceil 2.7), mean 180.
    expect(k.ttr).toEqual({ n: 3, p50: 120, p90: 360, mean: 180, lowN: true });
    expect(k.bySeverity.critical).toMatchObject({
      ttd: { n: 1, p50: 30 },
      tta: { n: 1, p50: 5 },
      ttc: { n: 1, p50: 40 },
      ttr: { n: 2, p50: 60, p90: 120, mean: 90 },
    });
    expect(k.bySeverity.high).toMatchObject({ ttd: { n: 1, p50: 60 }, tta: { n: 0 }, ttc: { n: 0 }, ttr: { n: 0 } });
    expect(k.bySeverity.medium).toMatchObject({ ttd: { n: 0 }, tta: { p50: 20 }, ttc: { p50: 30 }, ttr: { p50: 360 } });
  });

  it('Kaplan–Meier over the created cohort: events 60, 360, censored 720, 2160', () => {
    const k = run().result(false);
    // S(60) = 3/4, S(360) = 3/4 · (1 − 1/3) = 1/2 ≤ 1/2: the median is 360.
    expect(k.ttrCohort).toEqual({ n: 4, median: 360, moreThan: null });
  });

  it('a case closed exactly at asOf is still open for Kaplan–Meier: censored, no median', () => {
    // Created 120 min before asOf, closed at asOf: censored at 120, S never falls: more than 120.
    const only = accumulate([kase('low', asOf - 120 * MIN, { closed: asOf })], asOf).result(false);
    expect(only.ttrCohort).toEqual({ n: 1, median: null, moreThan: 120 });
  });

  it('gives the change tests the sorted tta and ttr per severity, in any order with the result', () => {
    const fresh = run().changeFacts(false);
    const acc = run();
    acc.result(false);
    for (const facts of [fresh, acc.changeFacts(false)]) {
      expect(Array.from(facts.durations.tta.critical!)).toEqual([5]);
      expect(Array.from(facts.durations.tta.medium!)).toEqual([20]);
      expect(Array.from(facts.durations.ttr.critical!)).toEqual([60, 120]);
      expect(Array.from(facts.durations.ttr.high!)).toEqual([]);
    }
  });
});

describe('quality of the closed cohort', () => {
  const end = week.end;
  const at9 = t('2026-11-17T09:00:00Z');
  const closedAfter = (min: number) => ({ closed: at9 + min * MIN });
  const cases = [
    kase('critical', at9, { ...closedAfter(180), disp: 'true_positive', esc: 2, rule: 'r1', runbook: 'rb1' }),
    kase('critical', at9, { ...closedAfter(300), disp: 'false_positive', esc: 3, rule: 'r1', runbook: 'rb1' }),
    kase('low', at9, { ...closedAfter(60), disp: 'false_positive', rule: 'r2', runbook: 'rb2' }),
    kase('info', at9, { ...closedAfter(30), disp: 'benign_positive', esc: 3, runbook: 'rb1' }),
    kase('high', at9, { ...closedAfter(90), disp: 'undetermined', esc: 3, rule: 'r2' }),
    kase('high', at9, { ...closedAfter(90), rule: 'r2' }), // closed without a disposition
    kase('high', at9), // open: in no quality figure
  ];
  const alerts: AlertCount[] = [
    { at: at9, rule: 'r1', sev: 'high', count: 5 },
    { at: at9, rule: 'r2', sev: 'low', count: 5 },
    { at: at9, rule: 'r3', sev: 'low', count: 1 },
  ];
  // Each test computes its own figures: a mutant that throws then fails a test, not the collection of this file.
  const run = () => accumulate(cases, end, alerts);

  it('counts dispositions, the false-positive rate and precision over TP + BP + FP', () => {
    const k = run().result(true);
    expect(k.cases.closed).toBe(6);
    expect(k.dispositions).toEqual({
      true_positive: 1,
      benign_positive: 1,
      false_positive: 2,
      undetermined: 1,
      none: 1,
    });
    // FP 2 / (TP 1 + BP 1 + FP 2) = 0.5; precision 1/4.
    expect(k.falsePositiveRate).toBe(0.5);
    expect(k.precision).toBe(0.25);
  });

  it('escalations over all closed cases, per target tier', () => {
    const k = run().result(true);
    // 4 of 6 escalated: one to tier 2, three to tier 3.
    expect(k.escalationRate).toBe(4 / 6);
    expect(k.escalationRateByTier).toEqual({ '2': 1 / 6, '3': 3 / 6 });
  });

  it('per rule: by alerts, then closed cases, then name; per runbook: by closed cases', () => {
    const k = run().result(true);
    // r1 and r2 both 5 alerts; r2 has 3 closed cases (FP, undetermined, none: FP rate 1/1), r1 2 (TP, FP: 1/2).
    expect(k.rules).toEqual([
      { rule: 'r2', alerts: 5, closedCases: 3, falsePositiveRate: 1 },
      { rule: 'r1', alerts: 5, closedCases: 2, falsePositiveRate: 0.5 },
      { rule: 'r3', alerts: 1, closedCases: 0, falsePositiveRate: null },
    ]);
    // rb1: TP 180 min (met), FP 300 min (breached), BP info (no target): FP rate 1/3, resolve compliance 1/2.
    // rb2: FP 60 min, low resolve target 10080: met.
    expect(k.runbooks).toEqual([
      {
        runbook: 'rb1',
        closed: 3,
        ttr: { n: 3, p50: 180, p90: 300, mean: 170, lowN: true },
        falsePositiveRate: 1 / 3,
        resolveCompliance: 0.5,
      },
      {
        runbook: 'rb2',
        closed: 1,
        ttr: { n: 1, p50: 60, p90: 60, mean: 60, lowN: true },
        falsePositiveRate: 1,
        resolveCompliance: 1,
      },
    ]);
  });

  it('gives the change tests false positives per rule and for the cases without one', () => {
    const acc = run();
    expect(acc.changeFacts(true).falsePositives).toEqual({
      r1: { hit: 1, n: 2 },
      r2: { hit: 1, n: 1 },
      '(no rule)': { hit: 0, n: 1 },
    });
    expect(acc.changeFacts(true).alertsByRule).toEqual({ r1: 5, r2: 5, r3: 1 });
    expect(acc.changeFacts(false).alertsByRule).toBeNull();
  });

  it('adds up rules and runbooks across days, ignores empty names, lists the top ten, ties in code-unit order', () => {
    const acc = new KpiAccumulator(week, end, settings);
    const closedCase = (rule: string, runbook: string, disp?: CaseFacts['disp']) =>
      kase('low', at9, { ...closedAfter(10), rule, runbook, ...(disp ? { disp } : {}) });
    // Day 1 names rule "a" first; day 2 names "b" first: each day's names are its own.
    acc.addCases(casesAsDay([closedCase('a', 'x', 'false_positive'), closedCase('', '', 'true_positive')]));
    acc.addCases(casesAsDay([closedCase('b', 'y', 'true_positive'), closedCase('a', 'x', 'true_positive')]));
    // Twelve rules with 12 … 1 alerts, and two pairs of names the locale sees as equal (1 alert each, no case).
    const names = ['D\u00e9fense', 'De\u0301fense', 'x\u0001', 'x'];
    const alerts: AlertCount[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ at: at9, rule: `n${i}`, sev: 'low' as const, count: 100 + 12 - i })),
    ];
    acc.addAlertCounts(alertsAsDay(alerts).columns());
    const k = acc.result(true);
    // The empty names count in no rule and no runbook; "a" has 2 closed cases (FP, TP), "b" 1 (TP).
    expect(k.rules).toHaveLength(10);
    expect(k.rules.map((r) => r.rule)).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    expect(k.runbooks.map((r) => [r.runbook, r.closed, r.falsePositiveRate])).toEqual([
      ['x', 2, 0.5],
      ['y', 1, 0],
    ]);
    expect(acc.changeFacts(true).falsePositives).toEqual({
      a: { hit: 1, n: 2 },
      b: { hit: 0, n: 1 },
      '(no rule)': { hit: 0, n: 1 },
    });
    // Only rules with cases and no alerts: by closed cases, then names; locale-equal names in code-unit order.
    const ties = new KpiAccumulator(week, end, settings);
    ties.addCases(casesAsDay([...names, 'a', 'a'].map((r) => closedCase(r, r, 'true_positive'))));
    expect(ties.result(false).rules.map((r) => r.rule)).toEqual(['a', 'De\u0301fense', 'D\u00e9fense', 'x', 'x\u0001']);
    expect(ties.result(false).runbooks.map((r) => r.runbook)).toEqual([
      'a',
      'De\u0301fense',
      'D\u00e9fense',
      'x',
      'x\u0001',
    ]);
    // Every judged case has a rule: no "(no rule)" entry.
    expect(Object.keys(ties.changeFacts(false).falsePositives)).not.toContain('(no rule)');
  });

  it('a trend-only period keeps no runbooks', () => {
    expect(accumulate(cases, end, alerts, 'trend').result(true).runbooks).toEqual([]);
  });
});

describe('volume per local day', () => {
  // New York: W47 runs from 05:00Z on Monday 16 November; judged at Wednesday 18 November 00:00 local (05:00Z).
  const ny = parsePeriod('2026-W47', { tz: 'America/New_York', fiscalYearStartMonth: 1 });
  const asOf = t('2026-11-18T05:00:00Z');
  const alerts: AlertCount[] = [
    { at: ny.start, rule: 'r1', sev: 'high', count: 2 }, // at the start: counted, Monday
    { at: ny.start - 1, rule: 'r1', sev: 'high', count: 7 }, // 1 ms before: not
    { at: t('2026-11-17T04:59:00Z'), rule: 'r2', sev: 'low', count: 3 }, // Monday 23:59 local
    { at: t('2026-11-17T05:00:00Z'), rule: 'r2', sev: 'low', count: 1 }, // Tuesday 00:00 local
    { at: asOf, rule: 'r1', sev: 'critical', count: 50 }, // at asOf: not yet
  ];
  const cases = [
    kase('high', t('2026-11-17T03:00:00Z')), // Monday 22:00 local
    kase('low', asOf - 1), // Tuesday 23:59:59.999 local
    kase('low', asOf), // at asOf: not yet
  ];
  const run = (scope?: 'trend', hasAlerts = true) => {
    const acc = new KpiAccumulator(ny, asOf, settings, scope);
    acc.addCases(casesAsDay(cases));
    acc.addAlertCounts(alertsAsDay(alerts).columns());
    return acc.result(hasAlerts);
  };

  it('counts alerts and cases per local day, per severity and per rule', () => {
    const k = run();
    expect(k.alerts).toEqual({ created: 6 });
    expect(k.cases.created).toBe(2);
    expect(k.alertToCaseRatio).toBe(2 / 6);
    expect(k.volume.days).toEqual([
      { day: '2026-11-16', alerts: 5, cases: 1 },
      { day: '2026-11-17', alerts: 1, cases: 1 },
      ...['18', '19', '20', '21', '22'].map((d) => ({ day: `2026-11-${d}`, alerts: 0, cases: 0 })),
    ]);
    expect(k.volume.alertsBySeverity).toEqual({ critical: 0, high: 2, medium: 0, low: 4, info: 0 });
    expect(k.createdBySeverity).toEqual({ critical: 0, high: 1, medium: 0, low: 1, info: 0 });
    expect(k.rules.map((r) => [r.rule, r.alerts])).toEqual([
      ['r2', 4],
      ['r1', 2],
    ]);
  });

  it('without an alert source the alert figures are unknown, not zero; a trend-only period keeps no days', () => {
    const none = run(undefined, false);
    expect(none.alerts).toEqual({ missing: true, reason: 'no alert source' });
    expect(none.alertToCaseRatio).toBeNull();
    expect(none.volume.alertsBySeverity).toBeNull();
    expect(none.volume.days[0]).toEqual({ day: '2026-11-16', alerts: null, cases: 1 });
    const trend = run('trend');
    expect(trend.alerts).toEqual({ created: 6 });
    expect(trend.volume.days.every((d) => d.alerts === 0 && d.cases === 0)).toBe(true);
  });

  it('a rule counted over several days adds up, in the order first counted', () => {
    const acc = new KpiAccumulator(ny, asOf, settings);
    // Day 1 counts "b" in two buckets: 2 + 4.
    acc.addAlertCounts(
      alertsAsDay([
        { at: ny.start, rule: 'b', sev: 'low', count: 2 },
        { at: ny.start + 15 * MIN, rule: 'b', sev: 'low', count: 4 },
      ]).columns(),
    );
    acc.addAlertCounts(
      alertsAsDay([
        { at: ny.start + MIN, rule: 'a', sev: 'low', count: 1 },
        { at: ny.start + MIN, rule: 'b', sev: 'low', count: 3 },
      ]).columns(),
    );
    expect(acc.changeFacts(true).alertsByRule).toEqual({ b: 9, a: 1 });
    expect(Object.keys(acc.changeFacts(true).alertsByRule!)).toEqual(['b', 'a']);
    // Judged after the week: an alert in its last millisecond counts, one at its end does not.
    const after = new KpiAccumulator(ny, ny.end + DAY, settings);
    after.addAlertCounts(
      alertsAsDay([
        { at: ny.end - 1, rule: 'c', sev: 'low', count: 1 },
        { at: ny.end, rule: 'c', sev: 'low', count: 10 },
      ]).columns(),
    );
    expect(after.result(true).alerts).toEqual({ created: 1 });
  });
});

describe('significant incidents (critical, or high escalated)', () => {
  const end = week.end;
  const at = (h: number) => week.start + h * 3_600_000;
  it('lists those created or closed in the period with what was visible at asOf, oldest first', () => {
    const asOf = at(100);
    const cases = [
      kase('critical', at(5), {
        title: 'Ransomware on HR share',
        ack: at(6),
        contained: at(7),
        closed: at(100), // at asOf: not yet closed, so no disposition either
        disp: 'true_positive',
      }),
      kase('high', at(2), { esc: 3, ack: at(3), closed: at(4), disp: 'false_positive' }),
      kase('high', at(1)), // high, not escalated: not significant
      kase('critical', at(-10), { closed: at(50), disp: 'benign_positive' }), // created before, closed in the week
      kase('critical', at(-10)), // created before, still open: not listed
      kase('critical', at(100)), // created at asOf: not yet
    ];
    const k = accumulate(cases, asOf).result(false);
    expect(k.significantTotal).toBe(3);
    expect(k.significant).toEqual([
      { id: cases[3]!.id, severity: 'critical', created: at(-10), closed: at(50), disposition: 'benign_positive' },
      {
        id: cases[1]!.id,
        severity: 'high',
        escalatedToTier: 3,
        created: at(2),
        acknowledged: at(3),
        closed: at(4),
        disposition: 'false_positive',
      },
      {
        id: cases[0]!.id,
        title: 'Ransomware on HR share',
        severity: 'critical',
        created: at(5),
        acknowledged: at(6),
        contained: at(7),
      },
    ]);
    expect(accumulate(cases, asOf, undefined, 'trend').result(false)).toMatchObject({
      significant: [],
      significantTotal: 0,
    });
  });

  it('keeps the 100 most severe, then oldest, of many: criticals before escalated highs', () => {
    // 450 criticals arriving newest first (minute 449 … 0) and an escalated high at minute 0 (less severe).
    const cases = [
      ...Array.from({ length: 450 }, (_, i) => kase('critical', week.start + (449 - i) * MIN, { id: `c${449 - i}` })),
      kase('high', week.start, { esc: 2, id: 'h' }),
    ];
    const k = buildKpiSummary({ cases, alerts: undefined, period: week, asOf: end, settings });
    expect(k.significantTotal).toBe(451);
    expect(k.significant.map((x) => x.id)).toEqual(Array.from({ length: 100 }, (_, m) => `c${m}`));
  });

  it('are whichever severities the settings name, and those named when escalated to tier 2 or 3', () => {
    const custom = MetricSettingsSchema.parse({
      significantIncidents: { severities: ['high'], escalatedSeverities: ['low'] },
    });
    const cases = [
      kase('critical', week.start, { id: 'critical' }), // not named: not significant here
      kase('high', week.start + MIN, { id: 'high' }),
      kase('low', week.start + 2 * MIN, { id: 'low-esc2', esc: 2 }),
      kase('low', week.start + 3 * MIN, { id: 'low-esc3', esc: 3 }),
      kase('low', week.start + 4 * MIN, { id: 'low' }), // not escalated
      kase('medium', week.start + 5 * MIN, { id: 'medium-esc3', esc: 3 }), // escalated, but not named
      kase('info', week.start + 6 * MIN, { id: 'info-esc2', esc: 2 }),
    ];
    const k = buildKpiSummary({ cases, alerts: undefined, period: week, asOf: end, settings: custom });
    expect(k.significant.map((x) => [x.id, x.escalatedToTier])).toEqual([
      ['high', undefined],
      ['low-esc2', 2],
      ['low-esc3', 3],
    ]);
    expect(k.significantTotal).toBe(3);
  });

  it('cut back as they arrive, keep the most severe first and list them oldest first', () => {
    // 150 highs escalated (minutes 0 … 149) arrive first, then 300 criticals newest first (minutes 1299 … 1000):
    // the 400th arrival cuts the list to the best 100 so far; the 100 criticals from minute 1000 are listed.
    const highs = Array.from({ length: 150 }, (_, m) => kase('high', week.start + m * MIN, { id: `h${m}`, esc: 2 }));
    const crits = Array.from({ length: 300 }, (_, i) =>
      kase('critical', week.start + (1299 - i) * MIN, { id: `c${1299 - i}` }),
    );
    const k = buildKpiSummary({ cases: [...highs, ...crits], alerts: undefined, period: week, asOf: end, settings });
    expect(k.significantTotal).toBe(450);
    expect(k.significant.map((x) => x.id)).toEqual(Array.from({ length: 100 }, (_, m) => `c${1000 + m}`));
    // 99 criticals and 2 highs: all the criticals, then the older high.
    const few = [...crits.slice(201), ...highs.slice(0, 2)];
    const f = buildKpiSummary({ cases: few, alerts: undefined, period: week, asOf: end, settings });
    expect(f.significant.map((x) => x.id)).toEqual(['h0', ...Array.from({ length: 99 }, (_, m) => `c${1000 + m}`)]);
  });

  it('orders incidents created in the same millisecond by id', () => {
    const cases = ['b', 'c', 'a'].map((id) => kase('critical', week.start, { id }));
    const k = buildKpiSummary({ cases, alerts: undefined, period: week, asOf: end, settings });
    expect(k.significant.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('the trend against the previous week', () => {
  const prevWeek = parsePeriod('2026-W46', { tz: 'UTC', fiscalYearStartMonth: 1 });
  const h = (d: string) => t(`2026-11-${d}Z`);
  // Previous week: two criticals closed after 120 min each (resolve met), nothing open at its end.
  const previousCases = [
    kase('critical', h('09T09:00:00'), { closed: h('09T11:00:00') }),
    kase('critical', h('09T10:00:00'), { closed: h('09T12:00:00') }),
  ];
  // This week: closed after 60, 300 and 60 min; one created an hour before the end and open at it.
  const currentCases = [
    kase('critical', h('16T09:00:00'), { closed: h('16T10:00:00') }),
    kase('critical', h('16T10:00:00'), { closed: h('16T15:00:00') }),
    kase('critical', h('16T11:00:00'), { closed: h('16T12:00:00') }),
    kase('critical', h('22T23:00:00')),
  ];
  const trend = () => {
    const current = buildKpiSummary({ cases: currentCases, alerts: undefined, period: week, asOf: week.end, settings });
    const previous = buildKpiSummary({
      cases: previousCases,
      alerts: undefined,
      period: prevWeek,
      asOf: prevWeek.end,
      settings,
    });
    const label = { label: '2026-W46', start: '2026-11-09T00:00:00+00:00', end: '2026-11-16T00:00:00+00:00' };
    return { label, current, t: buildTrend(current, previous, label) };
  };

  it('gives each headline now and before, the change in absolute and in %, and better or worse', () => {
    const { label, t: tr } = trend();
    expect(tr.previous).toBe(label);
    const m = tr.metrics!;
    // Volumes have no better direction: 4 against 2, +2, +100 %.
    expect(m['cases.created']).toEqual({
      current: 4,
      previous: 2,
      change: 2,
      changePct: 100,
      better: null,
      direction: null,
    });
    // ttr p50: 60, 60, 300 → 60 (rank 2) against 120: −60, −50 %, lower is better.
    expect(m['ttr.p50']).toEqual({
      current: 60,
      previous: 120,
      change: -60,
      changePct: -50,
      better: 'lower',
      direction: 'better',
    });
    // ttr p90: 300 (rank ceil 2.7 = 3) against 120: +180, +150 %, worse.
    expect(m['ttr.p90']).toEqual({
      current: 300,
      previous: 120,
      change: 180,
      changePct: 150,
      better: 'lower',
      direction: 'worse',
    });
    // Resolve compliance: met 2, breached 1 (300 > 240), pending 1 → 2/3 against 1: −1/3, higher is better: worse.
    expect(m['sla.resolve.compliance']).toMatchObject({
      current: 2 / 3,
      previous: 1,
      better: 'higher',
      direction: 'worse',
    });
    expect(m['sla.resolve.compliance']!.change).toBeCloseTo(-1 / 3, 12);
    expect(m['sla.resolve.compliance']!.changePct).toBeCloseTo(-100 / 3, 9);
    // Backlog 1 against 0: +1, no % of 0, worse.
    expect(m['backlog.open']).toEqual({
      current: 1,
      previous: 0,
      change: 1,
      changePct: null,
      better: 'lower',
      direction: 'worse',
    });
    // Open breached 0 against 0: the same.
    expect(m['sla.openBreached']).toMatchObject({ change: 0, changePct: null, direction: 'same' });
    // Kaplan–Meier medians: now S(60) = 1 − 2/4 = 1/2 → 60; before S(120) = 0 → 120: better.
    expect(m['ttrCohort.median']).toMatchObject({ current: 60, previous: 120, change: -60, direction: 'better' });
    // No acknowledgement either week: tta unknown, no change; no alert source: alerts unknown.
    expect(m['tta.p50']).toEqual({
      current: null,
      previous: null,
      change: null,
      changePct: null,
      better: 'lower',
      direction: null,
    });
    expect(m['alerts.created']).toMatchObject({ current: null, previous: null, change: null, better: null });
    // Escalation 0 of 3 against 0 of 2: a change of 0 with no better direction.
    expect(m['escalationRate']).toMatchObject({ current: 0, previous: 0, change: 0, direction: null });
    // Every headline, in the order the email shows them.
    expect(Object.keys(m)).toEqual([
      'cases.created',
      'alerts.created',
      'ttd.p50',
      'tta.p50',
      'tta.p90',
      'ttc.p50',
      'ttr.p50',
      'ttr.p90',
      'ttrCohort.median',
      'sla.acknowledge.compliance',
      'sla.resolve.compliance',
      'sla.openBreached',
      'falsePositiveRate',
      'escalationRate',
      'backlog.open',
      'alertToCaseRatio',
    ]);
  });

  it('drops the trend of what a source cannot give, and keeps the rest', () => {
    const { current, t: tr } = trend();
    const marked = markUnavailable({ ...current, trend: tr }, { tta: 'n/a', 'sla.acknowledge': 'n/a' });
    const keys = Object.keys(marked.trend!.metrics!);
    expect(keys).not.toContain('tta.p50');
    expect(keys).not.toContain('tta.p90');
    expect(keys).not.toContain('sla.acknowledge.compliance');
    expect(keys).toContain('ttr.p50');
    expect(keys).toContain('sla.openBreached');
    expect(keys).toHaveLength(16 - 3);
    expect(marked.trend!.previous).toBe(tr.previous);
    // No case acknowledged (tta.n 0): the acknowledge SLA is not judged; info, without that SLA, gets none.
    expect(marked.sla.acknowledge).toEqual({ met: 0, breached: 0, pending: 0, compliance: null });
    expect(marked.bySeverity.info.sla).toEqual({});
    expect(marked.bySeverity.high.sla.acknowledge).toEqual({ met: 0, breached: 0, pending: 0, compliance: null });
  });
});
