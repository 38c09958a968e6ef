import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary, KpiAccumulator } from '../../shared/domain/kpi.js';
import type { CaseDay } from '../../shared/domain/facts.js';
import { CaseBatch, encodeCaseBatch } from '../../shared/store/formats/case-batch.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
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

  it('property: compliance in [0,1] and met + breached + pending = cohort for every severity', () => {
    const arbCase = fc.record({
      sev: fc.constantFrom('critical', 'high', 'medium', 'low' as const),
      created: fc.integer({ min: week.start - 2 * 86_400_000, max: week.end }),
      ack: fc.option(fc.integer({ min: 0, max: 3 * 86_400_000 }), { nil: undefined }),
      close: fc.option(fc.integer({ min: 0, max: 30 * 86_400_000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(arbCase, { maxLength: 60 }),
        fc.integer({ min: week.start, max: week.end + 86_400_000 }),
        (raw, asOf) => {
          const cases: CaseFacts[] = raw.map((r, i) => ({
            id: String(i),
            sev: r.sev as CaseFacts['sev'],
            created: r.created,
            ack: r.ack === undefined ? undefined : r.created + r.ack,
            closed: r.close === undefined ? undefined : r.created + r.close,
          }));
          const k = buildKpiSummary({ cases, alerts: [], period: week, asOf, settings });
          for (const sev of ['critical', 'high', 'medium', 'low'] as const) {
            const cohort = cases.filter(
              (c) => c.sev === sev && c.created >= week.start && c.created < week.end && c.created < asOf,
            ).length;
            for (const kind of ['acknowledge', 'resolve'] as const) {
              const s = k.bySeverity[sev].sla[kind]!;
              if (s.met + s.breached + s.pending !== cohort) return false;
              if (s.compliance !== null && (s.compliance < 0 || s.compliance > 1)) return false;
            }
          }
          return true;
        },
      ),
    );
  });
});

describe('the one-pass engine', () => {
  it('property: the summary is the same whatever order cases and alerts arrive in', async () => {
    const { summarize } = await import('../../shared/domain/summary.js');
    const arbCase = fc.record({
      sev: fc.constantFrom('critical', 'high', 'medium', 'low', 'info' as const),
      created: fc.integer({ min: week.start - 9 * 86_400_000, max: week.end }),
      ack: fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: undefined }),
      close: fc.option(fc.integer({ min: 0, max: 12 * 86_400_000 }), { nil: undefined }),
      disp: fc.constantFrom('true_positive', 'false_positive', 'benign_positive', undefined),
      rule: fc.constantFrom('r1', 'r2', undefined),
      runbook: fc.constantFrom('triage_alerts', 'phishing_response', undefined),
      handle: fc.option(fc.double({ min: 0, max: 300, noNaN: true }), { nil: undefined }),
    });
    const arbAlert = fc.record({
      at: fc.integer({ min: week.start - 8 * 86_400_000, max: week.end }),
      rule: fc.constantFrom('r1', 'r2', 'r3'),
      sev: fc.constantFrom('critical', 'low' as const),
      count: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbCase, { maxLength: 40 }),
        fc.array(arbAlert, { maxLength: 40 }),
        fc.integer({ min: week.start, max: week.end }),
        fc.integer(),
        (raw, alerts, asOf, seed) => {
          const cases: CaseFacts[] = raw.map((r, i) => ({
            id: String(i),
            sev: r.sev as CaseFacts['sev'],
            created: r.created,
            ...(r.ack === undefined ? {} : { ack: r.created + r.ack }),
            ...(r.close === undefined ? {} : { closed: r.created + r.close, disp: r.disp }),
            ...(r.rule ? { rule: r.rule } : {}),
            ...(r.runbook ? { runbook: r.runbook } : {}),
            ...(r.handle === undefined ? {} : { handle: r.handle }),
          }));
          // A deterministic shuffle from the seed.
          const shuffle = <T>(xs: T[]) =>
            xs
              .map((x, i) => ({ x, k: Math.imul(i + 1, seed | 1) ^ (seed >>> 7) }))
              .sort((a, b) => a.k - b.k)
              .map((e) => e.x);
          const opts = { period: week, asOf, settings };
          const inOrder = summarize({ cases, alerts, shifts: [] }, opts);
          const shuffled = summarize({ cases: shuffle(cases), alerts: shuffle(alerts), shifts: [] }, opts);
          expect(shuffled).toEqual(inOrder);
        },
      ),
      { numRuns: 200 },
    );
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
  const sevs = ['critical', 'high', 'medium', 'low', 'info'] as const;
  const caseOf = fc.record({
    id: fc.string({ minLength: 1, maxLength: 3 }),
    sev: fc.constantFrom(...sevs),
    created: fc.integer({ min: 0, max: 7 * 24 * 60 - 1 }).map((m) => week.start + m * MIN),
    esc: fc.option(fc.constantFrom(2, 3), { nil: undefined }),
    closeAfter: fc.option(fc.integer({ min: 1, max: 10 * 24 * 60 }), { nil: undefined }),
  });

  it('property: significant incidents kept as they arrive are the ones sorting them all would keep', () => {
    fc.assert(
      fc.property(fc.array(caseOf, { minLength: 200, maxLength: 3000 }), (raw) => {
        // Case ids are unique, as a SOAR's are (two cases with one id and one creation time have no order to test).
        const cases: CaseFacts[] = raw.map(({ closeAfter, esc, ...c }, i) => ({
          ...c,
          id: `${c.id}-${i}`,
          ...(esc === undefined ? {} : { esc }),
          ...(closeAfter === undefined ? {} : { closed: c.created + closeAfter * MIN, disp: 'true_positive' as const }),
        }));
        const kpi = buildKpiSummary({
          cases,
          alerts: undefined,
          period: week,
          asOf: week.end + 30 * 86_400_000,
          settings,
        });
        // The reference: every significant incident of the period, sorted once in reading order (open before closed —
        // every closed one here is a true positive, closed before asOf —, most severe, oldest, id), the first 100
        // listed oldest first.
        const rank = (s: string) => sevs.indexOf(s as (typeof sevs)[number]);
        const open = (c: CaseFacts) => (c.closed === undefined ? 0 : 1);
        const byCreated = (a: CaseFacts, b: CaseFacts) =>
          a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        const all = cases.filter((c) => c.sev === 'critical' || (c.sev === 'high' && c.esc !== undefined));
        const expected = [...all]
          .sort((a, b) => open(a) - open(b) || rank(a.sev) - rank(b.sev) || byCreated(a, b))
          .slice(0, 100)
          .sort(byCreated);
        expect(kpi.significantTotal).toBe(all.length);
        expect(kpi.significant.map((x) => [x.id, x.created, x.severity])).toEqual(
          expected.map((c) => [c.id, c.created, c.sev]),
        );
      }),
      { numRuns: 60 },
    );
  });

  /** The significant incidents of `days` read as stored days (columns, text read on demand), with the days read. */
  const fromStoredDays = (days: CaseFacts[][], asOf: number) => {
    const acc = new KpiAccumulator(week, asOf, settings);
    const read = new Set<number>();
    days.forEach((cases, d) => {
      const batch = CaseBatch.decode(encodeCaseBatch(cases));
      const counted: CaseDay = {
        length: batch.length,
        columns: () => batch.columns(),
        textAt: (i) => (read.add(d), batch.textAt(i)),
      };
      acc.addCases(counted);
    });
    return { kpi: acc.result(false), read };
  };

  it('property: incidents from stored days, their text read late, are the ones read from a list', () => {
    fc.assert(
      fc.property(
        fc.array(caseOf, { minLength: 200, maxLength: 2000 }),
        // Many days (more than the days held pending) and ties to the millisecond across them.
        fc.integer({ min: 1, max: 60 }),
        (raw, dayCount) => {
          const cases: CaseFacts[] = raw.map(({ closeAfter, esc, ...c }, i) => ({
            ...c,
            id: `${c.id}-${i}`,
            ...(i % 3 === 0 ? { title: `title <${i}>` } : {}),
            ...(esc === undefined ? {} : { esc }),
            ...(closeAfter === undefined
              ? {}
              : { closed: c.created + closeAfter * MIN, disp: 'true_positive' as const }),
          }));
          const days = Array.from({ length: dayCount }, (_, d) => cases.filter((_, i) => i % dayCount === d));
          const asOf = week.end + 30 * 86_400_000;
          const listed = buildKpiSummary({ cases, alerts: undefined, period: week, asOf, settings });
          const { kpi } = fromStoredDays(days, asOf);
          expect(kpi.significantTotal).toBe(listed.significantTotal);
          expect(JSON.stringify(kpi.significant)).toBe(JSON.stringify(listed.significant));
        },
      ),
      { numRuns: 40 },
    );
  });

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
    const { kpi, read } = fromStoredDays(days, week.end);
    expect(kpi.significantTotal).toBe(220);
    expect(kpi.significant.map((x) => x.id)).toEqual(days[0]!.slice(0, 100).map((c) => c.id));
    expect(kpi.significant[0]!.title).toBe('Critical 0 on day 0');
    expect([...read]).toEqual([0]);

    // A sparse month: 80 days of two criticals each. The 100 listed are days 0–49's; days 50–79 are never read.
    const sparse = Array.from({ length: 80 }, (_, d) => [critical(d, 0, 10 * d), critical(d, 1, 10 * d + 1)]);
    const few = fromStoredDays(sparse, week.end);
    expect(few.kpi.significant.map((x) => x.id)).toEqual(sparse.slice(0, 50).flatMap((day) => day.map((c) => c.id)));
    expect([...few.read].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, d) => d));
  });
});
