/**
 * Deterministic inputs for the statistics of "what changed" and OUR outputs on them, one JSON line each:
 * `{"fn": …, "in": {…}, "out": {…}}`. test/stats/compare_scipy.py reads these lines and recomputes every output with
 * scipy and statsmodels (run both with test/stats/run.sh, `npm run stats:compare`). Seeded, so the same lines every
 * run: the recorded comparison beside this file is reproducible.
 */
import { mulberry32 } from '../../functions/soc-sim/generate.js';
import { whatChanged, type ChangeFacts } from '../../shared/domain/changes.js';
import {
  benjaminiHochberg,
  binomialDispersion,
  countTest,
  digamma,
  incompleteBeta,
  negativeBinomialCountTest,
  normalTwoSided,
  poissonDispersion,
  shareTest,
  studentTwoSided,
  tetragamma,
  trigamma,
  trigammaInverse,
  type Exposed,
  type Share,
} from '../../shared/domain/dispersion.js';

const rnd = mulberry32(22_2022);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * rnd();
/** Log-uniform on [lo, hi]: spans orders of magnitude evenly (tiny and huge counts, p-values to 1e-12 and below). */
const logUniform = (lo: number, hi: number) => Math.exp(uniform(Math.log(lo), Math.log(hi)));
const int = (lo: number, hi: number) => Math.floor(uniform(lo, hi + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
/** Poisson draw (Knuth for small means, rounded normal above 50: only a plausible count is needed, not exactness). */
function poisson(mu: number): number {
  if (mu > 50) return Math.max(0, Math.round(mu + Math.sqrt(mu) * normal()));
  const l = Math.exp(-mu);
  let k = 0;
  let p = rnd();
  while (p > l) {
    k++;
    p *= rnd();
  }
  return k;
}
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
function binomial(n: number, p: number): number {
  if (n > 200) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal())));
  let k = 0;
  for (let i = 0; i < n; i++) if (rnd() < p) k++;
  return k;
}

const WEEK = 7 * 24 * 3600 * 1000;
const emit = (fn: string, input: unknown, out: unknown) => console.log(JSON.stringify({ fn, in: input, out }));

// --- normalTwoSided: |z| from 1e-4 to 38 (p down to ~1e-315), both signs, and the exact points 0 and 1.96.
for (const z of [0, 1.959963984540054, -1.959963984540054, 7.034483825, 37.5])
  emit('normalTwoSided', { z }, normalTwoSided(z));
for (let i = 0; i < 300; i++) {
  const z = (rnd() < 0.5 ? -1 : 1) * (i < 200 ? logUniform(1e-4, 8) : uniform(8, 38));
  emit('normalTwoSided', { z }, normalTwoSided(z));
}

// --- studentTwoSided: df 1..30 (whole: the fallback and history have k − 1), fractional df (moderated d0 + d), and
// large df; t from 1e-3 to 1e12 (p down to ~1e-12 at df 1, far below at larger df).
for (let df = 1; df <= 30; df++) {
  for (let j = 0; j < 10; j++) {
    const t = (rnd() < 0.5 ? -1 : 1) * logUniform(1e-3, df <= 2 ? 1e12 : df <= 5 ? 1e5 : 200);
    emit('studentTwoSided', { t, df }, studentTwoSided(t, df));
  }
}
for (let i = 0; i < 60; i++) {
  const df = i < 40 ? uniform(1, 200) : logUniform(200, 1e6);
  const t = logUniform(1e-3, 60);
  emit('studentTwoSided', { t, df }, studentTwoSided(t, df));
}
// The moderated df d0 + d of a count family's groups is unbounded: d0 = 2·trigammaInverse(evar) ≈ 2 / evar when the
// groups' log-dispersions vary just more than sampling explains (evar → 0⁺). Only evar ≤ 0 gives Infinity (normal).
for (let i = 0; i < 40; i++) {
  const df = logUniform(1e6, 1e17);
  const t = pick([0.5, 1, 2, 3, 5, 10]) * uniform(0.9, 1.1);
  emit('studentTwoSided', { t, df }, studentTwoSided(t, df));
}

// --- incompleteBeta: b = 1/2 as the t p-value uses it, and general a, b (both branches of the continued fraction).
for (let i = 0; i < 250; i++) {
  const a = i < 80 ? uniform(0.5, 15) : logUniform(0.05, 2000);
  const b = i < 80 ? 0.5 : logUniform(0.05, 2000);
  const x = pick([() => logUniform(1e-12, 1e-3), () => uniform(0, 1), () => 1 - logUniform(1e-12, 1e-3)])();
  emit('incompleteBeta', { x, a, b }, incompleteBeta(x, a, b));
}
for (const [x, a, b] of [
  [0, 2, 3],
  [1, 2, 3],
  [0.5, 1, 1],
  [0.5, 0.5, 0.5],
]) {
  emit('incompleteBeta', { x, a, b }, incompleteBeta(x!, a!, b!));
}

// --- poissonDispersion (raw: statsmodels' GLM scale='X2'): k = 2..16 periods, rates tiny to huge, unequal exposures
// (to-date periods, DST weeks), over-dispersed counts.
const poissonHistories: Exposed[][] = [];
for (let i = 0; i < 200; i++) {
  const k = int(2, 16);
  const rate = logUniform(0.05, 2e5) / WEEK;
  const cv = pick([0, 0.08, 0.3, 1]);
  const equal = rnd() < 0.3;
  const h: Exposed[] = [];
  for (let j = 0; j < k; j++) {
    const e = equal ? WEEK : Math.round(WEEK * uniform(0.05, 1.05));
    const mu = rate * e * Math.max(0.01, 1 + cv * normal());
    h.push({ x: poisson(mu), e });
  }
  if (h.every((p) => p.x === 0)) h[0]!.x = 1; // all zero: covered below, where statsmodels cannot fit
  poissonHistories.push(h);
}
poissonHistories.push([
  { x: 0, e: WEEK },
  { x: 1, e: WEEK },
]);
poissonHistories.push([
  { x: 5, e: 1 },
  { x: 5, e: 2 },
  { x: 0, e: 3 },
]);
for (const h of poissonHistories) emit('poissonDispersion', { history: h }, poissonDispersion(h)?.raw ?? null);

// --- binomialDispersion (raw): shares near 0, near 1 and in between, n from 1 to 1e5, periods with n = 0.
for (let i = 0; i < 200; i++) {
  const k = int(2, 16);
  const p = pick([() => logUniform(1e-4, 0.05), () => uniform(0.05, 0.95), () => 1 - logUniform(1e-4, 0.05)])();
  const size = logUniform(1, 1e5);
  const cv = pick([0, 0.1, 0.5]);
  const h: Share[] = [];
  for (let j = 0; j < k; j++) {
    const n = rnd() < 0.05 ? 0 : Math.max(1, Math.round(size * uniform(0.3, 1.5)));
    const pj = Math.min(1 - 1e-9, Math.max(1e-9, p * (1 + cv * normal())));
    h.push({ hit: binomial(n, pj), n });
  }
  const hit = h.reduce((s, x) => s + x.hit, 0);
  const n = h.reduce((s, x) => s + x.n, 0);
  if (h.filter((x) => x.n > 0).length < 2 || hit === 0 || hit === n) continue; // no fit; conventions below
  emit('binomialDispersion', { history: h }, binomialDispersion(h)?.raw ?? null);
}
// Conventions statsmodels cannot check (its fit diverges): all hits or none gives raw 0; fewer than two periods, null.
emit(
  'binomialDispersion',
  {
    history: [
      { hit: 0, n: 5 },
      { hit: 0, n: 9 },
    ],
  },
  binomialDispersion([
    { hit: 0, n: 5 },
    { hit: 0, n: 9 },
  ])?.raw ?? null,
);
emit(
  'binomialDispersion',
  {
    history: [
      { hit: 3, n: 3 },
      { hit: 0, n: 0 },
    ],
  },
  binomialDispersion([
    { hit: 3, n: 3 },
    { hit: 0, n: 0 },
  ])?.raw ?? null,
);

// --- countTest (φ = 1, df null: the fallback) and the history test's form with c² = 0, φ = 1 (must agree with it).
for (let i = 0; i < 300; i++) {
  const rate = logUniform(0.01, 5e4) / WEEK;
  const e1 = Math.round(WEEK * pick([1, 1, uniform(0.02, 1)]));
  const e2 = Math.round(WEEK * pick([1, uniform(0.5, 15), 15]));
  const shift = pick([1, 1, uniform(0.3, 3), logUniform(0.01, 100)]);
  const cur = { x: poisson(rate * e1 * shift), e: e1 };
  const base = { x: poisson(rate * e2), e: e2 };
  if (cur.x + base.x === 0) base.x = 1;
  const r = countTest(cur, base, 1, null);
  emit('countTest', { cur, base }, r);
}
for (const [cur, base] of [
  [
    { x: 0, e: WEEK },
    { x: 10, e: WEEK },
  ],
  [
    { x: 1e6, e: WEEK },
    { x: 0, e: 3 * WEEK },
  ],
  [
    { x: 0, e: WEEK },
    { x: 0, e: WEEK },
  ],
] as const) {
  emit('countTest', { cur, base }, countTest(cur, base, 1, null));
}
for (let i = 0; i < 60; i++) {
  const k = int(1, 15);
  const rate = logUniform(0.1, 1e4) / WEEK;
  const history: Exposed[] = [];
  for (let j = 0; j < k; j++) {
    const e = Math.round(WEEK * uniform(0.3, 1));
    history.push({ x: poisson(rate * e), e });
  }
  const e = Math.round(WEEK * uniform(0.1, 1));
  const cur = { x: poisson(rate * e * pick([1, 2, 0.5])), e };
  const r = negativeBinomialCountTest(cur, history, 0, 1, Infinity);
  if (r) emit('negativeBinomialCountTest0', { cur, history }, r);
}

// --- shareTest (φ = 1): pooled two-proportion z; shares near 0 and 1, tiny and huge n.
for (let i = 0; i < 300; i++) {
  const p = pick([() => logUniform(1e-4, 0.05), () => uniform(0.05, 0.95), () => 1 - logUniform(1e-4, 0.05)])();
  const n1 = Math.max(1, Math.round(logUniform(1, 1e5)));
  const n2 = rnd() < 0.3 ? n1 : Math.max(1, Math.round(logUniform(1, 1e6)));
  const p1 = Math.min(1, Math.max(0, p + pick([0, 0, uniform(-0.2, 0.2), logUniform(1e-4, 0.02)])));
  const cur = { hit: binomial(n1, p1), n: n1 };
  const base = { hit: binomial(n2, p), n: n2 };
  emit('shareTest', { cur, base }, shareTest(cur, base, 1, null));
}
for (const [cur, base] of [
  [
    { hit: 10, n: 10 },
    { hit: 30, n: 30 },
  ],
  [
    { hit: 0, n: 10 },
    { hit: 0, n: 30 },
  ],
  [
    { hit: 1, n: 1 },
    { hit: 0, n: 1 },
  ],
] as const) {
  emit('shareTest', { cur, base }, shareTest(cur, base, 1, null));
}

// --- benjaminiHochberg: 1..80 p-values, log-uniform down to 1e-12, with ties, zeros and ones.
for (let i = 0; i < 200; i++) {
  const m = i < 10 ? i + 1 : int(2, 80);
  const ps: number[] = [];
  for (let j = 0; j < m; j++) {
    const kind = rnd();
    if (kind < 0.1 && ps.length) ps.push(pick(ps));
    else if (kind < 0.13) ps.push(1);
    else if (kind < 0.15) ps.push(0);
    else if (kind < 0.5) ps.push(logUniform(1e-12, 1e-2));
    else ps.push(rnd());
  }
  emit('benjaminiHochberg', { ps }, benjaminiHochberg(ps));
}

// --- digamma, trigamma, tetragamma (the empirical-Bayes prior) and trigammaInverse (checked by ψ′(y) = x).
for (let i = 0; i < 150; i++) {
  const x = logUniform(0.01, 1e6);
  emit('polygamma', { x }, { digamma: digamma(x), trigamma: trigamma(x), tetragamma: tetragamma(x) });
}
for (let i = 0; i < 100; i++) {
  const x = logUniform(1e-8, 1e9); // both limits of limma's shortcut (x < 1e-6, x > 1e7) and Newton's range
  emit('trigammaInverse', { x }, trigammaInverse(x));
}

// --- Mood's median test as whatChanged computes it in the fallback (one previous period): whole-minute durations
// (ties, many at the median), tiny and large samples, shifted and unshifted; z² is scipy's χ² without correction.
const sorted = (xs: number[]) => Float64Array.from(xs.sort((a, b) => a - b));
const facts = (tta: Float64Array): ChangeFacts => ({
  exposureMs: WEEK,
  casesBySeverity: {},
  alertsByRule: null,
  sla: { acknowledge: {}, resolve: {} },
  falsePositives: {},
  durations: { tta: { all: tta }, ttr: {} },
});
function durations(n: number, median: number, spread: number, whole: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = median * Math.exp(spread * normal());
    out.push(whole ? Math.round(v) : v);
  }
  return out;
}
const medianCases: [number[], number[]][] = [
  [
    [3, 3, 3, 3],
    [3, 3, 4],
  ],
  [
    [1, 2],
    [3, 4],
  ],
  [[5], [5, 6]],
  [
    [2, 2, 2, 3],
    [2, 2, 2, 2, 2, 1],
  ],
];
for (let i = 0; i < 250; i++) {
  const n1 = Math.max(1, Math.round(logUniform(1, 3000)));
  const n2 = Math.max(1, Math.round(logUniform(1, 3000)));
  const m = logUniform(1, 300);
  const spread = pick([0.05, 0.3, 1]);
  const whole = rnd() < 0.8;
  medianCases.push([
    durations(n1, m * pick([1, 1, uniform(0.7, 1.5)]), spread, whole),
    durations(n2, m, spread, whole),
  ]);
}
for (const [a, b] of medianCases) {
  const cur = sorted(a);
  const prev = sorted(b);
  const w = whatChanged(facts(cur), [{ label: 'previous', facts: facts(prev), cases: true, alerts: false }]);
  const c = w.changes.find((x) => x.metric === 'tta.p50' && x.group === undefined);
  if (!c || c.method !== 'previous') throw new Error(`tta.p50: expected the fallback entry, got ${JSON.stringify(c)}`);
  emit('moodMedian', { current: [...cur], previous: [...prev] }, { z: c.z, p: c.p });
}
