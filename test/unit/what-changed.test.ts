import { describe, expect, it } from 'vitest';
import { poissonZ, twoProportionZ, twoSidedP, whatChanged, type ChangeFacts } from '../../shared/domain/changes.js';
import { changeSentence } from '../../shared/mail/headline.js';
import { mulberry32 } from '../../functions/soc-sim/generate.js';

const WEEK = 7 * 86_400_000;

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/** A week of facts: `cases` per severity, SLA met/breached per severity, resolve minutes drawn around a median per severity. */
function facts(opts: {
  cases: Record<string, number>;
  alerts?: Record<string, number>;
  resolve: Record<string, { met: number; breached: number }>;
  ttrMedian: Record<string, number>;
  seed: number;
}): ChangeFacts {
  const r = mulberry32(opts.seed);
  const durations = (median: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(opts.cases).map(([sev, n]) => [
        sev,
        sorted(Array.from({ length: n }, () => median[sev]! * Math.exp((r() - 0.5) * 1.2))),
      ]),
    );
  const rates = (x: Record<string, { met: number; breached: number }>) =>
    Object.fromEntries(Object.entries(x).map(([k, v]) => [k, { hit: v.met, n: v.met + v.breached }]));
  return {
    exposureMs: WEEK,
    casesBySeverity: opts.cases,
    alertsByRule: opts.alerts ?? null,
    sla: { acknowledge: rates(opts.resolve), resolve: rates(opts.resolve) },
    falsePositives: { 'Rule A': { hit: 40, n: 100 }, 'Rule B': { hit: 20, n: 50 } },
    durations: { tta: durations(opts.ttrMedian), ttr: durations(opts.ttrMedian) },
  };
}

const base = {
  cases: { critical: 20, high: 120, medium: 300, low: 200 },
  alerts: { 'Impossible travel': 900, 'Phishing URL clicked': 1200, 'Malware on host': 400 },
  resolve: { critical: { met: 18, breached: 2 }, high: { met: 100, breached: 20 }, medium: { met: 270, breached: 30 } },
  ttrMedian: { critical: 200, high: 900, medium: 2000, low: 5000 },
};

describe('what changed and why (docs/what-changed.md)', () => {
  it('the tests give textbook values', () => {
    expect(twoSidedP(1.96)).toBeCloseTo(0.05, 3);
    expect(twoSidedP(0)).toBeCloseTo(1, 6);
    // Equal exposure, 60 against 40: z = (60 − 50 − 0.5) / 5 = 1.9.
    expect(poissonZ(60, 1, 40, 1)).toBeCloseTo(1.9, 6);
    // 50% of 100 against 40% of 100: pooled 45%, z = 0.1 / sqrt(0.45·0.55·0.02) ≈ 1.42.
    expect(twoProportionZ(50, 100, 40, 100)).toBeCloseTo(1.4213, 3);
  });

  it('names the known driver: a surge of high-severity cases from one rule and a collapse of critical SLA', () => {
    const previous = facts({ ...base, seed: 1 });
    const current = facts({
      ...base,
      seed: 2,
      // The driver built in: +150 high cases (others unchanged), alerts up only on Phishing URL clicked.
      cases: { ...base.cases, high: 270 },
      alerts: { ...base.alerts, 'Phishing URL clicked': 2100 },
      // Resolve SLA falls because high breaches (the others keep their rates).
      resolve: { ...base.resolve, high: { met: 60, breached: 60 } },
      // Median resolve doubles for high only.
      ttrMedian: { ...base.ttrMedian, high: 2600 },
    });
    const changes = whatChanged(current, previous);
    const by = Object.fromEntries(changes.map((c) => [c.metric, c]));
    expect(by['cases.created']!.verdict).toBe('changed');
    expect(by['cases.created']!.driver?.group).toBe('high');
    expect(by['cases.created']!.driver?.contribution).toBeCloseTo(150, 6);
    expect(by['alerts.created']!.driver?.group).toBe('Phishing URL clicked');
    expect(by['sla.resolve.compliance']!.verdict).toBe('changed');
    expect(by['sla.resolve.compliance']!.sign).toBe(-1);
    expect(by['sla.resolve.compliance']!.driver?.group).toBe('high');
    expect(by['ttr.p50']!.verdict).toBe('changed');
    expect(by['ttr.p50']!.driver?.group).toBe('high');
    // Contributions add up to the change.
    for (const c of changes) {
      const all = whatChanged(current, previous).find((x) => x.metric === c.metric)!;
      if (all.contributions.length < 5)
        expect(all.contributions.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(all.total, 9);
    }
    // The changes beyond noise come first, and the sentence names the driver.
    expect(changes[0]!.verdict).toBe('changed');
    const sentence = changeSentence(by['cases.created']!, '2026-W46');
    expect(sentence).toMatch(/^Cases created rose from 91 a day in 2026-W46 to 113 a day \(790 in all\)/);
    expect(sentence).toContain('high-severity cases (+150');
    expect(changeSentence(by['alerts.created']!, '2026-W46')).toContain('rule Phishing URL clicked');
  });

  it('says nothing changed when the two periods differ only by chance', () => {
    const previous = facts({ ...base, seed: 3 });
    // The same rates, counts moved within Poisson noise, different random durations around the same medians.
    const current = facts({
      ...base,
      seed: 4,
      cases: { critical: 22, high: 115, medium: 306, low: 195 },
      alerts: { 'Impossible travel': 921, 'Phishing URL clicked': 1180, 'Malware on host': 410 },
      resolve: {
        critical: { met: 19, breached: 2 },
        high: { met: 97, breached: 21 },
        medium: { met: 272, breached: 31 },
      },
    });
    const changes = whatChanged(current, previous);
    expect(changes.filter((c) => c.verdict === 'changed')).toEqual([]);
    expect(changes.every((c) => c.verdict === 'no-change')).toBe(true);
    expect(changeSentence(changes[0]!, '2026-W46')).toMatch(/within normal variation/);
  });

  it('calls too few cases "low n", never a change, however large the move', () => {
    const previous = facts({ ...base, seed: 5, resolve: { critical: { met: 3, breached: 0 } } });
    const current = facts({ ...base, seed: 6, resolve: { critical: { met: 0, breached: 4 } } });
    const c = whatChanged(current, previous).find((x) => x.metric === 'sla.resolve.compliance')!;
    expect(c.verdict).toBe('low-n');
    expect(changeSentence(c, '2026-W46')).toBe(
      'Resolve SLA compliance: too few cases to judge a change (n = 4 now, 3 in 2026-W46).',
    );
  });

  it('is deterministic: the same facts give the same verdicts and words', () => {
    const a = whatChanged(facts({ ...base, seed: 7 }), facts({ ...base, seed: 8 }));
    const b = whatChanged(facts({ ...base, seed: 7 }), facts({ ...base, seed: 8 }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
