import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryPayloadError } from '../../shared/store/formats/binary-payload.js';
import { CaseBatch, encodeCaseBatch, isCaseBatch } from '../../shared/store/formats/case-batch.js';
import {
  alertCount,
  caseFacts,
  casesAsDay,
  CaseFactsSchema,
  NO_CODE,
  type CaseFacts,
  type CaseMetrics,
} from '../../shared/domain/facts.js';
import { alertsForHour, casesForDay, DEFAULT_PROFILE } from '../../functions/soc-sim/generate.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { summarize, SummaryAccumulator } from '../../shared/domain/summary.js';

const week = parsePeriod('2026-W47', { tz: 'Europe/London', fiscalYearStartMonth: 4 });
const settings = MetricSettingsSchema.parse({});
const epoch = fc.integer({ min: week.start - 20 * 86_400_000, max: week.end + 3 * 86_400_000 });
// Instants with fractions of a millisecond, far apart: a distance from `created` may not give the instant back.
const oddInstant = fc.double({ min: -1e15, max: 1e15, noNaN: true });
const text = fc.oneof(fc.constantFrom('r1', 'r2', '<img src=x onerror=alert(1)>', '=HYPERLINK("x")', 'é'), fc.string());

const validCase = (instant: fc.Arbitrary<number>): fc.Arbitrary<CaseFacts> =>
  fc
    .record(
      {
        id: fc.string(),
        sev: fc.constantFrom('critical', 'high', 'medium', 'low', 'info'),
        created: instant,
        firstEvent: instant,
        detected: instant,
        ack: instant,
        contained: instant,
        closed: instant,
        disp: fc.constantFrom('true_positive', 'benign_positive', 'false_positive', 'undetermined'),
        tier: fc.constantFrom(1, 2, 3),
        esc: fc.constantFrom(2, 3),
        runbook: text,
        rule: text,
        handle: fc.double({ min: 0, max: 500, noNaN: true }),
        assignee: text,
        title: text,
      },
      { requiredKeys: ['id', 'sev', 'created'] },
    )
    // As the schema gives them back: -0 is 0 after JSON, and key order is the schema's.
    .map((c) => CaseFactsSchema.parse(JSON.parse(JSON.stringify(c))));

const anyCases = fc.array(fc.oneof(validCase(epoch), validCase(oddInstant)), { maxLength: 8 });
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const metricsOf = ({ id: _i, assignee: _a, title: _t, ...m }: CaseFacts): CaseMetrics => m;
const replayed = (batch: CaseBatch) => {
  const out: CaseMetrics[] = [];
  batch.forEach((m) =>
    out.push(Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as CaseMetrics),
  );
  return out;
};

// Property tests over thousands of generated batches: real work, slow on a busy machine: this block says how long its tests may take.
describe('cases stored as binary columns', { timeout: 120_000 }, () => {
  it('decode to exactly the cases encoded, keys in schema order', () => {
    fc.assert(
      fc.property(anyCases, (cases) => {
        const bytes = encodeCaseBatch(cases);
        expect(isCaseBatch(bytes)).toBe(true);
        const rows = CaseBatch.decode(bytes).rows();
        expect(rows).toStrictEqual(cases);
        // Key order too (JSON shows it), which is what zod gives.
        expect(JSON.stringify(rows)).toBe(JSON.stringify(cases));
      }),
      { numRuns: 1000 },
    );
  });

  it('replay each case’s metric facts in order, through one reused object', () => {
    fc.assert(
      fc.property(anyCases, (cases) => {
        const batch = CaseBatch.decode(encodeCaseBatch(cases));
        expect(batch.length).toBe(cases.length);
        expect(replayed(batch)).toStrictEqual(cases.map(metricsOf));
      }),
      { numRuns: 500 },
    );
  });

  it('give the engine the same figures as the cases as a list', () => {
    fc.assert(
      fc.property(fc.array(validCase(epoch), { maxLength: 40 }), fc.nat({ max: 9 }), (cases, cut) => {
        const asOf = week.start + (cut / 10) * (week.end - week.start + 86_400_000);
        const opts = { period: week, asOf, settings };
        const acc = new SummaryAccumulator(opts);
        // Split across two stored days, as the loader gives them.
        const half = Math.floor(cases.length / 2);
        acc.addCases(CaseBatch.decode(encodeCaseBatch(cases.slice(0, half))));
        acc.addCases(CaseBatch.decode(encodeCaseBatch(cases.slice(half))));
        expect(plain(acc.result({}, { cases: true, alerts: false }))).toStrictEqual(plain(summarize({ cases }, opts)));
      }),
      { numRuns: 300 },
    );
  });

  it('give the engine columns equal to the cases as a list, whatever day was read before', () => {
    // Sizes either side of the first size of the arrays every stored day decodes into (8,192), so they grow.
    const sized = (n: number) => fc.array(validCase(epoch), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        fc.constantFrom(0, 3, 8193).chain(sized),
        fc.constantFrom(1, 40, 8200).chain(sized),
        (before, cases) => {
          CaseBatch.decode(encodeCaseBatch(before)).columns();
          const cols = CaseBatch.decode(encodeCaseBatch(cases)).columns();
          const expected = casesAsDay(cases).columns();
          // The first difference, if any (a diff of whole columns of thousands of values would not be read).
          const differs = Object.entries(expected).flatMap(([k, want]): unknown[] => {
            const got = (cols as unknown as Record<string, unknown>)[k];
            if (typeof want === 'number') return got === want ? [] : [{ k, got, want }];
            const w = want as ArrayLike<unknown>;
            const g = got as ArrayLike<unknown>;
            if (g.constructor !== w.constructor || g.length !== w.length)
              return [{ k, length: g.length, want: w.length }];
            for (let i = 0; i < w.length; i++) if (!Object.is(g[i], w[i])) return [{ k, i, got: g[i], want: w[i] }];
            return [];
          });
          expect(differs).toEqual([]);
          // An absent fact reads as NaN or no code, never 0.
          cases.forEach((c, i) => {
            expect(Number.isNaN(cols.closed[i]!)).toBe(c.closed === undefined);
            expect(cols.disp[i] === NO_CODE).toBe(c.disp === undefined);
            expect(cols.rule[i]! < 0).toBe(c.rule === undefined);
          });
        },
      ),
      // No shrinking: each try re-encodes thousands of cases, and the first difference is reported already.
      { numRuns: 8, endOnFailure: true },
    );
  });

  it('decode from any byte offset (a copy when the columns would not be aligned)', () => {
    const cases = fc.sample(validCase(epoch), { numRuns: 20, seed: 7 });
    const bytes = encodeCaseBatch(cases);
    for (const shift of [1, 3, 4, 8]) {
      const holder = new Uint8Array(bytes.length + shift);
      holder.set(bytes, shift);
      expect(CaseBatch.decode(holder.subarray(shift)).rows()).toStrictEqual(cases);
    }
  });

  it('refuse damaged bytes with a BinaryPayloadError, or give only cases the schema accepts', () => {
    const damaged = fc
      .tuple(fc.array(validCase(epoch), { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat({ max: 255 }), fc.boolean())
      .map(([cases, at, value, cut]) => {
        const bytes = Uint8Array.from(encodeCaseBatch(cases));
        if (cut) return bytes.subarray(0, at % bytes.length);
        bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(damaged, (bytes) => {
        let rows: CaseFacts[];
        try {
          rows = CaseBatch.decode(bytes).rows();
        } catch (e) {
          expect(e).toBeInstanceOf(BinaryPayloadError);
          return;
        }
        for (const c of rows) expect(CaseFactsSchema.safeParse(c).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('name what is wrong', () => {
    const bytes = Uint8Array.from(encodeCaseBatch([{ id: 'a', sev: 'high', created: 1, tier: 2 }]));
    expect(() => CaseBatch.decode(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes where 1 rows take/);
    const version = Uint8Array.from(bytes);
    version[4] = 9;
    expect(() => CaseBatch.decode(version)).toThrow('binary cases payload version 9 is not supported');
    const tier = Uint8Array.from(bytes);
    tier[tier.length - 1] = 7; // the tier column is last
    expect(() => CaseBatch.decode(tier)).toThrow('case 0: tier is out of range');
    expect(() => CaseBatch.decode(Buffer.from('{"cases":[]}'))).toThrow('not a binary cases payload');
    expect(() => encodeCaseBatch([{ id: 'a', sev: 'high', created: NaN }])).toThrow(
      'case 0: created is not a finite number',
    );
    // Never another valid value in place of an invalid one.
    const invalid = (c: object) => () => encodeCaseBatch([{ id: 'a', sev: 'high', created: 1, ...c } as CaseFacts]);
    expect(invalid({ sev: 'High' })).toThrow('case 0: sev is not a severity');
    expect(invalid({ disp: 'closed_fp' })).toThrow('case 0: disp is not a disposition');
    expect(invalid({ tier: 1.5 })).toThrow('case 0: tier is not 1, 2 or 3');
    expect(invalid({ esc: 257 })).toThrow('case 0: esc is not 2 or 3');
  });

  it('taken one at a time, more than a chunk, give the figures of the same cases and counts taken as lists', () => {
    const profile = { ...DEFAULT_PROFILE, casesPerDay: 9000, alertsPerDay: 6000 };
    const day = week.start + 2 * 86_400_000;
    const cases = casesForDay(profile, day, week.end).map((c) => caseFacts(c));
    const counts = Array.from({ length: 24 }, (_, h) => alertsForHour(profile, day, h))
      .flat()
      .map(alertCount);
    expect(cases.length).toBeGreaterThan(2 * 4096);
    expect(counts.length).toBeGreaterThan(4096);
    const opts = { period: week, asOf: week.end, settings };
    const streamed = new SummaryAccumulator(opts);
    cases.forEach((c) => streamed.addCase(c));
    counts.forEach((a) => streamed.addAlerts(a));
    const whole = summarize({ cases, alerts: counts }, opts);
    expect(JSON.stringify(streamed.result({}, { cases: true, alerts: true }))).toBe(JSON.stringify(whole));
    expect(whole.kpi).toMatchObject({ cases: { created: expect.any(Number) } });
  });

  it('read a listed incident’s id and title from a list when it is taken: the list may change afterwards', () => {
    const opts = { period: week, asOf: week.end, settings };
    const acc = new SummaryAccumulator(opts);
    const critical: CaseFacts = { id: 'A', title: 'first', sev: 'critical', created: week.start + 1000 };
    const buf: CaseFacts[] = [critical];
    acc.addCases(buf);
    buf[0] = { id: 'B', title: 'second', sev: 'low', created: week.start + 2000 };
    acc.addCases(buf);
    const kpi = acc.result({}, { cases: true, alerts: false }).kpi as { significant: { id: string; title?: string }[] };
    expect(kpi.significant.map((x) => [x.id, x.title])).toEqual([['A', 'first']]);
  });
});
