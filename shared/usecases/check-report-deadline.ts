import type { Config } from '../config/config.js';
import { resolvePeriod } from '../config/report-request.js';
import type { ReportRunbook } from '../config/runbooks.js';

/** The one read the deadline check needs: the scheduled run of a runbook's period (DynamoReportRunStore has it). */
export interface ScheduledRuns {
  getScheduled(runbook: string, period: string): Promise<{ status: string; error?: string } | undefined>;
}

export interface DeadlineDeps {
  config: Pick<Config, 'timezone' | 'fiscalYearStartMonth'>;
  runbooks: ReportRunbook[];
  runs: ScheduledRuns;
  now: () => Date;
}

/** What a deadline check found: the period it checked, and whether its report is overdue (ReportOverdue = 1). */
export interface DeadlineCheck {
  runbook: string;
  period: string;
  /** The scheduled run's status, or "never started" when there is none. */
  status: string;
  error?: string;
  overdue: boolean;
}

/** Unknown runbook named by a deadline schedule (the schedules and the bundled runbooks disagree). */
export class UnknownRunbookError extends Error {
  override name = 'UnknownRunbookError';
}

/**
 * Some hours after a runbook's schedule (its `deadlineHours`), check that the period the schedule reported on was
 * delivered:
 * 1. find the runbook;
 * 2. the period is the one a scheduled run started now would report on (the schedule fired the same day, hours ago);
 * 3. delivered, or sent saying there was no data, is on time; anything else, or no run at all, is overdue.
 */
export async function checkReportDeadline(deps: DeadlineDeps, runbookId: string): Promise<DeadlineCheck> {
  const runbook = deps.runbooks.find((r) => r.id === runbookId);
  if (!runbook)
    throw new UnknownRunbookError(
      `deadline check: unknown runbook "${runbookId}" (known: ${deps.runbooks.map((r) => r.id).join(', ')})`,
    );
  const period = resolvePeriod(runbook, undefined, deps.now().getTime(), {
    tz: deps.config.timezone,
    fiscalYearStartMonth: deps.config.fiscalYearStartMonth,
  });
  const run = await deps.runs.getScheduled(runbook.id, period.label);
  const onTime = run?.status === 'delivered' || run?.status === 'no-data-sent';
  return {
    runbook: runbook.id,
    period: period.label,
    status: run?.status ?? 'never started',
    ...(run?.error ? { error: run.error } : {}),
    overdue: !onTime,
  };
}
