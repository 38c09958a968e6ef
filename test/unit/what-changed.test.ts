import { describe, expect, it } from 'vitest';
import { facts, history, sorted, WEEK } from './changes-fixtures.js';
import {
  FALSE_DISCOVERY_RATE,
  whatChanged,
  type Change,
} from '../../shared/domain/changes.js';
import { countTest, normalTwoSided, shareTest } from '../../shared/domain/dispersion.js';
import { changeSentence, changeValue } from '../../shared/mail/headline.js';
import { mulberry32 } from '../../functions/soc-sim/generate.js';

// docs/what-changed.md: every expectation below is worked by hand from the facts given, never read back from the code.

const by = (changes: Change[], metric: string, group?: string) =>
  changes.find((c) => c.metric === metric && c.group === group);

describe('what changed and why, against the previous period alone (too little history)', () => {
  it('compares counts per unit of time: the same rate over twice the time is no change', () => {
    // A to-date period of 2 weeks' exposure against 1: 200 against 100 is the same rate.
    const { changes, basis } = whatChanged(
      facts({ exposureMs: 2 * WEEK, casesBySeverity: { high: 200 } }),
      history([facts({ casesBySeverity: { high: 100 } })]),
    );
    const c = by(changes, 'cases.created')!;
    expect(c.method).toBe('previous');
    expect(c.baseline).toBe(200);
    expect(c.z).toBeCloseTo(0, 12);
    expect(c.verdict).toBe('no-change');
    expect(basis.method).toBe('previous');
    expect(basis.caveat).toMatch(/^only 1 comparable previous period with data \(8 needed/);
  });

  it('tests a doubling of a count by the Poisson score test and names its severity', () => {
    // 200 against 100 over equal weeks: n = 300, p0 = 1/2, z = 50 / √75.
    const { changes } = whatChanged(
      facts({ casesBySeverity: { high: 150, low: 50 } }),
      history([facts({ casesBySeverity: { high: 50, low: 50 } })]),
    );
    const c = by(changes, 'cases.created')!;
    expect(c.z).toBeCloseTo(50 / Math.sqrt(75), 12);
    expect(c.p).toBeCloseTo(normalTwoSided(50 / Math.sqrt(75)), 12);
    expect(c.verdict).toBe('changed');
    expect(c.total).toBe(100);
    expect(c.driver).toEqual({ group: 'high', contribution: 100, share: 1, changed: true });
    // The high severity changed on its own too (low did not move at all).
    expect(by(changes, 'cases.created', 'high')?.verdict).toBe('changed');
    expect(by(changes, 'cases.created', 'low')).toBeUndefined();
    expect(changeSentence(c, '2026-W47')).toBe(
      'Cases created rose to 200, against 100 in 2026-W47; most of it from high-severity cases (+100).',
    );
  });

  it('calls fewer than 10 in either period "low n", however large the move', () => {
    // 0 cases against 10, and 10 against 9: neither is a change (x₁ + x₂ ≥ 10 in both).
    for (const [now, then] of [
      [0, 10],
      [10, 9],
      [9, 100],
    ] as const) {
      const c = by(
        whatChanged(facts({ casesBySeverity: { high: now } }), history([facts({ casesBySeverity: { high: then } })]))
          .changes,
        'cases.created',
      )!;
      expect(c.verdict).toBe('low-n');
    }
    const sla = by(
      whatChanged(
        facts({ sla: { acknowledge: {}, resolve: { critical: { hit: 0, n: 4 } } } }),
        history([facts({ sla: { acknowledge: {}, resolve: { critical: { hit: 30, n: 30 } } } })]),
      ).changes,
      'sla.resolve.compliance',
    )!;
    expect(sla.verdict).toBe('low-n');
    expect(changeSentence(sla, '2026-W47')).toBe(
      'Resolve SLA compliance: too few cases to judge a change (n = 4 now, 30 in a usual week).',
    );
  });

  it('says 100% against 100% is no change', () => {
    const c = by(
      whatChanged(
        facts({ sla: { acknowledge: {}, resolve: { high: { hit: 50, n: 50 } } } }),
        history([facts({ sla: { acknowledge: {}, resolve: { high: { hit: 80, n: 80 } } } })]),
      ).changes,
      'sla.resolve.compliance',
    )!;
    expect(c).toMatchObject({ z: 0, p: 1, verdict: 'no-change', current: 1, baseline: 1, total: 0 });
  });

  it('splits a rate change into each severity’s own rate effect and the mix effect, in points', () => {
    // Usually high 90/100 and low 90/100 (both 90%); now high 50/100 and low 270/300: 80% against 90%.
    // Weights now .25/.75, before .5/.5. High's own effect: (.25 + .5)/2 · (.5 − .9) = −.15; low's: 0.
    // Mix: high (.5 + .9)/2 · (.25 − .5) = −.175, low .9 · (.75 − .5) = +.225: +.05. Together −.10.
    const c = by(
      whatChanged(
        facts({ sla: { acknowledge: {}, resolve: { high: { hit: 50, n: 100 }, low: { hit: 270, n: 300 } } } }),
        history([
          facts({ sla: { acknowledge: {}, resolve: { high: { hit: 90, n: 100 }, low: { hit: 90, n: 100 } } } }),
        ]),
      ).changes,
      'sla.resolve.compliance',
    )!;
    expect(c.total).toBeCloseTo(-0.1, 12);
    expect(c.contributions).toHaveLength(1);
    expect(c.contributions[0]!.group).toBe('high');
    expect(c.contributions[0]!.contribution).toBeCloseTo(-0.15, 12);
    expect(c.mix).toBeCloseTo(0.05, 12);
    expect(c.driver?.group).toBe('high');
    expect(c.driver?.share).toBeCloseTo(1.5, 12);
    // z of 320/400 against 180/200: pooled 500/600.
    const z = (0.8 - 0.9) / Math.sqrt((5 / 6) * (1 / 6) * (1 / 400 + 1 / 200));
    expect(c.z).toBeCloseTo(z, 12);
    expect(c.verdict).toBe('changed');
    expect(changeSentence(c, '2026-W47')).toBe(
      "Resolve SLA compliance fell by 10.0 pts to 80.0%, against 90.0% in 2026-W47; most of it from high-severity cases' own rate (−15.0 pts); the mix of severities moved it +5.0 pts.",
    );
  });

  it('takes Mood’s median test with ties at the pooled median counted as not above', () => {
    // Now 2 ×10 and 5 ×2; before 1 ×6 and 2 ×6. Pooled (24 values): the 12th is 2. Above it: 2 of 12 now, 0 before.
    const now = sorted([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5, 5]);
    const then = sorted([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    const c = by(
      whatChanged(
        facts({ durations: { tta: { high: now }, ttr: {} } }),
        history([facts({ durations: { tta: { high: then }, ttr: {} } })]),
      ).changes,
      'tta.p50',
    )!;
    const z = 2 / 12 / Math.sqrt((1 / 12) * (11 / 12) * (2 / 12));
    expect(c.z).toBeCloseTo(z, 12);
    expect(c.current).toBe(2);
    expect(c.previous).toBe(1);
    expect(c.sign).toBe(1);
    expect(c.total).toBeCloseTo(2 / 12, 12);
  });

  it('gives a falling median a falling sign and the word "fell"', () => {
    const now = sorted(Array.from({ length: 40 }, (_, i) => 100 + i));
    const then = sorted(Array.from({ length: 40 }, (_, i) => 300 + i));
    const c = by(
      whatChanged(
        facts({ durations: { tta: {}, ttr: { medium: now } } }),
        history([facts({ durations: { tta: {}, ttr: { medium: then } } })]),
      ).changes,
      'ttr.p50',
    )!;
    // Pooled median 139 (40th of 80): none of now above it, all 40 before. z = −1 / √(.5 · .5 · (2/40)).
    expect(c.z).toBeCloseTo(-1 / Math.sqrt(0.25 * (2 / 40)), 12);
    expect(c.sign).toBe(-1);
    expect(c.current).toBe(119);
    expect(c.previous).toBe(319);
    expect(c.verdict).toBe('changed');
    expect(changeSentence(c, '2026-W47')).toMatch(/^Median time to resolve fell to 1 h 59 min, against 5 h 19 min/);
  });

  it('never calls a median changed when it did not move as the email shows it, whatever the test says', () => {
    // Whole minutes with ties: 3 min now and before, but many more 3s above … the median itself stays at 3.
    const now = sorted([...Array(30).fill(3), ...Array(30).fill(4)]);
    const then = sorted([...Array(20).fill(2), ...Array(40).fill(3)]);
    const c = by(
      whatChanged(
        facts({ durations: { tta: { low: now }, ttr: {} } }),
        history([facts({ durations: { tta: { low: then }, ttr: {} } })]),
      ).changes,
      'tta.p50',
    )!;
    expect(c.current).toBe(3);
    expect(c.previous).toBe(3);
    expect(Math.abs(c.z!)).toBeGreaterThan(4);
    expect(c.verdict).toBe('no-change');
  });
});

/** k weeks of history for one group whose counts alternate around `mean` by ± `swing`. */
const swinging = (k: number, mean: number, swing: number) =>
  Array.from({ length: k }, (_, i) => mean + (i % 2 ? swing : -swing));

describe('what changed and why, against the history’s own spread', () => {
  it('judges against the 12 weeks before, with dispersion from their spread and t on 11 df', () => {
    // High: 100 ± 20 for 12 weeks: rate 100, χ² = 12 · 400 / 100 = 48 over 11 df: φ = 48/11.
    const hist = swinging(12, 100, 20).map((high) => facts({ casesBySeverity: { high } }));
    const { changes, basis } = whatChanged(facts({ casesBySeverity: { high: 150 } }), history(hist));
    const c = by(changes, 'cases.created')!;
    expect(c.method).toBe('history');
    expect(c.periods).toBe(12);
    expect(c.baseline).toBeCloseTo(100, 12);
    expect(c.dispersion!.phi).toBeCloseTo(48 / 11, 12);
    expect(c.dispersion!.df).toBe(11);
    const t = countTest({ x: 150, e: WEEK }, { x: 1200, e: 12 * WEEK }, 48 / 11, 11)!;
    expect(c.z).toBeCloseTo(t.z, 12);
    expect(c.p).toBeCloseTo(t.p, 12);
    // n = 1350, p0 = 1/13: z = (150 − 1350/13) / √(48/11 · 1350 · (1/13)(12/13)).
    expect(c.z).toBeCloseTo((150 - 1350 / 13) / Math.sqrt((48 / 11) * 1350 * (12 / 169)), 12);
    expect(basis).toMatchObject({ method: 'history', periods: 12, from: '2026-W36', to: '2026-W47' });
    expect(basis.caveat).toBeUndefined();
    expect(changeSentence(c, '2026-W47')).toMatch(
      /^Cases created rose to 150, against a usual 100 \(the 12 weeks before, at the same age\)/,
    );
  });

  it('leaves out history periods without data, and falls back below 8 of them', () => {
    const hist = history(swinging(12, 100, 20).map((high) => facts({ casesBySeverity: { high } })));
    // Five weeks were not collected: 7 usable is too few, so the previous week alone, by Poisson.
    for (const i of [3, 4, 5, 6, 7]) hist[i]!.cases = false;
    const { changes, basis } = whatChanged(facts({ casesBySeverity: { high: 150 } }), hist);
    const c = by(changes, 'cases.created')!;
    expect(c.method).toBe('previous');
    // The previous week (W47, index 0) had 80.
    expect(c.baseline).toBe(80);
    expect(c.z).toBeCloseTo(countTest({ x: 150, e: WEEK }, { x: 80, e: WEEK }, 1, null)!.z, 12);
    expect(basis.caveat).toMatch(/^only 7 comparable previous periods with data/);
    // With 8 usable, the history method, over those 8 only (80, 120, 80, 120 … at indices 0, 1, 2, 8, 9, 10, 11, and 3).
    hist[3]!.cases = true;
    const again = by(whatChanged(facts({ casesBySeverity: { high: 150 } }), hist).changes, 'cases.created')!;
    expect(again.method).toBe('history');
    expect(again.periods).toBe(8);
    expect(again.n.baseline).toBe((80 + 120 + 80 + 120 + 80 + 120 + 80 + 120) / 8);
  });

  it('says "no data" when the previous period has none, and compares nothing', () => {
    const hist = history([facts({ casesBySeverity: { high: 100 } })]);
    hist[0]!.cases = false;
    const { changes, basis } = whatChanged(facts({ casesBySeverity: { high: 150 } }), hist);
    expect(by(changes, 'cases.created')!.verdict).toBe('no-data');
    expect(basis.caveat).toBe('no data for the previous period: nothing is compared');
  });

  it('names the severity that moved on its own as the driver, over a larger move within its own noise', () => {
    // High: steady 100 a week (φ = 1), now 200. Low: 800/1200 alternating (φ = 12 · 200²/1000 / 11), now 1,250.
    const hist = swinging(12, 1000, 200).map((low) => facts({ casesBySeverity: { high: 100, low } }));
    const { changes } = whatChanged(facts({ casesBySeverity: { high: 200, low: 1250 } }), history(hist));
    const whole = by(changes, 'cases.created')!;
    // Low contributes +250, high +100: the larger is low, but only high changed beyond its own spread.
    expect(whole.contributions.map((x) => x.group)).toEqual(['low', 'high']);
    expect(whole.driver).toMatchObject({ group: 'high', changed: true });
    expect(whole.driver!.contribution).toBeCloseTo(100, 9);
    expect(by(changes, 'cases.created', 'high')?.verdict).toBe('changed');
    expect(by(changes, 'cases.created', 'low')).toBeUndefined();
  });

  it('finds one rule doubling when the total stays within its spread', () => {
    // 20 rules of 1,000 ± 150 (out of phase, so the total is steady-ish); rule r07 is 190 ± 10 and goes to 380.
    const rules = (i: number, r07: number) =>
      Object.fromEntries([
        ...Array.from({ length: 20 }, (_, r) => [`r${r + 10}`, 1000 + ((i + r) % 2 ? 150 : -150)]),
        ['r07', r07],
      ]);
    const hist = Array.from({ length: 12 }, (_, i) => facts({ alertsByRule: rules(i, i % 2 ? 200 : 180) }));
    const current = facts({ alertsByRule: rules(1, 380) });
    const { changes } = whatChanged(current, history(hist));
    const rule = by(changes, 'alerts.created', 'r07')!;
    expect(rule.verdict).toBe('changed');
    expect(rule.baseline).toBeCloseTo(190, 9);
    expect(changeSentence(rule, '2026-W47')).toBe(
      'Alerts of rule r07 rose to 380, against a usual 190 (the 12 weeks before, at the same age).',
    );
    // Only r07 is named: no other rule moved.
    expect(changes.filter((c) => c.verdict === 'changed').map((c) => c.group ?? c.metric)).toEqual(['r07']);
  });

  it('holds every test of an email to one Benjamini–Hochberg budget', () => {
    // Two groups: a p just under 0.05 alone would pass a per-test 5% level, but not with 3 tests in the budget.
    const hist = swinging(12, 100, 20).map((high) => facts({ casesBySeverity: { high, low: 100 } }));
    const { changes, basis } = whatChanged(facts({ casesBySeverity: { high: 150, low: 100 } }), history(hist));
    const high = shareOf(changes, 'cases.created');
    expect(basis.tests).toBe(3); // the whole figure, high, low
    expect(basis.falseDiscoveryRate).toBe(FALSE_DISCOVERY_RATE);
    // Every changed entry's q is within the budget, and q ≥ p.
    for (const c of changes) if (c.q !== null) expect(c.q).toBeGreaterThanOrEqual(c.p!);
    expect(high.q).not.toBeNull();
  });

  it('lists the changed entries first, smallest p first, then the whole figures in a fixed order', () => {
    const hist = Array.from({ length: 12 }, (_, i) =>
      facts({
        casesBySeverity: { high: i % 2 ? 110 : 90 },
        alertsByRule: { a: i % 2 ? 1100 : 900 },
        sla: { acknowledge: {}, resolve: { high: { hit: i % 2 ? 91 : 89, n: 100 } } },
      }),
    );
    const { changes } = whatChanged(
      facts({
        casesBySeverity: { high: 100 },
        alertsByRule: { a: 3000 },
        sla: { acknowledge: {}, resolve: { high: { hit: 40, n: 100 } } },
      }),
      history(hist),
    );
    const changed = changes.filter((c) => c.verdict === 'changed');
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < changed.length; i++) expect(changed[i]!.p!).toBeGreaterThanOrEqual(changed[i - 1]!.p!);
    const rest: string[] = changes.slice(changed.length).map((c) => c.metric);
    const order = [
      'cases.created',
      'alerts.created',
      'sla.resolve.compliance',
      'sla.acknowledge.compliance',
      'ttr.p50',
      'tta.p50',
      'falsePositiveRate',
    ];
    expect(rest).toEqual(order.filter((m) => rest.includes(m)));
    expect(rest.length).toBe(order.length - changed.filter((c) => c.group === undefined).length);
    expect(rest[0]).toBe('cases.created');
    expect(changed.map((c) => c.metric)).toContain('sla.resolve.compliance');
  });

  it('is deterministic and never prints a changed sentence whose two figures read the same', () => {
    const r = mulberry32(42);
    const sev = ['critical', 'high', 'medium', 'low'];
    const week = (scale: number) =>
      facts({
        casesBySeverity: Object.fromEntries(
          sev.map((s, i) => [s, Math.round((10 + 100 * i) * scale * (0.8 + 0.4 * r()))]),
        ),
        alertsByRule: Object.fromEntries(['x', 'y', 'z'].map((x) => [x, Math.round(500 * scale * (0.8 + 0.4 * r()))])),
        sla: {
          acknowledge: {},
          resolve: Object.fromEntries(
            sev.map((s) => [s, { hit: Math.round(80 * scale * r()), n: Math.round(100 * scale) }]),
          ),
        },
        falsePositives: {},
        durations: {
          tta: Object.fromEntries(
            sev.map((s) => [s, sorted(Array.from({ length: 40 }, () => Math.round(3 * scale + 4 * r())))]),
          ),
          ttr: {},
        },
      });
    for (let trial = 0; trial < 60; trial++) {
      const hist = Array.from({ length: trial % 3 === 0 ? 3 : 12 }, () => week(1));
      const cur = week(trial % 2 ? 1 : 1.6);
      const a = whatChanged(cur, history(hist));
      expect(JSON.stringify(whatChanged(cur, history(hist)))).toBe(JSON.stringify(a));
      for (const c of a.changes.filter((x) => x.verdict === 'changed')) {
        const shown = c.method === 'history' ? c.baseline : c.previous;
        expect(changeValue(c, c.current)).not.toBe(changeValue(c, shown));
      }
    }
  });
});

function shareOf(changes: Change[], metric: string): Change {
  return by(changes, metric)!;
}

// Keep shareTest in view: the whole-figure rate test is the pooled share test of its sums.
describe('a whole rate is the share test of its groups’ sums', () => {
  it('matches shareTest on the summed hits and cases', () => {
    const c = by(
      whatChanged(
        facts({ falsePositives: { a: { hit: 30, n: 60 }, b: { hit: 10, n: 40 } } }),
        history([facts({ falsePositives: { a: { hit: 20, n: 60 }, b: { hit: 5, n: 40 } } })]),
      ).changes,
      'falsePositiveRate',
    )!;
    expect(c.z).toBeCloseTo(shareTest({ hit: 40, n: 100 }, { hit: 25, n: 100 }, 1, null)!.z, 12);
    expect(c.dimension).toBe('rule');
  });
});
