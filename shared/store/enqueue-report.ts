import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { resolveReportRequest } from '../config/report-request.js';
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
  const now = deps.now();
  const { runbook, period, recipients } = resolveReportRequest(deps.config, deps.runbooks, req, now.getTime());
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
