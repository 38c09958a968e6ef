// A simulated SOC with a known truth, for the calibration benchmark of "what changed" (`npm run bench changes`,
// issue 22). Everything is a pure function of (seed, regime, time zone): the same arguments always give the same
// cases and alert counts, and each (week, severity) and (week, rule) draws from a stream of its own, so a change
// scenario regenerates the current week and leaves every other figure exactly as in the no-change history.
//
// What it claims (test/unit/soc-truth-sim.test.ts checks each):
// - cases per severity and week: Poisson around the seed's weekly mean (critical 10–30, high 100–300, medium
//   500–1500, low 1000–3000, info 50–300, log-uniform per seed), arriving by a weekday/diurnal profile;
// - 20–30 rules, each with a severity, a false-positive share and 20–8,000 alerts a week (log-uniform), counted per
//   hour, rule and severity (AlertCount rows);
// - acknowledge and resolve delays log-normal per severity, calibrated so that the acknowledge SLA is met by 90 %
//   and the resolve SLA by 87–94 % (METRICS.md targets); half the cases come from a source with whole minutes
//   (created on the minute, durations rounded to minutes: ties);
// - regime "overdispersed": each week's rate is multiplied by a mean-one log-normal factor (cases 8 % CV per
//   severity, alerts 15 % CV per rule) and each week's delay scale by exp(N(0, 0.1²)) per severity and kind;
//   regime "poisson": constant rates and delays;
// - a change applies to the current week only: one mid-size rule's alerts ×2, one severity's cases ×2, or one
//   severity's resolve delays ×4.
import { mulberry32 } from '../../functions/soc-sim/generate.js';
import type { AlertCount, CaseFacts } from '../../shared/domain/facts.js';
import {
  localFields,
  parsePeriod,
  periodContaining,
  previousPeriod,
  type Period,
} from '../../shared/domain/periods.js';
import type { Disposition, Severity } from '../../shared/domain/records.js';
import { DEFAULT_SLA_TARGETS } from '../../shared/domain/settings.js';

const MIN = 60_000;
const HOUR = 3_600_000;

export const SIM_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const satisfies readonly Severity[];
/** Weekly case means are drawn log-uniformly from these ranges, per seed. */
export const CASE_RANGES: Record<Severity, [number, number]> = {
  critical: [10, 30],
  high: [100, 300],
  medium: [500, 1500],
  low: [1000, 3000],
  info: [50, 300],
};
export const RULE_RANGE: [number, number] = [20, 8000];
/** Share of cases met within target (acknowledge, resolve) per severity; info has no target. */
export const SLA_MET: Record<Exclude<Severity, 'info'>, { acknowledge: number; resolve: number }> = {
  critical: { acknowledge: 0.9, resolve: 0.87 },
  high: { acknowledge: 0.9, resolve: 0.9 },
  medium: { acknowledge: 0.9, resolve: 0.92 },
  low: { acknowledge: 0.9, resolve: 0.94 },
};
/** Log-normal σ of the delays (ln minutes). */
export const SIGMA = { acknowledge: 0.9, resolve: 1.0 };
/** Delays of info cases (no target): medians in minutes. */
const INFO_MEDIAN = { acknowledge: 240, resolve: 2880 };
/** Share of cases whose source keeps whole minutes. */
export const WHOLE_MINUTE_SHARE = 0.5;
/** Over-dispersed regime: CV of the weekly factor, and σ of the weekly delay scale. */
export const OVERDISPERSION = { cases: 0.08, alerts: 0.15, delaySigma: 0.1 };
/** History weeks before the current one (the engine reads up to ~13). */
export const HISTORY_WEEKS = 16;
export const CURRENT_WEEK = '2026-W44'; // in America/New_York it holds the end of DST (1 Nov 2026): 169 hours

export type Regime = 'poisson' | 'overdispersed';
export type SimChange =
  | { kind: 'none' }
  | { kind: 'rule-alerts-x2' }
  | { kind: 'cases-x2'; sev: Severity }
  | { kind: 'resolve-collapse'; sev: Severity; factor: number };

/** What a change scenario should be found as (METRICS.md `changes`): the metric and the group named. */
export interface Truth {
  metric: 'alerts.created' | 'cases.created' | 'sla.resolve.compliance';
  group: string;
}

export interface SimRule {
  name: string;
  sev: Severity;
  alertsPerWeek: number;
  fpShare: number;
}

export interface SocParams {
  seed: number;
  regime: Regime;
  tz: string;
}

/** One simulated SOC: its parameters, weeks and factors, and the records of any week. */
export interface Soc extends SocParams {
  /** HISTORY_WEEKS weeks, the current week (index HISTORY_WEEKS), then the week after it. */
  weeks: Period[];
  current: Period;
  /** Mean cases per severity in a 168-hour week (before any weekly factor). */
  casesPerWeek: Record<Severity, number>;
  rules: SimRule[];
  /** The rule whose volume is the median of the rules' (the one doubled in "rule-alerts-x2"). */
  midRule: SimRule;
  /** Log-normal medians of the delays in minutes, per severity. */
  medians: Record<Severity, { acknowledge: number; resolve: number }>;
  /** Per week: the factor on each severity's case rate, each rule's alert rate, each severity's delay scales. */
  factors: {
    cases: Record<Severity, number>;
    alerts: number[];
    acknowledge: Record<Severity, number>;
    resolve: Record<Severity, number>;
  }[];
  /** The records of week `index` (cases created in it, alert counts of its hours), with `change` applied. */
  week(index: number, change?: SimChange): { cases: CaseFacts[]; alerts: AlertCount[] };
  /** The Poisson means week `index` was drawn with: cases per severity, alerts per rule (in `rules` order). */
  means(index: number, change?: SimChange): { cases: Record<Severity, number>; alerts: number[] };
}

/** The truth a change scenario plants. */
export function truthOf(soc: Soc, change: SimChange): Truth | null {
  switch (change.kind) {
    case 'none':
      return null;
    case 'rule-alerts-x2':
      return { metric: 'alerts.created', group: soc.midRule.name };
    case 'cases-x2':
      return { metric: 'cases.created', group: change.sev };
    case 'resolve-collapse':
      return { metric: 'sla.resolve.compliance', group: change.sev };
  }
}

/** A 32-bit stream for a tuple of integers (FNV-style mix), so every part has its own independent draws. */
export function stream(...parts: number[]): () => number {
  let h = 2166136261;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return mulberry32(h);
}

/** Standard normal (Box–Muller). */
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A mean-one log-normal factor with coefficient of variation `cv`. */
export function meanOneLognormal(r: () => number, cv: number): number {
  const s2 = Math.log(1 + cv * cv);
  return Math.exp(-s2 / 2 + Math.sqrt(s2) * gauss(r));
}

/** ln Γ(x) for x > 0: shifted up to 7, then the Stirling series to 1/x⁷ (error below 3e-11 from 7 on). */
export function logGamma(x: number): number {
  let shift = 0;
  while (x < 7) {
    shift -= Math.log(x);
    x += 1;
  }
  const x2 = x * x;
  return (
    shift +
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    1 / (12 * x) -
    1 / (360 * x * x2) +
    1 / (1260 * x2 * x2 * x) -
    1 / (1680 * x2 * x2 * x2 * x)
  );
}

/**
 * A Poisson draw with mean `lambda`: multiplication of uniforms below 30, Hörmann's transformed rejection (PTRS, as
 * numpy's `random_poisson_ptrs`) above; both exact.
 */
export function poisson(r: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    const L = Math.exp(-lambda);
    let k = 0;
    let p = r();
    while (p > L) {
      k++;
      p *= r();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = r() - 0.5;
    const V = r();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1))
      return k;
  }
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

// Relative arrival intensity by local hour: analysts' and users' working day on weekdays, a flatter weekend.
const CASE_WEEKDAY = [
  0.35, 0.3, 0.28, 0.28, 0.3, 0.4, 0.6, 1.0, 1.6, 2.0, 2.1, 2.0, 1.8, 1.9, 2.0, 1.9, 1.7, 1.4, 1.1, 0.9, 0.7, 0.55,
  0.45, 0.4,
];
const CASE_WEEKEND = [
  0.35, 0.32, 0.3, 0.3, 0.3, 0.32, 0.38, 0.45, 0.55, 0.65, 0.7, 0.72, 0.7, 0.7, 0.68, 0.65, 0.62, 0.6, 0.55, 0.5, 0.47,
  0.43, 0.4, 0.37,
];
/** Alerts are machine-made: a milder working-day swing. */
const alertShape = (x: number) => 0.6 + 0.4 * x;

/** Intensity weight of a local (weekday 1–7, hour 0–23); alerts or cases. */
function shape(weekday: number, hour: number, alerts: boolean): number {
  const x = (weekday <= 5 ? CASE_WEEKDAY : CASE_WEEKEND)[hour]!;
  return alerts ? alertShape(x) : x;
}

/** The sum of the weights over a standard 168-hour week: a week's mean is its rate × Σ weights of its real hours / this. */
const STANDARD = (alerts: boolean) => {
  let s = 0;
  for (let d = 1; d <= 7; d++) for (let h = 0; h < 24; h++) s += shape(d, h, alerts);
  return s;
};
const STANDARD_CASES = STANDARD(false);
const STANDARD_ALERTS = STANDARD(true);

/** Each real hour of a week (167, 168 or 169 across DST) with its share of a standard week's cases and alerts. */
export function hoursOf(week: Period): { start: number; cases: number; alerts: number }[] {
  const out: { start: number; cases: number; alerts: number }[] = [];
  for (let t = week.start; t < week.end; t += HOUR) {
    const f = localFields(t, week.tz);
    out.push({
      start: t,
      cases: shape(f.weekday, f.hour, false) / STANDARD_CASES,
      alerts: shape(f.weekday, f.hour, true) / STANDARD_ALERTS,
    });
  }
  return out;
}

const logUniform = (r: () => number, [lo, hi]: [number, number]) => lo * Math.exp(r() * Math.log(hi / lo));
const REGIME_CODE: Record<Regime, number> = { poisson: 1, overdispersed: 2 };

/** The weeks of a simulation in a zone: HISTORY_WEEKS before the current week, the current one, the one after. */
export function simWeeks(tz: string, currentLabel = CURRENT_WEEK): Period[] {
  const opts = { tz, fiscalYearStartMonth: 1 };
  const current = parsePeriod(currentLabel, opts);
  const weeks = [current];
  for (let i = 0; i < HISTORY_WEEKS; i++) weeks.unshift(previousPeriod(weeks[0]!, opts));
  weeks.push(periodContaining('week', current.end, opts));
  return weeks;
}

/** A simulated SOC for (seed, regime, zone). */
export function simulateSoc(params: SocParams): Soc {
  const { seed, regime, tz } = params;
  const p = stream(seed, 0);
  const casesPerWeek = Object.fromEntries(SIM_SEVERITIES.map((s) => [s, logUniform(p, CASE_RANGES[s])])) as Record<
    Severity,
    number
  >;
  const nRules = 20 + Math.floor(p() * 11);
  const sevWeights: [Severity, number][] = [
    ['critical', 0.1],
    ['high', 0.25],
    ['medium', 0.3],
    ['low', 0.25],
    ['info', 0.1],
  ];
  const rules: SimRule[] = Array.from({ length: nRules }, (_, i) => {
    let sev: Severity = SIM_SEVERITIES[i % 5]!;
    if (i >= 5) {
      let x = p();
      for (const [s, w] of sevWeights)
        if ((x -= w) < 0 || s === 'info') {
          sev = s;
          break;
        }
    }
    return {
      name: `Rule ${String(i + 1).padStart(2, '0')}`,
      sev,
      alertsPerWeek: logUniform(p, RULE_RANGE),
      fpShare: 0.1 + 0.7 * p(),
    };
  });
  const midRule = [...rules].sort((a, b) => a.alertsPerWeek - b.alertsPerWeek)[Math.floor(nRules / 2)]!;
  const medians = Object.fromEntries(
    SIM_SEVERITIES.map((s) => {
      if (s === 'info') return [s, { ...INFO_MEDIAN }];
      const t = DEFAULT_SLA_TARGETS[s]!;
      const met = SLA_MET[s];
      // P(delay ≤ target) = Φ((ln target − ln median) / σ) = met  ⇒  median = target · exp(−σ · Φ⁻¹(met)).
      return [
        s,
        {
          acknowledge: t.acknowledge! * Math.exp(-SIGMA.acknowledge * normalQuantile(met.acknowledge)),
          resolve: t.resolve! * Math.exp(-SIGMA.resolve * normalQuantile(met.resolve)),
        },
      ];
    }),
  ) as Soc['medians'];
  const weeks = simWeeks(tz);
  const factors = weeks.map((_, w) => {
    const f = stream(seed, 1, w);
    const od = regime === 'overdispersed';
    const bySev = (g: () => number) =>
      Object.fromEntries(SIM_SEVERITIES.map((s) => [s, od ? g() : 1])) as Record<Severity, number>;
    return {
      cases: bySev(() => meanOneLognormal(f, OVERDISPERSION.cases)),
      alerts: rules.map(() => (od ? meanOneLognormal(f, OVERDISPERSION.alerts) : 1)),
      acknowledge: bySev(() => Math.exp(OVERDISPERSION.delaySigma * gauss(f))),
      resolve: bySev(() => Math.exp(OVERDISPERSION.delaySigma * gauss(f))),
    };
  });
  const rulesOf = Object.fromEntries(
    SIM_SEVERITIES.map((s) => {
      const own = rules.filter((r) => r.sev === s);
      return [s, own.length ? own : rules];
    }),
  ) as Record<Severity, SimRule[]>;
  const caseRate = (index: number, sev: Severity, change: SimChange) =>
    casesPerWeek[sev] * factors[index]!.cases[sev] * (change.kind === 'cases-x2' && change.sev === sev ? 2 : 1);
  const alertRate = (index: number, ri: number, change: SimChange) =>
    rules[ri]!.alertsPerWeek *
    factors[index]!.alerts[ri]! *
    (change.kind === 'rule-alerts-x2' && rules[ri] === midRule ? 2 : 1);
  const soc: Soc = {
    ...params,
    weeks,
    current: weeks[HISTORY_WEEKS]!,
    casesPerWeek,
    rules,
    midRule,
    medians,
    factors,
    week(index, change = { kind: 'none' }) {
      const week = weeks[index]!;
      const hours = hoursOf(week);
      const fac = factors[index]!;
      const code = REGIME_CODE[regime];
      const cases: CaseFacts[] = [];
      for (let si = 0; si < SIM_SEVERITIES.length; si++) {
        const sev = SIM_SEVERITIES[si]!;
        const r = stream(seed, code, index, 10 + si);
        const rate = caseRate(index, sev, change);
        const collapse = change.kind === 'resolve-collapse' && change.sev === sev ? change.factor : 1;
        const ackMedian = medians[sev].acknowledge * fac.acknowledge[sev];
        const resMedian = medians[sev].resolve * fac.resolve[sev] * collapse;
        const own = rulesOf[sev];
        let serial = 0;
        const ruleTotal = own.reduce((s, x) => s + x.alertsPerWeek, 0);
        for (const h of hours) {
          const n = poisson(r, rate * h.cases);
          for (let i = 0; i < n; i++) {
            let created = h.start + Math.floor(r() * HOUR);
            const ack = ackMedian * Math.exp(SIGMA.acknowledge * gauss(r));
            const res = Math.max(ack, resMedian * Math.exp(SIGMA.resolve * gauss(r)));
            const whole = r() < WHOLE_MINUTE_SHARE;
            let ackAt: number;
            let closedAt: number;
            if (whole) {
              created = Math.floor(created / MIN) * MIN;
              ackAt = created + Math.round(ack) * MIN;
              closedAt = created + Math.round(res) * MIN;
            } else {
              ackAt = created + Math.round(ack * MIN);
              closedAt = created + Math.round(res * MIN);
            }
            let x = r() * ruleTotal;
            let rule = own[own.length - 1]!;
            for (const candidate of own)
              if ((x -= candidate.alertsPerWeek) < 0) {
                rule = candidate;
                break;
              }
            const d = r();
            const disp: Disposition =
              d < rule.fpShare
                ? 'false_positive'
                : d < rule.fpShare + 0.03
                  ? 'undetermined'
                  : d < rule.fpShare + 0.03 + 0.25 * (0.97 - rule.fpShare)
                    ? 'true_positive'
                    : 'benign_positive';
            cases.push({
              id: `s${seed}-w${index}-${sev}-${serial++}`,
              sev,
              created,
              ack: ackAt,
              closed: closedAt,
              disp,
              tier: 1,
              rule: rule.name,
            });
          }
        }
      }
      const alerts: AlertCount[] = [];
      rules.forEach((rule, ri) => {
        const r = stream(seed, code, index, 1000 + ri);
        const rate = alertRate(index, ri, change);
        for (const h of hours) {
          const n = poisson(r, rate * h.alerts);
          if (n > 0) alerts.push({ at: h.start, rule: rule.name, sev: rule.sev, count: n });
        }
      });
      return { cases, alerts };
    },
    means(index, change = { kind: 'none' }) {
      const hours = hoursOf(weeks[index]!);
      const cases = hours.reduce((s, h) => s + h.cases, 0);
      const alerts = hours.reduce((s, h) => s + h.alerts, 0);
      return {
        cases: Object.fromEntries(SIM_SEVERITIES.map((s) => [s, caseRate(index, s, change) * cases])) as Record<
          Severity,
          number
        >,
        alerts: rules.map((_, ri) => alertRate(index, ri, change) * alerts),
      };
    },
  };
  return soc;
}
