import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CaseBatch } from '../store/formats/case-batch.js';
import { mergeDaySnapshots } from '../domain/day-snapshot.js';
import { casesAsDay, Chunks, type CaseFacts } from '../domain/facts.js';
import { SnapshotPayloadDecoders, SnapshotPayloadSchemas } from '../store/formats/snapshot-payload.js';
import {
  buildStaffingForecast,
  forecastAccuracy,
  forecastArrivals,
  historyWeeksFor,
  parseForecastWeek,
  WeeklyArrivals,
  type StaffingLookAhead,
  type StaffingForecast,
  type Missing,
} from '../domain/forecast.js';
import { localDay, zonedTime, type Period } from '../domain/periods.js';
import type { ShiftFacts } from '../domain/facts.js';
import type { MetricSettings } from '../domain/settings.js';
import { readCanonicalCases, readCanonicalShifts } from '../sources/canonical/input-dir.js';
import type { SnapshotReader, SourceStatusReader } from './ports.js';
import { collectionAsOf } from './summary-loader.js';

const DAY = 86_400_000;

/**
 * The weeks a look ahead of `week` judged at `asOf` reads, and the tally its cases go into: the whole weeks before
 * it (and before the last complete week, to score that week's forecast). Feed it every case created in `days`, then
 * call `lookAheadOf`. One way for the stored snapshots (the email) and canonical files (`socpulse forecast --as-of`).
 */
export function lookAheadWindow(week: Period, asOf: number, settings: MetricSettings) {
  const { weeks, horizon } = historyWeeksFor(week, asOf);
  const lastComplete = weeks.at(-1)!;
  const reviewWeeks = historyWeeksFor(lastComplete, lastComplete.start).weeks;
  const all = [...reviewWeeks, lastComplete];
  const tz = week.tz;
  return {
    week,
    asOf,
    settings,
    weeks,
    horizon,
    lastComplete,
    reviewWeeks,
    /** The local days whose cases are read, first and last. */
    days: { from: localDay(all[0]!.start, tz), to: localDay(lastComplete.end - 1, tz) },
    /** The local days whose shifts are the roster. */
    shiftDays: { from: localDay(week.start - DAY, tz), to: localDay(week.end - 1, tz) },
    arrivals: new WeeklyArrivals(all, settings, asOf),
  };
}

/**
 * The look ahead once every case is in `w.arrivals` (docs/forecast.md): the week forecast from the weeks before it,
 * with the roster of `shifts`; the last complete week forecast from the weeks before that one and scored against what
 * happened. `knownFrom` is the first instant the data covers (undefined: the local midnight before the first case):
 * weeks before it are unknown, never empty. `casesPresent` false: no case history at all.
 */
export function lookAheadOf(
  w: ReturnType<typeof lookAheadWindow>,
  knownFrom: number | undefined,
  casesPresent: boolean,
  shifts: ShiftFacts[] | undefined,
): StaffingLookAhead {
  const counts = casesPresent ? w.arrivals.result(knownFrom) : [];
  const forecastLabels = new Set(w.weeks.map((x) => x.label));
  const forecast = buildStaffingForecast({
    week: w.week,
    history: counts.filter((c) => forecastLabels.has(c.label)),
    aht: w.arrivals.aht(),
    shifts,
    settings: w.settings,
    horizon: w.horizon,
  });
  const reviewLabels = new Set(w.reviewWeeks.map((x) => x.label));
  const reviewHistory = counts.filter((c) => reviewLabels.has(c.label));
  const actual = counts.find((c) => c.label === w.lastComplete.label);
  let review: StaffingLookAhead['review'];
  if (!actual || reviewHistory.length < 2)
    review = { missing: true, reason: `no data for a forecast of ${w.lastComplete.label} to compare with` };
  else {
    const past = forecastArrivals(reviewHistory, actual.hours, 1);
    review = {
      week: w.lastComplete.label,
      forecast: past,
      actual: actual.counts,
      accuracy: forecastAccuracy(past, actual),
    };
  }
  return { forecast, review };
}

/**
 * The look ahead for `week` judged at `asOf` (docs/forecast.md), from stored snapshots: the cases of the days
 * `lookAheadWindow` names, the shifts stored for the week; weeks before the first stored day of cases are unknown.
 */
export async function loadStaffingLookAhead(
  snapshots: SnapshotReader,
  opts: { week: Period; asOf: number; settings: MetricSettings },
): Promise<StaffingLookAhead> {
  const w = lookAheadWindow(opts.week, opts.asOf, opts.settings);
  let firstDay: string | undefined;
  let casesPresent = false;
  const tz = opts.week.tz;
  await snapshots.list('cases', w.days.from, w.days.to, SnapshotPayloadSchemas.cases, {
    binary: (bytes) => CaseBatch.decode(bytes),
    each: ({ periodKey, payload }) => {
      casesPresent = true;
      if (firstDay === undefined || periodKey < firstDay) firstDay = periodKey;
      w.arrivals.addCases(payload.columns());
    },
  });
  const [y, m, d] = (firstDay ?? '9999-12-31').split('-').map(Number) as [number, number, number];
  const shiftDays = await snapshots.list('shifts', w.shiftDays.from, w.shiftDays.to, SnapshotPayloadSchemas.shifts, {
    decode: SnapshotPayloadDecoders.shifts,
  });
  return lookAheadOf(w, zonedTime(y, m, d, tz), casesPresent, mergeDaySnapshots(shiftDays).shifts);
}

/** The forecast of an ISO week label judged at the newest collection time: what the API and MCP server answer. */
export function forecastForLabel(
  stores: { snapshots: SnapshotReader; collections: SourceStatusReader },
  settings: MetricSettings,
): (label: string) => Promise<StaffingForecast | (Missing & { week: string })> {
  return async (label) => {
    const week = parseForecastWeek(label, settings.timezone);
    const asOf = collectionAsOf(await stores.collections.statuses(), Date.now());
    const { forecast } = await loadStaffingLookAhead(stores.snapshots, { week, asOf, settings });
    return 'missing' in forecast ? { week: label, ...forecast } : forecast;
  };
}

/**
 * The forecast of `week` from canonical files (`socpulse forecast`), judged at `asOf` (default: the week's start):
 * the cases of `dir`/cases.jsonl created before `asOf` (nothing created or closed from then on is visible), read as
 * the email's look ahead reads the stored ones (`lookAheadWindow`), and the shifts of `dir`/shifts.jsonl as the
 * roster. Given the email's week and its data-as-of instant it gives the email's figures. Without a cases file there
 * is no history: "no data for …".
 */
export async function forecastFromFiles(
  dir: string,
  week: Period,
  settings: MetricSettings,
  asOf = week.start,
): Promise<StaffingForecast | Missing> {
  const casesFile = join(dir, 'cases.jsonl');
  if (!existsSync(casesFile))
    return { missing: true, reason: `no data for ${week.label}: ${casesFile} not found (no case history)` };
  const shiftsFile = join(dir, 'shifts.jsonl');
  const w = lookAheadWindow(week, asOf, settings);
  let casesPresent = false;
  const chunks = new Chunks<CaseFacts>((cases) => {
    casesPresent = true;
    w.arrivals.addCases(casesAsDay(cases).columns());
  });
  await readCanonicalCases(casesFile, (c) => chunks.add(c));
  chunks.flush();
  const shifts = existsSync(shiftsFile) ? await readCanonicalShifts(shiftsFile) : undefined;
  return lookAheadOf(w, undefined, casesPresent, shifts).forecast;
}
