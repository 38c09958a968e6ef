/**
 * What changed, and why (docs/what-changed.md): each headline figure, and each severity's and rule's share of it,
 * judged against the comparable previous periods — the same age as the current one (periods.ts
 * `comparablePeriods`) — and against the spread the figure itself shows from period to period in that history
 * (quasi-Poisson and quasi-binomial dispersion, dispersion.ts). The false alarms of all these tests together are
 * held within a stated per-email budget by Benjamini–Hochberg. A change that is named is split exactly into the
 * groups' contributions (and, for rates, the groups' own rate effects and the mix effect), and its driver is the
 * group that moved. Pure and deterministic: the same data always gives the same verdicts and the same words.
 */
import {
  benjaminiHochberg,
  binomialDispersion,
  countTest,
  fitVariancePrior,
  moderate,
  negativeBinomialCountTest,
  negativeBinomialDispersion,
  negativeBinomialExcess,
  poissonDispersion,
  shareTest,
  type Exposed,
  type Share,
  type TestResult,
} from './dispersion.js';

/** Counts per group (severity, rule …). */
export type GroupCounts = Record<string, number>;
/** Per group: the cases counted in the rate's numerator (`hit`) and its denominator (`n`). */
export type GroupRates = Record<string, { hit: number; n: number }>;

/** The per-group figures of one period that the change tests need (built by the KPI accumulator). */
export interface ChangeFacts {
  /** The time the period has had, `min(end, asOf) − start` in ms: counts are compared per unit of that time. */
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

/** One comparable previous period's facts, and whether each family has data for the whole of it. */
export interface HistoryFacts {
  label: string;
  facts: ChangeFacts;
  /** False when the period was not (wholly) collected, or lies before the data begins: it is left out, never zeros. */
  cases: boolean;
  alerts: boolean;
}

/** Below this many cases in the current period, or on average in a period it is compared with, a figure is "low n". */
export const LOW_N = 10;
/** Comparable previous periods the history method reads, the previous one included. */
export const HISTORY_PERIODS = 15;
/** Fewer usable history periods than this: the figure is judged against the previous period alone (the fallback). */
export const MIN_HISTORY = 8;
/** The per-email false-alarm budget: Benjamini–Hochberg false-discovery rate over every test of an email. */
export const FALSE_DISCOVERY_RATE = 0.05;
/** A median is called changed only when it moved by at least this many minutes … */
export const MEDIAN_MIN_MOVE_MINUTES = 1;
/** … and by at least this share of its usual value. */
export const MEDIAN_MIN_MOVE_SHARE = 0.05;
/** A rate moves by at least 0.1 point to be called changed: the email shows rates to one decimal of a percent. */
export const RATE_MIN_MOVE = 0.001;

export type ChangeMetric =
  | 'cases.created'
  | 'alerts.created'
  | 'sla.resolve.compliance'
  | 'sla.acknowledge.compliance'
  | 'ttr.p50'
  | 'tta.p50'
  | 'falsePositiveRate';

/** How a figure was judged: against its history's own spread, or (too little history) against the previous period. */
export type ChangeMethod = 'history' | 'previous';

/** One figure (or one group's share of it) against the comparable previous periods, with its test and driver. */
export interface Change {
  metric: ChangeMetric;
  /** Set on an entry for one group (a severity, a rule) that changed on its own; absent on a whole figure. */
  group?: string;
  /** Counts by quasi-Poisson score test, rates by quasi-binomial two-proportion test, medians by Mood's median test. */
  test: 'poisson' | 'two-proportion' | 'median';
  method: ChangeMethod;
  /** History periods judged against (method "history"), the previous one included; 1 for the fallback. */
  periods: number;
  current: number | null;
  /** The previous period's figure, judged at the same age (the trend's "previous"). */
  previous: number | null;
  /**
   * The usual figure the current one is tested against: over the history periods taken together (or the previous
   * period in the fallback). Counts: the count expected over the current period's exposure at the usual rate.
   */
  baseline: number | null;
  /** Counts only: the time each had, in ms (the baseline's is the history's total). */
  exposure?: { current: number; previous: number; baseline: number };
  /** Cases (or alerts) behind the figure: now, in the previous period, and per history period on average. */
  n: { current: number; previous: number; baseline: number };
  /**
   * The dispersion φ estimated from the history and its degrees of freedom; absent in the fallback. A group of a
   * count family also has the family's negative-binomial `excess` c² (its φ then scales μ + c²μ², and df is the
   * moderated one, Infinity when the family's groups share one dispersion).
   */
  dispersion?: { phi: number; df: number; excess?: number };
  z: number | null;
  /** Two-sided p-value (Student t on the history's degrees of freedom; normal in the fallback). */
  p: number | null;
  /** Benjamini–Hochberg adjusted p-value over every test of this summary; "changed" needs q ≤ the budget. */
  q: number | null;
  verdict: 'changed' | 'no-change' | 'low-n' | 'no-data';
  /** +1 when the figure is above its baseline, −1 below, 0 level. */
  sign: -1 | 0 | 1;
  dimension: 'severity' | 'rule';
  /**
   * Whole figures: each group's contribution to `total`, largest in the change's direction first (counts: cases
   * above the group's usual; rates: the group's own rate effect, in fractions; medians: its share above the pooled
   * median). Counts and medians add up to `total`; rates add up to `total − mix`.
   */
  contributions: { group: string; contribution: number }[];
  /** current − baseline (medians: the share above the pooled median, now minus usually). */
  total: number;
  /** Rates: the part of the change from the groups' weights moving (the mix of severities or rules), not their rates. */
  mix?: number;
  /**
   * The group that moved: among groups whose own test names a change in the same direction, the largest
   * contribution; else (not for medians, whose split moves with the mix) the largest contribution in the direction
   * (`changed` false). Its share of the total.
   */
  driver: { group: string; contribution: number; share: number; changed: boolean } | null;
}

/** How an email's changes were judged: what the reader needs to weigh them. */
export interface ChangeBasis {
  /** The method of the case figures (alerts have their own below when they differ). */
  method: ChangeMethod;
  /** Usable history periods of the case figures, and the labels of the oldest and newest. */
  periods: number;
  from: string | null;
  to: string | null;
  alerts?: { method: ChangeMethod; periods: number };
  falseDiscoveryRate: number;
  /** Tests held to the budget together (whole figures and groups, low n excluded). */
  tests: number;
  /** Why the figures are judged against less than the history, when they are. */
  caveat?: string;
}

export interface WhatChanged {
  changes: Change[];
  basis: ChangeBasis;
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
export function pooledMedian(lists: readonly Float64Array[]): number | null {
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

const signOf = (x: number): -1 | 0 | 1 => (x > 0 ? 1 : x < 0 ? -1 : 0);
const sumOf = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
const groupsOf = (...maps: readonly (Record<string, unknown> | null | undefined)[]) =>
  [...new Set(maps.flatMap((m) => Object.keys(m ?? {})))].sort();

/** A test before the budget is applied: the entry without its verdict, and what a "changed" verdict also needs. */
interface Tested {
  change: Omit<Change, 'verdict' | 'q'>;
  lowN: boolean;
  noData: boolean;
  result: TestResult | null;
  /** The move is big enough to show (two printed values differ; a median's direction agrees with its test). */
  shows: boolean;
}

/** The periods a family is judged against: the usable history (method "history"), or the previous period alone. */
interface Against {
  method: ChangeMethod;
  /** History facts, previous first: all usable ones (history), or just the previous one (fallback). */
  periods: ChangeFacts[];
  /** The previous period's facts when it is usable. */
  previous: ChangeFacts | null;
}

function against(history: readonly HistoryFacts[], family: 'cases' | 'alerts'): Against {
  const previous = history[0]?.[family] ? history[0].facts : null;
  const usable = history.filter((h) => h[family]).map((h) => h.facts);
  if (usable.length >= MIN_HISTORY) return { method: 'history', periods: usable, previous };
  return { method: 'previous', periods: previous ? [previous] : [], previous };
}

function noData(a: Against): boolean {
  return a.periods.length === 0;
}

/** One count (a group's, or the whole figure's) against its history. */
function testCount(
  metric: ChangeMetric,
  dimension: Change['dimension'],
  a: Against,
  current: ChangeFacts,
  pick: (f: ChangeFacts) => number,
): Tested {
  const cur: Exposed = { x: pick(current), e: current.exposureMs };
  const series: Exposed[] = a.periods.map((f) => ({ x: pick(f), e: f.exposureMs }));
  const base: Exposed = { x: sumOf(series.map((s) => s.x)), e: sumOf(series.map((s) => s.e)) };
  const k = series.length;
  const disp = a.method === 'history' ? poissonDispersion(series) : null;
  const result = k ? countTest(cur, base, disp?.phi ?? 1, disp?.df ?? null) : null;
  const baseline = k && base.e > 0 ? (base.x * cur.e) / base.e : null;
  const total = baseline === null ? 0 : cur.x - baseline;
  const prev = a.previous ? pick(a.previous) : null;
  const meanBase = k ? base.x / k : 0;
  return {
    change: {
      metric,
      test: 'poisson',
      method: a.method,
      periods: k,
      current: cur.x,
      previous: prev,
      baseline,
      exposure: { current: cur.e, previous: a.previous?.exposureMs ?? 0, baseline: base.e },
      n: { current: cur.x, previous: prev ?? 0, baseline: meanBase },
      ...(disp ? { dispersion: { phi: disp.phi, df: disp.df } } : {}),
      z: result?.z ?? null,
      p: result?.p ?? null,
      sign: signOf(total),
      dimension,
      contributions: [],
      total,
      driver: null,
    },
    lowN: cur.x < LOW_N || meanBase < LOW_N,
    noData: noData(a),
    result,
    // A count beyond its spread always moves by more than 1: its variance is at least Poisson's (μ ≥ 10, low n).
    shows: true,
  };
}

/** One share (SLA met of judged, false positives of closed) against its history. */
function testShare(
  metric: ChangeMetric,
  dimension: Change['dimension'],
  a: Against,
  current: ChangeFacts,
  pick: (f: ChangeFacts) => Share,
): Tested {
  const cur = pick(current);
  const series = a.periods.map(pick);
  const base: Share = { hit: sumOf(series.map((s) => s.hit)), n: sumOf(series.map((s) => s.n)) };
  const k = series.length;
  const disp = a.method === 'history' ? binomialDispersion(series) : null;
  const result = k ? shareTest(cur, base, disp?.phi ?? 1, disp?.df ?? null) : null;
  const rate = (s: Share) => (s.n ? s.hit / s.n : null);
  const now = rate(cur);
  const baseline = rate(base);
  const total = now === null || baseline === null ? 0 : now - baseline;
  const prev = a.previous ? pick(a.previous) : null;
  const meanBase = k ? base.n / k : 0;
  return {
    change: {
      metric,
      test: 'two-proportion',
      method: a.method,
      periods: k,
      current: now,
      previous: prev ? rate(prev) : null,
      baseline,
      n: { current: cur.n, previous: prev?.n ?? 0, baseline: meanBase },
      ...(disp ? { dispersion: { phi: disp.phi, df: disp.df } } : {}),
      z: result?.z ?? null,
      p: result?.p ?? null,
      sign: signOf(total),
      dimension,
      contributions: [],
      total,
      driver: null,
    },
    lowN: cur.n < LOW_N || meanBase < LOW_N,
    noData: noData(a),
    result,
    shows: Math.abs(total) >= RATE_MIN_MOVE - 1e-12,
  };
}

/**
 * One median (a severity's, or all severities') by Mood's median test against the history: the share of values
 * above the median of the current and history values pooled (values equal to it count as not above, as scipy's
 * `median_test` default), now against usually, with the quasi-binomial dispersion of that share in the history.
 */
function testMedian(
  metric: ChangeMetric,
  a: Against,
  current: ChangeFacts,
  pick: (f: ChangeFacts) => Float64Array[],
): Tested & { pooled: number | null } {
  const cur = pick(current);
  const hist = a.periods.map(pick);
  const k = hist.length;
  const pooled = pooledMedian([...cur, ...hist.flat()]);
  const share = (lists: Float64Array[]): Share => ({
    hit: pooled === null ? 0 : sumOf(lists.map((l) => countAbove(l, pooled))),
    n: sumOf(lists.map((l) => l.length)),
  });
  const curShare = share(cur);
  const series = hist.map(share);
  const base: Share = { hit: sumOf(series.map((s) => s.hit)), n: sumOf(series.map((s) => s.n)) };
  const disp = a.method === 'history' ? binomialDispersion(series) : null;
  const result = k ? shareTest(curShare, base, disp?.phi ?? 1, disp?.df ?? null) : null;
  const m1 = pooledMedian(cur);
  const m0 = k ? pooledMedian(hist.flat()) : null;
  const move = m1 === null || m0 === null ? 0 : m1 - m0;
  const total = curShare.n && base.n ? curShare.hit / curShare.n - base.hit / base.n : 0;
  const meanBase = k ? base.n / k : 0;
  const sign = signOf(move);
  const prev = a.previous ? pick(a.previous) : null;
  return {
    pooled,
    change: {
      metric,
      test: 'median',
      method: a.method,
      periods: k,
      current: m1,
      previous: prev ? pooledMedian(prev) : null,
      baseline: m0,
      n: { current: curShare.n, previous: prev ? sumOf(prev.map((l) => l.length)) : 0, baseline: meanBase },
      ...(disp ? { dispersion: { phi: disp.phi, df: disp.df } } : {}),
      z: result?.z ?? null,
      p: result?.p ?? null,
      sign,
      dimension: 'severity',
      contributions: [],
      total,
      driver: null,
    },
    lowN: curShare.n < LOW_N || meanBase < LOW_N,
    noData: noData(a),
    result,
    // The median itself moved, visibly, and the way the test says (with ties the two can disagree).
    shows:
      sign !== 0 &&
      Math.abs(move) >= Math.max(MEDIAN_MIN_MOVE_MINUTES, MEDIAN_MIN_MOVE_SHARE * Math.abs(m0 ?? 0)) &&
      signOf(result?.z ?? 0) === sign,
  };
}

/** A whole figure and the tests of each of its groups. */
interface Family {
  whole: Tested;
  groups: { group: string; tested: Tested }[];
  /** Each group's contribution to the whole figure's change (and, for rates, the mix effect). */
  split: () => { parts: Record<string, number>; mix?: number };
}

function countFamily(
  metric: ChangeMetric,
  dimension: Change['dimension'],
  a: Against,
  current: ChangeFacts,
  counts: (f: ChangeFacts) => GroupCounts,
): Family {
  const groups = groupsOf(counts(current), ...a.periods.map(counts));
  const whole = testCount(metric, dimension, a, current, (f) => sumOf(Object.values(counts(f))));
  const tests = groups.map((g) => ({
    group: g,
    tested: testCount(metric, dimension, a, current, (f) => counts(f)[g] ?? 0),
  }));
  if (a.method === 'history') moderateGroups(tests, a, current, counts);
  return {
    whole,
    groups: tests,
    // Each group's count above its own usual: they add up to the whole figure's.
    split: () => ({ parts: Object.fromEntries(tests.map((t) => [t.group, t.tested.change.total])) }),
  };
}

/**
 * The groups of a count family (every rule's alerts, every severity's cases) judged together, as edgeR's
 * quasi-likelihood method does: the family's negative-binomial excess c² (Var = μ + c²μ², pooled by moments over
 * the groups with at least LOW_N a period), each group's Pearson dispersion Φ under that variance, and Φ moderated
 * towards the family's by the empirical-Bayes prior of those dispersions (limma's `fitFDist`): a group borrows the
 * family's knowledge of how counts vary as far as the groups agree, and keeps its own spread where they do not.
 * p from t on the moderated degrees of freedom. Groups left out of the prior keep their own quasi-Poisson test.
 */
function moderateGroups(
  tests: { group: string; tested: Tested }[],
  a: Against,
  current: ChangeFacts,
  counts: (f: ChangeFacts) => GroupCounts,
): void {
  const seriesOf = (g: string): Exposed[] => a.periods.map((f) => ({ x: counts(f)[g] ?? 0, e: f.exposureMs }));
  const k = a.periods.length;
  const sized = tests.filter((t) => !t.tested.lowN);
  const c2 = negativeBinomialExcess(sized.map((t) => seriesOf(t.group)));
  const own = sized.map((t) => ({ t, phi: negativeBinomialDispersion(seriesOf(t.group), c2) }));
  const prior = fitVariancePrior(
    own.flatMap((o) => (o.phi === null ? [] : [o.phi])),
    k - 1,
  );
  if (!prior) return;
  for (const { t, phi } of own) {
    if (phi === null) continue;
    const m = moderate(phi, k - 1, prior);
    const result = negativeBinomialCountTest(
      { x: counts(current)[t.group] ?? 0, e: current.exposureMs },
      seriesOf(t.group),
      c2,
      m.s2,
      m.df,
    );
    if (!result) continue;
    t.tested.result = result;
    t.tested.change.z = result.z;
    t.tested.change.p = result.p;
    t.tested.change.dispersion = { phi: m.s2, df: m.df, excess: c2 };
  }
}

function shareFamily(
  metric: ChangeMetric,
  dimension: Change['dimension'],
  a: Against,
  current: ChangeFacts,
  rates: (f: ChangeFacts) => GroupRates,
  testGroups = true,
): Family {
  const groups = groupsOf(rates(current), ...a.periods.map(rates));
  const of = (f: ChangeFacts, g: string): Share => rates(f)[g] ?? { hit: 0, n: 0 };
  const whole = testShare(metric, dimension, a, current, (f) => {
    const all = Object.values(rates(f));
    return { hit: sumOf(all.map((r) => r.hit)), n: sumOf(all.map((r) => r.n)) };
  });
  const tests = testGroups
    ? groups.map((g) => ({ group: g, tested: testShare(metric, dimension, a, current, (f) => of(f, g)) }))
    : [];
  return {
    whole,
    groups: tests,
    split: () => {
      // Kitagawa: rate now − usual rate = Σ w̄·Δr (each group's own rate effect) + Σ r̄·Δw (the mix effect), with
      // w a group's share of the cases judged and r its rate, averaged over now and usually: exact.
      const cur = groups.map((g) => of(current, g));
      const base = groups.map((g) => {
        const s = a.periods.map((f) => of(f, g));
        return { hit: sumOf(s.map((x) => x.hit)), n: sumOf(s.map((x) => x.n)) };
      });
      const n1 = sumOf(cur.map((c) => c.n));
      const n0 = sumOf(base.map((c) => c.n));
      const parts: Record<string, number> = {};
      let mix = 0;
      if (!n1 || !n0) return { parts, mix };
      groups.forEach((g, i) => {
        const c = cur[i]!;
        const b = base[i]!;
        // A group absent in one of the two has no rate there: its rate effect is 0, its weight moves it all.
        const r1 = c.n ? c.hit / c.n : b.n ? b.hit / b.n : 0;
        const r0 = b.n ? b.hit / b.n : r1;
        const w1 = c.n / n1;
        const w0 = b.n / n0;
        parts[g] = ((w1 + w0) / 2) * (r1 - r0);
        mix += ((r1 + r0) / 2) * (w1 - w0);
      });
      return { parts, mix };
    },
  };
}

function medianFamily(
  metric: ChangeMetric,
  a: Against,
  current: ChangeFacts,
  lists: (f: ChangeFacts) => Record<string, Float64Array>,
): Family {
  const groups = groupsOf(lists(current), ...a.periods.map(lists));
  const whole = testMedian(metric, a, current, (f) => Object.values(lists(f)));
  const tests = groups.map((g) => ({
    group: g,
    tested: testMedian(metric, a, current, (f) => (lists(f)[g] ? [lists(f)[g]!] : [])) as Tested,
  }));
  return {
    whole,
    groups: tests,
    split: () => {
      // The whole test's share above its pooled median, split by severity: they add up to its total.
      const parts: Record<string, number> = {};
      const m = whole.pooled;
      const n1 = whole.change.n.current;
      const n0 = whole.change.n.baseline * whole.change.periods;
      if (m === null) return { parts };
      for (const g of groups) {
        const above = (f: ChangeFacts) => (lists(f)[g] ? countAbove(lists(f)[g]!, m) : 0);
        parts[g] = (n1 ? above(current) / n1 : 0) - (n0 ? sumOf(a.periods.map(above)) / n0 : 0);
      }
      return { parts };
    },
  };
}

/** The families of one summary, in the fixed order of the whole figures. */
function families(current: ChangeFacts, cases: Against, alerts: Against | null): Family[] {
  const out = [countFamily('cases.created', 'severity', cases, current, (f) => f.casesBySeverity)];
  if (alerts) out.push(countFamily('alerts.created', 'rule', alerts, current, (f) => f.alertsByRule ?? {}));
  out.push(
    shareFamily('sla.resolve.compliance', 'severity', cases, current, (f) => f.sla.resolve),
    shareFamily('sla.acknowledge.compliance', 'severity', cases, current, (f) => f.sla.acknowledge),
    medianFamily('ttr.p50', cases, current, (f) => f.durations.ttr),
    medianFamily('tta.p50', cases, current, (f) => f.durations.tta),
    // A rule's false positive rate rests on the few cases it closes: only the whole rate is tested (its decomposition
    // still names the rule), so some 25 noisy tests do not spend the email's budget.
    shareFamily('falsePositiveRate', 'rule', cases, current, (f) => f.falsePositives, false),
  );
  return out;
}

/** The verdict of a tested figure once the budget's adjusted p-value is known. */
function verdictOf(t: Tested, q: number | null): Change['verdict'] {
  if (t.noData) return 'no-data';
  if (t.lowN) return 'low-n';
  return q !== null && q <= FALSE_DISCOVERY_RATE && t.shows ? 'changed' : 'no-change';
}

/** Order contributions (largest in the direction of the change first) and name the driver. */
function withDriver(
  c: Change,
  split: { parts: Record<string, number>; mix?: number },
  changedGroups: ReadonlySet<string>,
): Change {
  const s = c.sign;
  // Groups come in name order and the sort is stable: equal contributions stay in name order.
  const contributions = Object.entries(split.parts)
    .filter(([, x]) => x !== 0)
    .map(([group, contribution]) => ({ group, contribution }))
    .sort((a, b) => (s || 1) * (b.contribution - a.contribution));
  const along = contributions.filter((x) => Math.sign(x.contribution) === s);
  // The group that moved on its own comes first; otherwise the largest contribution in the change's direction — but
  // a median's share above the pooled median also moves with the mix of severities, so there only a severity whose
  // own times changed is named (none: the mix moved it).
  const top = along.find((x) => changedGroups.has(x.group)) ?? (c.test === 'median' ? undefined : along[0]);
  // A top contribution lies in the change's direction, so the total is not 0.
  const driver = top ? { ...top, share: top.contribution / c.total, changed: changedGroups.has(top.group) } : null;
  return {
    ...c,
    contributions: contributions.slice(0, 5),
    ...(split.mix !== undefined ? { mix: split.mix } : {}),
    driver,
  };
}

/** Every test of a summary judged: the whole figures (with drivers) and every group, changed or not. */
export interface Judged {
  wholes: Change[];
  /** Every group's test, with its verdict (only the changed ones reach `kpi.changes`). */
  groups: Change[];
  basis: ChangeBasis;
}

/**
 * Every whole figure and every group of the current period judged against its comparable previous periods
 * (`history`, previous first, each judged at the same age), under one false-discovery budget.
 */
export function judgeChanges(current: ChangeFacts, history: readonly HistoryFacts[]): Judged {
  const cases = against(history, 'cases');
  const hasAlerts = current.alertsByRule !== null && history.every((h) => h.facts.alertsByRule !== null);
  const alerts = hasAlerts ? against(history, 'alerts') : null;
  const fams = families(current, cases, alerts);

  // Every test with a p-value and enough cases shares the one false-discovery budget.
  const all: Tested[] = fams.flatMap((f) => [f.whole, ...f.groups.map((g) => g.tested)]);
  const inBudget = all.filter((t) => !t.lowN && !t.noData && t.result !== null);
  const qs = benjaminiHochberg(inBudget.map((t) => t.result!.p));
  const qOf = new Map(inBudget.map((t, i) => [t, qs[i]!]));
  const judged = (t: Tested): Change => {
    const q = qOf.get(t) ?? null;
    return { ...t.change, q, verdict: verdictOf(t, q) };
  };

  const wholes: Change[] = [];
  const groups: Change[] = [];
  for (const f of fams) {
    const own = f.groups.map((g) => ({ ...judged(g.tested), group: g.group }));
    // A group drives the whole figure's change only when it changed on its own (the same way: withDriver looks
    // only at contributions in the change's direction).
    const along = own.filter((g) => g.verdict === 'changed');
    wholes.push(withDriver(judged(f.whole), f.split(), new Set(along.map((g) => g.group!))));
    groups.push(...own);
  }
  const labels = history.filter((h) => h.cases).map((h) => h.label);
  const basis: ChangeBasis = {
    method: cases.method,
    periods: cases.periods.length,
    from: cases.method === 'history' ? (labels.at(-1) ?? null) : cases.previous ? history[0]!.label : null,
    to: cases.previous ? history[0]!.label : null,
    falseDiscoveryRate: FALSE_DISCOVERY_RATE,
    tests: inBudget.length,
  };
  if (alerts && (alerts.method !== cases.method || alerts.periods.length !== cases.periods.length))
    basis.alerts = { method: alerts.method, periods: alerts.periods.length };
  const short = [cases, ...(alerts ? [alerts] : [])].find((x) => x.method === 'previous');
  if (short) {
    const usable = short === cases ? labels.length : history.filter((h) => h.alerts).length;
    basis.caveat = short.previous
      ? `only ${usable} comparable previous period${usable === 1 ? '' : 's'} with data (${MIN_HISTORY} needed to learn how much the figures usually vary): judged against the previous period alone, by textbook (Poisson, binomial) variation, which real weeks exceed — a named change may be ordinary variation`
      : 'no data for the previous period: nothing is compared';
  }
  return { wholes, groups, basis };
}

/**
 * Every headline figure of the current period against its comparable previous periods (`history`, previous first,
 * each judged at the same age), and every severity and rule that changed on its own. The whole figures always
 * come back (changed first, smallest p first; then the others in a fixed order); a group only when it changed.
 */
export function whatChanged(current: ChangeFacts, history: readonly HistoryFacts[]): WhatChanged {
  const { wholes, groups, basis } = judgeChanges(current, history);
  const fixed = (c: Change) => wholes.findIndex((w) => w.metric === c.metric);
  const changed = [...wholes, ...groups]
    .filter((c) => c.verdict === 'changed')
    .sort((a, b) => a.p! - b.p! || fixed(a) - fixed(b) || (a.group ?? '').localeCompare(b.group ?? ''));
  const others = wholes.filter((c) => c.verdict !== 'changed');
  return { changes: [...changed, ...others], basis };
}
