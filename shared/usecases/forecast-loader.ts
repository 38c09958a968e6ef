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
import type { MetricSettings } from '../domain/settings.js';
import type { DynamoCollectionRunStore } from '../store/collection-run-store.js';
import { readCanonicalCases, readCanonicalShifts } from '../sources/canonical/input-dir.js';
import type { DynamoSnapshotStore } from '../store/snapshot-store.js';
import { collectionAsOf } from './summary-loader.js';

const DAY = 86_400_000;

/**
 * The look ahead for `week` judged at `asOf` (docs/forecast.md), from stored snapshots:
 * 1. read the cases of the whole weeks before it (and before the last complete week, to score that week's forecast);
 * 2. forecast the week from the weeks before it, with the roster of the shifts stored for it;
 * 3. forecast the last complete week from the weeks before that one, and score it against what happened.
 * Weeks before the first stored day of cases are unknown, never empty.
 */
export async function loadStaffingLookAhead(
  snapshots: DynamoSnapshotStore,
  opts: { week: Period; asOf: number; settings: MetricSettings },
): Promise<StaffingLookAhead> {
  const { week, asOf, settings } = opts;
  const { weeks, horizon } = historyWeeksFor(week, asOf);
  const lastComplete = weeks.at(-1)!;
  const reviewWeeks = historyWeeksFor(lastComplete, lastComplete.start).weeks;
  const all = [...reviewWeeks, lastComplete];
  const arrivals = new WeeklyArrivals(all, settings, asOf);
  let firstDay: string | undefined;
  let casesPresent = false;
  const tz = week.tz;
  await snapshots.list(
    'cases',
    localDay(all[0]!.start, tz),
    localDay(lastComplete.end - 1, tz),
    SnapshotPayloadSchemas.cases,
    {
      binary: (bytes) => CaseBatch.decode(bytes),
      each: ({ periodKey, payload }) => {
        casesPresent = true;
        if (firstDay === undefined || periodKey < firstDay) firstDay = periodKey;
        arrivals.addCases(payload.columns());
      },
    },
  );
  const [y, m, d] = (firstDay ?? '9999-12-31').split('-').map(Number) as [number, number, number];
  const counts = casesPresent ? arrivals.result(zonedTime(y, m, d, tz)) : [];
  const shiftDays = await snapshots.list(
    'shifts',
    localDay(week.start - DAY, tz),
    localDay(week.end - 1, tz),
    SnapshotPayloadSchemas.shifts,
    { decode: SnapshotPayloadDecoders.shifts },
  );
  const forecastLabels = new Set(weeks.map((w) => w.label));
  const forecast = buildStaffingForecast({
    week,
    history: counts.filter((c) => forecastLabels.has(c.label)),
    aht: arrivals.aht(),
    shifts: mergeDaySnapshots(shiftDays).shifts,
    settings,
    horizon,
  });
  const reviewLabels = new Set(reviewWeeks.map((w) => w.label));
  const reviewHistory = counts.filter((c) => reviewLabels.has(c.label));
  const actual = counts.find((c) => c.label === lastComplete.label);
  let review: StaffingLookAhead['review'];
  if (!actual || reviewHistory.length < 2)
    review = { missing: true, reason: `no data for a forecast of ${lastComplete.label} to compare with` };
  else {
    const past = forecastArrivals(reviewHistory, actual.hours, 1);
    review = {
      week: lastComplete.label,
      forecast: past,
      actual: actual.counts,
      accuracy: forecastAccuracy(past, actual),
    };
  }
  return { forecast, review };
}

/** The forecast of an ISO week label judged at the newest collection time: what the API and MCP server answer. */
export function forecastForLabel(
  stores: { snapshots: DynamoSnapshotStore; collections: DynamoCollectionRunStore },
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
 * The forecast of `week` from canonical files (`socpulse forecast`): the cases of `dir`/cases.jsonl created before the
 * week starts, judged at its start (nothing created or closed from then on is visible), and the shifts of
 * `dir`/shifts.jsonl as the roster. Without a cases file there is no history: "no data for …".
 */
export async function forecastFromFiles(
  dir: string,
  week: Period,
  settings: MetricSettings,
): Promise<StaffingForecast | Missing> {
  const casesFile = join(dir, 'cases.jsonl');
  if (!existsSync(casesFile))
    return { missing: true, reason: `no data for ${week.label}: ${casesFile} not found (no case history)` };
  const shiftsFile = join(dir, 'shifts.jsonl');
  const { weeks, horizon } = historyWeeksFor(week, week.start);
  const arrivals = new WeeklyArrivals(weeks, settings, week.start);
  const chunks = new Chunks<CaseFacts>((cases) => arrivals.addCases(casesAsDay(cases).columns()));
  await readCanonicalCases(casesFile, (c) => chunks.add(c));
  chunks.flush();
  return buildStaffingForecast({
    week,
    history: arrivals.result(),
    aht: arrivals.aht(),
    shifts: existsSync(shiftsFile) ? await readCanonicalShifts(shiftsFile) : undefined,
    settings,
    horizon,
  });
}
