import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { recipientsFor, ReportRequestError, resolvePeriod } from '../config/report-request.js';
import type { ReportRunbook } from '../config/runbooks.js';
import type { DynamoReportRunStore, ReportRun } from './report-run-store.js';

/**
 * Validate an on-demand report request and queue it as a run (API and MCP server alike): runbook, period and
 * recipients are checked now, so the caller gets a 400 naming the field instead of a failed run later.
 */
export async function enqueueReport(
  deps: { config: Config; runbooks: ReportRunbook[]; runs: DynamoReportRunStore; now: () => Date },
  req: { runbook: string; period?: string; recipients?: string[]; requestedBy: string },
): Promise<ReportRun> {
  const runbook = deps.runbooks.find((r) => r.id === req.runbook);
  if (!runbook)
    throw new ReportRequestError(
      'runbook',
      `unknown runbook "${req.runbook}" (known: ${deps.runbooks.map((r) => r.id).join(', ')})`,
    );
  const now = deps.now();
  const period = resolvePeriod(runbook, req.period, now.getTime(), {
    tz: deps.config.timezone,
    fiscalYearStartMonth: deps.config.fiscalYearStartMonth,
  });
  const recipients = recipientsFor(runbook, deps.config, req.recipients);
  return deps.runs.enqueue({
    runId: randomUUID(),
    runbook: runbook.id,
    period: period.label,
    trigger: 'on-demand',
    recipients,
    requestedBy: req.requestedBy,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
}
