import {
  alertsAsDay,
  casesAsDay,
  Chunks,
  type AlertCount,
  type AlertDay,
  type CaseDay,
  type CaseFacts,
  type CaseMetrics,
  type ShiftFacts,
} from './facts.js';
import { buildBudgetSummary, reportMonth, type BudgetSummary } from './budget.js';
import { buildTrend, KpiAccumulator, type KpiSummary } from './kpi.js';
import { HISTORY_PERIODS, whatChanged, type ChangeFacts, type HistoryFacts } from './changes.js';
import {
  comparablePeriods,
  formatInstant,
  localDay,
  parsePeriod,
  PERIOD_YEARS,
  pointInTimeOf,
  type JudgedPeriod,
  type Period,
} from './periods.js';
import { DISPOSITION_INDEX, type BudgetLine, type Cost } from './records.js';
import type { MetricSettings } from './settings.js';
import { StaffingAccumulator, type StaffingSummary } from './staffing.js';
import {
  dayIsMissing,
  judgedPeriodCovered,
  previousIncomplete,
  summaryCoverage,
  type SourceCoverage,
  type WindowCoverage,
} from './coverage.js';

export type Missing = { missing: true; reason: string };

/** From here on (UTC) no local day can be a period label (years 1970–2199 only). */
const LAST_PERIOD_DAY = Date.UTC(PERIOD_YEARS.max, 11, 31);

const TRUE_POSITIVE = DISPOSITION_INDEX.get('true_positive')!;

/** The engine's input; an absent family is missing (reported as such), never an empty list. */
export interface SummaryInput {
  cases?: CaseFacts[];
  alerts?: AlertCount[];
  shifts?: ShiftFacts[];
  costs?: Cost[];
  budget?: BudgetLine[];
}

/** The whole `summarize --json` output (METRICS.md "The summarize command"). */
export interface Summary {
  /** `pointInTime` = min(end, asOf): the instant the backlog and other states are judged at. */
  period: { label: string; start: string; end: string; tz: string; asOf: string; pointInTime: string };
  kpi: KpiSummary | Missing;
  staffing: StaffingSummary | Missing;
  budget: BudgetSummary | Missing;
}

/** True when a section is missing rather than computed. */
export function isMissing<T extends object>(section: T | Missing): section is Missing {
  return 'missing' in section && section.missing === true;
}

/** The sections of a summary. */
export const SUMMARY_SECTIONS = ['kpi', 'staffing', 'budget'] as const;
export type SummarySection = (typeof SUMMARY_SECTIONS)[number];

export interface SummaryOptions {
  period: Period;
  asOf: number;
  settings: MetricSettings;
  /** The sections to compute (default all); the others come back missing, and their figures cost nothing. */
  sections?: readonly string[];
  /**
   * What each source's successful collections covered, when known (stored data; not for plain files): a period, or
   * the part of it, that no collection covered is missing ("no data for …"), never zeros, and the trend is shown
   * only against a fully covered previous period.
   */
  sources?: readonly SourceCoverage[];
}

/**
 * Every figure for one period judged at `asOf` (nothing after it is visible), taking cases and alerts one at a
 * time in any order: the period, its comparable previous periods (the trend and the change tests, each judged at
 * the same age as the period: periods.ts `comparablePeriods`), staffing and the report month's unit-cost counts
 * each keep only their figures, so a history of any length streams through in memory that follows the periods'
 * cohorts. Shifts, costs and the budget plan are small and come whole at the end.
 */
export class SummaryAccumulator {
  private readonly kpi: KpiAccumulator;
  /** The comparable previous periods (the previous one first) and their figures: the change tests' history. */
  private readonly history: (JudgedPeriod & { kpi: KpiAccumulator })[];
  /** The earliest case and alert seen: without collection records (plain files), where the data begins. */
  private firstCase = Infinity;
  private firstAlert = Infinity;
  private readonly staffing: StaffingAccumulator;
  private readonly month: Period;
  private readonly counts = { alertsCreated: 0, casesCreated: 0, truePositivesClosed: 0 };
  private readonly wants: Record<SummarySection, boolean>;

  constructor(private readonly opts: SummaryOptions) {
    const { period, asOf, settings } = opts;
    this.wants = { kpi: true, staffing: true, budget: true };
    if (opts.sections) for (const s of SUMMARY_SECTIONS) this.wants[s] = opts.sections.includes(s);
    const popts = { tz: period.tz, fiscalYearStartMonth: settings.fiscalYearStartMonth };
    this.history = comparablePeriods(period, asOf, popts, this.wants.kpi ? HISTORY_PERIODS : 1).map((h) => ({
      ...h,
      kpi: new KpiAccumulator(h.period, h.asOf, settings, 'trend'),
    }));
    this.kpi = new KpiAccumulator(period, asOf, settings);
    this.staffing = new StaffingAccumulator(period, asOf, settings);
    this.month = parsePeriod(reportMonth(period, asOf), popts);
  }

  /** The instants the summary judges periods at: its asOf and each comparable previous period's own. */
  get judgedAt(): number[] {
    return [this.opts.asOf, ...this.history.map((h) => h.asOf)];
  }

  private inMonth(t: number): boolean {
    return t >= this.month.start && t < this.month.end && t < this.opts.asOf;
  }

  /** Take some cases: a list, or a stored day (columns, no object per case). */
  addCases(cases: readonly CaseFacts[] | CaseDay): void {
    this.caseChunks.flush();
    this.addDay('textAt' in cases ? cases : casesAsDay(cases));
  }

  /** Cases taken one at a time: they go to the engine as a day of their own every 4,096 cases. */
  private readonly caseChunks = new Chunks<CaseMetrics & { id?: string; title?: string }>((cases) =>
    this.addDay(casesAsDay(cases)),
  );

  /**
   * Take one case (a file streamed case by case): computed with the ones after it, in chunks, so it is held until
   * then: pass a new object each time, never one reused for the next case.
   */
  readonly addCase = (c: CaseMetrics & { id?: string; title?: string }): void => this.caseChunks.add(c);

  /** Every section's figures take the day's columns in turn: a loop each, over typed arrays. */
  private addDay(day: CaseDay): void {
    const cols = day.columns();
    if (this.wants.kpi) {
      this.kpi.addCases(day, cols);
      for (const h of this.history) h.kpi.addCases(day, cols);
      const { created } = cols;
      for (let i = 0; i < cols.length; i++) if (created[i]! < this.firstCase) this.firstCase = created[i]!;
    }
    if (this.wants.staffing) this.staffing.addCases(cols);
    if (!this.wants.budget) return;
    const { created, closed, disp } = cols;
    for (let i = 0; i < cols.length; i++) {
      if (this.inMonth(created[i]!)) this.counts.casesCreated++;
      if (disp[i] === TRUE_POSITIVE && this.inMonth(closed[i]!)) this.counts.truePositivesClosed++;
    }
  }

  /** Take some alert counts: a list, or a stored day (columns, no object per count). */
  addAlertCounts(counts: readonly AlertCount[] | AlertDay): void {
    this.alertChunks.flush();
    this.addAlertDay(Array.isArray(counts) ? alertsAsDay(counts) : (counts as AlertDay));
  }

  /** Alert counts taken one at a time: they go to the engine as a day of their own every 4,096 counts. */
  private readonly alertChunks = new Chunks<AlertCount>((counts) => this.addAlertDay(alertsAsDay(counts)));

  /** Take one alert count (a file streamed count by count): held, like a case, until its chunk is computed. */
  readonly addAlerts = (a: AlertCount): void => this.alertChunks.add(a);

  private addAlertDay(day: AlertDay): void {
    const cols = day.columns();
    if (this.wants.kpi) {
      this.kpi.addAlertCounts(cols);
      for (const h of this.history) h.kpi.addAlertCounts(cols);
      const { at } = cols;
      for (let i = 0; i < cols.length; i++) if (at[i]! < this.firstAlert) this.firstAlert = at[i]!;
    }
    if (!this.wants.budget) return;
    const { at, count } = cols;
    for (let i = 0; i < cols.length; i++) if (this.inMonth(at[i]!)) this.counts.alertsCreated += count[i]!;
  }

  /**
   * The comparable previous periods' change facts, each with whether its families have data for all of it: by the
   * collections' coverage when known; for plain files, from the local day of the family's earliest record on (a
   * period before the data begins is left out, never read as zeros).
   */
  private historyFacts(hasAlerts: boolean, previous: ChangeFacts): HistoryFacts[] {
    const { sources } = this.opts;
    const tz = this.opts.period.tz;
    // The start of the local day of t (before 1970 or after 2199, where no period can begin, t itself).
    const dayStart = (t: number) =>
      t === Infinity || t < 2 * 86_400_000 || t >= LAST_PERIOD_DAY
        ? t
        : parsePeriod(localDay(t, tz), { tz, fiscalYearStartMonth: 1 }).start;
    const caseStart = dayStart(this.firstCase);
    const alertStart = dayStart(this.firstAlert);
    return this.history.map((h, i) => {
      return {
        label: h.period.label,
        // The previous period's facts were computed with its trend figures.
        facts: i === 0 ? previous : h.kpi.changeFacts(hasAlerts),
        cases: sources ? judgedPeriodCovered(h, 'cases', sources) : h.period.start >= caseStart,
        alerts: sources ? judgedPeriodCovered(h, 'alerts', sources) : h.period.start >= alertStart,
      };
    });
  }

  /**
   * The summary of everything taken, with the roster, costs and budget plan (each undefined when missing). `has`
   * says which of the streamed families exist at all: an absent one is reported missing, never as zeros.
   */
  result(rest: Pick<SummaryInput, 'shifts' | 'costs' | 'budget'>, has: { cases: boolean; alerts: boolean }): Summary {
    this.caseChunks.flush();
    this.alertChunks.flush();
    const { period, asOf, settings } = this.opts;
    const notAsked = (s: SummarySection): Missing => ({ missing: true, reason: `${s} was not asked for` });
    const cov = this.opts.sources ? summaryCoverage(period, this.history[0]!, asOf, this.opts.sources) : undefined;
    // A family whose sources collected no instant of the period is missing with the reason, never zeros.
    const gone = (w: WindowCoverage | undefined): boolean => !!w && w.none && !w.complete;
    let kpi: KpiSummary | Missing = { missing: true, reason: 'no case source (cases.jsonl)' };
    if (!this.wants.kpi) kpi = notAsked('kpi');
    else if (gone(cov?.cases)) kpi = { missing: true, reason: cov!.cases.reason! };
    else if (has.cases) {
      const alertsGone = gone(cov?.alerts);
      const hasAlerts = has.alerts && !alertsGone;
      const current = this.kpi.figures(hasAlerts);
      kpi = current.summary;
      if (alertsGone) kpi.alerts = { missing: true, reason: cov!.alerts.reason! };
      const prev = this.history[0]!;
      const previous = {
        label: prev.period.label,
        start: formatInstant(prev.period.start, prev.period.tz),
        end: formatInstant(prev.period.end, prev.period.tz),
        asOf: formatInstant(prev.asOf, prev.period.tz),
      };
      // Where the case data begins (the first instant collected; from files, the earliest case's local day): a case
      // created before it and closed in the previous period is in none of its figures (the email says so).
      const from = this.opts.sources
        ? Math.min(...this.opts.sources.map((s) => s.covered.cases?.[0]?.[0] ?? Infinity))
        : this.firstCase === Infinity
          ? Infinity
          : parsePeriod(localDay(this.firstCase, period.tz), { tz: period.tz, fiscalYearStartMonth: 1 }).start;
      // Said only when the data begins inside the history window: data read from before it (all of it, or only the
      // tails of older days the loader reads) begins before every judged period, and then nothing is left out.
      if (Number.isFinite(from) && from > this.history.at(-1)!.period.start)
        Object.assign(previous, { casesFrom: formatInstant(from, period.tz) });
      const incomplete = cov && previousIncomplete(cov);
      if (incomplete) kpi.trend = { previous, missing: true, reason: incomplete };
      else {
        // Changes are judged only against a fully covered previous period, as the trend is.
        const prevFigures = prev.kpi.figures(hasAlerts);
        kpi.trend = buildTrend(kpi, prevFigures.summary, previous);
        const judged = whatChanged(current.changeFacts, this.historyFacts(hasAlerts, prevFigures.changeFacts));
        kpi.changes = judged.changes;
        kpi.changesBasis = judged.basis;
      }
      if (cov) {
        for (const d of kpi.volume.days) {
          const day = parsePeriod(d.day, { tz: period.tz, fiscalYearStartMonth: 1 });
          if (dayIsMissing(cov.cases, day.start, day.end)) d.cases = null;
          if (dayIsMissing(cov.alerts, day.start, day.end)) d.alerts = null;
        }
        kpi.dataCoverage = {
          complete: cov.cases.complete && cov.alerts.complete,
          missing: [...cov.cases.missing, ...cov.alerts.missing],
        };
      }
    }
    let staffing: StaffingSummary | Missing = notAsked('staffing');
    if (this.wants.staffing) {
      if (gone(cov?.shifts)) staffing = { missing: true, reason: cov!.shifts.reason! };
      else if (gone(cov?.cases)) staffing = { missing: true, reason: cov!.cases.reason! };
      else staffing = this.staffing.result(rest.shifts, has.cases);
      if (cov && !isMissing(staffing))
        staffing.dataCoverage = {
          complete: cov.shifts.complete && cov.cases.complete,
          missing: [...cov.shifts.missing, ...cov.cases.missing],
        };
    }
    return {
      period: {
        label: period.label,
        start: formatInstant(period.start, period.tz),
        end: formatInstant(period.end, period.tz),
        tz: period.tz,
        asOf: formatInstant(asOf, period.tz),
        pointInTime: formatInstant(pointInTimeOf(period, asOf), period.tz),
      },
      kpi,
      staffing,
      budget: !this.wants.budget
        ? notAsked('budget')
        : buildBudgetSummary({
            costs: rest.costs,
            budget: rest.budget,
            shifts: rest.shifts,
            period,
            asOf,
            settings,
            counts: {
              alertsCreated: has.alerts ? this.counts.alertsCreated : null,
              casesCreated: has.cases ? this.counts.casesCreated : null,
              truePositivesClosed: has.cases ? this.counts.truePositivesClosed : null,
            },
          }),
    };
  }
}

/** Compute every figure for one period judged at `asOf` from records held in memory. */
export function summarize(input: SummaryInput, opts: SummaryOptions): Summary {
  const acc = new SummaryAccumulator(opts);
  if (input.cases) acc.addCases(input.cases);
  if (input.alerts) acc.addAlertCounts(input.alerts);
  return acc.result(input, { cases: input.cases !== undefined, alerts: input.alerts !== undefined });
}
