import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  durationStats,
  kaplanMeierMedian,
  kaplanMeierMedianOf,
  mergeSorted,
  nearestRank,
  NumberList,
  ratio,
  sortedDurationStats,
  sortFloat64,
  stableSum,
} from '../../shared/domain/stats.js';

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
    // A NaN with its sign bit set would come first in the radix order (its key has the sign bit clear); the built-in
    // sort puts every NaN last, so any NaN sends the array to it.
    const negativeNaN = Float64Array.from({ length: 2000 }, (_, i) => (i * 37) % 1009);
    negativeNaN[1500] = NaN;
    new Uint32Array(negativeNaN.buffer)[2 * 1500 + 1] = 0xfff80000;
    const sorted = sortFloat64(negativeNaN.slice());
    expect(Number.isNaN(sorted[1999])).toBe(true);
    expect(same(sorted.subarray(0, 1999), negativeNaN.filter((x) => !Number.isNaN(x)).sort())).toBe(true);
  });
});

describe('mergeSorted', () => {
  it('takes ties from the earlier list first (-0 before 0), and the rest of whichever list is left', () => {
    const merged = mergeSorted([Float64Array.of(-0, 5), Float64Array.of(0, 1, 2, 9, 10)]);
    expect(Object.is(merged[0], -0)).toBe(true);
    expect([...merged]).toEqual([-0, 0, 1, 2, 5, 9, 10]);
    expect([...mergeSorted([Float64Array.of(3, 7, 8), Float64Array.of(1)])]).toEqual([1, 3, 7, 8]);
    expect(mergeSorted([])).toEqual(new Float64Array(0));
  });

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

// Expectations below are worked by hand from the definitions in METRICS.md "Statistics"; the nearest-rank examples
// are the textbook ones (Wikipedia, "Percentile", nearest-rank method), and the Kaplan–Meier medians were checked
// against scipy 1.17 (`scipy.stats.ecdf(CensoredData(uncensored=…, right=…)).sf`, smallest t with S(t) ≤ 0.5).
describe('nearestRank', () => {
  it('takes x[ceil(p·n/100)] (1-based): the textbook examples', () => {
    const five = [15, 20, 35, 40, 50];
    expect(nearestRank(five, 5)).toBe(15); // rank ceil(0.25) = 1
    expect(nearestRank(five, 30)).toBe(20); // rank ceil(1.5) = 2
    expect(nearestRank(five, 40)).toBe(20); // rank 2 exactly
    expect(nearestRank(five, 50)).toBe(35); // rank ceil(2.5) = 3
    expect(nearestRank(five, 100)).toBe(50);
    const ten = [3, 6, 7, 8, 8, 10, 13, 15, 16, 20];
    expect(nearestRank(ten, 25)).toBe(7); // rank ceil(2.5) = 3
    expect(nearestRank(ten, 50)).toBe(8); // rank 5
    expect(nearestRank(ten, 75)).toBe(15); // rank ceil(7.5) = 8
    expect(nearestRank(ten, 90)).toBe(16); // rank 9, never 10
  });

  it('takes the smallest value at the 0th percentile and null for no values', () => {
    expect(nearestRank([4, 9], 0)).toBe(4); // rank max(1, 0) = 1
    expect(nearestRank(Float64Array.of(2.5), 90)).toBe(2.5);
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank(new Float64Array(0), 0)).toBeNull();
  });
});

describe('durationStats', () => {
  it('sorts numerically (never as strings) and takes p50, p90 and the mean', () => {
    // As strings 100 < 25 < 9: a numeric sort gives 9, 25, 100.
    expect(durationStats([100, 9, 25])).toEqual({ n: 3, p50: 25, p90: 100, mean: 134 / 3, lowN: true });
  });

  it('is low-n below 10 values and not at 10', () => {
    const nine = [9, 8, 7, 6, 5, 4, 3, 2, 1];
    // p50 of 9: rank ceil(4.5) = 5 → 5; p90: rank ceil(8.1) = 9 → 9; mean 45 / 9.
    expect(durationStats(nine)).toEqual({ n: 9, p50: 5, p90: 9, mean: 5, lowN: true });
    // 1…10: p50 rank 5 → 5, p90 rank 9 → 9, mean 5.5.
    expect(durationStats([...nine, 10])).toEqual({ n: 10, p50: 5, p90: 9, mean: 5.5, lowN: false });
  });

  it('sorts a Float64Array argument in place, and says nothing of no values', () => {
    const a = Float64Array.of(3, -1, 2);
    expect(durationStats(a)).toEqual({ n: 3, p50: 2, p90: 3, mean: 4 / 3, lowN: true });
    expect([...a]).toEqual([-1, 2, 3]);
    expect(durationStats([])).toEqual({ n: 0, p50: null, p90: null, mean: null, lowN: true });
  });

  it('gives sortedDurationStats of an ascending array, summed in that order', () => {
    expect(sortedDurationStats(Float64Array.of(1, 2, 4, 8))).toEqual({ n: 4, p50: 2, p90: 8, mean: 3.75, lowN: true });
    // Ascending: -1e16 + 1 rounds to -1e16 (ties to even), + 2, + 1e16 = 2: mean 2/4 (the input order gives 3/4).
    expect(durationStats([1e16, -1e16, 1, 2]).mean).toBe(0.5);
  });
});

describe('NumberList', () => {
  it('keeps values in insertion order past its first buffer, and sorts a copy', () => {
    const list = new NumberList();
    expect(list.values()).toEqual(new Float64Array(0));
    expect(list.stats()).toEqual({ n: 0, p50: null, p90: null, mean: null, lowN: true });
    // 40 values, 40 down to 1: more than the 16 of the first buffer and the 32 of the second.
    for (let x = 40; x >= 1; x--) list.push(x);
    expect(list.length).toBe(40);
    expect([...list.values()]).toEqual(Array.from({ length: 40 }, (_, i) => 40 - i));
    expect([...list.sorted()]).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The copies never reorder the list itself.
    expect(list.values()[0]).toBe(40);
    // 1…40: p50 rank 20 → 20, p90 rank 36 → 36, mean 41/2.
    expect(list.stats()).toEqual({ n: 40, p50: 20, p90: 36, mean: 20.5, lowN: false });
  });
});

describe('Kaplan–Meier median', () => {
  const km = (events: number[], censored: number[]) =>
    kaplanMeierMedian([...events.map((t) => ({ t, event: true })), ...censored.map((t) => ({ t, event: false }))]);

  it('takes the smallest time with S(t) ≤ 0.5, S exactly 0.5 included', () => {
    // S(1) = 1/2: the median is 1, not 2.
    expect(km([2, 1], [])).toEqual({ n: 2, median: 1, moreThan: null });
    // S(1) = 3/4, S(2) = 3/4 · 2/3 = 1/2.
    expect(km([4, 3, 2, 1], [])).toEqual({ n: 4, median: 2, moreThan: null });
  });

  it('keeps a censoring at an event time in the risk set (events first), and drops earlier censorings', () => {
    // t=1: 3 at risk, S = 2/3; t=2: the censoring at 1 has left, 1 at risk, S = 0.
    expect(km([1, 2], [1])).toEqual({ n: 3, median: 2, moreThan: null });
    // Tied events: t=1: S = 3/4; t=2: 3 at risk (the censoring at 2 included), 2 events, S = 3/4 · 1/3 = 1/4.
    expect(km([2, 1, 2], [2])).toEqual({ n: 4, median: 2, moreThan: null });
    // S(2) = 4/5, S(4) = 4/5 · 2/3 = 8/15, S(6) = 0 (scipy: 0.8, 0.5333, 0).
    expect(km([6, 2, 4], [5, 3])).toEqual({ n: 5, median: 6, moreThan: null });
    // scipy: S = 8/9 at 1, 0.7619 at 3, 0.6095 at 5, 0.4571 at 7.
    expect(km([9, 3, 7, 1, 5], [2, 8, 4, 10])).toEqual({ n: 9, median: 7, moreThan: null });
  });

  it('says "more than" the largest observed time when S never reaches 0.5', () => {
    expect(km([1], [7, 5])).toEqual({ n: 3, median: null, moreThan: 7 });
    // S(1) = 4/5, S(10) = 4/5 · 3/4 = 3/5: the censorings at the last event time stay at risk.
    expect(km([10, 1], [10, 10, 10])).toEqual({ n: 5, median: null, moreThan: 10 });
    expect(km([], [3, 4])).toEqual({ n: 2, median: null, moreThan: 4 });
    expect(km([], [])).toEqual({ n: 0, median: null, moreThan: null });
  });

  it('gives the same from event and censoring times given apart', () => {
    expect(kaplanMeierMedianOf(Float64Array.of(2, 1), Float64Array.of(1))).toEqual({ n: 3, median: 2, moreThan: null });
  });
});

describe('ratio and stableSum', () => {
  it('divides, or says null over an empty cohort', () => {
    expect(ratio(3, 4)).toBe(0.75);
    expect(ratio(0, 5)).toBe(0);
    expect(ratio(2, 0)).toBeNull();
  });

  it('sums in ascending order whatever the input order', () => {
    expect(stableSum([])).toBe(0);
    expect(stableSum([2, 0.5, 4])).toBe(6.5);
    // Ascending: -1e16 + 0.5 = -1e16, + 1 = -1e16 + 1 → -1e16 (ties to even), + 1e16 = 0 (Python: sum(sorted(xs))).
    expect(stableSum([1e16, -1e16, 1, 0.5])).toBe(0);
    expect(stableSum(Float64Array.of(0.5, 1, -1e16, 1e16))).toBe(0);
  });
});
