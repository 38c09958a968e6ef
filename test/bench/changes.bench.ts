// `npm run bench changes`: the calibration benchmark of "what changed" (issue 22). Simulated SOCs with a known truth
// (test/bench/soc-truth-sim.ts) go through the engine the emails use (shared/domain/summary.ts), one call per email,
// and each email's `kpi.changes` is scored against the truth:
// - no change (both regimes; judged 6 h and 72 h after the week, and mid-week with the period to date): the share of
//   emails with ANY entry whose verdict is "changed" — target at most 10 % in every row;
// - a change planted in the current week only (judged 6 h after it): the share of emails with a "changed" entry of
//   the right metric that names the right group, as its own group (`entry.group`) or as its driver
//   (`entry.driver.group`) — target at least 90 %; and the share naming anything else as changed (an entry whose
//   group and driver are both not the truth's group; an entry about the truth's group under another metric, such as
//   the median time to resolve when the resolve SLA collapsed, is a consequence, not a wrong name).
// An email whose kpi is missing, or has no `changes`, is an error: counted, printed, and the row fails.
//
// Seeds: BENCH_SEEDS=tune (1–100, for choosing the method's constants) or report (1001–1200, the default; only
// measured). BENCH_EMAILS=n uses the first n seeds of the set (one email per seed in each row; 40 is a quick run).
// BENCH_ONLY=no-change,rule-x2,cases-x2,sla-collapse runs only those scenarios; BENCH_VERBOSE=1 prints every email
// that misses its row's goal (a name when nothing changed, the truth not found) with what it named. Odd seeds are in
// UTC, even seeds in America/New_York, whose current week (2026-W44) holds the end of DST and is 169 hours long.
//
// Speed: each seed's history is generated once and each week becomes one engine day (columns built once) that every
// email of the seed reuses; `SummaryAccumulator` taking those days is the body of `summarize` with days in place of
// lists. The first seed of each regime is also run through `summarize(input, opts)` itself and must give the same
// `changes` (else the benchmark stops); BENCH_ENGINE=summarize uses `summarize` for every email.
import {
  alertsAsDay,
  casesAsDay,
  type AlertCount,
  type AlertDay,
  type CaseDay,
  type CaseFacts,
} from '../../shared/domain/facts.js';
import type { Period } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import {
  isMissing,
  summarize,
  SummaryAccumulator,
  type Summary,
  type SummaryOptions,
} from '../../shared/domain/summary.js';
import {
  HISTORY_WEEKS,
  simulateSoc,
  truthOf,
  type Regime,
  type SimChange,
  type Soc,
  type Truth,
} from './soc-truth-sim.js';

const HOUR = 3_600_000;

export type Timing = '6h' | '72h' | 'mid';
const TIMING_LABEL: Record<Timing, string> = { '6h': 'end+6h', '72h': 'end+72h', mid: 'mid-week' };

/** The instant an email is judged at: 6 h or 72 h after the current week, or Thursday 12:00 (84 h in, to date). */
export function asOfFor(current: Period, timing: Timing): number {
  if (timing === '6h') return current.end + 6 * HOUR;
  if (timing === '72h') return current.end + 72 * HOUR;
  return current.start + 84 * HOUR;
}

interface Scenario {
  id: string;
  change: SimChange;
  timings: Timing[];
}
export const SCENARIOS: Scenario[] = [
  { id: 'no-change', change: { kind: 'none' }, timings: ['6h', '72h', 'mid'] },
  { id: 'rule-x2', change: { kind: 'rule-alerts-x2' }, timings: ['6h'] },
  { id: 'cases-x2', change: { kind: 'cases-x2', sev: 'high' }, timings: ['6h'] },
  { id: 'sla-collapse', change: { kind: 'resolve-collapse', sev: 'high', factor: 4 }, timings: ['6h'] },
];
const REGIMES: Regime[] = ['poisson', 'overdispersed'];
export const TARGETS = { falseAlarmsAtMost: 0.1, rightDriverAtLeast: 0.9 };
export const SEED_SETS = {
  tune: Array.from({ length: 100 }, (_, i) => 1 + i),
  report: Array.from({ length: 200 }, (_, i) => 1001 + i),
};

/** The part of a `changes` entry the benchmark reads (METRICS.md `changes`; `group` on per-group entries). */
interface ChangeEntry {
  metric: string;
  group?: string;
  verdict: string;
  driver?: { group: string } | null;
}

export interface EmailScore {
  /** Why the email could not be scored (kpi missing, no `changes`); the email then counts as neither named nor found. */
  error?: string;
  /** Every "changed" entry, as `metric[group]` or `metric→driver`. */
  named: string[];
  /** A change scenario's metric named with the truth's group (as the entry's group or its driver). */
  right: boolean;
  /** The "changed" entries naming neither the truth's group as group nor as driver (all of them without a truth). */
  other: string[];
}

const nameOf = (c: ChangeEntry) =>
  c.group !== undefined ? `${c.metric}[${c.group}]` : c.driver ? `${c.metric}→${c.driver.group}` : `${c.metric}→(none)`;

/** Score one email's `kpi.changes` against the truth (null: nothing changed). */
export function scoreEmail(summary: Summary, truth: Truth | null): EmailScore {
  if (isMissing(summary.kpi))
    return { error: `kpi missing: ${summary.kpi.reason}`, named: [], right: false, other: [] };
  const changes = (summary.kpi as { changes?: unknown }).changes;
  if (!Array.isArray(changes))
    return { error: 'kpi.changes absent (no comparable previous period?)', named: [], right: false, other: [] };
  const named = (changes as ChangeEntry[]).filter((c) => c.verdict === 'changed');
  const about = (c: ChangeEntry) => truth !== null && (c.group === truth.group || c.driver?.group === truth.group);
  return {
    named: named.map(nameOf),
    right: truth !== null && named.some((c) => c.metric === truth.metric && about(c)),
    other: named.filter((c) => !about(c)).map(nameOf),
  };
}

/** Wilson score interval of k successes in n at 95 % (z = 1.959964). */
export function wilson(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

interface Row {
  scenario: string;
  timing: Timing;
  regime: Regime;
  emails: number;
  namedAny: number;
  right: number;
  withOther: number;
  errors: string[];
  /** Emails and emails naming any change, per zone. */
  byTz: Record<string, { emails: number; namedAny: number }>;
  /** How often each name appeared (false alarms, or other names in a change scenario). */
  names: Map<string, number>;
}

/** A seed's weeks as engine days, each built once and reused by every email of the seed. */
interface WeekDays {
  lists: { cases: CaseFacts[]; alerts: AlertCount[] }[];
  days: { cases: CaseDay; alerts: AlertDay }[];
}

function asDays(lists: WeekDays['lists']): WeekDays['days'] {
  return lists.map((w) => {
    const cases = casesAsDay(w.cases);
    cases.columns();
    const alertCols = alertsAsDay(w.alerts).columns();
    return { cases, alerts: { length: w.alerts.length, columns: () => alertCols } };
  });
}

/** One email: the engine over every week (history, this scenario's current week, the week after). */
function email(weeks: WeekDays, opts: SummaryOptions, viaSummarize: boolean): Summary {
  if (viaSummarize)
    return summarize(
      { cases: weeks.lists.flatMap((w) => w.cases), alerts: weeks.lists.flatMap((w) => w.alerts) },
      opts,
    );
  const acc = new SummaryAccumulator(opts);
  for (const d of weeks.days) {
    acc.addCases(d.cases);
    acc.addAlertCounts(d.alerts);
  }
  return acc.result({}, { cases: true, alerts: true });
}

function envSeeds(): { set: 'tune' | 'report'; seeds: number[] } {
  const set = process.env.BENCH_SEEDS ?? 'report';
  if (set !== 'tune' && set !== 'report') throw new Error(`BENCH_SEEDS=${set}: expected "tune" or "report"`);
  const all = SEED_SETS[set];
  const raw = process.env.BENCH_EMAILS;
  const n = raw === undefined ? all.length : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > all.length)
    throw new Error(`BENCH_EMAILS=${raw}: expected a whole number from 1 to ${all.length} (the ${set} set's seeds)`);
  return { set, seeds: all.slice(0, n) };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ci = (k: number, n: number) => {
  const [lo, hi] = wilson(k, n);
  return `${pct(k / n).padStart(6)} [${pct(lo)}–${pct(hi)}]`;
};

export async function run(): Promise<void> {
  const t0 = performance.now();
  const { set, seeds } = envSeeds();
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const unknown = only?.filter((s) => !SCENARIOS.some((x) => x.id === s));
  if (unknown?.length)
    throw new Error(
      `BENCH_ONLY: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`,
    );
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));
  const allSummarize = process.env.BENCH_ENGINE === 'summarize';
  const verbose = process.env.BENCH_VERBOSE === '1';
  console.log(
    `seed set ${set} (${seeds[0]}–${seeds.at(-1)}), ${seeds.length} emails per row; ${HISTORY_WEEKS} weeks of history; ` +
      `engine: ${allSummarize ? 'summarize() for every email' : 'SummaryAccumulator over week days (checked against summarize() on the first seed)'}`,
  );

  const rows = new Map<string, Row>();
  const rowOf = (scenario: string, timing: Timing, regime: Regime): Row => {
    const key = `${scenario}|${timing}|${regime}`;
    let r = rows.get(key);
    if (!r)
      rows.set(
        key,
        (r = {
          scenario,
          timing,
          regime,
          emails: 0,
          namedAny: 0,
          right: 0,
          withOther: 0,
          errors: [],
          byTz: {},
          names: new Map(),
        }),
      );
    return r;
  };
  for (const s of scenarios) for (const t of s.timings) for (const g of REGIMES) rowOf(s.id, t, g);

  let genMs = 0;
  let engineMs = 0;
  let engineCalls = 0;
  const checked = new Set<Regime>();
  let shown = false;
  for (const [i, seed] of seeds.entries()) {
    const tz = seed % 2 === 1 ? 'UTC' : 'America/New_York';
    const settings = MetricSettingsSchema.parse({ timezone: tz });
    for (const regime of REGIMES) {
      const g0 = performance.now();
      const soc: Soc = simulateSoc({ seed, regime, tz });
      const base = soc.weeks.map((_, w) => (w === HISTORY_WEEKS ? { cases: [], alerts: [] } : soc.week(w)));
      const baseDays = asDays(base);
      genMs += performance.now() - g0;
      if (!shown) {
        shown = true;
        const m = soc.means(HISTORY_WEEKS);
        const sev = Object.entries(m.cases)
          .map(([s, x]) => `${s} ${x.toFixed(0)}`)
          .join(', ');
        const alerts = m.alerts.reduce((s, x) => s + x, 0);
        console.log(
          `seed ${seed} (${tz}): cases a week ${sev}; ${soc.rules.length} rules, ${alerts.toFixed(0)} alerts a week; ` +
            `mid-size rule "${soc.midRule.name}" ${soc.midRule.alertsPerWeek.toFixed(0)} a week`,
        );
      }
      for (const sc of scenarios) {
        const g1 = performance.now();
        const current = [soc.week(HISTORY_WEEKS, sc.change)];
        const weeks: WeekDays = {
          lists: base.map((w, k) => (k === HISTORY_WEEKS ? current[0]! : w)),
          days: baseDays.map((d, k) => (k === HISTORY_WEEKS ? asDays(current)[0]! : d)),
        };
        genMs += performance.now() - g1;
        const truth = truthOf(soc, sc.change);
        for (const timing of sc.timings) {
          const opts: SummaryOptions = {
            period: soc.current,
            asOf: asOfFor(soc.current, timing),
            settings,
            sections: ['kpi'],
          };
          const e0 = performance.now();
          const summary = email(weeks, opts, allSummarize);
          engineMs += performance.now() - e0;
          engineCalls++;
          if (!allSummarize && !checked.has(regime)) {
            const reference = email(weeks, opts, true);
            const a = JSON.stringify(isMissing(summary.kpi) ? summary.kpi : summary.kpi.changes);
            const b = JSON.stringify(isMissing(reference.kpi) ? reference.kpi : reference.kpi.changes);
            if (a !== b)
              throw new Error(
                `seed ${seed} ${regime} ${sc.id} ${timing}: the week days and summarize() disagree on kpi.changes:\n${a}\n${b}`,
              );
          }
          const score = scoreEmail(summary, truth);
          if (verbose && (truth ? !score.right : score.named.length > 0))
            console.log(
              `  seed ${seed} ${tz} ${regime} ${sc.id} ${timing}: ${truth ? `missed ${truth.metric}[${truth.group}]; ` : ''}` +
                `named ${score.named.join(', ') || 'nothing'}${score.error ? ` (${score.error})` : ''}`,
            );
          const row = rowOf(sc.id, timing, regime);
          row.emails++;
          const tzRow = (row.byTz[tz] ??= { emails: 0, namedAny: 0 });
          tzRow.emails++;
          if (score.error) row.errors.push(`seed ${seed} ${tz}: ${score.error}`);
          if (score.named.length) {
            row.namedAny++;
            tzRow.namedAny++;
          }
          if (score.right) row.right++;
          if (score.other.length) row.withOther++;
          for (const n of truth ? score.other : score.named) row.names.set(n, (row.names.get(n) ?? 0) + 1);
        }
      }
      checked.add(regime);
    }
    if ((i + 1) % 20 === 0 && i + 1 < seeds.length)
      process.stderr.write(`  ${i + 1}/${seeds.length} seeds, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }

  const head =
    'scenario      judged    regime         emails  named any [95% CI]      right driver [95% CI]   other named   UTC / NY named   err  result';
  console.log(`\n${head}\n${'-'.repeat(head.length)}`);
  let met = 0;
  for (const r of rows.values()) {
    const change = r.scenario !== 'no-change';
    const rate = change ? r.right / r.emails : r.namedAny / r.emails;
    const ok =
      r.errors.length === 0 && (change ? rate >= TARGETS.rightDriverAtLeast : rate <= TARGETS.falseAlarmsAtMost);
    const [lo, hi] = wilson(change ? r.right : r.namedAny, r.emails);
    const target = change ? TARGETS.rightDriverAtLeast : TARGETS.falseAlarmsAtMost;
    const sure = lo > target || hi < target ? '' : ' (target inside CI)';
    if (ok) met++;
    const tzs = ['UTC', 'America/New_York']
      .map((z) => (r.byTz[z] ? pct(r.byTz[z].namedAny / r.byTz[z].emails) : '—'))
      .join(' / ');
    console.log(
      `${r.scenario.padEnd(13)} ${TIMING_LABEL[r.timing].padEnd(9)} ${r.regime.padEnd(14)} ${String(r.emails).padStart(6)}  ` +
        `${ci(r.namedAny, r.emails).padEnd(24)}  ${(change ? ci(r.right, r.emails) : '—').padEnd(24)}  ` +
        `${(change ? pct(r.withOther / r.emails) : '—').padStart(11)}   ${tzs.padEnd(15)}  ${String(r.errors.length).padStart(3)}  ` +
        `${ok ? 'PASS' : 'FAIL'}${sure}`,
    );
  }
  console.log(
    `targets: no change names a change in at most ${pct(TARGETS.falseAlarmsAtMost)} of emails; a real change is found with ` +
      `the right driver in at least ${pct(TARGETS.rightDriverAtLeast)}. Met in ${met} of ${rows.size} rows.`,
  );
  console.log('\nmost frequent names (no change: false alarms; a change: names other than the truth), per row:');
  for (const r of rows.values()) {
    const top = [...r.names.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 4);
    if (top.length)
      console.log(
        `  ${r.scenario} ${TIMING_LABEL[r.timing]} ${r.regime}: ${top.map(([n, k]) => `${n} ×${k}`).join(', ')}`,
      );
  }
  const errors = [...rows.values()].flatMap((r) => r.errors.map((e) => `${r.scenario} ${r.timing} ${r.regime}: ${e}`));
  if (errors.length) {
    console.log(`\n${errors.length} emails could not be scored:`);
    for (const e of errors.slice(0, 10)) console.log(`  ${e}`);
  }
  const total = (performance.now() - t0) / 1000;
  console.log(
    `\nwall time ${total.toFixed(1)} s: generation ${(genMs / 1000).toFixed(1)} s, engine ${(engineMs / 1000).toFixed(1)} s ` +
      `(${engineCalls} emails, ${(engineMs / engineCalls).toFixed(1)} ms each)`,
  );
}
