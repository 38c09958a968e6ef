import type { CoverageNote } from './coverage.js';
import {
  alertsAsDay,
  casesAsDay,
  NO_CODE,
  type AlertColumns,
  type AlertCount,
  type CaseColumns,
  type CaseDay,
  type CaseFacts,
} from './facts.js';
import { exposureOf, localDayNumber, localDaysOf, pointInTimeOf, type Period } from './periods.js';
import { DISPOSITION_INDEX, DISPOSITIONS, SEVERITIES, type Severity } from './records.js';
import { significantRule, slaTargetsFor, type MetricSettings } from './settings.js';
import type { ChangeBasis, ChangeFacts, Change } from './changes.js';
import {
  kaplanMeierMedianOf,
  mergeSorted,
  NumberList,
  ratio,
  sortedDurationStats,
  type DurationStats,
} from './stats.js';

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

/** The most significant incidents a summary lists; `significantTotal` counts them all. */
export const MAX_SIGNIFICANT = 100;

/**
 * At most this many stored days are held for incidents whose id and title are not read yet; past it, the list is
 * cut back, and if its incidents still wait on more days, they read their text (see SignificantIncidents).
 */
const MAX_PENDING_DAYS = 32;

/** A kept incident; `from` and `at` say where its id and title are still to be read (a stored day, a position). */
interface Kept {
  x: SignificantIncident;
  from?: CaseDay;
  at: number;
}

/** The incident with its id and title read from its stored day, keys in the order they always have. */
function withText(k: Kept): SignificantIncident {
  if (!k.from) return k.x;
  const text = k.from.textAt(k.at);
  const { id: _, severity, created, ...timeline } = k.x;
  k.x = { id: text.id, severity, created };
  if (text.title !== undefined) k.x.title = text.title;
  Object.assign(k.x, timeline);
  k.from = undefined;
  return k.x;
}

const byCreated = (a: Kept, b: Kept) => a.x.created - b.x.created || compareIds(a, b);
/** Ids decide only between incidents created in the same millisecond: only then is a stored day's text read. */
const compareIds = (a: Kept, b: Kept) => {
  const x = withText(a).id;
  const y = withText(b).id;
  return x < y ? -1 : x > y ? 1 : 0;
};
const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;
const bySignificance = (a: Kept, b: Kept) =>
  SEVERITY_RANK[a.x.severity] - SEVERITY_RANK[b.x.severity] || byCreated(a, b);

/**
 * The MAX_SIGNIFICANT most significant incidents seen (the most severe first, then the oldest), kept as they
 * arrive: past four times the bound the list is cut back to the bound, so a month with tens of thousands of
 * criticals never holds or sorts them all. The cut is safe: an incident dropped had MAX_SIGNIFICANT better ones.
 * Stable sorts keep equal incidents in arrival order, as sorting the whole list once would.
 *
 * An incident from a stored day reads its id and title only when it is listed (or ties another to the
 * millisecond): a day's text is all its cases' ids, and a monthly report would otherwise parse some sixty of them
 * (about 0.1 s) for the hundred it lists. Days are held for this at most MAX_PENDING_DAYS at a time: past that the
 * list is cut back to the bound, and if its incidents still come from more days, those days' text is read. So a
 * day's text block is read, and any damage in it found, only when one of its incidents may be listed.
 */
class SignificantIncidents {
  private list: Kept[] = [];
  private pendingDays = new Set<CaseDay>();
  total = 0;
  push(x: SignificantIncident, from?: CaseDay, at = 0): void {
    this.total++;
    this.list.push({ x, from, at });
    if (from) this.pendingDays.add(from);
    if (this.list.length >= 4 * MAX_SIGNIFICANT || this.pendingDays.size > MAX_PENDING_DAYS) this.cut();
  }
  /** Keep the MAX_SIGNIFICANT best; if their incidents still wait on too many days, read those days' text now. */
  private cut(): void {
    if (this.list.length > MAX_SIGNIFICANT) this.list = this.list.sort(bySignificance).slice(0, MAX_SIGNIFICANT);
    this.pendingDays = new Set(this.list.flatMap((k) => (k.from ? [k.from] : [])));
    if (this.pendingDays.size <= MAX_PENDING_DAYS) return;
    for (const k of this.list) withText(k);
    this.pendingDays.clear();
  }
  /** The kept incidents, listed oldest first. */
  listed(): SignificantIncident[] {
    const kept =
      this.list.length <= MAX_SIGNIFICANT ? this.list : [...this.list].sort(bySignificance).slice(0, MAX_SIGNIFICANT);
    for (const k of kept) withText(k);
    return [...kept].sort(byCreated).map((k) => k.x);
  }
}

/** One significant incident and its timeline (ISO instants in the SOC's zone are made by the renderer). */
export interface SignificantIncident {
  id: string;
  title?: string;
  severity: Severity;
  escalatedToTier?: number;
  created: number;
  acknowledged?: number;
  contained?: number;
  closed?: number;
  disposition?: string;
}

export interface KpiInput {
  cases: Iterable<CaseFacts>;
  /** Undefined when no alert source exists: alert figures are then missing, never zero. */
  alerts: Iterable<AlertCount> | undefined;
  period: Period;
  asOf: number;
  settings: MetricSettings;
}

const emptySla = (): SlaCounts => ({ met: 0, breached: 0, pending: 0, compliance: null });
const finishSla = (s: SlaCounts) => {
  s.compliance = ratio(s.met, s.met + s.breached);
};
const addSla = (into: SlaCounts, s: SlaCounts) => {
  into.met += s.met;
  into.breached += s.breached;
  into.pending += s.pending;
};

/** Count one SLA kind for one case: met, breached (late or overdue), or pending. */
function judge(s: SlaCounts, created: number, event: number, asOf: number, targetMin: number) {
  const target = targetMin * MIN;
  if (event < asOf) {
    if (event - created <= target) s.met++;
    else s.breached++;
  } else if (asOf - created > target) s.breached++;
  else s.pending++;
}

const TRUE_POSITIVE = DISPOSITION_INDEX.get('true_positive')!;
const BENIGN_POSITIVE = DISPOSITION_INDEX.get('benign_positive')!;
const FALSE_POSITIVE = DISPOSITION_INDEX.get('false_positive')!;

/** True/benign/false positive counts of closed cases, and the rates built from them. */
class Dispositions {
  tp = 0;
  bp = 0;
  fp = 0;
  /** Count one closed case by its disposition's index into DISPOSITIONS (NO_CODE: none). */
  add(disp: number) {
    if (disp === TRUE_POSITIVE) this.tp++;
    else if (disp === BENIGN_POSITIVE) this.bp++;
    else if (disp === FALSE_POSITIVE) this.fp++;
  }
  get falsePositiveRate() {
    return ratio(this.fp, this.tp + this.bp + this.fp);
  }
  get precision() {
    return ratio(this.tp, this.tp + this.bp + this.fp);
  }
}

type RuleFigures = Dispositions & { closed: number };
type RunbookFigures = { closed: number; ttr: NumberList; quality: Dispositions; resolve: SlaCounts };

/** Per severity: the created and closed cohorts' durations and SLA counts. */
class SeverityState {
  ttd = new NumberList();
  tta = new NumberList();
  ttc = new NumberList();
  ttr = new NumberList();
  ack = emptySla();
  res = emptySla();
}

const minutes = (a: number, b: number) => (b - a) / MIN;

/**
 * Names in locale order, then code-unit order where the locale sees no difference (e.g. two spellings of "é"): a
 * total order, so the lists come out the same whatever order the stored days were read in.
 */
const byName = (a: string, b: string) => a.localeCompare(b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every case-timing, SLA, quality and flow KPI of METRICS.md for one period judged at `asOf`, computed in one pass:
 * cases and alerts arrive a day at a time (in any order) and only the figures are kept — durations as 8-byte numbers,
 * counts as counts — so memory follows the period's cohorts, not the size of the history fed through.
 */
export class KpiAccumulator {
  private readonly targets: ReturnType<typeof slaTargetsFor>;
  private readonly sev: Record<Severity, SeverityState>;
  private created = 0;
  private closed = 0;
  private readonly kmEvents = new NumberList();
  private readonly kmCensored = new NumberList();
  private open = 0;
  private readonly openAges = new NumberList();
  private readonly buckets = { lt1d: 0, d1to7: 0, d7to30: 0, gt30d: 0 };
  private openBreached = 0;
  private atRisk = 0;
  /** Closed cases per disposition, by index into DISPOSITIONS. */
  private readonly dispositionAt: number[] = DISPOSITIONS.map(() => 0);
  private withoutDisposition = 0;
  private readonly quality = new Dispositions();
  private readonly escalated = { all: 0, '2': 0, '3': 0 };
  private readonly casesPerDay = new Map<number, number>();
  private alertsCreated = 0;
  private readonly alertsPerDay = new Map<number, number>();
  /** Alerts created per severity, by index into SEVERITIES. */
  private readonly alertsAt: number[] = SEVERITIES.map(() => 0);
  private readonly alertsByRule = new Map<string, number>();
  private readonly closedByRule = new Map<string, RuleFigures>();
  /** Created cases per severity, by index into SEVERITIES. */
  private readonly createdAt: number[] = SEVERITIES.map(() => 0);
  /** Per severity index, its state and its SLA targets. */
  private readonly sevAt: SeverityState[];
  private readonly targetAt: ReturnType<typeof slaTargetsFor>[Severity][];
  /** 1 where (severity index × 4 + escalated tier, 0 when none) is significant (settings `significantIncidents`). */
  private readonly significantCode: Uint8Array;
  private readonly significant = new SignificantIncidents();
  private sortedDurations?: { tta: Record<string, Float64Array>; ttr: Record<string, Float64Array> };
  private readonly closedByRunbook = new Map<string, RunbookFigures>();

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
    this.targets = slaTargetsFor(settings);
    this.sev = Object.fromEntries(SEVERITIES.map((s) => [s, new SeverityState()])) as Record<Severity, SeverityState>;
    this.sevAt = SEVERITIES.map((s) => this.sev[s]);
    this.targetAt = SEVERITIES.map((s) => this.targets[s]!);
    const isSignificant = significantRule(settings);
    this.significantCode = Uint8Array.from({ length: SEVERITIES.length * 4 }, (_, j) =>
      isSignificant(SEVERITIES[j >> 2]!, j % 4 === 0 ? undefined : j % 4) ? 1 : 0,
    );
  }

  /**
   * Take a day of cases (in any order of days), each into whichever cohorts it belongs to (created, closed, open at
   * pointInTime); others are ignored. Durations of the period's cases use everything known at asOf, but the backlog
   * is the one that stood at pointInTime: a report on last month shows last month's backlog however late it is sent.
   * A significant incident's id and title are read from `day` only when it is listed. `cols` are `day`'s columns,
   * given when the caller already has them.
   */
  addCases(day: CaseDay, cols: CaseColumns = day.columns()): void {
    const { period, asOf, pointInTime, whole } = this;
    const { start, end, tz } = period;
    const { sev, created, firstEvent, detected, ack, contained, closed, disp, esc, rule, rules } = cols;
    // Per stored name, its figures: looked up once per day, on first use, so maps fill in the order cases come.
    const ruleOf = new Array<RuleFigures | null | undefined>(rules.length);
    const runbookOf = new Array<RunbookFigures | null | undefined>(cols.runbooks.length);
    for (let i = 0; i < cols.length; i++) {
      const c = created[i]!;
      const x = closed[i]!; // NaN when open: every comparison with it is false
      const isCreated = c >= start && c < end && c < asOf;
      const isClosed = x >= start && x < end && x < asOf;
      const isOpen = c < pointInTime && !(x < pointInTime);
      if (!isCreated && !isClosed && !isOpen) continue;
      const k = sev[i]!;
      const e = esc[i]!;
      if (whole && (isCreated || isClosed) && this.significantCode[k * 4 + (e === NO_CODE ? 0 : e)] === 1)
        this.addSignificant(cols, day, i);
      const s = this.sevAt[k]!;
      const t = this.targetAt[k]!;
      if (isCreated) {
        this.created++;
        this.createdAt[k]!++;
        const first = firstEvent[i]!;
        if (first === first) {
          const d = detected[i]!;
          s.ttd.push(minutes(first, d === d ? d : c));
        }
        const a = ack[i]!;
        if (a < asOf) s.tta.push(minutes(c, a));
        const contain = contained[i]!;
        if (contain < asOf) s.ttc.push(minutes(c, contain));
        if (t.acknowledge !== undefined) judge(s.ack, c, a, asOf, t.acknowledge);
        if (t.resolve !== undefined) judge(s.res, c, x, asOf, t.resolve);
        if (x < asOf) this.kmEvents.push(minutes(c, x));
        else this.kmCensored.push(minutes(c, asOf));
        if (whole) {
          const dayNumber = localDayNumber(c, tz);
          this.casesPerDay.set(dayNumber, (this.casesPerDay.get(dayNumber) ?? 0) + 1);
        }
      }
      if (isClosed) {
        this.closed++;
        const ttr = minutes(c, x);
        s.ttr.push(ttr);
        const d = disp[i]!;
        if (d !== NO_CODE) this.dispositionAt[d]!++;
        else this.withoutDisposition++;
        this.quality.add(d);
        if (e !== NO_CODE) {
          this.escalated.all++;
          this.escalated[e === 2 ? '2' : '3']++;
        }
        const r = rule[i]!;
        if (r >= 0) {
          let figures = ruleOf[r];
          if (figures === undefined) figures = ruleOf[r] = this.ruleFigures(rules[r]!);
          if (figures) {
            figures.closed++;
            figures.add(d);
          }
        }
        const b = cols.runbook[i]!;
        if (b >= 0 && whole) {
          let figures = runbookOf[b];
          if (figures === undefined) figures = runbookOf[b] = this.runbookFigures(cols.runbooks[b]!);
          if (figures) {
            figures.closed++;
            figures.ttr.push(ttr);
            figures.quality.add(d);
            if (t.resolve !== undefined) judge(figures.resolve, c, x, asOf, t.resolve);
          }
        }
      }
      if (isOpen) {
        this.open++;
        const age = pointInTime - c;
        if (whole) this.openAges.push(age / MIN);
        if (age < DAY) this.buckets.lt1d++;
        else if (age < 7 * DAY) this.buckets.d1to7++;
        else if (age < 30 * DAY) this.buckets.d7to30++;
        else this.buckets.gt30d++;
        if (t.resolve !== undefined) {
          if (age > t.resolve * MIN) this.openBreached++;
          else if (age >= 0.75 * t.resolve * MIN) this.atRisk++;
        }
      }
    }
  }

  /** A significant incident created or closed in the period; a stored day's id and title are read when it is listed. */
  private addSignificant(cols: CaseColumns, day: CaseDay, i: number): void {
    const { asOf } = this;
    // A day in memory gives its text now, so nothing of it is kept; a stored day's is read if the incident is listed.
    const text = day.textInMemory ? day.textAt(i) : undefined;
    const x: SignificantIncident = {
      id: text?.id ?? '',
      severity: SEVERITIES[cols.sev[i]!]!,
      created: cols.created[i]!,
    };
    if (text?.title !== undefined) x.title = text.title;
    const e = cols.esc[i]!;
    if (e !== NO_CODE) x.escalatedToTier = e;
    // Nothing after asOf is visible.
    const ack = cols.ack[i]!;
    if (ack < asOf) x.acknowledged = ack;
    const contained = cols.contained[i]!;
    if (contained < asOf) x.contained = contained;
    const closed = cols.closed[i]!;
    if (closed < asOf) x.closed = closed;
    const d = cols.disp[i]!;
    if (d !== NO_CODE && x.closed !== undefined) x.disposition = DISPOSITIONS[d];
    this.significant.push(x, text ? undefined : day, i);
  }

  /** A rule's closed-case figures; null for an empty name (counted nowhere, as a case without a rule). */
  private ruleFigures(rule: string): RuleFigures | null {
    if (!rule) return null;
    let r = this.closedByRule.get(rule);
    if (!r) this.closedByRule.set(rule, (r = Object.assign(new Dispositions(), { closed: 0 })));
    return r;
  }

  /** A runbook's closed-case figures; null for an empty name. */
  private runbookFigures(runbook: string): RunbookFigures | null {
    if (!runbook) return null;
    let r = this.closedByRunbook.get(runbook);
    if (!r)
      this.closedByRunbook.set(
        runbook,
        (r = { closed: 0, ttr: new NumberList(), quality: new Dispositions(), resolve: emptySla() }),
      );
    return r;
  }

  /**
   * Take a day of alert counts (each an alert, or the alerts of one rule and severity counted in one bucket instant).
   * A rule first counted here joins the per-rule counts in the order the day gives it, as counting one by one would.
   */
  addAlertCounts(cols: AlertColumns): void {
    const { start, end, tz } = this.period;
    const { asOf, whole } = this;
    const { at, sev, count, rule, rules } = cols;
    const byRule = new Float64Array(rules.length);
    const firstSeen: number[] = [];
    let lastAt = NaN;
    let lastDay = 0;
    for (let i = 0; i < cols.length; i++) {
      const t = at[i]!;
      if (t < start || t >= end || t >= asOf) continue;
      const c = count[i]!;
      this.alertsCreated += c;
      this.alertsAt[sev[i]!]! += c;
      const r = rule[i]!;
      if (byRule[r] === 0) firstSeen.push(r);
      byRule[r]! += c;
      if (!whole) continue;
      // Counts come in 15-minute buckets: the day is looked up once per bucket instant.
      if (t !== lastAt) {
        lastAt = t;
        lastDay = localDayNumber(t, tz);
      }
      this.alertsPerDay.set(lastDay, (this.alertsPerDay.get(lastDay) ?? 0) + c);
    }
    for (const r of firstSeen) this.alertsByRule.set(rules[r]!, (this.alertsByRule.get(rules[r]!) ?? 0) + byRule[r]!);
  }

  /** The figures of everything taken so far; `hasAlerts` false when no alert source exists (alert figures missing). */
  result(hasAlerts: boolean): KpiSummary {
    const { period } = this;
    // Each severity's durations sorted once; the overall figures merge them.
    const sorted = {
      ttd: [] as Float64Array[],
      tta: [] as Float64Array[],
      ttc: [] as Float64Array[],
      ttr: [] as Float64Array[],
    };
    const bySeverity = {} as Record<Severity, SeverityKpi>;
    const kept: NonNullable<typeof this.sortedDurations> = { tta: {}, ttr: {} };
    this.sortedDurations = kept;
    const overallAck = emptySla();
    const overallRes = emptySla();
    for (const sev of SEVERITIES) {
      const s = this.sev[sev];
      const t = this.targets[sev]!;
      const sla: SeverityKpi['sla'] = {};
      if (t.acknowledge !== undefined) {
        finishSla(s.ack);
        sla.acknowledge = s.ack;
        addSla(overallAck, s.ack);
      }
      if (t.resolve !== undefined) {
        finishSla(s.res);
        sla.resolve = s.res;
        addSla(overallRes, s.res);
      }
      const timing = {} as Pick<SeverityKpi, 'ttd' | 'tta' | 'ttc' | 'ttr'>;
      for (const m of ['ttd', 'tta', 'ttc', 'ttr'] as const) {
        const values = s[m].sorted();
        sorted[m].push(values);
        timing[m] = sortedDurationStats(values);
      }
      kept.tta[sev] = sorted.tta.at(-1)!;
      kept.ttr[sev] = sorted.ttr.at(-1)!;
      bySeverity[sev] = { ...timing, sla };
    }
    finishSla(overallAck);
    finishSla(overallRes);

    const dispositions: Record<string, number> = Object.fromEntries(
      DISPOSITIONS.map((d, k) => [d, this.dispositionAt[k]!]),
    );
    if (this.withoutDisposition) dispositions.none = this.withoutDisposition;

    const ruleNames = new Set([...this.alertsByRule.keys(), ...this.closedByRule.keys()]);
    const rules = [...ruleNames]
      .map((rule) => ({
        rule,
        alerts: this.alertsByRule.get(rule) ?? 0,
        closedCases: this.closedByRule.get(rule)?.closed ?? 0,
        falsePositiveRate: this.closedByRule.get(rule)?.falsePositiveRate ?? null,
      }))
      .sort((a, b) => b.alerts - a.alerts || b.closedCases - a.closedCases || byName(a.rule, b.rule))
      .slice(0, 10);
    const runbooks = [...this.closedByRunbook]
      .map(([runbook, r]) => {
        finishSla(r.resolve);
        return {
          runbook,
          closed: r.closed,
          ttr: r.ttr.stats(),
          falsePositiveRate: r.quality.falsePositiveRate,
          resolveCompliance: r.resolve.compliance,
        };
      })
      .sort((a, b) => b.closed - a.closed || byName(a.runbook, b.runbook));

    const days = localDaysOf(period);
    const dayNumbers = days.map((d) => Date.parse(`${d}T00:00:00Z`) / DAY);
    return {
      cases: { created: this.created, closed: this.closed, openAtAsOf: this.open },
      alerts: hasAlerts ? { created: this.alertsCreated } : { missing: true, reason: 'no alert source' },
      ttd: sortedDurationStats(mergeSorted(sorted.ttd)),
      tta: sortedDurationStats(mergeSorted(sorted.tta)),
      ttc: sortedDurationStats(mergeSorted(sorted.ttc)),
      ttr: sortedDurationStats(mergeSorted(sorted.ttr)),
      ttrCohort: kaplanMeierMedianOf(this.kmEvents.values(), this.kmCensored.values()),
      bySeverity,
      sla: { acknowledge: overallAck, resolve: overallRes, openBreached: this.openBreached, atRisk: this.atRisk },
      dispositions,
      falsePositiveRate: this.quality.falsePositiveRate,
      precision: this.quality.precision,
      escalationRate: ratio(this.escalated.all, this.closed),
      escalationRateByTier: {
        '2': ratio(this.escalated['2'], this.closed),
        '3': ratio(this.escalated['3'], this.closed),
      },
      alertToCaseRatio: hasAlerts ? ratio(this.created, this.alertsCreated) : null,
      backlog: { open: this.open, age: this.openAges.stats(), buckets: { ...this.buckets } },
      rules,
      runbooks,
      volume: {
        days: days.map((day, i) => ({
          day,
          alerts: hasAlerts ? (this.alertsPerDay.get(dayNumbers[i]!) ?? 0) : null,
          cases: this.casesPerDay.get(dayNumbers[i]!) ?? 0,
        })),
        alertsBySeverity: hasAlerts
          ? (Object.fromEntries(SEVERITIES.map((s, k) => [s, this.alertsAt[k]!])) as Record<Severity, number>)
          : null,
      },
      createdBySeverity: this.createdBySeverity(),
      significant: this.significant.listed(),
      significantTotal: this.significant.total,
    };
  }

  private createdBySeverity(): Record<Severity, number> {
    return Object.fromEntries(SEVERITIES.map((s, k) => [s, this.createdAt[k]!])) as Record<Severity, number>;
  }

  /** The per-group figures the change tests need (changes.ts); call after `result`. */
  changeFacts(hasAlerts: boolean): ChangeFacts {
    const durations = this.sortedDurations ?? { tta: {}, ttr: {} };
    const sla = { acknowledge: {} as ChangeFacts['falsePositives'], resolve: {} as ChangeFacts['falsePositives'] };
    for (const sev of SEVERITIES) {
      const s = this.sev[sev];
      if (this.targets[sev]!.acknowledge !== undefined)
        sla.acknowledge[sev] = { hit: s.ack.met, n: s.ack.met + s.ack.breached };
      if (this.targets[sev]!.resolve !== undefined)
        sla.resolve[sev] = { hit: s.res.met, n: s.res.met + s.res.breached };
    }
    const falsePositives: ChangeFacts['falsePositives'] = {};
    let fp = 0;
    let n = 0;
    for (const [rule, r] of this.closedByRule) {
      falsePositives[rule] = { hit: r.fp, n: r.tp + r.bp + r.fp };
      fp += r.fp;
      n += r.tp + r.bp + r.fp;
    }
    const rest = { hit: this.quality.fp - fp, n: this.quality.tp + this.quality.bp + this.quality.fp - n };
    if (rest.n > 0) falsePositives['(no rule)'] = rest;
    return {
      exposureMs: exposureOf(this.period, this.asOf),
      casesBySeverity: this.createdBySeverity(),
      alertsByRule: hasAlerts ? Object.fromEntries(this.alertsByRule) : null,
      sla,
      falsePositives,
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
    const none = (): SlaCounts => ({ met: 0, breached: 0, pending: 0, compliance: null });
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
