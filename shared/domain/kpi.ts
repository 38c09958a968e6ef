import type { ChangeBasis, ChangeFacts, Change } from './changes.js';
import type { CoverageNote } from './coverage.js';
import {
  alertsAsDay,
  casesAsDay,
  type AlertColumns,
  type AlertCount,
  type CaseColumns,
  type CaseDay,
  type CaseFacts,
} from './facts.js';
import { BacklogAccumulator } from './kpi-backlog.js';
import { QualityAccumulator } from './kpi-quality.js';
import { SignificantAccumulator, type SignificantIncident } from './kpi-significant.js';
import { emptySla, SlaAccumulator, type SlaCounts } from './kpi-sla.js';
import { TimingAccumulator } from './kpi-timing.js';
import { VolumeAccumulator } from './kpi-volume.js';
import { exposureOf, pointInTimeOf, type Period } from './periods.js';
import { SEVERITIES, type Severity } from './records.js';
import { slaTargetsFor, type MetricSettings } from './settings.js';
import { ratio, type DurationStats } from './stats.js';

export { MAX_SIGNIFICANT, type SignificantIncident } from './kpi-significant.js';
export type { SlaCounts } from './kpi-sla.js';

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
    /** `null` where the figure is unknown: no alert source, or a day a source did not collect (coverage). */
    days: { day: string; alerts: number | null; cases: number | null }[];
    alertsBySeverity: Record<Severity, number> | null;
  };
  /**
   * The headline figures against the previous period; when that period is not fully covered by collections, no
   * metrics but `missing: true` and the reason ("previous week incomplete: no data for …").
   */
  trend?: {
    /** The previous period, and the instant it is judged at: the same age as the current one (like for like). */
    previous: { label: string; start: string; end: string; asOf?: string; casesFrom?: string };
    metrics?: Record<string, TrendMetric>;
    missing?: true;
    reason?: string;
  };
  /** Which parts of the period the case and alert sources did not collect (present when coverage is known). */
  dataCoverage?: CoverageNote;
  /**
   * Figures a case source cannot give, by METRICS.md key (`tta`, `sla.acknowledge`), with what a reader is told
   * instead, e.g. "not available from SecOps SOAR". Absent when every source gives every figure.
   */
  unavailable?: Record<string, string>;
  /** Cases created in the period per severity. */
  createdBySeverity: Record<Severity, number>;
  /**
   * Significant incidents (settings `significantIncidents`) created or closed in the period, oldest first, with
   * their timeline; `title` only where the snapshot stored it.
   */
  significant: SignificantIncident[];
  /**
   * How many significant incidents the period had; `significant` lists at most MAX_SIGNIFICANT of them (the most
   * severe first, then the oldest), so a SOC with thousands of criticals gets a bounded email and API answer.
   */
  significantTotal: number;
  /**
   * What changed against the comparable previous periods, tested and decomposed (changes.ts); set with the trend.
   * A sentence, colour or arrow exists only for an entry whose verdict is "changed".
   */
  changes?: Change[];
  /** How the changes were judged: against how much history, with what false-alarm budget, and any caveat. */
  changesBasis?: ChangeBasis;
}

export interface KpiInput {
  cases: Iterable<CaseFacts>;
  /** Undefined when no alert source exists: alert figures are then missing, never zero. */
  alerts: Iterable<AlertCount> | undefined;
  period: Period;
  asOf: number;
  settings: MetricSettings;
}

const MIN = 60_000;

/** What a period's KPIs give: its summary and the per-group facts the change tests compare (changes.ts). */
export interface KpiFigures {
  summary: KpiSummary;
  changeFacts: ChangeFacts;
}

/**
 * Every case-timing, SLA, quality and flow KPI of METRICS.md for one period judged at `asOf`, computed in one pass:
 * cases and alerts arrive a day at a time (in any order) and only the figures are kept — durations as 8-byte numbers,
 * counts as counts — so memory follows the period's cohorts, not the size of the history fed through. Each KPI
 * family is its own part (kpi-timing, kpi-sla, kpi-backlog, kpi-quality, kpi-volume, kpi-significant); this class
 * sorts each case into its cohorts and hands it to the parts that count it.
 */
export class KpiAccumulator {
  private readonly timing: TimingAccumulator;
  private readonly sla: SlaAccumulator;
  private readonly backlog: BacklogAccumulator;
  private readonly quality: QualityAccumulator;
  private readonly volume: VolumeAccumulator;
  private readonly significant: SignificantAccumulator;
  /** Each severity's resolve target in minutes, by index into SEVERITIES. */
  private readonly resolveAt: (number | undefined)[];
  /** `pointInTime = min(end, asOf)` (METRICS.md): where states (open, backlog, open past target) are judged. */
  private readonly pointInTime: number;
  /** False for a previous period read only for the trend and the change tests (see the constructor). */
  private readonly whole: boolean;

  /**
   * `scope: 'trend'` keeps only what `buildTrend` and `changeFacts` read — a report's previous period does not need
   * its significant incidents, runbooks, daily volumes or backlog ages, and a monthly report skips them for 300k cases.
   * Such a result leaves those figures empty: use it for the trend, never as a period's summary.
   */
  constructor(
    private readonly period: Period,
    private readonly asOf: number,
    settings: MetricSettings,
    scope: 'summary' | 'trend' = 'summary',
  ) {
    this.whole = scope === 'summary';
    this.pointInTime = pointInTimeOf(period, asOf);
    const targets = slaTargetsFor(settings);
    const targetAt = SEVERITIES.map((s) => targets[s]!);
    this.resolveAt = targetAt.map((t) => t.resolve);
    this.timing = new TimingAccumulator(asOf);
    this.sla = new SlaAccumulator(targetAt, asOf);
    this.backlog = new BacklogAccumulator(this.pointInTime, this.resolveAt, this.whole);
    this.quality = new QualityAccumulator(asOf, this.whole);
    this.volume = new VolumeAccumulator(period, asOf, this.whole);
    this.significant = new SignificantAccumulator(settings, asOf);
  }

  /**
   * Take a day of cases (in any order of days), each into whichever cohorts it belongs to (created, closed, open at
   * pointInTime); others are ignored. Durations of the period's cases use everything known at asOf, but the backlog
   * is the one that stood at pointInTime: a report on last month shows last month's backlog however late it is sent.
   * A significant incident's id and title are read from `day` only when it is listed. `cols` are `day`'s columns,
   * given when the caller already has them.
   */
  addCases(day: CaseDay, cols: CaseColumns = day.columns()): void {
    const { period, asOf, pointInTime, whole, timing, sla, backlog, quality, volume, significant } = this;
    const { start, end } = period;
    const { sev, created, ack, closed, esc } = cols;
    quality.startDay(cols);
    for (let i = 0; i < cols.length; i++) {
      const c = created[i]!;
      const x = closed[i]!; // NaN when open: every comparison with it is false
      const isCreated = c >= start && c < end && c < asOf;
      const isClosed = x >= start && x < end && x < asOf;
      const isOpen = c < pointInTime && !(x < pointInTime);
      if (!isCreated && !isClosed && !isOpen) continue;
      const k = sev[i]!;
      if (whole && (isCreated || isClosed) && significant.isSignificant(k, esc[i]!)) significant.add(cols, day, i);
      if (isCreated) {
        volume.addCase(k, c);
        timing.created(cols, i, k, c, x);
        sla.created(k, c, ack[i]!, x);
      }
      if (isClosed) {
        const ttr = (x - c) / MIN;
        timing.closed(k, ttr);
        quality.add(cols, i, ttr, c, x, this.resolveAt[k]);
      }
      if (isOpen) backlog.add(k, c);
    }
  }

  /**
   * Take a day of alert counts (each an alert, or the alerts of one rule and severity counted in one bucket instant).
   * A rule first counted here joins the per-rule counts in the order the day gives it, as counting one by one would.
   */
  addAlertCounts(cols: AlertColumns): void {
    this.volume.addAlertCounts(cols);
  }

  /**
   * The summary of everything taken so far and the change tests' facts, each duration list sorted once;
   * `hasAlerts` false when no alert source exists (alert figures missing). Reads the parts, changes none of them.
   */
  figures(hasAlerts: boolean): KpiFigures {
    const timing = this.timing.result();
    const sla = this.sla.result();
    const backlog = this.backlog.result();
    const volume = this.volume.result(hasAlerts);
    const quality = this.quality.result(this.volume.alertsByRule);
    const bySeverity = Object.fromEntries(
      SEVERITIES.map((s) => [s, { ...timing.bySeverity[s], sla: sla.bySeverity[s] }]),
    ) as Record<Severity, SeverityKpi>;
    const summary: KpiSummary = {
      cases: { created: volume.created, closed: quality.closed, openAtAsOf: backlog.backlog.open },
      alerts:
        volume.alertsCreated === null
          ? { missing: true, reason: 'no alert source' }
          : { created: volume.alertsCreated },
      ttd: timing.ttd,
      tta: timing.tta,
      ttc: timing.ttc,
      ttr: timing.ttr,
      ttrCohort: timing.ttrCohort,
      bySeverity,
      sla: {
        acknowledge: sla.acknowledge,
        resolve: sla.resolve,
        openBreached: backlog.openBreached,
        atRisk: backlog.atRisk,
      },
      dispositions: quality.dispositions,
      falsePositiveRate: quality.falsePositiveRate,
      precision: quality.precision,
      escalationRate: quality.escalationRate,
      escalationRateByTier: quality.escalationRateByTier,
      alertToCaseRatio: volume.alertsCreated === null ? null : ratio(volume.created, volume.alertsCreated),
      backlog: backlog.backlog,
      rules: quality.rules,
      runbooks: quality.runbooks,
      volume: { days: volume.days, alertsBySeverity: volume.alertsBySeverity },
      createdBySeverity: volume.createdBySeverity,
      ...this.significant.result(),
    };
    return { summary, changeFacts: this.changeFactsWith(hasAlerts, timing.durations) };
  }

  /** The figures of everything taken so far; `hasAlerts` false when no alert source exists (alert figures missing). */
  result(hasAlerts: boolean): KpiSummary {
    return this.figures(hasAlerts).summary;
  }

  /** The per-group figures the change tests need (changes.ts), in any order with `result`. */
  changeFacts(hasAlerts: boolean): ChangeFacts {
    return this.changeFactsWith(hasAlerts, this.timing.durations());
  }

  private changeFactsWith(hasAlerts: boolean, durations: ChangeFacts['durations']): ChangeFacts {
    return {
      exposureMs: exposureOf(this.period, this.asOf),
      casesBySeverity: this.volume.createdBySeverity(),
      alertsByRule: hasAlerts ? Object.fromEntries(this.volume.alertsByRule) : null,
      sla: this.sla.changeFacts(),
      falsePositives: this.quality.falsePositives(),
      durations,
    };
  }
}

/** Every case-timing, SLA, quality and flow KPI of METRICS.md for one period, judged at `asOf`. */
export function buildKpiSummary(input: KpiInput): KpiSummary {
  const acc = new KpiAccumulator(input.period, input.asOf, input.settings);
  acc.addCases(casesAsDay([...input.cases]));
  if (input.alerts) acc.addAlertCounts(alertsAsDay([...input.alerts]).columns());
  return acc.result(input.alerts !== undefined);
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
  previousPeriod: NonNullable<KpiSummary['trend']>['previous'],
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

/** What the sources cannot give (each source's declared `unavailable`), merged; undefined when they give everything. */
export function unavailableOf(
  sources: readonly { unavailable?: Readonly<Record<string, string>> }[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const s of sources)
    for (const [key, why] of Object.entries(s.unavailable ?? {}))
      out[key] = out[key] && out[key] !== why ? `${out[key]}; ${why}` : why;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The KPIs with what the sources cannot give said, not shown: `unavailable` is set, and when no case of the period
 * carries an acknowledgement time at all (`tta.n` is 0, so every acknowledge SLA judgement would only count missing
 * times as breaches) the acknowledge SLA counts are not judged (compliance null) and their trend is dropped.
 */
export function markUnavailable(kpi: KpiSummary, unavailable: Record<string, string> | undefined): KpiSummary {
  if (!unavailable) return kpi;
  const out: KpiSummary = { ...kpi, unavailable };
  if (unavailable['sla.acknowledge'] !== undefined && kpi.tta.n === 0) {
    const none = emptySla;
    out.sla = { ...kpi.sla, acknowledge: none() };
    out.bySeverity = Object.fromEntries(
      SEVERITIES.map((s) => {
        const b = kpi.bySeverity[s];
        return [s, b.sla.acknowledge ? { ...b, sla: { ...b.sla, acknowledge: none() } } : b];
      }),
    ) as Record<Severity, SeverityKpi>;
  }
  if (kpi.trend?.metrics) {
    const metrics = Object.fromEntries(
      Object.entries(kpi.trend.metrics).filter(
        ([key]) => !Object.keys(unavailable).some((u) => key.startsWith(`${u}.`)),
      ),
    );
    out.trend = { ...kpi.trend, metrics };
  }
  return out;
}
