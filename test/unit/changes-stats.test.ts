import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialDispersion,
  countTest,
  digamma,
  fitVariancePrior,
  incompleteBeta,
  moderate,
  negativeBinomialCountTest,
  negativeBinomialDispersion,
  negativeBinomialExcess,
  tetragamma,
  trigamma,
  trigammaInverse,
  normalTwoSided,
  poissonDispersion,
  shareTest,
  studentTwoSided,
} from '../../shared/domain/dispersion.js';
import { comparablePeriods, exposureOf, parsePeriod } from '../../shared/domain/periods.js';

// Every expectation here is worked by hand (or is a textbook table value); scipy and statsmodels check the same
// functions on hundreds of inputs in test/stats/compare_scipy.py.

const H = 3_600_000;

describe('the statistics of "what changed" (shared/domain/dispersion.ts)', () => {
  it('normal and Student t two-sided p-values match closed forms and tables', () => {
    expect(normalTwoSided(0)).toBe(1);
    expect(normalTwoSided(1.959964)).toBeCloseTo(0.05, 6);
    expect(normalTwoSided(-2.575829)).toBeCloseTo(0.01, 6);
    // Relative accuracy in the far tail, where the false-discovery control compares: P(|Z| ≥ 5) = 5.733e-7.
    expect(normalTwoSided(5) / 5.733031e-7).toBeCloseTo(1, 5);
    // t with 1 df is Cauchy: p = 1 − 2·atan(t)/π; t = 1 gives 0.5 exactly.
    expect(studentTwoSided(1, 1)).toBeCloseTo(0.5, 12);
    expect(studentTwoSided(3, 1)).toBeCloseTo(1 - (2 * Math.atan(3)) / Math.PI, 12);
    // t with 2 df: p = 1 − t / √(2 + t²).
    expect(studentTwoSided(2, 2)).toBeCloseTo(1 - 2 / Math.sqrt(6), 12);
    expect(studentTwoSided(-2, 2)).toBeCloseTo(1 - 2 / Math.sqrt(6), 12);
    // Table: t(0.975, 9) = 2.262157.
    expect(studentTwoSided(2.262157, 9)).toBeCloseTo(0.05, 6);
    expect(studentTwoSided(0, 7)).toBe(1);
    // Past 1e7 df, the normal (a moderated df can reach 1e15, where the beta function loses its digits).
    expect(studentTwoSided(2, 1e16)).toBe(normalTwoSided(2));
    expect(studentTwoSided(2, 1e7)).toBeCloseTo(normalTwoSided(2), 6);
    expect(studentTwoSided(2, 1e7)).not.toBe(normalTwoSided(2));
    // I_x(1, 1) = x; I_x(a, 1) = x^a; both sides of the symmetry switch.
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.9, 3, 1)).toBeCloseTo(0.729, 12);
    expect(incompleteBeta(0.1, 3, 1)).toBeCloseTo(0.001, 12);
    expect(incompleteBeta(0, 2, 2)).toBe(0);
    expect(incompleteBeta(1, 2, 2)).toBe(1);
  });

  it('estimates quasi-Poisson dispersion from history as Pearson χ² over k − 1, floored at 1', () => {
    // Rate 20; χ² = (100 + 0 + 100) / 20 = 10 over 2 df.
    expect(poissonDispersion([10, 20, 30].map((x) => ({ x, e: 1 })))).toEqual({ phi: 5, raw: 5, df: 2 });
    // Unequal exposures: rate 50/3; χ² = (20/3)²/(50/3) + (20/3)²/(100/3) = 8/3 + 4/3 = 4.
    const unequal = poissonDispersion([
      { x: 10, e: 1 },
      { x: 40, e: 2 },
    ])!;
    expect(unequal.raw).toBeCloseTo(4, 12);
    expect(unequal.df).toBe(1);
    // Less spread than Poisson is taken as Poisson.
    expect(poissonDispersion([10, 10, 10].map((x) => ({ x, e: 1 })))).toEqual({ phi: 1, raw: 0, df: 2 });
    expect(poissonDispersion([0, 0].map((x) => ({ x, e: 1 }))))?.toEqual({ phi: 1, raw: 0, df: 1 });
    expect(poissonDispersion([{ x: 5, e: 1 }])).toBeNull();
  });

  it('estimates quasi-binomial dispersion over the periods with cases', () => {
    // P = 14/20 = 0.7; each expects 7 with variance 2.1; χ² = (4 + 4) / 2.1 over 1 df.
    const d = binomialDispersion([
      { hit: 5, n: 10 },
      { hit: 9, n: 10 },
      { hit: 0, n: 0 },
    ])!;
    expect(d.raw).toBeCloseTo(8 / 2.1, 12);
    expect(d.phi).toBeCloseTo(8 / 2.1, 12);
    expect(d.df).toBe(1);
    expect(
      binomialDispersion([
        { hit: 10, n: 10 },
        { hit: 20, n: 20 },
      ]),
    ).toEqual({ phi: 1, raw: 0, df: 1 });
    expect(binomialDispersion([{ hit: 1, n: 2 }])).toBeNull();
  });

  it('tests a count against its baseline per unit of exposure, its variance scaled by φ', () => {
    // 30 in 1 unit against 60 in 4: n = 90, p0 = 1/5, mean 18, variance 14.4: z = 12 / √14.4.
    const plain = countTest({ x: 30, e: 1 }, { x: 60, e: 4 }, 1, null)!;
    expect(plain.z).toBeCloseTo(12 / Math.sqrt(14.4), 12);
    expect(plain.p).toBeCloseTo(normalTwoSided(12 / Math.sqrt(14.4)), 12);
    const over = countTest({ x: 30, e: 1 }, { x: 60, e: 4 }, 4, 7)!;
    expect(over.z).toBeCloseTo(12 / Math.sqrt(57.6), 12);
    expect(over.p).toBeCloseTo(studentTwoSided(12 / Math.sqrt(57.6), 7), 12);
    // The same rate over twice the time is no change.
    expect(countTest({ x: 200, e: 2 }, { x: 100, e: 1 }, 1, null)!.z).toBeCloseTo(0, 12);
    expect(countTest({ x: 0, e: 1 }, { x: 0, e: 1 }, 1, null)).toBeNull();
  });

  it('tests a share against its baseline with the pooled two-proportion z over √φ', () => {
    // 50% of 100 against 40% of 100: pooled 45%, z = 0.1 / √(0.45 · 0.55 · 0.02).
    const z = 0.1 / Math.sqrt(0.45 * 0.55 * 0.02);
    expect(shareTest({ hit: 50, n: 100 }, { hit: 40, n: 100 }, 1, null)!.z).toBeCloseTo(z, 12);
    expect(shareTest({ hit: 50, n: 100 }, { hit: 40, n: 100 }, 2, 9)!.z).toBeCloseTo(z / Math.SQRT2, 12);
    // 100% against 100% is no change, not a division by zero.
    expect(shareTest({ hit: 10, n: 10 }, { hit: 20, n: 20 }, 1, null)).toEqual({ z: 0, p: 1 });
    expect(shareTest({ hit: 0, n: 10 }, { hit: 0, n: 20 }, 1, null)).toEqual({ z: 0, p: 1 });
    expect(shareTest({ hit: 0, n: 0 }, { hit: 1, n: 2 }, 1, null)).toBeNull();
  });

  it('adjusts p-values by Benjamini–Hochberg, in the order given', () => {
    // Sorted 0.01, 0.03, 0.04, 0.5 (m = 4): 0.04, min(0.06, 0.0533), 0.0533, 0.5.
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.5]);
    expect(q[0]).toBeCloseTo(0.04, 12);
    expect(q[1]).toBeCloseTo(0.04 * (4 / 3), 12);
    expect(q[2]).toBeCloseTo(0.04 * (4 / 3), 12);
    expect(q[3]).toBeCloseTo(0.5, 12);
    expect(benjaminiHochberg([0.9, 0.8])).toEqual([0.9, 0.9]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

describe('the family moderation of count dispersions (negative binomial, empirical Bayes)', () => {
  const EULER = 0.5772156649015329;

  it('gives the polygamma functions their closed forms', () => {
    expect(digamma(1)).toBeCloseTo(-EULER, 12);
    expect(digamma(0.5)).toBeCloseTo(-EULER - 2 * Math.LN2, 12);
    expect(digamma(5)).toBeCloseTo(1 + 1 / 2 + 1 / 3 + 1 / 4 - EULER, 12);
    expect(trigamma(1)).toBeCloseTo(Math.PI ** 2 / 6, 11);
    expect(trigamma(0.5)).toBeCloseTo(Math.PI ** 2 / 2, 11);
    // ψ″(1) = −2ζ(3).
    expect(tetragamma(1)).toBeCloseTo(-2 * 1.2020569031595942, 11);
    expect(trigammaInverse(Math.PI ** 2 / 6)).toBeCloseTo(1, 8);
    expect(trigammaInverse(trigamma(7.5))).toBeCloseTo(7.5, 7);
    expect(trigammaInverse(1e8)).toBeCloseTo(1e-4, 12);
    expect(trigammaInverse(1e-7)).toBeCloseTo(1e7, 0);
  });

  it('finds the prior of equal variances infinitely sure, with the χ² bias of log s² removed', () => {
    // Four equal s² = 2 on 10 df: no spread beyond sampling, so d0 = ∞ and s0² = 2 · 5 · e^(−ψ(5)).
    const prior = fitVariancePrior([2, 2, 2, 2], 10)!;
    expect(prior.d0).toBe(Infinity);
    expect(prior.s0sq).toBeCloseTo(2 * 5 * Math.exp(-(1 + 1 / 2 + 1 / 3 + 1 / 4 - EULER)), 12);
    expect(moderate(7, 10, prior)).toEqual({ s2: prior.s0sq, df: Infinity });
    // Very different variances: a finite, small d0, and each group keeps most of its own.
    const spread = fitVariancePrior([0.1, 1, 10, 100, 1000], 4)!;
    expect(spread.d0).toBeGreaterThan(0);
    expect(spread.d0).toBeLessThan(2);
    expect(fitVariancePrior([1, 2], 4)).toBeNull();
    expect(fitVariancePrior([1, 0, 2], 4)).toBeNull();
  });

  it('moderates a group’s variance towards the family’s, by degrees of freedom', () => {
    expect(moderate(4, 10, { d0: 10, s0sq: 2 })).toEqual({ s2: 3, df: 20 });
  });

  it('estimates the negative-binomial excess by moments and tests a count with it', () => {
    // 90 and 110 around 100: Σ((x − μ)²·k/(k−1) − μ) = 2·(200 − 100), Σμ² = 20,000: c² = 0.01.
    const two = [
      { x: 90, e: 1 },
      { x: 110, e: 1 },
    ];
    expect(negativeBinomialExcess([two])).toBeCloseTo(0.01, 12);
    expect(
      negativeBinomialExcess([
        [
          { x: 100, e: 1 },
          { x: 100, e: 1 },
        ],
      ]),
    ).toBe(0);
    // With that variance (μ + c²μ² = 200) the Pearson dispersion is 200 / 200 = 1.
    expect(negativeBinomialDispersion(two, 0.01)).toBeCloseTo(1, 12);
    // With c² = 0 and Φ = 1, the quasi-Poisson score test.
    const hist = [
      { x: 100, e: 1 },
      { x: 100, e: 1 },
    ];
    expect(negativeBinomialCountTest({ x: 150, e: 1 }, hist, 0, 1, 20)!.z).toBeCloseTo(
      countTest({ x: 150, e: 1 }, { x: 200, e: 2 }, 1, null)!.z,
      12,
    );
    // c² = 0.01: rate 350/3 for all; V = μ + 0.01μ²; D = 150 − 100 over √(V + ¼·2V).
    const mu = 350 / 3;
    const V = mu + 0.01 * mu * mu;
    const t = negativeBinomialCountTest({ x: 150, e: 1 }, hist, 0.01, 1, 20)!;
    expect(t.z).toBeCloseTo(50 / Math.sqrt(1.5 * V), 12);
    expect(t.p).toBeCloseTo(studentTwoSided(50 / Math.sqrt(1.5 * V), 20), 12);
    // Never below the Poisson variance, however small Φ; infinite df is the normal.
    expect(negativeBinomialCountTest({ x: 150, e: 1 }, hist, 0.01, 1e-9, Infinity)!.z).toBeCloseTo(
      50 / Math.sqrt(1.5 * mu),
      12,
    );
    expect(negativeBinomialCountTest({ x: 150, e: 1 }, hist, 0, 1, Infinity)!.p).toBeCloseTo(
      normalTwoSided(50 / Math.sqrt(1.5 * mu)),
      12,
    );
    expect(negativeBinomialCountTest({ x: 0, e: 1 }, [{ x: 0, e: 1 }], 0, 1, 3)).toBeNull();
  });
});

describe('the comparable previous periods (periods.ts comparablePeriods)', () => {
  const opts = { tz: 'Europe/London', fiscalYearStartMonth: 1 };

  it('judges each previous week at the same age as the current one, 72 h after its end', () => {
    const week = parsePeriod('2026-W48', opts);
    const asOf = week.end + 72 * H;
    const [prev, before] = comparablePeriods(week, asOf, opts, 2);
    expect(prev!.period.label).toBe('2026-W47');
    expect(prev!.asOf).toBe(prev!.period.end + 72 * H);
    expect(before!.period.label).toBe('2026-W46');
    expect(before!.asOf).toBe(before!.period.end + 72 * H);
  });

  it('judges a to-date week at the same time into each previous week, across a DST change', () => {
    // W44 of 2026 starts Mon 26 Oct, the day after the clocks went back: W43 is 169 h long.
    const week = parsePeriod('2026-W44', opts);
    const asOf = week.start + 51 * H; // Wed 03:00
    const [prev] = comparablePeriods(week, asOf, opts, 1);
    expect(prev!.period.label).toBe('2026-W43');
    expect(prev!.period.end - prev!.period.start).toBe(169 * H);
    expect(prev!.asOf).toBe(prev!.period.start + 51 * H);
    // The to-date week has had 51 h; so has its comparable previous week.
    expect(exposureOf(week, asOf)).toBe(51 * H);
    expect(exposureOf(prev!.period, prev!.asOf)).toBe(51 * H);
    // A whole week has had all of its 169 h, and nothing before its start.
    expect(exposureOf(prev!.period, prev!.period.end + H)).toBe(169 * H);
    expect(exposureOf(week, week.start - H)).toBe(0);
  });

  it('gives twelve months back for a month, the previous one first', () => {
    const month = parsePeriod('2026-03', opts);
    const list = comparablePeriods(month, month.end + 6 * H, opts, 12);
    expect(list.map((p) => p.period.label)).toEqual([
      '2026-02',
      '2026-01',
      '2025-12',
      '2025-11',
      '2025-10',
      '2025-09',
      '2025-08',
      '2025-07',
      '2025-06',
      '2025-05',
      '2025-04',
      '2025-03',
    ]);
    expect(list.every((p) => p.asOf === p.period.end + 6 * H)).toBe(true);
  });

  it('stops at 1970, where periods begin', () => {
    const week = parsePeriod('1970-W03', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const list = comparablePeriods(week, week.end, { tz: 'UTC', fiscalYearStartMonth: 1 }, 12);
    expect(list.map((p) => p.period.label)).toEqual(['1970-W02', '1970-W01']);
  });
});
