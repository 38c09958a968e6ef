import { AlertBatch } from '../store/formats/alert-batch.js';
import { CaseBatch } from '../store/formats/case-batch.js';
import { mergeDaySnapshots } from '../domain/day-snapshot.js';
import { SnapshotPayloadDecoders, SnapshotPayloadSchemas } from '../store/formats/snapshot-payload.js';
import { unavailableOf } from '../domain/kpi.js';
import { markSummaryUnavailable } from '../domain/unavailable.js';
import { reportMonth } from '../domain/budget.js';
import { HISTORY_PERIODS } from '../domain/changes.js';
import {
  comparablePeriods,
  fiscalYearOf,
  localDay,
  pointInTimeOf,
  monthsOfFiscalYear,
  parsePeriod,
  previousPeriod,
  type Period,
} from '../domain/periods.js';
import type { MetricSettings } from '../domain/settings.js';
import {
  SUMMARY_SECTIONS,
  SummaryAccumulator,
  type Summary,
  type SummaryInput,
  type SummaryOptions,
  type SummarySection,
} from '../domain/summary.js';
import type { SnapshotHeader } from '../store/snapshot-store.js';
import { coverageOf, type SourceStatus } from '../store/collection-run-store.js';
import type { BudgetPlanReader, SnapshotReader, SourceStatusReader } from './ports.js';
import type { SourceCoverage } from '../domain/coverage.js';

const DAY = 86_400_000;

/** The instant data is judged at: the newest collection time of any source, never later than now. */
export function collectionAsOf(statuses: { collectedThrough?: string }[], now: number): number {
  const through = statuses.map((s) => Date.parse(s.collectedThrough ?? '')).filter((t) => !Number.isNaN(t));
  return Math.min(now, through.length ? Math.max(...through) : now);
}

/** How far back cases are read for the backlog (open cases of any age): 13 months by default. */
export const DEFAULT_HISTORY_DAYS = 400;

export interface LoadOptions {
  period: Period;
  asOf: number;
  settings: MetricSettings;
  /** What each source's collections covered (`coverageOf`): periods they did not cover are "no data for …". */
  sources?: readonly SourceCoverage[];
  historyDays?: number;
  /** The sections wanted (default all): only their data is read, and the others come back missing. */
  sections?: readonly string[];
}

/**
 * Load what the engine needs for a period and its previous period from stored snapshots and the budget plan, and
 * compute the summary. The one path from storage to figures: report, API and MCP server all use it.
 */
export async function loadSummary(
  stores: { snapshots: SnapshotReader; budget: BudgetPlanReader },
  opts: LoadOptions,
): Promise<Summary> {
  const acc = new SummaryAccumulator(engineOptions(opts));
  // Each stored day goes into the engine as soon as it is read, so computing overlaps the reads still in flight.
  const data = await loadSummaryData(stores, opts, acc);
  return acc.result(data, presence(data));
}

/** Where the loader puts each stored day of cases and of alerts as it is read, in no particular order. */
export interface DaySink {
  addCases(day: CaseBatch): void;
  addAlertCounts(day: AlertBatch): void;
}

/**
 * What `loadSummaryData` read: the engine's input, with cases and alerts as the stored days — binary columns read
 * without an object per row — or, when they went to a sink, empty lists (present) or nothing (missing).
 */
export type LoadedSummaryData = Omit<SummaryInput, 'cases' | 'alerts'> & {
  cases?: CaseBatch[];
  alerts?: AlertBatch[];
};

/**
 * The summary of what `loadSummaryData` read without a sink (the benchmark times reading and computing apart this
 * way); a section not asked for is not computed (its data was not read).
 */
export function summarizeLoaded(data: LoadedSummaryData, opts: LoadOptions): Summary {
  const acc = new SummaryAccumulator(engineOptions(opts));
  for (const day of data.cases ?? []) acc.addCases(day);
  for (const day of data.alerts ?? []) acc.addAlertCounts(day);
  return acc.result(data, presence(data));
}

/** Which streamed families exist: a family collected but with nothing in range is present (empty), never missing. */
function presence(data: LoadedSummaryData): { cases: boolean; alerts: boolean } {
  return { cases: data.cases !== undefined, alerts: data.alerts !== undefined };
}

function engineOptions(opts: LoadOptions): SummaryOptions {
  return {
    period: opts.period,
    asOf: opts.asOf,
    settings: opts.settings,
    sections: [...wantedSections(opts.sections)],
    sources: opts.sources,
  };
}

function wantedSections(sections: readonly string[] | undefined): Set<SummarySection> {
  return new Set(SUMMARY_SECTIONS.filter((s) => !sections || sections.includes(s)));
}

/**
 * The engine's input for the wanted sections of a period, reading only what they can need (METRICS.md):
 * - kpi: cases and alerts of the period and of its comparable previous periods (the trend and the change tests'
 *   history, changes.ts HISTORY_PERIODS), and every case open at pointInTime =
 *   min(end, asOf) (the backlog as it stood then, METRICS.md);
 * - staffing: cases created or closed in the period, and the shifts;
 * - budget: cases and alerts of the report month (unit costs), and the shifts, costs and plan of the fiscal year.
 * Cases are read whole for the days those windows cover; for older days only the cases still open at, or closed
 * since, the windows' start or pointInTime (from a snapshot's tail when it has one); later days are not read, as
 * every case created after the period's end was created after pointInTime too. Figures equal those computed from
 * every stored day (test/integration/collect.test.ts, test/integration/point-in-time.test.ts).
 */
export async function loadSummaryData(
  stores: { snapshots: SnapshotReader; budget: BudgetPlanReader },
  opts: LoadOptions,
  sink?: DaySink,
): Promise<LoadedSummaryData> {
  const kept = {
    cases: [] as CaseBatch[],
    alerts: [] as AlertBatch[],
  };
  const into: DaySink = sink ?? {
    addCases: (day) => kept.cases.push(day),
    addAlertCounts: (day) => kept.alerts.push(day),
  };
  const { period, asOf, settings } = opts;
  const wanted = wantedSections(opts.sections);
  const tz = period.tz;
  const popts = { tz, fiscalYearStartMonth: settings.fiscalYearStartMonth };
  const prev = previousPeriod(period, popts);
  // The change tests read the comparable previous periods (changes.ts HISTORY_PERIODS), the oldest first here.
  const oldest = wanted.has('kpi') ? comparablePeriods(period, asOf, popts, HISTORY_PERIODS).at(-1)!.period : prev;
  const lastDay = localDay(Math.max(Math.min(asOf, period.end) - 1, period.start), tz);
  const pointInTime = pointInTimeOf(period, asOf);
  const caseFrom = localDay(Math.min(oldest.start, pointInTime - (opts.historyDays ?? DEFAULT_HISTORY_DAYS) * DAY), tz);
  const month = reportMonth(period, asOf);
  const monthPeriod = parsePeriod(month, popts);
  const fiscalYear = fiscalYearOf(month, settings.fiscalYearStartMonth);
  const fyMonths = monthsOfFiscalYear(fiscalYear, settings.fiscalYearStartMonth);
  const today = localDay(asOf, tz);
  const upTo = lastDay > today ? lastDay : today;

  // The instants each wanted section looks at: cases created in them are read whole, and so are alerts.
  const caseWindows: [number, number][] = [];
  const alertWindows: [number, number][] = [];
  if (wanted.has('kpi')) {
    caseWindows.push([oldest.start, period.end]);
    alertWindows.push([oldest.start, period.end]);
  }
  if (wanted.has('staffing')) caseWindows.push([period.start, period.end]);
  if (wanted.has('budget')) {
    caseWindows.push([monthPeriod.start, monthPeriod.end]);
    alertWindows.push([monthPeriod.start, monthPeriod.end]);
  }
  const span = (w: [number, number][]) =>
    w.length ? ([Math.min(...w.map((x) => x[0])), Math.max(...w.map((x) => x[1]))] as const) : undefined;
  const caseSpan = span(caseWindows);
  const alertSpan = span(alertWindows);
  const needShifts = wanted.has('staffing') || wanted.has('budget');
  const decoders = SnapshotPayloadDecoders;

  const [cases, alerts, shifts, costs, plan] = await Promise.all([
    caseSpan
      ? loadCaseDays(
          stores.snapshots,
          caseFrom,
          upTo,
          tz,
          {
            full: caseSpan,
            // The backlog (kpi only) needs the cases still open at pointInTime, of any creation day.
            openAt: wanted.has('kpi') ? pointInTime : undefined,
          },
          into,
        )
      : false,
    alertSpan
      ? loadAlertDays(
          stores.snapshots,
          // A day either side: a bucket belongs to the local day it starts in.
          [localDay(alertSpan[0] - DAY, tz), localDay(alertSpan[1], tz)],
          [caseFrom, upTo],
          into,
        )
      : false,
    needShifts
      ? stores.snapshots.list(
          'shifts',
          localDay(Math.min(prev.start, Date.parse(`${fyMonths[0]}-01T00:00:00Z`)) - DAY, tz),
          upTo,
          SnapshotPayloadSchemas.shifts,
          { decode: decoders.shifts },
        )
      : [],
    wanted.has('budget')
      ? stores.snapshots.list('costs', fyMonths[0]!, fyMonths[11]!, SnapshotPayloadSchemas.costs)
      : [],
    wanted.has('budget') ? stores.budget.plan(fiscalYear) : undefined,
  ]);
  const { cases: _c, alerts: _a, ...rest } = mergeDaySnapshots([...shifts, ...costs]);
  const data: LoadedSummaryData = rest;
  // A family that was collected but has no day to read here is present with no rows, never missing.
  if (cases) data.cases = kept.cases;
  if (alerts) data.alerts = kept.alerts;
  if (plan) data.budget = plan.lines;
  return data;
}

/**
 * Alert snapshots of `days`, each to `sink`; whether the family is present: a day was read, or there is none but
 * the family has a snapshot in `around`, so a source that was collected stays present (zero alerts), as it is when
 * every stored day is read.
 */
async function loadAlertDays(
  snapshots: SnapshotReader,
  days: [string, string],
  around: [string, string],
  sink: DaySink,
): Promise<boolean> {
  let read = 0;
  await snapshots.list('alerts', days[0], days[1], SnapshotPayloadSchemas.alerts, {
    // Binary days stay columns: the engine reads them without an object per count.
    binary: (bytes) => AlertBatch.decode(bytes),
    each: ({ payload: p }) => {
      read++;
      sink.addAlertCounts(p);
    },
  });
  return read > 0 || (await snapshots.headers('alerts', around[0], around[1])).length > 0;
}

/**
 * The cases snapshots of `from`..`to` the windows can need, each to `sink`: whole days for the days `full` covers; for an earlier
 * day, the cases still open at or closed since the start of `full` or `openAt` (its tail, or nothing when its header
 * says every case closed before); for a later day, the cases open at `openAt` when it falls after `full` (nothing
 * otherwise: a case created after `full` ends cannot be open at an earlier instant). A header without meta figures is
 * read whole, to be safe.
 */
async function loadCaseDays(
  snapshots: SnapshotReader,
  from: string,
  to: string,
  tz: string,
  want: { full: readonly [number, number]; openAt?: number },
  sink: DaySink,
): Promise<boolean> {
  const fullFrom = localDay(want.full[0], tz);
  const fullTo = localDay(want.full[1] - 1, tz);
  let present = false;
  const pick = (h: SnapshotHeader): 'full' | 'tail' | 'skip' => {
    present = true;
    if (h.periodKey >= fullFrom && h.periodKey <= fullTo) return 'full';
    // Every case of this day was created before the windows (or after them): it matters only if still open at, or
    // closed at or after, `since`.
    let since: number;
    if (h.periodKey < fullFrom) since = want.openAt === undefined ? want.full[0] : Math.min(want.full[0], want.openAt);
    else if (want.openAt !== undefined && want.openAt > want.full[1]) since = want.openAt;
    else return 'skip';
    const { open, lastClosed, tailFrom } = h.meta;
    if (open === undefined || lastClosed === undefined) return 'full';
    if (open === 0 && lastClosed < since) return 'skip';
    // The tail holds every open case and every case closed at or after tailFrom: enough when since ≥ tailFrom, or
    // when no case closed since `since` at all (then only the open ones matter).
    if (tailFrom !== undefined && (tailFrom <= since || lastClosed < since)) return 'tail';
    return 'full';
  };
  await snapshots.list('cases', from, to, SnapshotPayloadSchemas.cases, {
    // Binary days stay columns: the engine reads them without an object per case.
    binary: (bytes) => CaseBatch.decode(bytes),
    pick,
    each: ({ payload: p }) => sink.addCases(p),
  });
  return present;
}

/**
 * Figures for a period label judged at the newest collection time: what the API, MCP server and `--serve` answer.
 * A period, or the part of it, that the configured sources' collections did not cover is "no data for …".
 */
export function summaryForLabel(
  stores: { snapshots: SnapshotReader; budget: BudgetPlanReader; collections: SourceStatusReader },
  settings: MetricSettings & { mcpServers?: Record<string, unknown> },
): (label: string) => Promise<Summary> {
  return async (label) => {
    const statuses = await stores.collections.statuses();
    const summary = await loadSummary(stores, {
      period: parsePeriod(label, { tz: settings.timezone, fiscalYearStartMonth: settings.fiscalYearStartMonth }),
      asOf: collectionAsOf(statuses, Date.now()),
      settings,
      sources: coverageOf(statuses, settings.mcpServers && Object.keys(settings.mcpServers)),
    });
    return withUnavailable(summary, statuses);
  };
}

/** The summary with what its sources cannot give said, not shown (e.g. "not available from SecOps SOAR"). */
export function withUnavailable(summary: Summary, statuses: readonly SourceStatus[]): Summary {
  return markSummaryUnavailable(summary, unavailableOf(statuses));
}
