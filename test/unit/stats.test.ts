import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSorted, sortFloat64 } from '../../shared/domain/stats.js';

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('sortFloat64', () => {
  it('gives exactly the built-in order, on both sides of the radix threshold', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -100, max: 100_000 }).map((ms) => ms / 60),
      fc.constantFrom(0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 1, 1),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 0, maxLength: 3000 }), fc.boolean(), (values, offset) => {
        // A view that does not start its buffer, as a NumberList's values may be.
        const backing = new Float64Array(values.length + 1);
        const a = offset ? backing.subarray(1) : backing.subarray(0, values.length);
        a.set(values);
        const expected = Float64Array.from(values).sort();
        expect(sortFloat64(a)).toBe(a);
        expect(same(a, expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the built-in order for durations in whole ms (the 4-byte-key path), and when one value is not', () => {
    const wholeMs = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    // A value that leaves the path (between whole ms, -0, not finite) or makes the span 2^32 ms or more.
    const odd = fc.constantFrom(-0, 0, -1 / 60_000, 0.5 / 60_000, 2 ** 32 / 60_000, Infinity, 1e-9, 7, NaN, -1e4);
    fc.assert(
      fc.property(
        fc.array(wholeMs, { minLength: 1024, maxLength: 4000 }),
        fc.option(odd),
        fc.nat(),
        fc.boolean(),
        // Spans anywhere: negative times (detected before the first event) included.
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        (ms, extra, at, small, from) => {
          // Small values share the upper digits (skipped passes); big ones use all three.
          const list = ms.map((x) => ((small ? x % 5000 : x) + from) / 60_000);
          if (extra !== null) list.splice(at % list.length, 0, extra);
          const a = Float64Array.from(list);
          expect(same(sortFloat64(a), Float64Array.from(list).sort())).toBe(true);
        },
      ),
      // A failure is reported as found: shrinking arrays of thousands of values takes minutes.
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('sorts large arrays of one magnitude (skipped digits) and with NaN (the built-in sort)', () => {
    const zeros = Float64Array.from({ length: 2000 }, (_, i) => (i % 2 ? -0 : i % 3) / 60_000);
    expect(same(sortFloat64(zeros.slice()), zeros.slice().sort())).toBe(true);
    const big = Float64Array.from({ length: 50_000 }, (_, i) => ((i * 7919) % 50_000) + 0.5);
    expect(same(sortFloat64(big.slice()), big.slice().sort())).toBe(true);
    const constant = new Float64Array(5000).fill(3);
    expect(same(sortFloat64(constant.slice()), constant)).toBe(true);
    const withNaN = Float64Array.from({ length: 4000 }, (_, i) => (i === 17 ? NaN : (i * 31) % 977));
    expect(same(sortFloat64(withNaN.slice()), withNaN.slice().sort())).toBe(true);
  });
});

describe('mergeSorted', () => {
  it('gives the sorted union of sorted lists, a new array even for one list', () => {
    const list = fc
      .array(
        fc.double({ noNaN: true }).map((x) => x + 0),
        { maxLength: 40 },
      )
      .map((xs) => Float64Array.from(xs).sort());
    fc.assert(
      fc.property(fc.array(list, { maxLength: 7 }), (lists) => {
        const merged = mergeSorted(lists);
        expect([...merged]).toEqual([...Float64Array.from(lists.flatMap((l) => [...l])).sort()]);
        for (const l of lists) expect(merged).not.toBe(l);
      }),
      { numRuns: 500 },
    );
  });
});
