// The simulator behind `npm run bench changes` is the ground truth the calibration rests on: these tests check that it
// produces what it claims (test/bench/soc-truth-sim.ts), with expectations computed independently — the reference
// values below are scipy 1.17.1's (python3: scipy.stats.norm.ppf, scipy.special.gammaln, scipy.stats.poisson.cdf,
// scipy.stats.binomtest(k, n).proportion_ci(method="wilson")) or worked by hand in the comments.
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreEmail, wilson } from '../bench/changes.bench.js';
import {
  CASE_RANGES,
  CURRENT_WEEK,
  HISTORY_WEEKS,
  hoursOf,
  logGamma,
  normalQuantile,
  OVERDISPERSION,
  poisson,
  RULE_RANGE,
  SIM_SEVERITIES,
  simulateSoc,
  stream,
  type Regime,
  type Soc,
} from '../bench/soc-truth-sim.js';
import type { CaseFacts } from '../../shared/domain/facts.js';
import type { Summary } from '../../shared/domain/summary.js';

const MIN = 60_000;
const SEEDS = Array.from({ length: 12 }, (_, i) => 9001 + i);
const TARGETS = {
  critical: { acknowledge: 15, resolve: 240 },
  high: { acknowledge: 30, resolve: 1440 },
  medium: { acknowledge: 120, resolve: 4320 },
  low: { acknowledge: 480, resolve: 10080 },
} as const;

/** Every week of a seed, generated once for all the tests of a regime. */
const cache = new Map<string, { soc: Soc; weeks: ReturnType<Soc['week']>[] }[]>();
function sims(regime: Regime) {
  let out = cache.get(regime);
  if (!out) {
    out = SEEDS.map((seed) => {
      const soc = simulateSoc({ seed, regime, tz: seed % 2 ? 'UTC' : 'America/New_York' });
      return { soc, weeks: soc.weeks.map((_, w) => soc.week(w)) };
    });
    cache.set(regime, out);
  }
  return out;
}

const count = (cases: CaseFacts[], sev: string) => cases.filter((c) => c.sev === sev).length;

describe('the simulator’s numerics against scipy', () => {
  it('normalQuantile and logGamma', () => {
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 8);
    expect(normalQuantile(0.87)).toBeCloseTo(1.1263911290388007, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    expect(logGamma(0.5)).toBeCloseTo(0.5723649429247, 9);
    expect(logGamma(10)).toBeCloseTo(12.801827480081469, 9);
    expect(logGamma(100.5)).toBeCloseTo(361.43554046777757, 8);
    expect(logGamma(1)).toBeCloseTo(0, 9);
  });

  it('poisson draws have the distribution: P(X ≤ λ) as scipy, mean and variance λ (both algorithms)', () => {
    // scipy.stats.poisson.cdf(λ, λ): 4 → 0.628837, 50 → 0.537517, 1000 → 0.508409.
    for (const [lambda, cdf] of [
      [4, 0.6288369351798734],
      [50, 0.5375166908531476],
      [1000, 0.508409367168506],
    ] as const) {
      const r = stream(77, lambda);
      const n = 40_000;
      const xs = Array.from({ length: n }, () => poisson(r, lambda));
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
      // Standard errors: cdf √(p(1−p)/n) ≈ 0.0025; mean √(λ/n); variance ≈ λ·√(2/n) ≈ 0.7 % of λ.
      expect(Math.abs(xs.filter((x) => x <= lambda).length / n - cdf)).toBeLessThan(0.01);
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
      expect(variance / lambda).toBeGreaterThan(0.97);
      expect(variance / lambda).toBeLessThan(1.03);
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
  });

  it('the benchmark’s Wilson 95 % intervals are scipy’s', () => {
    const cases: [number, number, number, number][] = [
      [7, 40, 0.08745413746035918, 0.3194999033178771],
      [0, 200, 0, 0.018845326377266575],
      [190, 200, 0.910421851861224, 0.9726173543992361],
      [20, 20, 0.8388748419471808, 1],
    ];
    for (const [k, n, lo, hi] of cases) {
      const [a, b] = wilson(k, n);
      expect(a).toBeCloseTo(lo, 9);
      expect(b).toBeCloseTo(hi, 9);
    }
  });
});

describe('the simulated SOC (test/bench/soc-truth-sim.ts)', () => {
  // 12 seeds × 18 weeks in each regime (about 850k cases in all), generated once for the tests below.
  beforeAll(() => {
    sims('poisson');
    sims('overdispersed');
  }, 60_000);

  it('is deterministic, and another seed tells another story', () => {
    const a = simulateSoc({ seed: 3, regime: 'overdispersed', tz: 'UTC' });
    const b = simulateSoc({ seed: 3, regime: 'overdispersed', tz: 'UTC' });
    expect(b.week(5)).toEqual(a.week(5));
    expect(b.factors).toEqual(a.factors);
    const c = simulateSoc({ seed: 4, regime: 'overdispersed', tz: 'UTC' });
    expect(c.week(5).cases.length).not.toBe(a.week(5).cases.length);
  });

  it('has 16 weeks of history, the current week 2026-W44 (169 h in New York: DST ends 1 Nov), and the week after', () => {
    const utc = simulateSoc({ seed: 1, regime: 'poisson', tz: 'UTC' });
    const ny = simulateSoc({ seed: 1, regime: 'poisson', tz: 'America/New_York' });
    expect(utc.weeks).toHaveLength(HISTORY_WEEKS + 2);
    expect(utc.current.label).toBe(CURRENT_WEEK);
    expect(utc.weeks[0]!.label).toBe('2026-W28');
    expect(utc.weeks.at(-1)!.label).toBe('2026-W45');
    expect((utc.current.end - utc.current.start) / 3_600_000).toBe(168);
    expect((ny.current.end - ny.current.start) / 3_600_000).toBe(169);
    // Consecutive weeks, no gap: each starts where the one before ended.
    for (let i = 1; i < ny.weeks.length; i++) expect(ny.weeks[i]!.start).toBe(ny.weeks[i - 1]!.end);
    // A standard week's hour shares add up to 1; New York's W44 has one more 01:00 on Sunday (weekend weight 0.32
    // of Σ = 5 · 26.01 + 2 · 12.01 = 154.07): 1 + 0.32 / 154.07 = 1.0020770.
    expect(hoursOf(utc.current).reduce((s, h) => s + h.cases, 0)).toBeCloseTo(1, 12);
    expect(hoursOf(ny.current).reduce((s, h) => s + h.cases, 0)).toBeCloseTo(1.0020769779970145, 12);
  });

  it('draws volumes in the stated ranges: 20–30 rules, tens of thousands of alerts a week, the mid-size rule in the middle', () => {
    const totals: number[] = [];
    for (const { soc } of sims('poisson')) {
      for (const s of SIM_SEVERITIES) {
        expect(soc.casesPerWeek[s]).toBeGreaterThanOrEqual(CASE_RANGES[s][0]);
        expect(soc.casesPerWeek[s]).toBeLessThanOrEqual(CASE_RANGES[s][1]);
        expect(soc.rules.some((r) => r.sev === s)).toBe(true);
      }
      expect(soc.rules.length).toBeGreaterThanOrEqual(20);
      expect(soc.rules.length).toBeLessThanOrEqual(30);
      for (const r of soc.rules) {
        expect(r.alertsPerWeek).toBeGreaterThanOrEqual(RULE_RANGE[0]);
        expect(r.alertsPerWeek).toBeLessThanOrEqual(RULE_RANGE[1]);
      }
      const smaller = soc.rules.filter((r) => r.alertsPerWeek < soc.midRule.alertsPerWeek).length;
      expect(smaller).toBe(Math.floor(soc.rules.length / 2));
      totals.push(soc.rules.reduce((s, r) => s + r.alertsPerWeek, 0));
    }
    // Log-uniform on [20, 8000] has mean (8000 − 20) / ln 400 ≈ 1,332; 20–30 rules ≈ 27k–40k a week.
    const mean = totals.reduce((s, x) => s + x, 0) / totals.length;
    expect(mean).toBeGreaterThan(15_000);
    expect(mean).toBeLessThan(60_000);
  });

  it('records are well formed: cases inside their week, acknowledged before closed, alert rows positive on the hour', () => {
    const bad: string[] = [];
    for (const { soc, weeks } of sims('poisson').slice(0, 4))
      weeks.forEach((w, i) => {
        const week = soc.weeks[i]!;
        const sevOf = new Map(soc.rules.map((r) => [r.name, r.sev]));
        for (const c of w.cases)
          if (
            !(c.created >= week.start && c.created < week.end) ||
            !(c.ack! >= c.created && c.closed! >= c.ack!) ||
            !sevOf.has(c.rule!) ||
            c.disp === undefined
          )
            bad.push(`case ${c.id}`);
        for (const a of w.alerts)
          if (
            (a.at - week.start) % 3_600_000 !== 0 ||
            !(a.at >= week.start && a.at < week.end) ||
            !Number.isInteger(a.count) ||
            a.count <= 0 ||
            sevOf.get(a.rule) !== a.sev
          )
            bad.push(`alert row ${soc.seed} ${a.at} ${a.rule}`);
      });
    expect(bad).toEqual([]);
  });

  it('poisson regime: weekly case counts are Poisson around their means (standardized mean ≈ 0, variance ≈ 1)', () => {
    const z: number[] = [];
    for (const { soc, weeks } of sims('poisson'))
      weeks.forEach((w, i) => {
        const m = soc.means(i).cases;
        for (const s of SIM_SEVERITIES) z.push((count(w.cases, s) - m[s]) / Math.sqrt(m[s]));
      });
    // 12 seeds × 18 weeks × 5 severities = 1,080 values: the mean's SE ≈ 0.03, the variance's ≈ √(2/1080) ≈ 0.043.
    expect(z).toHaveLength(1080);
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / (z.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.12);
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
  });

  it('overdispersed regime: weekly counts vary by the stated CV beyond Poisson (cases 8 %, each rule’s alerts 15 %)', () => {
    // N | F ~ Poisson(μ0·F), E F = 1, CV(F) = c: Var(N / μ0) = 1/μ0 + c², so c² ≈ mean of (N/μ0 − 1)² − 1/μ0,
    // with μ0 the week's mean before its factor (the Poisson regime's means, same seed and zone).
    const cv = (pairs: [number, number][]) =>
      Math.sqrt(pairs.reduce((s, [n, mu]) => s + (n / mu - 1) ** 2 - 1 / mu, 0) / pairs.length);
    const cases: [number, number][] = [];
    const alerts: [number, number][] = [];
    for (const { soc, weeks } of sims('overdispersed')) {
      const flat = simulateSoc({ seed: soc.seed, regime: 'poisson', tz: soc.tz });
      weeks.forEach((w, i) => {
        const m = flat.means(i);
        for (const s of ['medium', 'low'] as const) cases.push([count(w.cases, s), m.cases[s]]);
        soc.rules.forEach((r, ri) => {
          if (m.alerts[ri]! < 300) return;
          alerts.push([w.alerts.filter((a) => a.rule === r.name).reduce((s, a) => s + a.count, 0), m.alerts[ri]!]);
        });
      });
    }
    // 432 case weeks: c² has SE ≈ √2 · 0.0074 / √432 ≈ 0.0005, so c within about ±0.003; alerts have thousands.
    expect(cases).toHaveLength(432);
    expect(alerts.length).toBeGreaterThan(1500);
    expect(cv(cases)).toBeGreaterThan(OVERDISPERSION.cases - 0.01);
    expect(cv(cases)).toBeLessThan(OVERDISPERSION.cases + 0.01);
    expect(cv(alerts)).toBeGreaterThan(OVERDISPERSION.alerts - 0.01);
    expect(cv(alerts)).toBeLessThan(OVERDISPERSION.alerts + 0.01);
    // The Poisson regime has no such spread: the same estimate is about 0.
    const flatPairs: [number, number][] = [];
    for (const { soc, weeks } of sims('poisson'))
      weeks.forEach((w, i) => flatPairs.push([count(w.cases, 'low'), soc.means(i).cases.low]));
    const c2 = flatPairs.reduce((s, [n, mu]) => s + (n / mu - 1) ** 2 - 1 / mu, 0) / flatPairs.length;
    expect(Math.abs(c2)).toBeLessThan(0.0015);
    // The weekly delay scales: ln-normal with σ 0.1 (12 seeds × 18 weeks × 4 severities × 2 kinds = 1,728 values).
    const logs = sims('overdispersed').flatMap(({ soc }) =>
      soc.factors.flatMap((f) =>
        (['critical', 'high', 'medium', 'low'] as const).flatMap((s) => [
          Math.log(f.acknowledge[s]),
          Math.log(f.resolve[s]),
        ]),
      ),
    );
    const sd = Math.sqrt(logs.reduce((s, x) => s + x * x, 0) / logs.length);
    expect(sd).toBeGreaterThan(OVERDISPERSION.delaySigma * 0.93);
    expect(sd).toBeLessThan(OVERDISPERSION.delaySigma * 1.07);
  });

  it('meets the SLA as calibrated: acknowledge 90 %, resolve 87 / 90 / 92 / 94 % (all cases, events at any time)', () => {
    // The log-normal medians, by hand: high acknowledge 30 · exp(−0.9 · 1.2815516) = 9.4669 min,
    // high resolve 1440 · exp(−1.2815516) = 399.753 min.
    const { soc } = sims('poisson')[0]!;
    expect(soc.medians.high.acknowledge).toBeCloseTo(9.466894969190276, 6);
    expect(soc.medians.high.resolve).toBeCloseTo(399.75298826689414, 5);
    const expected = { critical: 0.87, high: 0.9, medium: 0.92, low: 0.94 } as const;
    for (const sev of ['critical', 'high', 'medium', 'low'] as const) {
      const cases = sims('poisson').flatMap(({ weeks }) => weeks.flatMap((w) => w.cases.filter((c) => c.sev === sev)));
      const t = TARGETS[sev];
      const ack = cases.filter((c) => c.ack! - c.created <= t.acknowledge * MIN).length / cases.length;
      const res = cases.filter((c) => c.closed! - c.created <= t.resolve * MIN).length / cases.length;
      // critical has ~4,000 cases (SE ≈ 0.005), the others tens of thousands.
      const tol = sev === 'critical' ? 0.02 : 0.008;
      expect(Math.abs(ack - 0.9)).toBeLessThan(tol);
      expect(Math.abs(res - expected[sev])).toBeLessThan(tol);
    }
  });

  it('half the cases come from a whole-minute source (ties), and arrivals follow the weekday profile', () => {
    const { weeks } = sims('poisson')[0]!; // seed 9001: UTC
    const cases = weeks.flatMap((w) => w.cases);
    const whole = cases.filter(
      (c) => c.created % MIN === 0 && (c.ack! - c.created) % MIN === 0 && (c.closed! - c.created) % MIN === 0,
    ).length;
    expect(Math.abs(whole / cases.length - 0.5)).toBeLessThan(0.015);
    // Weekday share of the profile: 5 · 26.01 / (5 · 26.01 + 2 · 12.01) = 0.84410.
    const weekday = cases.filter((c) => new Date(c.created).getUTCDay() % 6 !== 0).length / cases.length;
    expect(Math.abs(weekday - 0.8441)).toBeLessThan(0.01);
  });

  it('a change touches the current week only, and only what it says', () => {
    for (const { soc } of sims('overdispersed').slice(0, 6)) {
      const cur = HISTORY_WEEKS;
      const base = soc.week(cur);
      const mid = soc.midRule.name;
      const alertsOf = (rows: typeof base.alerts, rule: string) =>
        rows.filter((a) => a.rule === rule).reduce((s, a) => s + a.count, 0);

      const a = soc.week(cur, { kind: 'rule-alerts-x2' });
      expect(a.cases).toEqual(base.cases);
      expect(a.alerts.filter((x) => x.rule !== mid)).toEqual(base.alerts.filter((x) => x.rule !== mid));
      const ri = soc.rules.indexOf(soc.midRule);
      const mu = soc.means(cur, { kind: 'rule-alerts-x2' }).alerts[ri]!;
      expect(mu).toBeCloseTo(2 * soc.means(cur).alerts[ri]!, 9);
      expect(Math.abs(alertsOf(a.alerts, mid) - mu)).toBeLessThan(4 * Math.sqrt(mu));

      const b = soc.week(cur, { kind: 'cases-x2', sev: 'high' });
      expect(b.alerts).toEqual(base.alerts);
      expect(b.cases.filter((c) => c.sev !== 'high')).toEqual(base.cases.filter((c) => c.sev !== 'high'));
      const muHigh = soc.means(cur, { kind: 'cases-x2', sev: 'high' }).cases.high;
      expect(muHigh).toBeCloseTo(2 * soc.means(cur).cases.high, 9);
      expect(Math.abs(count(b.cases, 'high') - muHigh)).toBeLessThan(4 * Math.sqrt(muHigh));

      const c = soc.week(cur, { kind: 'resolve-collapse', sev: 'high', factor: 4 });
      expect(c.alerts).toEqual(base.alerts);
      expect(c.cases.filter((x) => x.sev !== 'high')).toEqual(base.cases.filter((x) => x.sev !== 'high'));
      // Same arrivals and acknowledgements; only high's resolve times change.
      expect(c.cases.map((x) => [x.created, x.ack])).toEqual(base.cases.map((x) => [x.created, x.ack]));
      // Other weeks are not regenerated by a change: week(i) takes no change but the one given.
      expect(soc.week(cur - 1)).toEqual(soc.week(cur - 1, { kind: 'none' }));
    }
  });

  it('the resolve collapse (delays ×4) brings high’s compliance from 90 % to Φ(Φ⁻¹(0.9) − ln 4) = 45.8 %', () => {
    let met = 0;
    let n = 0;
    for (const { soc } of sims('poisson')) {
      const c = soc.week(HISTORY_WEEKS, { kind: 'resolve-collapse', sev: 'high', factor: 4 });
      for (const x of c.cases)
        if (x.sev === 'high') {
          n++;
          if (x.closed! - x.created <= TARGETS.high.resolve * MIN) met++;
        }
    }
    // Φ(1.2815516 − 1.3862944) = Φ(−0.1047428) = 0.45829 (scipy.stats.norm.cdf); n ≈ 2,400: SE ≈ 0.01.
    expect(n).toBeGreaterThan(1000);
    expect(Math.abs(met / n - 0.45829)).toBeLessThan(0.035);
  });
});

describe('the benchmark’s scoring of an email', () => {
  const email = (changes: unknown[] | undefined): Summary =>
    ({ kpi: changes === undefined ? {} : { changes } }) as unknown as Summary;

  it('no change: any "changed" entry is a false alarm; other verdicts are not', () => {
    const quiet = scoreEmail(email([{ metric: 'cases.created', verdict: 'no-change', driver: null }]), null);
    expect(quiet).toEqual({ named: [], right: false, other: [] });
    const alarm = scoreEmail(
      email([
        { metric: 'cases.created', verdict: 'low-n', driver: null },
        { metric: 'ttr.p50', verdict: 'changed', driver: { group: 'low' } },
      ]),
      null,
    );
    expect(alarm.named).toEqual(['ttr.p50→low']);
    expect(alarm.other).toEqual(['ttr.p50→low']);
  });

  it('a change is found with the right metric and group, as the entry’s group or its driver', () => {
    const truth = { metric: 'cases.created', group: 'high' } as const;
    const byDriver = scoreEmail(
      email([{ metric: 'cases.created', verdict: 'changed', driver: { group: 'high' } }]),
      truth,
    );
    expect(byDriver.right).toBe(true);
    const byGroup = scoreEmail(
      email([{ metric: 'cases.created', group: 'high', dimension: 'severity', verdict: 'changed', driver: null }]),
      truth,
    );
    expect(byGroup).toEqual({ named: ['cases.created[high]'], right: true, other: [] });
    // Wrong driver, wrong metric, or the right one without the verdict: not found.
    expect(
      scoreEmail(email([{ metric: 'cases.created', verdict: 'changed', driver: { group: 'low' } }]), truth).right,
    ).toBe(false);
    expect(scoreEmail(email([{ metric: 'ttr.p50', verdict: 'changed', driver: { group: 'high' } }]), truth).right).toBe(
      false,
    );
    expect(
      scoreEmail(email([{ metric: 'cases.created', verdict: 'no-change', driver: { group: 'high' } }]), truth).right,
    ).toBe(false);
    // Another metric about the same group is a consequence; another group, or no group at all, is an other name.
    const mixed = scoreEmail(
      email([
        { metric: 'cases.created', verdict: 'changed', driver: { group: 'high' } },
        { metric: 'ttr.p50', verdict: 'changed', driver: { group: 'high' } },
        { metric: 'alerts.created', verdict: 'changed', driver: { group: 'Rule 03' } },
        { metric: 'tta.p50', verdict: 'changed', driver: null },
      ]),
      truth,
    );
    expect(mixed.right).toBe(true);
    expect(mixed.other).toEqual(['alerts.created→Rule 03', 'tta.p50→(none)']);
  });

  it('a missing kpi or absent changes is an error, never a quiet email', () => {
    const missing = { kpi: { missing: true, reason: 'no case source (cases.jsonl)' } } as unknown as Summary;
    expect(scoreEmail(missing, null).error).toBe('kpi missing: no case source (cases.jsonl)');
    expect(scoreEmail(email(undefined), null).error).toMatch(/kpi\.changes absent/);
  });
});
