import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertBatch, encodeAlertBatch, isAlertBatch } from '../../shared/store/formats/alert-batch.js';
import { BinaryPayloadError } from '../../shared/store/formats/binary-payload.js';
import { alertsAsDay, AlertCountSchema, type AlertCount } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { summarize, SummaryAccumulator } from '../../shared/domain/summary.js';

const week = parsePeriod('2026-W47', { tz: 'Europe/London', fiscalYearStartMonth: 4 });
const settings = MetricSettingsSchema.parse({});
const bucket = fc.integer({ min: -96, max: 8 * 96 }).map((k) => week.start + k * 900_000);
// Instants with fractions, or far apart: kept as doubles beside the columns.
const odd = fc.double({ min: -1e15, max: 1e15, noNaN: true });
const validCount: fc.Arbitrary<AlertCount> = fc
  .record({
    at: fc.oneof({ weight: 4, arbitrary: bucket }, { weight: 1, arbitrary: odd }),
    rule: fc.oneof(fc.constantFrom('Brute force', '<img src=x onerror=alert(1)>', '=HYPERLINK("x")'), fc.string()),
    sev: fc.constantFrom('critical', 'high', 'medium', 'low', 'info'),
    count: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(2 ** 32 - 1, 2 ** 32, 2 ** 40)),
  })
  .map((a) => AlertCountSchema.parse(JSON.parse(JSON.stringify(a))));

// Property tests over thousands of generated batches: real work, slow on a busy machine: this block says how long its tests may take.
describe('alert counts stored as binary columns', { timeout: 120_000 }, () => {
  it('decode to exactly the counts encoded, keys in schema order', () => {
    fc.assert(
      fc.property(fc.array(validCount, { maxLength: 12 }), (counts) => {
        const bytes = encodeAlertBatch(counts);
        expect(isAlertBatch(bytes)).toBe(true);
        const rows = AlertBatch.decode(bytes).rows();
        expect(JSON.stringify(rows)).toBe(JSON.stringify(counts));
        expect(rows).toStrictEqual(counts);
      }),
      { numRuns: 1000 },
    );
  });

  it('give the engine columns equal to the counts as a list (escaped instants and counts in place)', () => {
    fc.assert(
      fc.property(fc.array(validCount, { maxLength: 40 }), (counts) => {
        const cols = AlertBatch.decode(encodeAlertBatch(counts)).columns();
        expect(cols).toStrictEqual(alertsAsDay(counts).columns());
        expect([...cols.at]).toEqual(counts.map((a) => a.at));
        expect([...cols.count]).toEqual(counts.map((a) => a.count));
      }),
      { numRuns: 500 },
    );
  });

  it('give the engine the same figures as the counts as a list', () => {
    fc.assert(
      fc.property(fc.array(validCount, { maxLength: 40 }), fc.nat({ max: 9 }), (counts, cut) => {
        const asOf = week.start + (cut / 10) * (week.end - week.start + 86_400_000);
        const opts = { period: week, asOf, settings };
        const acc = new SummaryAccumulator(opts);
        const half = Math.floor(counts.length / 2);
        acc.addAlertCounts(AlertBatch.decode(encodeAlertBatch(counts.slice(0, half))));
        acc.addAlertCounts(AlertBatch.decode(encodeAlertBatch(counts.slice(half))));
        expect(JSON.parse(JSON.stringify(acc.result({}, { cases: true, alerts: true })))).toStrictEqual(
          JSON.parse(JSON.stringify(summarize({ cases: [], alerts: counts }, opts))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('leave an alert dated after 2199 (no period can hold it) out of every window instead of failing the summary', () => {
    // fast-check found it: an alert at 2200-01-01T00:00Z made the history's "data begins" day a label of year 2200,
    // which parsePeriod refuses. Outside the week and every history week, it changes no figure.
    const far = AlertCountSchema.parse({ at: Date.UTC(2200, 0, 1), rule: 'Brute force', sev: 'critical', count: 4 });
    const opts = { period: week, asOf: week.end, settings };
    const withFar = JSON.parse(JSON.stringify(summarize({ cases: [], alerts: [far] }, opts)));
    expect(withFar).toStrictEqual(JSON.parse(JSON.stringify(summarize({ cases: [], alerts: [] }, opts))));
    expect(withFar.kpi.alerts.created).toBe(0);
  });

  it('refuse damaged bytes with a BinaryPayloadError, or give only counts the schema accepts', () => {
    const damaged = fc
      .tuple(fc.array(validCount, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat({ max: 255 }), fc.boolean())
      .map(([counts, at, value, cut]) => {
        const bytes = Uint8Array.from(encodeAlertBatch(counts));
        if (cut) return bytes.subarray(0, at % bytes.length);
        bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(damaged, (bytes) => {
        let rows: AlertCount[];
        try {
          rows = AlertBatch.decode(bytes).rows();
        } catch (e) {
          expect(e).toBeInstanceOf(BinaryPayloadError);
          return;
        }
        for (const a of rows) expect(AlertCountSchema.safeParse(a).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('name what is wrong', () => {
    const bytes = Uint8Array.from(encodeAlertBatch([{ at: week.start, rule: 'r', sev: 'high', count: 3 }]));
    const sev = Uint8Array.from(bytes);
    sev[sev.length - 1] = 9; // sev is the last column
    expect(() => AlertBatch.decode(sev)).toThrow('alert count 0: sev is out of range');
    expect(() => AlertBatch.decode(bytes.subarray(0, bytes.length - 1))).toThrow(/bytes where 1 rows take/);
    expect(() => encodeAlertBatch([{ at: week.start, rule: 'r', sev: 'high', count: 0 }])).toThrow(
      'alert count 0: count is not positive',
    );
    expect(() => encodeAlertBatch([{ at: week.start, rule: 'r', sev: 'severe' as 'high', count: 1 }])).toThrow(
      'alert count 0: sev is not a severity',
    );
  });
});
