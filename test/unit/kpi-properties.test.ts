// The KPI engine's property tests, apart from kpi.test.ts so a one-file mutation run (stryker.config.mjs) can
// leave these slow ones out: they check invariants over random inputs, the hand-computed cases are in kpi*.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { fromStoredDays } from './kpi-stored-days.js';

const settings = MetricSettingsSchema.parse({});
const week = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 }); // 2026-11-16 .. 2026-11-23
const MIN = 60_000;

describe('buildKpiSummary', () => {
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
          const { kpi } = fromStoredDays(days, week, asOf, settings);
          expect(kpi.significantTotal).toBe(listed.significantTotal);
          expect(JSON.stringify(kpi.significant)).toBe(JSON.stringify(listed.significant));
        },
      ),
      { numRuns: 40 },
    );
  });
});
