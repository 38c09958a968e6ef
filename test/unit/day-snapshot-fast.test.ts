import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  caseSnapshotTail,
  decodeCaseColumns,
  encodeCaseColumns,
  isPlainAlertCount,
  isPlainCaseFacts,
  isPlainShiftFacts,
  SnapshotPayloadFastChecks,
  SnapshotPayloadSchemas,
  TAIL_AFTER_DAYS,
} from '../../shared/domain/day-snapshot.js';
import { AlertCountSchema, CaseFactsSchema, ShiftFactsSchema, type CaseFacts } from '../../shared/domain/facts.js';
import { zonedTime } from '../../shared/domain/periods.js';

// Values that sit on and around every boundary the schemas draw: types, enums, integer ranges, finiteness.
const anyValue = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('critical', 'high', 'low', 'info', 'urgent', 'true_positive', 'false_positive', 'maybe', ''),
  fc.integer({ min: -3, max: 5 }),
  fc.double(),
  fc.constantFrom(0, -0, 1.5, 2.5, Number.MAX_SAFE_INTEGER + 2, Infinity, NaN),
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const epoch = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
const sev = fc.constantFrom('critical', 'high', 'medium', 'low', 'info');

/** Case-fact-like records: mostly valid fields, any field possibly replaced by any value, sometimes an extra key. */
const caseLike = fc.record(
  {
    id: fc.oneof(fc.string(), anyValue),
    sev: fc.oneof(sev, anyValue),
    created: fc.oneof(epoch, anyValue),
    firstEvent: fc.oneof(epoch, anyValue),
    detected: fc.oneof(epoch, anyValue),
    ack: fc.oneof(epoch, anyValue),
    contained: fc.oneof(epoch, anyValue),
    closed: fc.oneof(epoch, anyValue),
    disp: fc.oneof(fc.constantFrom('true_positive', 'benign_positive', 'false_positive', 'undetermined'), anyValue),
    tier: fc.oneof(fc.constantFrom(1, 2, 3), anyValue),
    esc: fc.oneof(fc.constantFrom(2, 3), anyValue),
    runbook: fc.oneof(fc.string(), anyValue),
    rule: fc.oneof(fc.string(), anyValue),
    handle: fc.oneof(fc.double({ min: 0, max: 500, noNaN: true }), anyValue),
    assignee: fc.oneof(fc.string(), anyValue),
    title: fc.oneof(fc.string(), anyValue),
    extra: anyValue,
    __proto__: anyValue,
  },
  { requiredKeys: [] },
);
const alertLike = fc.record(
  {
    at: fc.oneof(epoch, anyValue),
    rule: fc.oneof(fc.string(), anyValue),
    sev: fc.oneof(sev, anyValue),
    count: fc.oneof(fc.integer({ min: 1, max: 1000 }), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
const shiftLike = fc.record(
  {
    analyst: fc.oneof(fc.string(), anyValue),
    tier: fc.oneof(fc.constantFrom(1, 2, 3), anyValue),
    start: fc.oneof(epoch, anyValue),
    end: fc.oneof(epoch, anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

/** Valid case facts as collection stores them (JSON: no undefined values, absent stays absent). */
const validCase: fc.Arbitrary<CaseFacts> = fc
  .record(
    {
      id: fc.string(),
      sev,
      created: epoch,
      firstEvent: epoch,
      detected: epoch,
      ack: epoch,
      contained: epoch,
      closed: epoch,
      disp: fc.constantFrom('true_positive', 'benign_positive', 'false_positive', 'undetermined'),
      tier: fc.constantFrom(1, 2, 3),
      esc: fc.constantFrom(2, 3),
      runbook: fc.string(),
      rule: fc.string(),
      handle: fc.double({ min: 0, max: 500, noNaN: true }),
      assignee: fc.string(),
      title: fc.string(),
    },
    { requiredKeys: ['id', 'sev', 'created'] },
  )
  .map((c) => JSON.parse(JSON.stringify(c)) as CaseFacts);

const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
      : v;

// Property tests comparing the fast checks with zod over many generated payloads: this block says how long its tests may take.
describe('schema-equivalent fast checks for stored snapshot payloads', { timeout: 120_000 }, () => {
  it('accept only what the zod schemas accept, and only values zod returns unchanged', () => {
    const agrees = (fast: (r: unknown) => boolean, schema: { safeParse: (x: unknown) => unknown }) => (x: unknown) => {
      if (!fast(x)) return true;
      const parsed = schema.safeParse(x) as { success: boolean; data?: unknown };
      expect(parsed.success).toBe(true);
      // Same keys and values (undefined ones included); prototypes aside (fast-check makes null-prototype objects).
      expect(plain(parsed.data)).toStrictEqual(plain(x));
      return true;
    };
    fc.assert(fc.property(caseLike, agrees(isPlainCaseFacts, CaseFactsSchema)), { numRuns: 5000 });
    fc.assert(fc.property(alertLike, agrees(isPlainAlertCount, AlertCountSchema)), { numRuns: 3000 });
    fc.assert(fc.property(shiftLike, agrees(isPlainShiftFacts, ShiftFactsSchema)), { numRuns: 3000 });
    const payload = <T>(key: string, item: fc.Arbitrary<T>) =>
      fc.oneof(
        fc.record({ [key]: fc.array(item, { maxLength: 4 }) }),
        fc.record({ [key]: fc.array(item, { maxLength: 2 }), other: anyValue }),
        anyValue,
      );
    fc.assert(
      fc.property(
        payload('cases', fc.oneof(caseLike, validCase)),
        agrees(SnapshotPayloadFastChecks.cases!, SnapshotPayloadSchemas.cases),
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        payload('counts', alertLike),
        agrees(SnapshotPayloadFastChecks.alerts!, SnapshotPayloadSchemas.alerts),
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        payload('shifts', shiftLike),
        agrees(SnapshotPayloadFastChecks.shifts!, SnapshotPayloadSchemas.shifts),
      ),
      { numRuns: 2000 },
    );
  });

  it('accept every valid payload as collection stores it, so stored snapshots never fall back to zod', () => {
    fc.assert(
      fc.property(fc.array(validCase, { maxLength: 5 }), (cases) => SnapshotPayloadFastChecks.cases!({ cases })),
      { numRuns: 1000 },
    );
  });

  it('keeps in the tail exactly the cases open or closed on or after the tail start', () => {
    const tz = 'Europe/London';
    // 2026-10-25 is the 25-hour day: the tail starts at the local midnight a week after the day ends.
    const from = zonedTime(2026, 11, 2, tz);
    expect(TAIL_AFTER_DAYS).toBe(7);
    const cases: CaseFacts[] = [
      { id: 'open', sev: 'low', created: Date.parse('2026-10-25T10:00:00Z') },
      { id: 'early', sev: 'low', created: Date.parse('2026-10-25T10:00:00Z'), closed: from - 1 },
      { id: 'edge', sev: 'low', created: Date.parse('2026-10-25T10:00:00Z'), closed: from },
    ];
    const tail = caseSnapshotTail(cases, '2026-10-25', tz);
    expect(tail.from).toBe(from);
    expect(tail.cases.map((c) => c.id)).toEqual(['open', 'edge']);
  });
});

// Property tests over many generated payloads: this block says how long its tests may take.
describe('cases stored as columns', { timeout: 120_000 }, () => {
  const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

  it('decode to exactly the cases encoded, fast or through zod', () => {
    fc.assert(
      fc.property(fc.array(validCase, { maxLength: 6 }), (cases) => {
        const stored = json(encodeCaseColumns(cases));
        expect(plain(decodeCaseColumns(stored))).toStrictEqual(plain({ cases }));
        expect(plain(SnapshotPayloadSchemas.cases.parse(stored))).toStrictEqual(plain({ cases }));
      }),
      { numRuns: 1000 },
    );
  });

  it('are decoded fast only when zod accepts them, into the cases zod gives, each a valid case', () => {
    // Valid encodings with one thing broken: a value, the count, a key, a column dropped or cut short.
    const damaged = fc
      .tuple(
        fc.array(validCase, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('value', 'n', 'extra', 'drop', 'short', 'dict', 'none'),
        fc.nat(),
        fc.nat(),
        anyValue,
      )
      .map(([cases, how, a, b, value]) => {
        const stored = json(encodeCaseColumns(cases)) as unknown as { columns: Record<string, unknown> };
        const c = stored.columns;
        const names = Object.keys(c).filter((k) => k !== 'n');
        const name = names[a % names.length]!;
        const col = c[name] as unknown[] | { d: unknown[]; v: unknown[] };
        const list = Array.isArray(col) ? col : col.v;
        if (how === 'value') list[b % list.length] = value;
        else if (how === 'n') c.n = value;
        else if (how === 'extra') c[`x${b % 3}`] = value;
        else if (how === 'drop') delete c[name];
        else if (how === 'short') list.pop();
        else if (how === 'dict' && !Array.isArray(col)) col.d[b % Math.max(col.d.length, 1)] = value;
        return stored;
      });
    fc.assert(
      fc.property(fc.oneof(damaged, anyValue, fc.record({ columns: anyValue })), (stored) => {
        const fast = decodeCaseColumns(stored);
        if (fast === undefined) return true;
        const parsed = SnapshotPayloadSchemas.cases.safeParse(stored);
        expect(parsed.success).toBe(true);
        expect(plain(fast)).toStrictEqual(plain(parsed.data));
        for (const c of fast.cases) expect(plain(CaseFactsSchema.parse(c))).toStrictEqual(plain(c));
        return true;
      }),
      { numRuns: 5000 },
    );
  });
});
