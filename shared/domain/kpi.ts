import { pushTo } from './group.js';
import type { AlertCount, CaseFacts } from './facts.js';
import { localDay, localDaysOf, type Period } from './periods.js';
import { DISPOSITIONS, SEVERITIES, type Severity } from './records.js';
import { slaTargetsFor, type MetricSettings } from './settings.js';
import { durationStats, kaplanMeierMedian, ratio, type DurationStats } from './stats.js';

const MIN = 60_000;
const DAY = 86_400_000;

export interface SlaCounts {
  met: number;
  breached: number;
  pending: number;
  compliance: number | null;
}

export interface SeverityKpi {
  ttd: DurationStats;
  tta: DurationStats;
  ttc: DurationStats;
  ttr: DurationStats;
  sla: { acknowledge?: SlaCounts; resolve?: SlaCounts };
}

export interface TrendMetric {
  current: number | null;
  previous: number | null;
  change: number | null;
  changePct: number | null;
  better: 'lower' | 'higher' | null;
  direction: 'better' | 'worse' | 'same' | null;
}

export interface KpiSummary {
  cases: { created: number; closed: number; openAtAsOf: number };
  alerts: { created: number } | { missing: true; reason: string };
  ttd: DurationStats;
  tta: DurationStats;
  ttc: DurationStats;
  ttr: DurationStats;
  ttrCohort: { n: number; median: number | null; moreThan: number | null };
  bySeverity: Record<Severity, SeverityKpi>;
  sla: { acknowledge: SlaCounts; resolve: SlaCounts; openBreached: number; atRisk: number };
  dispositions: Record<string, number>;
  falsePositiveRate: number | null;
  precision: number | null;
  escalationRate: number | null;
  escalationRateByTier: { '2': number | null; '3': number | null };
  alertToCaseRatio: number | null;
  backlog: {
    open: number;
    age: DurationStats;
    buckets: { lt1d: number; d1to7: number; d7to30: number; gt30d: number };
  };
  rules: { rule: string; alerts: number; closedCases: number; falsePositiveRate: number | null }[];
  runbooks: {
    runbook: string;
    closed: number;
    ttr: DurationStats;
    falsePositiveRate: number | null;
    resolveCompliance: number | null;
  }[];
  volume: {
    days: { day: string; alerts: number | null; cases: number }[];
    alertsBySeverity: Record<Severity, number> | null;
  };
  trend?: { previous: { label: string; start: string; end: string }; metrics: Record<string, TrendMetric> };
}

export interface KpiInput {
  cases: CaseFacts[];
  /** Undefined when no alert source exists: alert figures are then missing, never zero. */
  alerts: AlertCount[] | undefined;
  period: Period;
  asOf: number;
  settings: MetricSettings;
}

const emptySla = (): SlaCounts => ({ met: 0, breached: 0, pending: 0, compliance: null });
const finishSla = (s: SlaCounts) => {
  s.compliance = ratio(s.met, s.met + s.breached);
};

/** Count one SLA kind for one case: met, breached (late or overdue), or pending. */
function judge(s: SlaCounts, created: number, event: number | undefined, asOf: number, targetMin: number) {
  const target = targetMin * MIN;
  if (event !== undefined && event < asOf) {
    if (event - created <= target) s.met++;
    else s.breached++;
  } else if (asOf - created > target) s.breached++;
  else s.pending++;
}

function fpRate(closed: CaseFacts[]) {
  let tp = 0,
    bp = 0,
    fp = 0;
  for (const c of closed) {
    if (c.disp === 'true_positive') tp++;
    else if (c.disp === 'benign_positive') bp++;
    else if (c.disp === 'false_positive') fp++;
  }
  return { tp, bp, fp, falsePositiveRate: ratio(fp, tp + bp + fp), precision: ratio(tp, tp + bp + fp) };
}

const minutes = (a: number, b: number) => (b - a) / MIN;

/** Every case-timing, SLA, quality and flow KPI of METRICS.md for one period, judged at `asOf`. */
export function buildKpiSummary(input: KpiInput): KpiSummary {
  const { period, asOf, settings } = input;
  const targets = slaTargetsFor(settings);
  const created: CaseFacts[] = [];
  const closed: CaseFacts[] = [];
  const open: CaseFacts[] = [];
  for (const c of input.cases) {
    if (c.created >= period.start && c.created < period.end && c.created < asOf) created.push(c);
    if (c.closed !== undefined && c.closed >= period.start && c.closed < period.end && c.closed < asOf) closed.push(c);
    if (c.created < asOf && (c.closed === undefined || c.closed >= asOf)) open.push(c);
  }

  const timing = (createdCohort: CaseFacts[], closedCohort: CaseFacts[]) => {
    const ttd: number[] = [];
    const tta: number[] = [];
    const ttc: number[] = [];
    for (const c of createdCohort) {
      if (c.firstEvent !== undefined) ttd.push(minutes(c.firstEvent, c.detected ?? c.created));
      if (c.ack !== undefined && c.ack < asOf) tta.push(minutes(c.created, c.ack));
      if (c.contained !== undefined && c.contained < asOf) ttc.push(minutes(c.created, c.contained));
    }
    return {
      ttd: durationStats(ttd),
      tta: durationStats(tta),
      ttc: durationStats(ttc),
      ttr: durationStats(closedCohort.map((c) => minutes(c.created, c.closed!))),
    };
  };

  const bySeverity = {} as Record<Severity, SeverityKpi>;
  const overallAck = emptySla();
  const overallRes = emptySla();
  for (const sev of SEVERITIES) {
    const cr = created.filter((c) => c.sev === sev);
    const cl = closed.filter((c) => c.sev === sev);
    const sla: SeverityKpi['sla'] = {};
    const t = targets[sev]!;
    if (t.acknowledge !== undefined) {
      const s = emptySla();
      for (const c of cr) judge(s, c.created, c.ack, asOf, t.acknowledge);
      finishSla(s);
      sla.acknowledge = s;
      overallAck.met += s.met;
      overallAck.breached += s.breached;
      overallAck.pending += s.pending;
    }
    if (t.resolve !== undefined) {
      const s = emptySla();
      for (const c of cr) judge(s, c.created, c.closed, asOf, t.resolve);
      finishSla(s);
      sla.resolve = s;
      overallRes.met += s.met;
      overallRes.breached += s.breached;
      overallRes.pending += s.pending;
    }
    bySeverity[sev] = { ...timing(cr, cl), sla };
  }
  finishSla(overallAck);
  finishSla(overallRes);

  let openBreached = 0;
  let atRisk = 0;
  const ages: number[] = [];
  const buckets = { lt1d: 0, d1to7: 0, d7to30: 0, gt30d: 0 };
  for (const c of open) {
    const age = asOf - c.created;
    ages.push(age / MIN);
    if (age < DAY) buckets.lt1d++;
    else if (age < 7 * DAY) buckets.d1to7++;
    else if (age < 30 * DAY) buckets.d7to30++;
    else buckets.gt30d++;
    const resolve = targets[c.sev]?.resolve;
    if (resolve === undefined) continue;
    if (age > resolve * MIN) openBreached++;
    else if (age >= 0.75 * resolve * MIN) atRisk++;
  }

  const dispositions: Record<string, number> = Object.fromEntries(DISPOSITIONS.map((d) => [d, 0]));
  let withoutDisposition = 0;
  for (const c of closed) {
    if (c.disp) dispositions[c.disp]!++;
    else withoutDisposition++;
  }
  if (withoutDisposition) dispositions.none = withoutDisposition;
  const quality = fpRate(closed);
  const escalated = closed.filter((c) => c.esc !== undefined);

  // Alerts: created-in-period cohort, per local day, severity and rule.
  const days = localDaysOf(period);
  const alertsPerDay = new Map<string, number>(days.map((d) => [d, 0]));
  const casesPerDay = new Map<string, number>(days.map((d) => [d, 0]));
  for (const c of created) {
    const d = localDay(c.created, period.tz);
    casesPerDay.set(d, (casesPerDay.get(d) ?? 0) + 1);
  }
  let alertsCreated = 0;
  const alertsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const alertsByRule = new Map<string, number>();
  if (input.alerts) {
    // Alert buckets are sorted or not; one pass either way. localDay is cached per 15-minute slot.
    for (const a of input.alerts) {
      if (a.at < period.start || a.at >= period.end || a.at >= asOf) continue;
      alertsCreated += a.count;
      alertsBySeverity[a.sev] += a.count;
      alertsByRule.set(a.rule, (alertsByRule.get(a.rule) ?? 0) + a.count);
      const d = localDay(a.at, period.tz);
      alertsPerDay.set(d, (alertsPerDay.get(d) ?? 0) + a.count);
    }
  }

  const closedByRule = new Map<string, CaseFacts[]>();
  for (const c of closed) if (c.rule) pushTo(closedByRule, c.rule, c);
  const ruleNames = new Set([...alertsByRule.keys(), ...closedByRule.keys()]);
  const rules = [...ruleNames]
    .map((rule) => ({
      rule,
      alerts: alertsByRule.get(rule) ?? 0,
      closedCases: closedByRule.get(rule)?.length ?? 0,
      falsePositiveRate: fpRate(closedByRule.get(rule) ?? []).falsePositiveRate,
    }))
    .sort((a, b) => b.alerts - a.alerts || b.closedCases - a.closedCases || a.rule.localeCompare(b.rule))
    .slice(0, 10);

  const closedByRunbook = new Map<string, CaseFacts[]>();
  for (const c of closed) if (c.runbook) pushTo(closedByRunbook, c.runbook, c);
  const runbooks = [...closedByRunbook]
    .map(([runbook, cs]) => {
      const s = emptySla();
      for (const c of cs) {
        const resolve = targets[c.sev]?.resolve;
        if (resolve !== undefined) judge(s, c.created, c.closed, asOf, resolve);
      }
      finishSla(s);
      return {
        runbook,
        closed: cs.length,
        ttr: durationStats(cs.map((c) => minutes(c.created, c.closed!))),
        falsePositiveRate: fpRate(cs).falsePositiveRate,
        resolveCompliance: s.compliance,
      };
    })
    .sort((a, b) => b.closed - a.closed || a.runbook.localeCompare(b.runbook));

  return {
    cases: { created: created.length, closed: closed.length, openAtAsOf: open.length },
    alerts: input.alerts ? { created: alertsCreated } : { missing: true, reason: 'no alert source' },
    ...timing(created, closed),
    ttrCohort: kaplanMeierMedian(
      created.map((c) =>
        c.closed !== undefined && c.closed < asOf
          ? { t: minutes(c.created, c.closed), event: true }
          : { t: minutes(c.created, asOf), event: false },
      ),
    ),
    bySeverity,
    sla: { acknowledge: overallAck, resolve: overallRes, openBreached, atRisk },
    dispositions,
    falsePositiveRate: quality.falsePositiveRate,
    precision: quality.precision,
    escalationRate: ratio(escalated.length, closed.length),
    escalationRateByTier: {
      '2': ratio(escalated.filter((c) => c.esc === 2).length, closed.length),
      '3': ratio(escalated.filter((c) => c.esc === 3).length, closed.length),
    },
    alertToCaseRatio: input.alerts ? ratio(created.length, alertsCreated) : null,
    backlog: { open: open.length, age: durationStats(ages), buckets },
    rules,
    runbooks,
    volume: {
      days: days.map((day) => ({
        day,
        alerts: input.alerts ? (alertsPerDay.get(day) ?? 0) : null,
        cases: casesPerDay.get(day) ?? 0,
      })),
      alertsBySeverity: input.alerts ? alertsBySeverity : null,
    },
  };
}

/** Headline figures compared with the previous period, each judged by whether lower or higher is better. */
const HEADLINES: [string, (k: KpiSummary) => number | null, 'lower' | 'higher' | null][] = [
  // Volumes have no better direction: more alerts may mean better detection or a noisier estate.
  ['cases.created', (k) => k.cases.created, null],
  ['alerts.created', (k) => ('created' in k.alerts ? k.alerts.created : null), null],
  ['ttd.p50', (k) => k.ttd.p50, 'lower'],
  ['tta.p50', (k) => k.tta.p50, 'lower'],
  ['tta.p90', (k) => k.tta.p90, 'lower'],
  ['ttc.p50', (k) => k.ttc.p50, 'lower'],
  ['ttr.p50', (k) => k.ttr.p50, 'lower'],
  ['ttr.p90', (k) => k.ttr.p90, 'lower'],
  ['ttrCohort.median', (k) => k.ttrCohort.median, 'lower'],
  ['sla.acknowledge.compliance', (k) => k.sla.acknowledge.compliance, 'higher'],
  ['sla.resolve.compliance', (k) => k.sla.resolve.compliance, 'higher'],
  ['sla.openBreached', (k) => k.sla.openBreached, 'lower'],
  ['falsePositiveRate', (k) => k.falsePositiveRate, 'lower'],
  ['escalationRate', (k) => k.escalationRate, null],
  ['backlog.open', (k) => k.backlog.open, 'lower'],
  ['alertToCaseRatio', (k) => k.alertToCaseRatio, null],
];

/** The trend block: every headline figure now and in the previous period, the change, and better/worse. */
export function buildTrend(
  current: KpiSummary,
  previous: KpiSummary,
  previousPeriod: { label: string; start: string; end: string },
): NonNullable<KpiSummary['trend']> {
  const metrics: Record<string, TrendMetric> = {};
  for (const [name, get, better] of HEADLINES) {
    const c = get(current);
    const p = get(previous);
    const change = c === null || p === null ? null : c - p;
    const changePct = change === null || p === 0 || p === null ? null : (100 * change) / Math.abs(p);
    let direction: TrendMetric['direction'] = null;
    if (change !== null && better)
      direction = change === 0 ? 'same' : change < 0 === (better === 'lower') ? 'better' : 'worse';
    metrics[name] = { current: c, previous: p, change, changePct, better, direction };
  }
  return { previous: previousPeriod, metrics };
}
