import { describe, expect, it } from 'vitest';
import { facts, history, sorted, WEEK } from './changes-fixtures.js';
import { changeSentence } from '../../shared/mail/headline.js';
import { judgeChanges, pooledMedian, whatChanged, type Change, type ChangeFacts } from '../../shared/domain/changes.js';
import {
  binomialDispersion,
  digamma,
  fitVariancePrior,
  moderate,
  negativeBinomialCountTest,
  negativeBinomialDispersion,
  negativeBinomialExcess,
  shareTest,
  trigamma,
  trigammaInverse,
} from '../../shared/domain/dispersion.js';

// The edges of the "what changed" method (docs/what-changed.md): the boundaries of low n and of "big enough to
// show", the family moderation, the decomposition and the ordering, each worked by hand.

const rep = (v: number, n: number) => Array.from({ length: n }, () => v);

const whole = (current: ChangeFacts, hist: ChangeFacts[], metric: string): Change =>
  whatChanged(current, history(hist)).changes.find((c) => c.metric === metric && c.group === undefined)!;
const resolve = (r: Record<string, { hit: number; n: number }>) => facts({ sla: { acknowledge: {}, resolve: r } });
const ttr = (r: Record<string, number[]>) =>
  facts({ durations: { tta: {}, ttr: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, sorted(v)])) } });

describe('low n at its boundary: 10 is enough, 9 is not, in the current period and in the compared one', () => {
  it('counts', () => {
    const at = (now: number, then: number) =>
      whole(facts({ casesBySeverity: { high: now } }), [facts({ casesBySeverity: { high: then } })], 'cases.created');
    expect(at(10, 10).verdict).toBe('no-change');
    expect(at(9, 10).verdict).toBe('low-n');
    expect(at(10, 9).verdict).toBe('low-n');
    // A history of 8 weeks of exactly 10 is 10 a week on average: enough.
    const eight = whole(
      facts({ casesBySeverity: { high: 10 } }),
      rep(10, 8).map((x) => facts({ casesBySeverity: { high: x } })),
      'cases.created',
    );
    expect(eight.method).toBe('history');
    expect(eight.n).toEqual({ current: 10, previous: 10, baseline: 10 });
    expect(eight.verdict).toBe('no-change');
  });

  it('rates', () => {
    const at = (now: number, then: number) =>
      whole(resolve({ high: { hit: now, n: now } }), [resolve({ high: { hit: 0, n: then } })], 'sla.resolve.compliance')
        .verdict;
    expect(at(10, 10)).toBe('changed');
    expect(at(9, 100)).toBe('low-n');
    expect(at(100, 9)).toBe('low-n');
  });

  it('medians', () => {
    const at = (now: number, then: number) =>
      whole(ttr({ high: rep(500, now) }), [ttr({ high: rep(100, then) })], 'ttr.p50').verdict;
    expect(at(10, 10)).toBe('changed');
    expect(at(9, 100)).toBe('low-n');
    expect(at(100, 9)).toBe('low-n');
  });
});

describe('a change is named only when it is big enough to show', () => {
  it('a rate beyond noise by less than 0.1 point is not named', () => {
    // 99.90% of a million against 99.82%: z ≈ 15, but a move of 0.08 points.
    const c = whole(
      resolve({ low: { hit: 999_000, n: 1_000_000 } }),
      [resolve({ low: { hit: 998_200, n: 1_000_000 } })],
      'sla.resolve.compliance',
    );
    expect(c.z!).toBeGreaterThan(10);
    expect(c.verdict).toBe('no-change');
    // 0.1 point exactly is enough.
    const d = whole(
      resolve({ low: { hit: 999_000, n: 1_000_000 } }),
      [resolve({ low: { hit: 998_000, n: 1_000_000 } })],
      'sla.resolve.compliance',
    );
    expect(d.verdict).toBe('changed');
  });

  it('a median must move by 1 minute and by 5% of its usual value', () => {
    const at = (now: number, then: number) =>
      whole(ttr({ high: rep(now, 50) }), [ttr({ high: rep(then, 50) })], 'ttr.p50').verdict;
    expect(at(105, 100)).toBe('changed'); // 5 min = 5%
    expect(at(104, 100)).toBe('no-change'); // 4 min < 5%
    expect(at(95, 100)).toBe('changed');
    expect(at(11, 10)).toBe('changed'); // 1 min ≥ max(1, 0.5)
    expect(at(10.9, 10)).toBe('no-change'); // 0.9 min < 1 min
  });

  it('a median that rose while fewer values lie above the pooled median is not called a change', () => {
    // Before: 61 at 0 and 59 at 10 (median 0); now all 120 at 1 (median 1). Pooled median 1: above it, 0 now and
    // 59 before. The test says "down", the median says "up": no sentence can say both.
    const c = whole(ttr({ high: rep(1, 120) }), [ttr({ high: [...rep(0, 61), ...rep(10, 59)] })], 'ttr.p50');
    expect(c.current).toBe(1);
    expect(c.previous).toBe(0);
    expect(c.sign).toBe(1);
    expect(c.z!).toBeLessThan(-8);
    expect(c.verdict).toBe('no-change');
  });

  it('gives p beside z for a median, and a zero move no sign', () => {
    const c = whole(ttr({ high: rep(7, 30) }), [ttr({ high: rep(7, 30) })], 'ttr.p50');
    expect(c).toMatchObject({ z: 0, p: 1, sign: 0, total: 0, driver: null, verdict: 'no-change' });
    expect(pooledMedian([])).toBeNull();
    expect(pooledMedian([new Float64Array(0), new Float64Array(0)])).toBeNull();
    expect(pooledMedian([sorted([5]), new Float64Array(0), sorted([1, 9])])).toBe(5);
  });
});

describe('the history method for rates and medians', () => {
  it('estimates the quasi-binomial dispersion of SLA compliance from the history', () => {
    // 8 weeks of 80 and 90 met of 100 alternately: P = 0.85, each week (±5)² / 12.75, χ² = 8 · 25 / 12.75 over 7 df.
    const hist = rep(0, 8).map((_, i) => resolve({ high: { hit: i % 2 ? 90 : 80, n: 100 } }));
    const c = whole(resolve({ high: { hit: 85, n: 100 } }), hist, 'sla.resolve.compliance');
    expect(c.method).toBe('history');
    expect(c.dispersion!.phi).toBeCloseTo((8 * 25) / 12.75 / 7, 12);
    expect(c.dispersion!.df).toBe(7);
    expect(c.baseline).toBeCloseTo(0.85, 12);
    expect(c.z).toBeCloseTo(0, 12);
  });

  it('splits a median change by severity over the whole history', () => {
    // Each of 8 weeks: high 10 ×10, low 150 ×5 and 300 ×5. Now: high 10 ×5, low 200 ×15. Pooled median 150 (the
    // 90th of 180). Above it: now 15 of 20, usually 5 of 20: the whole share moved +0.5, all of it low's.
    const week = ttr({ high: rep(10, 10), low: [...rep(150, 5), ...rep(300, 5)] });
    const c = whole(
      ttr({ high: rep(10, 5), low: rep(200, 15) }),
      rep(0, 8).map(() => week),
      'ttr.p50',
    );
    expect(c.method).toBe('history');
    expect(c.total).toBeCloseTo(0.5, 12);
    expect(c.contributions).toEqual([{ group: 'low', contribution: expect.closeTo(0.5, 12) as number }]);
    expect(c.current).toBe(200);
    expect(c.baseline).toBe(10);
    expect(c.dispersion).toEqual({ phi: 1, df: 7 });
    // And against the previous week alone, the same split.
    const one = whole(ttr({ high: rep(10, 5), low: rep(200, 15) }), [week], 'ttr.p50');
    expect(one.contributions).toEqual([{ group: 'low', contribution: expect.closeTo(0.5, 12) as number }]);
  });
});

describe('the decomposition of a rate: own-rate effects and the mix', () => {
  it('splits an uneven case exactly (Kitagawa) and breaks a tie between equal effects by name', () => {
    // Before: high 60/100 (60%), low 180/200 (90%): 80%. Now: high 100/200 (50%), low 80/100 (80%): 60%.
    // Own effects: high ½·(−0.1), low ½·(−0.1); mix: 0.55·(+⅓) + 0.85·(−⅓) = −0.1. Together −0.2.
    const c = whole(
      resolve({ high: { hit: 100, n: 200 }, low: { hit: 80, n: 100 } }),
      [resolve({ high: { hit: 60, n: 100 }, low: { hit: 180, n: 200 } })],
      'sla.resolve.compliance',
    );
    expect(c.total).toBeCloseTo(-0.2, 12);
    expect(c.mix).toBeCloseTo(-0.1, 12);
    expect(c.contributions.map((x) => x.group)).toEqual(['high', 'low']);
    expect(c.contributions.map((x) => x.contribution)).toEqual([expect.closeTo(-0.05, 12), expect.closeTo(-0.05, 12)]);
    // Equal effects: the tie goes by name, but the driver is the severity whose own rate changed beyond noise —
    // low (90% → 80% of 200 and 100: z = −2.40, q = 0.024 of 3 tests), not high (60% → 50%: z = −1.64).
    expect(c.driver).toMatchObject({ group: 'low', changed: true });
  });

  it('gives a severity absent now no rate effect, only its weight in the mix', () => {
    // Before: high 50/100, info 10/100 (30%). Now: high 40/100 (40%). High's own: (1 + ½)/2 · (−0.1) = −0.075.
    // Mix: high 0.45 · (1 − ½) = +0.225; info 0.1 · (0 − ½) = −0.05: +0.175. Together +0.1.
    const c = whole(
      resolve({ high: { hit: 40, n: 100 } }),
      [resolve({ high: { hit: 50, n: 100 }, info: { hit: 10, n: 100 } })],
      'sla.resolve.compliance',
    );
    expect(c.total).toBeCloseTo(0.1, 12);
    expect(c.contributions).toEqual([{ group: 'high', contribution: expect.closeTo(-0.075, 12) as number }]);
    expect(c.mix).toBeCloseTo(0.175, 12);
    expect(c.driver).toBeNull();
  });

  it('has no decomposition when no case is judged now', () => {
    const c = whole(resolve({}), [resolve({ high: { hit: 50, n: 100 } })], 'sla.resolve.compliance');
    expect(c).toMatchObject({ current: null, total: 0, mix: 0, contributions: [], z: null, verdict: 'low-n' });
  });
});

describe('contributions, drivers and the order of the changes', () => {
  it('orders a falling change’s contributions most negative first', () => {
    const c = whole(
      facts({ casesBySeverity: { high: 500, low: 900, medium: 1000 } }),
      [facts({ casesBySeverity: { high: 600, low: 1200, medium: 1000 } })],
      'cases.created',
    );
    expect(c.sign).toBe(-1);
    expect(c.contributions).toEqual([
      { group: 'low', contribution: -300 },
      { group: 'high', contribution: -100 },
    ]);
    expect(c.driver).toEqual({ group: 'low', contribution: -300, share: 0.75, changed: true });
    expect(c.n).toEqual({ current: 2400, previous: 2800, baseline: 2800 });
  });

  it('lists changes with equal p by the fixed order, then the group name', () => {
    // p underflows to 0 for all three: the whole figure first, then high, then low.
    const { changes } = whatChanged(
      facts({ casesBySeverity: { high: 100_000, low: 100_000 } }),
      history([facts({ casesBySeverity: { high: 100, low: 100 } })]),
    );
    expect(changes.slice(0, 3).map((c) => [c.metric, c.group, c.p])).toEqual([
      ['cases.created', undefined, 0],
      ['cases.created', 'high', 0],
      ['cases.created', 'low', 0],
    ]);
    // A group entry carries its own figures, no contributions and no driver.
    expect(changes[1]).toMatchObject({ dimension: 'severity', contributions: [], driver: null, current: 100_000 });
  });

  it('names each figure’s dimension, and has no alert figure without alerts in every period compared', () => {
    const hist = [facts({ alertsByRule: { a: 100 } }), facts({ alertsByRule: null })];
    const { wholes } = judgeChanges(facts({ alertsByRule: { a: 100 } }), history(hist));
    expect(wholes.map((c) => [c.metric, c.dimension])).toEqual([
      ['cases.created', 'severity'],
      ['sla.resolve.compliance', 'severity'],
      ['sla.acknowledge.compliance', 'severity'],
      ['ttr.p50', 'severity'],
      ['tta.p50', 'severity'],
      ['falsePositiveRate', 'rule'],
    ]);
    const withAlerts = judgeChanges(facts({ alertsByRule: { a: 100 } }), history([facts({ alertsByRule: { a: 90 } })]));
    expect(withAlerts.wholes.find((c) => c.metric === 'alerts.created')?.dimension).toBe('rule');
  });

  it('holds only the tests with enough cases to the budget', () => {
    // Cases: the whole (105) and high (100) are tested; low (5) is low n. Everything else has no cases: no test.
    const { basis, groups } = judgeChanges(
      facts({ casesBySeverity: { high: 100, low: 5 } }),
      history([facts({ casesBySeverity: { high: 100, low: 5 } })]),
    );
    expect(basis.tests).toBe(2);
    expect(groups.map((g) => [g.group, g.verdict, g.q === null])).toEqual([
      ['high', 'no-change', false],
      ['low', 'low-n', true],
    ]);
  });
});

describe('the basis of the judgement', () => {
  it('names the previous period as both ends in the fallback, and says when alerts have less history', () => {
    const hist = history(
      rep(0, 12).map((_, i) => facts({ casesBySeverity: { high: 100 + i }, alertsByRule: { a: 1000 + i } })),
    );
    for (const i of [2, 3, 4, 5, 6]) hist[i]!.alerts = false;
    const { basis } = judgeChanges(facts({ casesBySeverity: { high: 100 }, alertsByRule: { a: 1000 } }), hist);
    expect(basis).toMatchObject({
      method: 'history',
      periods: 12,
      from: '2026-W36',
      to: '2026-W47',
      alerts: { method: 'previous', periods: 1 },
    });
    expect(basis.caveat).toMatch(/^only 7 comparable previous periods with data/);
    const short = judgeChanges(
      facts({ casesBySeverity: { high: 100 } }),
      history([facts({ casesBySeverity: { high: 90 } })]),
    );
    expect(short.basis).toMatchObject({ method: 'previous', periods: 1, from: '2026-W47', to: '2026-W47' });
    expect(short.basis.alerts).toBeUndefined();
  });
});

describe('the family moderation of rule counts (edgeR-style quasi-likelihood with limma’s prior)', () => {
  /** 12 weeks: rule r1 at 1000 ± 150, r2 at 400 ± 40, r3 at 2000 ± 100, r4 at 800 ± 200; small at 3 (low n). */
  const weekly = (i: number): Record<string, number> => {
    const s = i % 2 ? 1 : -1;
    return { r1: 1000 + 150 * s, r2: 400 - 40 * s, r3: 2000 + 100 * s, r4: 800 + 200 * ((i % 3) - 1), small: 3 };
  };
  const hist = rep(0, 12).map((_, i) => facts({ alertsByRule: weekly(i) }));
  const current = { r1: 1100, r2: 800, r3: 2050, r4: 790, small: 2 };

  it('tests each rule with the family’s excess, its own dispersion under it, moderated by the family prior', () => {
    const { groups } = judgeChanges(facts({ alertsByRule: current }), history(hist));
    const series = (g: string) => hist.map((f) => ({ x: f.alertsByRule![g]!, e: WEEK }));
    const sized = ['r1', 'r2', 'r3', 'r4'];
    const c2 = negativeBinomialExcess(sized.map(series));
    expect(c2).toBeGreaterThan(0);
    const own = sized.map((g) => negativeBinomialDispersion(series(g), c2)!);
    const prior = fitVariancePrior(own, 11)!;
    for (const [i, g] of sized.entries()) {
      const m = moderate(own[i]!, 11, prior);
      const t = negativeBinomialCountTest({ x: current[g as 'r1'], e: WEEK }, series(g), c2, m.s2, m.df)!;
      const entry = groups.find((x) => x.metric === 'alerts.created' && x.group === g)!;
      expect(entry.z).toBeCloseTo(t.z, 12);
      expect(entry.p).toBeCloseTo(t.p, 12);
      expect(entry.dispersion).toEqual({ phi: m.s2, df: m.df, excess: c2 });
    }
    // r2 doubled (400 → 800): named; a rule of 3 a week is low n and keeps its own quasi-Poisson figures.
    expect(groups.find((x) => x.group === 'r2')!.verdict).toBe('changed');
    const small = groups.find((x) => x.group === 'small')!;
    expect(small.verdict).toBe('low-n');
    expect(small.dispersion?.excess).toBeUndefined();
  });

  it('keeps each rule’s own quasi-Poisson test when the family is too small for a prior', () => {
    const two = hist.map((f) => facts({ alertsByRule: { r1: f.alertsByRule!.r1!, r2: f.alertsByRule!.r2! } }));
    const { groups } = judgeChanges(facts({ alertsByRule: { r1: 1100, r2: 800 } }), history(two));
    for (const g of groups.filter((x) => x.metric === 'alerts.created')) expect(g.dispersion?.excess).toBeUndefined();
  });
});

describe('the dispersion estimates at their edges', () => {
  it('divides a quasi-binomial χ² by k − 1, and takes shares that never hit as binomial', () => {
    // P = 21/30 = 0.7; (−2)², 2², 0 over 2.1: χ² = 8/2.1 over 2 df.
    const d = binomialDispersion([
      { hit: 5, n: 10 },
      { hit: 9, n: 10 },
      { hit: 7, n: 10 },
    ])!;
    expect(d.raw).toBeCloseTo(8 / 2.1 / 2, 12);
    expect(
      binomialDispersion([
        { hit: 0, n: 10 },
        { hit: 0, n: 20 },
      ]),
    ).toEqual({ phi: 1, raw: 0, df: 1 });
    expect(shareTest({ hit: 1, n: 2 }, { hit: 0, n: 0 }, 1, null)).toBeNull();
  });

  it('leaves a one-period series out of the family’s excess', () => {
    expect(
      negativeBinomialExcess([
        [{ x: 5, e: 1 }],
        [
          { x: 90, e: 1 },
          { x: 110, e: 1 },
        ],
      ]),
    ).toBeCloseTo(0.01, 12);
    expect(negativeBinomialExcess([[{ x: 5, e: 1 }]])).toBe(0);
    expect(negativeBinomialDispersion([{ x: 5, e: 1 }], 0)).toBeNull();
    expect(
      negativeBinomialDispersion(
        [
          { x: 0, e: 1 },
          { x: 0, e: 1 },
        ],
        0,
      ),
    ).toBeNull();
  });

  it('fits the prior of spread variances from the variance of their logs (limma fitFDist)', () => {
    // log s² of 0.1, 1, 10, 100, 1000: mean ln 10, sample variance (2·(2 ln 10)² + 2·(ln 10)²)/4 = 2.5·(ln 10)².
    // Less the sampling variance of log χ²₄/4, ψ′(2) = π²/6 − 1: d0 = 2·ψ′⁻¹(that).
    const evar = 2.5 * Math.LN10 ** 2 - (Math.PI ** 2 / 6 - 1);
    const prior = fitVariancePrior([0.1, 1, 10, 100, 1000], 4)!;
    expect(prior.d0).toBeCloseTo(2 * trigammaInverse(evar), 10);
    expect(trigamma(prior.d0 / 2)).toBeCloseTo(evar, 6);
    // s0² = exp(mean of e + ψ(d0/2) − ln(d0/2)), e = ln s² − ψ(2) + ln 2.
    const mean = Math.LN10 - digamma(2) + Math.LN2;
    expect(prior.s0sq).toBeCloseTo(Math.exp(mean + digamma(prior.d0 / 2) - Math.log(prior.d0 / 2)), 10);
  });
});

describe('a median moved by the mix of severities', () => {
  it('names no severity when none changed on its own, and says the mix moved it', () => {
    // Every week: high 50 cases at 10 min, low 50 at 100 min. Now high doubles (100 at 10 min): the overall median
    // falls to 10 min, though neither severity's own times moved.
    const week = ttr({ high: rep(10, 50), low: rep(100, 50) });
    const c = whole(
      ttr({ high: rep(10, 100), low: rep(100, 50) }),
      rep(0, 8).map(() => week),
      'ttr.p50',
    );
    expect(c.current).toBe(10);
    expect(c.baseline).toBe(10);
    const moved = whole(
      ttr({ high: rep(10, 150), low: rep(100, 50) }),
      [ttr({ high: rep(10, 40), low: rep(100, 60) })],
      'ttr.p50',
    );
    expect(moved).toMatchObject({ current: 10, previous: 100, sign: -1, verdict: 'changed', driver: null });
    expect(changeSentence(moved, '2026-W47')).toBe(
      'Median time to resolve fell to 10 min, against 1 h 40 min in 2026-W47; no severity’s own times changed beyond noise: the mix of severities moved it.',
    );
  });
});

describe('more edges: order across figures, ties, the basis, and what is not tested', () => {
  it('lists changes of equal p by the fixed order of figures, then the group name', () => {
    const { changes } = whatChanged(
      facts({ casesBySeverity: { low: 100_000, high: 100_000 }, alertsByRule: { b: 900_000, a: 900_000 } }),
      history([facts({ casesBySeverity: { low: 100, high: 100 }, alertsByRule: { b: 900, a: 900 } })]),
    );
    expect(changes.slice(0, 6).map((c) => [c.metric, c.group ?? '', c.p])).toEqual([
      ['cases.created', '', 0],
      ['cases.created', 'high', 0],
      ['cases.created', 'low', 0],
      ['alerts.created', '', 0],
      ['alerts.created', 'a', 0],
      ['alerts.created', 'b', 0],
    ]);
    // Equal contributions keep name order, whatever order the groups came in; counts have no mix.
    const whole = changes[0]!;
    expect(whole.contributions.map((x) => x.group)).toEqual(['high', 'low']);
    expect('mix' in whole).toBe(false);
  });

  it('lists at most five contributions', () => {
    const rules = (x: number) =>
      Object.fromEntries(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'].map((r, i) => [r, x + i]));
    const c = whole(facts({ alertsByRule: rules(200) }), [facts({ alertsByRule: rules(100) })], 'alerts.created');
    expect(c.contributions).toHaveLength(5);
    expect(c.contributions.map((x) => x.group)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('has no alert figure when the current period has no alert source', () => {
    const { wholes } = judgeChanges(facts({ alertsByRule: null }), history([facts({ alertsByRule: { a: 100 } })]));
    expect(wholes.map((c) => c.metric)).not.toContain('alerts.created');
  });

  it('says no data when there is no comparable period at all', () => {
    const { wholes, basis } = judgeChanges(facts({ casesBySeverity: { high: 100 } }), []);
    expect(wholes.every((c) => c.verdict === 'no-data')).toBe(true);
    expect(basis).toMatchObject({ method: 'previous', periods: 0, from: null, to: null, tests: 0 });
  });

  it('names the previous period as the fallback’s start, however many periods it had', () => {
    const { basis } = judgeChanges(
      facts({ casesBySeverity: { high: 100 } }),
      history([100, 90, 80].map((high) => facts({ casesBySeverity: { high } }))),
    );
    expect(basis).toMatchObject({ method: 'previous', periods: 1, from: '2026-W47', to: '2026-W47' });
  });

  it('states the alerts’ history when it is shorter than the cases’, though both are long enough', () => {
    const hist = history(rep(0, 12).map(() => facts({ casesBySeverity: { high: 100 }, alertsByRule: { a: 1000 } })));
    hist[5]!.alerts = false;
    hist[6]!.alerts = false;
    const { basis } = judgeChanges(facts({ casesBySeverity: { high: 100 }, alertsByRule: { a: 1000 } }), hist);
    expect(basis.alerts).toEqual({ method: 'history', periods: 10 });
    expect(basis.caveat).toBeUndefined();
  });

  it('calls a rate low n on the average of its history periods, not their sum', () => {
    // 8 weeks of 9 judged each: 72 in all, 9 a week — low n.
    const hist = rep(0, 8).map(() => resolve({ high: { hit: 8, n: 9 } }));
    const c = whole(resolve({ high: { hit: 50, n: 100 } }), hist, 'sla.resolve.compliance');
    expect(c.n).toEqual({ current: 100, previous: 9, baseline: 9 });
    expect(c.verdict).toBe('low-n');
  });

  it('gives a changed severity’s own rate and median entries their own figures, no contributions', () => {
    const { changes } = whatChanged(
      facts({
        sla: { acknowledge: {}, resolve: { high: { hit: 20, n: 100 }, low: { hit: 90, n: 100 } } },
        durations: { tta: {}, ttr: { high: sorted(rep(500, 40)), low: sorted(rep(60, 40)) } },
      }),
      history([
        facts({
          sla: { acknowledge: {}, resolve: { high: { hit: 90, n: 100 }, low: { hit: 90, n: 100 } } },
          durations: { tta: {}, ttr: { high: sorted(rep(100, 40)), low: sorted(rep(60, 40)) } },
        }),
      ]),
    );
    const rate = changes.find((c) => c.metric === 'sla.resolve.compliance' && c.group === 'high')!;
    expect(rate).toMatchObject({ verdict: 'changed', current: 0.2, previous: 0.9, contributions: [], driver: null });
    expect(rate.n).toEqual({ current: 100, previous: 100, baseline: 100 });
    const median = changes.find((c) => c.metric === 'ttr.p50' && c.group === 'high')!;
    expect(median).toMatchObject({ verdict: 'changed', current: 500, previous: 100, contributions: [] });
    expect(median.n).toEqual({ current: 40, previous: 40, baseline: 40 });
    expect(changes.find((c) => c.metric === 'ttr.p50' && c.group === 'low')).toBeUndefined();
  });

  it('tests a false positive rate as a whole only: no rule gets an entry of its own', () => {
    const { changes, basis } = whatChanged(
      facts({ falsePositives: { a: { hit: 90, n: 100 }, b: { hit: 10, n: 100 } } }),
      history([facts({ falsePositives: { a: { hit: 10, n: 100 }, b: { hit: 10, n: 100 } } })]),
    );
    expect(changes.filter((c) => c.metric === 'falsePositiveRate').map((c) => c.group)).toEqual([undefined]);
    expect(changes[0]).toMatchObject({ metric: 'falsePositiveRate', verdict: 'changed', driver: { group: 'a' } });
    expect(basis.tests).toBe(1);
  });
});
