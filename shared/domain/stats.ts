/** Duration statistics in minutes (METRICS.md "Statistics"). */
export interface DurationStats {
  n: number;
  p50: number | null;
  p90: number | null;
  mean: number | null;
  lowN: boolean;
}

/**
 * Nearest-rank percentile of ascending values: `x[ceil(p·n/100)]` (1-based), the rank computed in integers so
 * 90% of 10 is exactly rank 9, never 9.000000000000002 → 10.
 */
export function nearestRank(sorted: ArrayLike<number>, percent: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((percent * n) / 100));
  return sorted[rank - 1]!;
}

/** `{n, p50, p90, mean, lowN}` of durations in minutes; lowN when n < 10. Sorts its argument in place. */
export function durationStats(values: number[] | Float64Array): DurationStats {
  const arr = values instanceof Float64Array ? values : Float64Array.from(values);
  arr.sort();
  const n = arr.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += arr[i]!;
  return { n, p50: nearestRank(arr, 50), p90: nearestRank(arr, 90), mean: n ? sum / n : null, lowN: n < 10 };
}

/** One subject of a survival estimate: time observed and whether the event happened (else censored). */
export interface Survival {
  t: number;
  event: boolean;
}

/** Kaplan–Meier median: smallest t with S(t) ≤ 0.5, else null with `moreThan` the largest observed time. */
export function kaplanMeierMedian(subjects: Survival[]): { n: number; median: number | null; moreThan: number | null } {
  const n = subjects.length;
  if (n === 0) return { n, median: null, moreThan: null };
  // At equal times events come before censorings: a case censored at t was still at risk when others closed at t.
  const sorted = [...subjects].sort((a, b) => a.t - b.t || Number(b.event) - Number(a.event));
  let atRisk = n;
  let survival = 1;
  let i = 0;
  while (i < n) {
    const t = sorted[i]!.t;
    let events = 0;
    let leaving = 0;
    while (i < n && sorted[i]!.t === t) {
      if (sorted[i]!.event) events++;
      leaving++;
      i++;
    }
    if (events > 0) {
      survival *= 1 - events / atRisk;
      if (survival <= 0.5 + 1e-12) return { n, median: t, moreThan: null };
    }
    atRisk -= leaving;
  }
  return { n, median: null, moreThan: sorted[n - 1]!.t };
}

/** `a / b`, or null when b is 0 (a rate over an empty cohort is unknown, not zero). */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Sum in ascending order: the same figure whatever order the records arrived in (snapshots vs raw files). */
export function stableSum(values: number[]): number {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return sum;
}
