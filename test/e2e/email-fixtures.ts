import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { DaySnapshotBuilder, mergeDaySnapshots, type DaySnapshot } from '../../shared/domain/day-snapshot.js';
import { casesAsDay, type CaseFacts, type ShiftFacts } from '../../shared/domain/facts.js';
import { shiftWeek } from '../../shared/domain/forecast.js';
import { localDaysOf, parsePeriod, periodContaining, zonedTime } from '../../shared/domain/periods.js';
import { summarize, type SummaryInput } from '../../shared/domain/summary.js';
import {
  alertsForHour,
  casesForDay,
  costsForMonth,
  DEFAULT_PROFILE,
  shiftsForDay,
  type SimProfile,
} from '../../functions/soc-sim/generate.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { inlineImages } from '../../shared/mail/inline-images.js';
import { renderReport, type ReportModel } from '../../shared/mail/render.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import { lookAheadOf, lookAheadWindow } from '../../shared/usecases/forecast-loader.js';

// The emails `npm start` sends, rendered in-process from simulated history as run-report renders them: the four
// runbooks (the staffing one with its look ahead), and a month of a bench-sized SOC.

export const tz = 'Europe/London';
export const config = parseConfig({
  timezone: tz,
  fiscalYearStartMonth: 4,
  sender: 'socpulse@example.com',
  hourlyRate: { '1': '55.00', '2': '70.00', '3': '90.00' },
});
const popts = { tz, fiscalYearStartMonth: 4 };
export const runbooks = new Map(loadReportRunbooks('runbooks').map((r) => [r.id, r]));

export interface History {
  input: SummaryInput;
  snapshots: DaySnapshot[];
  now: number;
}

/** Months of simulated history (default September and October 2026) with costs and the demo plan, as stored days give it. */
export function history(profile: SimProfile = DEFAULT_PROFILE, months = ['2026-09', '2026-10']): History {
  const days = months.flatMap((m) => localDaysOf(parsePeriod(m, popts)));
  const builder = new DaySnapshotBuilder(tz, days, new Set(['cases', 'alerts', 'shifts']));
  const now = parsePeriod(months.at(-1)!, popts).end + 3 * 86_400_000;
  for (const d of days) {
    const dayStart = Date.parse(`${d}T00:00:00Z`);
    builder.add('cases', casesForDay(profile, dayStart, now));
    for (let h = 0; h < 24; h++) builder.add('alerts', alertsForHour(profile, dayStart, h));
    builder.add('shifts', shiftsForDay(profile, dayStart));
  }
  // The rota is published ahead: shifts for the two weeks after the history (the look ahead's week among them).
  const after = parsePeriod(months.at(-1)!, popts).end;
  const rotaDays = Array.from({ length: 14 }, (_, i) => new Date(after + i * 86_400_000).toISOString().slice(0, 10));
  const rota = new DaySnapshotBuilder(tz, rotaDays, new Set(['shifts']));
  for (const d of rotaDays) rota.add('shifts', shiftsForDay(profile, Date.parse(`${d}T00:00:00Z`)));
  const snapshots = [...builder.snapshots(), ...rota.snapshots()];
  const input = mergeDaySnapshots(builder.snapshots());
  input.costs = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'].flatMap((m) =>
    costsForMonth(profile, m),
  );
  input.budget = demoBudgetPlan('FY2027', 4, 'EUR');
  return { input, snapshots, now };
}

/** The staffing email's look ahead as run-report gives it (the week after next from the period's last week), from the days held. */
function lookAhead(data: History, label: string) {
  const period = parsePeriod(label, popts);
  const last = periodContaining('week', period.end - 1, { tz, fiscalYearStartMonth: 1 });
  const w = lookAheadWindow(shiftWeek(last, 2), data.now, config);
  const cases = data.snapshots.filter(
    (s) => s.family === 'cases' && s.periodKey >= w.days.from && s.periodKey <= w.days.to,
  );
  for (const s of cases) w.arrivals.addCases(casesAsDay((s.payload as { cases: CaseFacts[] }).cases).columns());
  const first = cases[0]?.periodKey ?? '9999-12-31';
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  const shifts = data.snapshots
    .filter((s) => s.family === 'shifts' && s.periodKey >= w.shiftDays.from && s.periodKey <= w.shiftDays.to)
    .flatMap((s) => (s.payload as { shifts: ShiftFacts[] }).shifts);
  return lookAheadOf(w, zonedTime(y, m, d, tz), cases.length > 0, shifts.length ? shifts : undefined);
}

/** One runbook's email for a period, charts rendered and inlined as the mail client shows them. */
export async function build(runbookId: string, label: string, data: History) {
  const runbook = runbooks.get(runbookId)!;
  const summary = summarize(data.input, { period: parsePeriod(label, popts), asOf: data.now, settings: config });
  const model: ReportModel = {
    runbook: { id: runbook.id, title: runbook.title, sections: runbook.sections },
    summary,
    sources: [
      {
        name: 'soar',
        kind: 'secops-soar',
        status: 'stale',
        lastCollectedAt: '2026-10-30T10:00:00+00:00',
        detail: 'data only up to 2026-10-30',
      },
    ],
    generatedAt: '2026-11-03T08:00:00+00:00',
    settings: config,
  };
  if (runbook.lookAhead) model.lookAhead = lookAhead(data, label);
  model.charts = await reportCharts(model);
  const rendered = renderReport(model);
  return { rendered, model, html: inlineImages(rendered.html, model.charts) };
}

/** The emails `npm start` sends (one per report runbook) and their periods in the simulated history. */
export const EMAILS = [
  ['monthly-executive', '2026-10'],
  ['weekly-kpi', '2026-W43'],
  ['monthly-budget', '2026-10'],
  ['weekly-staffing', '2026-W43'],
] as const;

/**
 * A bench-sized SOC: test/bench's 10,000 cases a day, for one month (the month before is before its data begins).
 * Alerts at 15,000 a day, not the bench's 50,000: simulating those one by one would take minutes.
 */
export const BENCH_PROFILE: SimProfile = { ...DEFAULT_PROFILE, casesPerDay: 10_000, alertsPerDay: 15_000 };
export const BENCH_MONTHS = ['2026-10'];
