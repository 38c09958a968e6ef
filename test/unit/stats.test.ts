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

  it('sorts large arrays of one magnitude (skipped digits) and with NaN (the built-in sort)', () => {
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
