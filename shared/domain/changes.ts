/**
 * What changed against the previous period, and why (docs/what-changed.md): for each headline figure, whether the
 * change is beyond the noise one would expect if nothing had changed, and which severity or rule contributed most to
 * it, from an exact additive decomposition of the change into contributions per group. Pure and deterministic: the
 * tests are closed-form (no resampling), so the same data always gives the same verdicts and the same words.
 */

/** Counts per group (severity, rule …). */
export type GroupCounts = Record<string, number>;
/** Per group: the cases counted in the rate's numerator (`hit`) and its denominator (`n`). */
export type GroupRates = Record<string, { hit: number; n: number }>;

/** The per-group figures of one period that the change tests need (built by the KPI accumulator). */
export interface ChangeFacts {
  /** Length of the period in milliseconds: counts are compared per unit of time (weeks of 167 h, months of 28 days). */
  exposureMs: number;
  casesBySeverity: GroupCounts;
  /** Null when there is no alert source. */
  alertsByRule: GroupCounts | null;
  /** Per severity: met (hit) out of met + breached (n). */
  sla: { acknowledge: GroupRates; resolve: GroupRates };
  /** Per rule: false positives (hit) out of true + benign + false positives (n), closed in the period. */
  falsePositives: GroupRates;
  /** Per severity, the sorted durations in minutes (acknowledge: created cohort; resolve: closed cohort). */
  durations: { tta: Record<string, Float64Array>; ttr: Record<string, Float64Array> };
}

/** Below this many cases in either period a figure is "low n" (METRICS.md): shown, never called a change. */
export const LOW_N = 10;
/** |z| at or above which a change is beyond noise: two-sided p < 0.01 (strict, as a handful of figures are tested at once). */
export const Z_CHANGED = 2.576;

export type ChangeMetric =
  | 'cases.created'
  | 'alerts.created'
  | 'sla.resolve.compliance'
  | 'sla.acknowledge.compliance'
  | 'ttr.p50'
  | 'tta.p50'
  | 'falsePositiveRate';

/** One headline figure against the previous period, with its test and its main driver. */
export interface Change {
  metric: ChangeMetric;
  /** The test used: counts against Poisson variation, rates by two-proportion z, medians by Mood's median test. */
  test: 'poisson' | 'two-proportion' | 'median';
  current: number | null;
  previous: number | null;
  /** Counts only: the two periods' lengths in milliseconds (the test compares counts per unit of time). */
  exposure?: { current: number; previous: number };
  /** Cases (or alerts) behind the figure in each period. */
  n: { current: number; previous: number };
  z: number | null;
  /** Two-sided p-value of the test (normal approximation). */
  p: number | null;
  verdict: 'changed' | 'no-change' | 'low-n';
  /** +1 when the figure went up, −1 when it went down, 0 when it stayed. */
  sign: -1 | 0 | 1;
  dimension: 'severity' | 'rule';
  /**
   * Each group's contribution to the change, largest in the change's direction first; they add up to the total
   * (counts: exposure-adjusted cases; rates and the median test: points of the share, as fractions).
   */
  contributions: { group: string; contribution: number }[];
  total: number;
  /** The group contributing most in the direction of the change, and its share of the total change. */
  driver: { group: string; contribution: number; share: number } | null;
}

/** Standard normal two-sided p-value of z (Abramowitz–Stegun 7.1.26 erfc, error < 1.5e-7). */
export function twoSidedP(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return Math.min(1, erfc);
}

/**
 * Two Poisson counts over exposures t1, t2: under "same rate", x1 given x1 + x2 = n is Binomial(n, t1 / (t1 + t2)).
 * Returns the z of x1 against that (normal approximation with continuity correction).
 */
export function poissonZ(x1: number, t1: number, x2: number, t2: number): number | null {
  const n = x1 + x2;
  if (n === 0) return null;
  const p0 = t1 / (t1 + t2);
  const mean = n * p0;
  const sd = Math.sqrt(n * p0 * (1 - p0));
  const d = x1 - mean;
  return (Math.sign(d) * Math.max(0, Math.abs(d) - 0.5)) / sd;
}

/** Two-proportion z (pooled): h1 of n1 against h2 of n2; null when either n is 0; 0 when the pooled rate is 0 or 1. */
export function twoProportionZ(h1: number, n1: number, h2: number, n2: number): number | null {
  if (n1 === 0 || n2 === 0) return null;
  const p = (h1 + h2) / (n1 + n2);
  if (p === 0 || p === 1) return 0;
  return (h1 / n1 - h2 / n2) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
}

/** Number of values strictly above x in a sorted list. */
function countAbove(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Nearest-rank median of several sorted lists taken together (METRICS.md percentiles), without merging them. */
function pooledMedian(lists: Float64Array[]): number | null {
  const n = lists.reduce((s, l) => s + l.length, 0);
  if (n === 0) return null;
  const rank = Math.ceil((50 * n) / 100); // 1-based
  // Smallest value v with count(≤ v) ≥ rank: binary search over the candidate values of each list.
  let best = Infinity;
  for (const l of lists) {
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = l[mid]!;
      const atMost = lists.reduce((s, o) => s + o.length - countAbove(o, v), 0);
      if (atMost >= rank) {
        if (v < best) best = v;
        hi = mid - 1;
      } else lo = mid + 1;
    }
  }
  return best;
}

const medianOf = (lists: Float64Array[]) => pooledMedian(lists);
const sum = (o: Record<string, number>) => Object.values(o).reduce((s, x) => s + x, 0);
const signOf = (x: number): -1 | 0 | 1 => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** Order contributions (largest in the direction of the change first) and name the driver. */
function withDriver(
  base: Omit<Change, 'contributions' | 'driver' | 'verdict'> & { lowN: boolean },
  parts: Record<string, number>,
): Change {
  const { lowN, ...rest } = base;
  const s = base.sign;
  const contributions = Object.entries(parts)
    .filter(([, c]) => c !== 0)
    .map(([group, contribution]) => ({ group, contribution }))
    .sort(
      (a, b) => (s || 1) * (b.contribution - a.contribution) || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
    );
  const top = contributions[0];
  const driver =
    top && s !== 0 && Math.sign(top.contribution) === s && base.total !== 0
      ? { ...top, share: top.contribution / base.total }
      : null;
  const verdict = lowN ? 'low-n' : base.z !== null && Math.abs(base.z) >= Z_CHANGED ? 'changed' : 'no-change';
  return { ...rest, contributions: contributions.slice(0, 5), driver, verdict };
}

function countChange(
  metric: ChangeMetric,
  dimension: Change['dimension'],
  cur: GroupCounts,
  prev: GroupCounts,
  t1: number,
  t2: number,
): Change {
  const x1 = sum(cur);
  const x2 = sum(prev);
  const scale = t1 / t2;
  const parts: Record<string, number> = {};
  for (const g of new Set([...Object.keys(cur), ...Object.keys(prev)]))
    parts[g] = (cur[g] ?? 0) - (prev[g] ?? 0) * scale;
  const z = poissonZ(x1, t1, x2, t2);
  return withDriver(
    {
      metric,
      test: 'poisson',
      exposure: { current: t1, previous: t2 },
      current: x1,
      previous: x2,
      n: { current: x1, previous: x2 },
      z,
      p: z === null ? null : twoSidedP(z),
      sign: signOf(x1 - x2 * scale),
      dimension,
      total: x1 - x2 * scale,
      lowN: x1 + x2 < LOW_N,
    },
    parts,
  );
}

function rateChange(metric: ChangeMetric, dimension: Change['dimension'], cur: GroupRates, prev: GroupRates): Change {
  const tot = (r: GroupRates) =>
    Object.values(r).reduce((s, x) => ({ hit: s.hit + x.hit, n: s.n + x.n }), { hit: 0, n: 0 });
  const a = tot(cur);
  const b = tot(prev);
  const r1 = a.n ? a.hit / a.n : null;
  const r2 = b.n ? b.hit / b.n : null;
  // Each group's share of the rate now minus then: w1·r1 − w2·r2 = hit_g / N1 − hit_g' / N2, which add up exactly.
  const parts: Record<string, number> = {};
  for (const g of new Set([...Object.keys(cur), ...Object.keys(prev)]))
    parts[g] = (a.n ? (cur[g]?.hit ?? 0) / a.n : 0) - (b.n ? (prev[g]?.hit ?? 0) / b.n : 0);
  const total = r1 === null || r2 === null ? 0 : r1 - r2;
  const z = twoProportionZ(a.hit, a.n, b.hit, b.n);
  return withDriver(
    {
      metric,
      test: 'two-proportion',
      current: r1,
      previous: r2,
      n: { current: a.n, previous: b.n },
      z,
      p: z === null ? null : twoSidedP(z),
      sign: signOf(total),
      dimension,
      total,
      lowN: a.n < LOW_N || b.n < LOW_N,
    },
    parts,
  );
}

/**
 * Mood's median test: the share of each period's values above the pooled median, compared by two-proportion z. The
 * change in that share splits exactly by severity (each severity's values above it, over the period's total).
 */
function medianChange(
  metric: ChangeMetric,
  cur: Record<string, Float64Array>,
  prev: Record<string, Float64Array>,
): Change {
  const c = Object.values(cur);
  const p = Object.values(prev);
  const n1 = c.reduce((s, l) => s + l.length, 0);
  const n2 = p.reduce((s, l) => s + l.length, 0);
  const m1 = medianOf(c);
  const m2 = medianOf(p);
  const pooled = medianOf([...c, ...p]);
  const parts: Record<string, number> = {};
  let a1 = 0;
  let a2 = 0;
  if (pooled !== null)
    for (const g of new Set([...Object.keys(cur), ...Object.keys(prev)])) {
      const x = cur[g] ? countAbove(cur[g], pooled) : 0;
      const y = prev[g] ? countAbove(prev[g], pooled) : 0;
      a1 += x;
      a2 += y;
      parts[g] = (n1 ? x / n1 : 0) - (n2 ? y / n2 : 0);
    }
  const total = n1 && n2 ? a1 / n1 - a2 / n2 : 0;
  const z = twoProportionZ(a1, n1, a2, n2);
  return withDriver(
    {
      metric,
      test: 'median',
      current: m1,
      previous: m2,
      n: { current: n1, previous: n2 },
      z,
      p: z === null ? null : twoSidedP(z),
      // The direction of the median itself; the decomposition is of the share above the pooled median, which moves with it.
      sign: m1 === null || m2 === null ? 0 : signOf(m1 - m2),
      dimension: 'severity',
      total,
      lowN: n1 < LOW_N || n2 < LOW_N,
    },
    parts,
  );
}

/**
 * Every headline change of the current period against the previous one, tested and decomposed; the changes beyond
 * noise come first, largest |z| first, then the others in a fixed order.
 */
export function whatChanged(current: ChangeFacts, previous: ChangeFacts): Change[] {
  const t1 = current.exposureMs;
  const t2 = previous.exposureMs;
  const out: Change[] = [
    countChange('cases.created', 'severity', current.casesBySeverity, previous.casesBySeverity, t1, t2),
  ];
  if (current.alertsByRule && previous.alertsByRule)
    out.push(countChange('alerts.created', 'rule', current.alertsByRule, previous.alertsByRule, t1, t2));
  out.push(
    rateChange('sla.resolve.compliance', 'severity', current.sla.resolve, previous.sla.resolve),
    rateChange('sla.acknowledge.compliance', 'severity', current.sla.acknowledge, previous.sla.acknowledge),
    medianChange('ttr.p50', current.durations.ttr, previous.durations.ttr),
    medianChange('tta.p50', current.durations.tta, previous.durations.tta),
    rateChange('falsePositiveRate', 'rule', current.falsePositives, previous.falsePositives),
  );
  const order = (c: Change) => (c.verdict === 'changed' ? 0 : 1);
  return out
    .map((c, i) => ({ c, i }))
    .sort(
      (a, b) => order(a.c) - order(b.c) || (order(a.c) === 0 ? Math.abs(b.c.z!) - Math.abs(a.c.z!) : 0) || a.i - b.i,
    )
    .map(({ c }) => c);
}
