/**
 * The statistics behind "what changed" (docs/what-changed.md), pure and closed-form: two-sided p-values of the normal
 * and Student t distributions, quasi-Poisson and quasi-binomial dispersion estimated from a figure's own history,
 * the score tests of a period against a baseline with that dispersion, and Benjamini–Hochberg adjusted p-values.
 * Checked against scipy and statsmodels by test/stats/compare_scipy.py (its recorded output beside it).
 */

/**
 * erfc(x) for x ≥ 0 with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit, `erfcc`):
 * relative, not absolute, accuracy, so the tiny p-values the false-discovery control compares stay right.
 */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const c = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  let poly = 0;
  for (let i = c.length - 1; i >= 0; i--) poly = c[i]! + t * poly;
  return t * Math.exp(-x * x + poly);
}

/** Two-sided p-value of a standard normal z: P(|Z| ≥ |z|). */
export function normalTwoSided(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** ln Γ(x) for x ≥ 0.5 (Lanczos, g = 7, n = 9: about 15 significant digits); the t tests need a, b ≥ 0.5. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Lentz's guard: a denominator that would be 0 becomes a tiny number instead. */
const nonZero = (v: number) => (Math.abs(v) < 1e-300 ? 1e-300 : v);

/** The continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x below the mean; above it, use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** Beyond this many degrees of freedom t is the normal (closer than 1e-4 relative for |t| ≤ 9, where p ≈ 1e-19). */
export const T_AS_NORMAL_DF = 1e7;

/**
 * Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2). Above
 * T_AS_NORMAL_DF the normal's: the log-gamma differences of the beta function lose their digits there (a moderated
 * df can be as large as 1e15; scipy's comparison, test/stats, found it).
 */
export function studentTwoSided(t: number, df: number): number {
  if (df > T_AS_NORMAL_DF) return normalTwoSided(t);
  return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
}

/** A count and the exposure (length of time, any unit) it was counted over. */
export interface Exposed {
  x: number;
  e: number;
}

/** Hits out of n (SLA met of judged cases, false positives of closed cases, values above a median …). */
export interface Share {
  hit: number;
  n: number;
}

/** An estimated dispersion φ (variance over the textbook variance) and its degrees of freedom. */
export interface Dispersion {
  /** Pearson χ² / df, floored at 1: a figure never varies less than the textbook model allows. */
  phi: number;
  /**
   * The estimate before the floor: statsmodels' GLM `scale='X2'` (Poisson with `exposure=`; binomial fitted on the
   * shares with `var_weights=n`, or the two-column form's `pearson_chi2 / df_resid`).
   */
  raw: number;
  df: number;
}

/**
 * Quasi-Poisson dispersion of counts over their exposures: one common rate λ = Σx / Σe, and
 * φ = Σ (x − λe)² / (λe) / (k − 1) over the k periods — the Pearson χ² of an intercept-only Poisson GLM with the
 * exposures as offset, over its residual degrees of freedom. Null with fewer than two periods.
 */
export function poissonDispersion(history: readonly Exposed[]): Dispersion | null {
  const k = history.length;
  if (k < 2) return null;
  const x = history.reduce((s, h) => s + h.x, 0);
  const e = history.reduce((s, h) => s + h.e, 0);
  const rate = x / e;
  if (rate === 0) return { phi: 1, raw: 0, df: k - 1 };
  let chi2 = 0;
  for (const h of history) {
    const mu = rate * h.e;
    chi2 += ((h.x - mu) * (h.x - mu)) / mu;
  }
  const raw = chi2 / (k - 1);
  return { phi: Math.max(1, raw), raw, df: k - 1 };
}

/**
 * Quasi-binomial dispersion of shares: one common proportion P = Σhit / Σn, and
 * φ = Σ (hit − nP)² / (nP(1 − P)) / (k − 1) over the k periods with n > 0 — the Pearson χ² of an intercept-only
 * binomial GLM over its residual degrees of freedom. Null with fewer than two such periods.
 */
export function binomialDispersion(history: readonly Share[]): Dispersion | null {
  const used = history.filter((h) => h.n > 0);
  const k = used.length;
  if (k < 2) return null;
  const hit = used.reduce((s, h) => s + h.hit, 0);
  const n = used.reduce((s, h) => s + h.n, 0);
  const p = hit / n;
  if (p === 0 || p === 1) return { phi: 1, raw: 0, df: k - 1 };
  let chi2 = 0;
  for (const h of used) {
    const mu = h.n * p;
    chi2 += ((h.hit - mu) * (h.hit - mu)) / (mu * (1 - p));
  }
  const raw = chi2 / (k - 1);
  return { phi: Math.max(1, raw), raw, df: k - 1 };
}

/** A test's statistic and two-sided p-value (t with `df`, or normal when `df` is null). */
export interface TestResult {
  z: number;
  p: number;
}

const pOf = (z: number, df: number | null) => (df === null ? normalTwoSided(z) : studentTwoSided(z, df));

/**
 * A count against a baseline count, over their exposures, with dispersion φ: under "same rate", x given x + X is
 * Binomial(x + X, e / (e + E)) with its variance scaled by φ (the quasi-Poisson score test). z has no continuity
 * correction; p from t with `df` (φ estimated) or the normal (φ = 1 known). Null when both counts are 0.
 */
export function countTest(cur: Exposed, base: Exposed, phi: number, df: number | null): TestResult | null {
  const n = cur.x + base.x;
  if (n === 0) return null;
  const p0 = cur.e / (cur.e + base.e);
  const z = (cur.x - n * p0) / Math.sqrt(phi * n * p0 * (1 - p0));
  return { z, p: pOf(z, df) };
}

/**
 * A share against a baseline share with dispersion φ: the pooled two-proportion score z, divided by √φ. Null when
 * either n is 0; z = 0 (p = 1) when the pooled share is 0 or 1 (100 % against 100 % is no change).
 */
export function shareTest(cur: Share, base: Share, phi: number, df: number | null): TestResult | null {
  if (cur.n === 0 || base.n === 0) return null;
  const p = (cur.hit + base.hit) / (cur.n + base.n);
  if (p === 0 || p === 1) return { z: 0, p: 1 };
  const z = (cur.hit / cur.n - base.hit / base.n) / Math.sqrt(phi * p * (1 - p) * (1 / cur.n + 1 / base.n));
  return { z, p: pOf(z, df) };
}

/**
 * Benjamini–Hochberg adjusted p-values, in the order given: q_(i) = min over j ≥ i of m·p_(j) / j, capped at 1.
 * A test is a discovery at false-discovery rate α when its q ≤ α (the step-up procedure, as statsmodels'
 * `multipletests(method='fdr_bh')`).
 */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const q = new Array<number>(m);
  let min = 1;
  for (let r = m - 1; r >= 0; r--) {
    const { p, i } = order[r]!;
    min = Math.min(min, (m * p) / (r + 1));
    q[i] = min;
  }
  return q;
}

/** ψ(x), the digamma function, x > 0 (recurrence up to 10, then the asymptotic series: error below 1e-13). */
export function digamma(x: number): number {
  let r = 0;
  while (x < 10) r -= 1 / x++;
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
}

/** ψ′(x), the trigamma function, x > 0. */
export function trigamma(x: number): number {
  let r = 0;
  while (x < 10) r += 1 / (x * x++);
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f * (1 / 30))));
}

/** ψ″(x), the tetragamma function, x > 0. */
export function tetragamma(x: number): number {
  let r = 0;
  while (x < 10) r -= 2 / (x * x * x++);
  const f = 1 / (x * x);
  return r - f * (1 + 1 / x + f * (1 / 2 - f * (1 / 6 - f * (1 / 6 - f * (3 / 10)))));
}

/** The y with ψ′(y) = x (limma's `trigammaInverse`: Newton's method from 0.5 + 1/x). */
export function trigammaInverse(x: number): number {
  if (x > 1e7) return 1 / Math.sqrt(x);
  if (x < 1e-6) return 1 / x;
  let y = 0.5 + 1 / x;
  for (let i = 0; i < 50; i++) {
    const tri = trigamma(y);
    const dif = (tri * (1 - tri / x)) / tetragamma(y);
    y += dif;
    if (-dif / y < 1e-8) break;
  }
  return y;
}

/** A scaled-F prior of many variances: s² ~ s0² · F(d, d0) across groups (d0 = ∞: they share one s0²). */
export interface VariancePrior {
  d0: number;
  s0sq: number;
}

/**
 * The empirical-Bayes prior of a family of variance estimates each on `d` degrees of freedom (Smyth 2004, limma's
 * `fitFDist` for equal df): from the mean and variance of log s², corrected for their χ² sampling. When the groups'
 * variances differ more than sampling explains, d0 is small and each group keeps mostly its own; when they agree,
 * d0 is large and each borrows the family's. Null with fewer than three positive estimates.
 */
export function fitVariancePrior(s2: readonly number[], d: number): VariancePrior | null {
  const pos = s2.filter((s) => s > 0 && Number.isFinite(s));
  if (pos.length < 3) return null;
  const e = pos.map((s) => Math.log(s) - digamma(d / 2) + Math.log(d / 2));
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  const evar = e.reduce((a, b) => a + (b - mean) * (b - mean), 0) / (e.length - 1) - trigamma(d / 2);
  if (evar <= 0) return { d0: Infinity, s0sq: Math.exp(mean) };
  const d0 = 2 * trigammaInverse(evar);
  return { d0, s0sq: Math.exp(mean + digamma(d0 / 2) - Math.log(d0 / 2)) };
}

/** A group's variance moderated by the family's prior: (d0·s0² + d·s²) / (d0 + d), on d0 + d degrees of freedom. */
export function moderate(s2: number, d: number, prior: VariancePrior): { s2: number; df: number } {
  if (prior.d0 === Infinity) return { s2: prior.s0sq, df: Infinity };
  return { s2: (prior.d0 * prior.s0sq + d * s2) / (prior.d0 + d), df: prior.d0 + d };
}

/**
 * The negative-binomial excess c² of a family of count series (Var x = μ + c²μ², each series at its own rate over
 * the exposures), by moments pooled over the family: Σ((x − μ)² − μ) / Σ μ², corrected for each rate being
 * estimated (k / (k − 1)); 0 when the counts vary no more than Poisson.
 */
export function negativeBinomialExcess(series: readonly (readonly Exposed[])[]): number {
  let num = 0;
  let den = 0;
  for (const s of series) {
    const k = s.length;
    const x = s.reduce((a, h) => a + h.x, 0);
    const e = s.reduce((a, h) => a + h.e, 0);
    if (k < 2 || x === 0) continue;
    for (const h of s) {
      const mu = (x * h.e) / e;
      num += ((h.x - mu) * (h.x - mu) * k) / (k - 1) - mu;
      den += mu * mu;
    }
  }
  return den > 0 ? Math.max(0, num / den) : 0;
}

/** Pearson χ² / (k − 1) of a count series against its common rate, with the variance μ + c²μ² (1 when it fits). */
export function negativeBinomialDispersion(series: readonly Exposed[], c2: number): number | null {
  const k = series.length;
  if (k < 2) return null;
  const x = series.reduce((a, h) => a + h.x, 0);
  const e = series.reduce((a, h) => a + h.e, 0);
  if (x === 0) return null;
  let chi2 = 0;
  for (const h of series) {
    const mu = (x * h.e) / e;
    chi2 += ((h.x - mu) * (h.x - mu)) / (mu + c2 * mu * mu);
  }
  return chi2 / (k - 1);
}

/**
 * A count against its history with negative-binomial variance μ + c²μ² scaled by Φ: the count's excess over what the
 * history's rate predicts for its exposure, D = x − X·e/E, over √(Φ·(V(μ) + (e/E)² Σ V(μ_h))) with every μ at the
 * pooled rate (no change). With c² = 0 this is `countTest`'s quasi-Poisson score z. Never below the Poisson variance.
 */
export function negativeBinomialCountTest(
  cur: Exposed,
  history: readonly Exposed[],
  c2: number,
  phi: number,
  df: number,
): TestResult | null {
  const X = history.reduce((a, h) => a + h.x, 0);
  const E = history.reduce((a, h) => a + h.e, 0);
  if (cur.x + X === 0 || E === 0) return null;
  const rate = (cur.x + X) / (cur.e + E);
  const w = cur.e / E;
  const V = (mu: number) => mu + c2 * mu * mu;
  const nb = V(rate * cur.e) + w * w * history.reduce((a, h) => a + V(rate * h.e), 0);
  const poisson = rate * cur.e + w * w * rate * E;
  const z = (cur.x - X * w) / Math.sqrt(Math.max(phi * nb, poisson));
  return { z, p: pOf(z, Number.isFinite(df) ? df : null) };
}
