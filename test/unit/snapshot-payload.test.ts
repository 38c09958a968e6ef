import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  caseSnapshotTail,
  isPlainShiftFacts,
  SnapshotPayloadDecoders,
  SnapshotPayloadSchemas,
  TAIL_AFTER_DAYS,
} from '../../shared/store/formats/snapshot-payload.js';
import { ShiftFactsSchema, type CaseFacts } from '../../shared/domain/facts.js';
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

const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
      : v;

// Property tests comparing the fast checks with zod over many generated payloads: this block says how long its tests may take.
describe('the schema-equivalent fast check for stored shifts', { timeout: 120_000 }, () => {
  it('accepts only what the zod schema accepts, and only values zod returns unchanged', () => {
    const agrees = (fast: (r: unknown) => boolean, schema: { safeParse: (x: unknown) => unknown }) => (x: unknown) => {
      if (!fast(x)) return true;
      const parsed = schema.safeParse(x) as { success: boolean; data?: unknown };
      expect(parsed.success).toBe(true);
      // Same keys and values (undefined ones included); prototypes aside (fast-check makes null-prototype objects).
      expect(plain(parsed.data)).toStrictEqual(plain(x));
      return true;
    };
    fc.assert(fc.property(shiftLike, agrees(isPlainShiftFacts, ShiftFactsSchema)), { numRuns: 3000 });
    const payload = <T>(key: string, item: fc.Arbitrary<T>) =>
      fc.oneof(
        fc.record({ [key]: fc.array(item, { maxLength: 4 }) }),
        fc.record({ [key]: fc.array(item, { maxLength: 2 }), other: anyValue }),
        anyValue,
      );
    fc.assert(
      fc.property(
        payload('shifts', shiftLike),
        agrees((raw) => SnapshotPayloadDecoders.shifts!(raw) !== undefined, SnapshotPayloadSchemas.shifts),
      ),
      { numRuns: 2000 },
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

describe('one stored format per family', () => {
  it('reads cases and alerts only as binary columns: a JSON day of them is refused, saying why', () => {
    for (const [family, payload] of [
      ['cases', { cases: [{ id: 'sim:1', sev: 'low', created: 1_700_000_000_000 }] }],
      ['alerts', { counts: [{ at: 1_700_000_000_000, rule: 'r', sev: 'low', count: 1 }] }],
    ] as const) {
      const parsed = SnapshotPayloadSchemas[family].safeParse(payload);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(`${family} are stored as binary columns, never as JSON`);
    }
  });
});
