import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { requireSender } from '../../shared/config/config.js';
import { functionConfig } from '../../shared/config/function-env.js';
import { reportCharts, warmCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { resolvePeriod } from '../../shared/config/report-request.js';
import { runQueued, runReport, type ReportDeps } from '../../shared/usecases/run-report.js';

const { config, runbooks } = functionConfig();
// Cold start fails fast, naming the key, when the deployed config cannot send.
requireSender(config, 'send reports');
const table = tableFromEnv();
const runs = new DynamoReportRunStore(table);
const deps: ReportDeps = {
  config,
  runbooks: runbooks(),
  snapshots: new DynamoSnapshotStore(table),
  budget: new DynamoBudgetStore(table),
  collections: new DynamoCollectionRunStore(table),
  runs,
  mailer: new SesMailer(undefined, process.env.SOCPULSE_SES_CONFIGURATION_SET),
  charts: reportCharts,
  now: () => new Date(),
};
const logger = new Logger({ serviceName: 'socpulse-report' });
// INIT: load the chart renderer's wasm and fonts now, so the first report does not pay for them.
await warmCharts();
const metrics = new Metrics({ namespace: 'socpulse', serviceName: 'report' });

/** A schedule names the runbook; an on-demand run (queued by the API) names its run id. */
const Event = z.union([
  z.object({ runbook: z.string().min(1), period: z.string().optional() }).strict(),
  z.object({ runId: z.string().min(1) }).strict(),
  z.object({ deadlineCheck: z.string().min(1) }).strict(),
]);

/** EventBridge Scheduler or the API's async invoke → produce and deliver one report, exactly once. */
export const handler = async (event: unknown) => {
  const parsed = Event.parse(event);
  if ('deadlineCheck' in parsed) return deadlineCheck(parsed.deadlineCheck);
  const result =
    'runId' in parsed
      ? await runQueued(deps, parsed.runId)
      : await runReport(deps, { runbook: parsed.runbook, period: parsed.period, trigger: 'schedule' });
  metrics.addDimension('runbook', result.runbook);
  metrics.addMetric(
    'ReportDelivered',
    MetricUnit.Count,
    result.outcome === 'delivered' || result.outcome === 'already-delivered' ? 1 : 0,
  );
  metrics.addMetric('ReportFailed', MetricUnit.Count, result.outcome === 'failed' ? 1 : 0);
  metrics.publishStoredMetrics();
  logger.info('report run', {
    runId: result.runId,
    runbook: result.runbook,
    period: result.period,
    outcome: result.outcome,
    delivered: Object.keys(result.deliveries).length,
    // Recipients sent a second, labelled copy after a send that could not be confirmed (README "Exactly once").
    unconfirmed: result.unconfirmed?.map((u) => u.recipient) ?? [],
    undelivered: result.undelivered ?? [],
    errors: result.errors,
  });
  // A failed delivery throws so the scheduler retries it; the run record makes the retry send only what is missing.
  if (result.outcome === 'failed')
    throw new Error(`report ${result.runbook} ${result.period} failed: ${result.errors.join('; ')}`);
  return { runId: result.runId, outcome: result.outcome, period: result.period };
};

/** Some hours after a runbook's schedule: emit ReportOverdue = 1 when its period has no delivered run yet. */
async function deadlineCheck(runbookId: string) {
  const runbook = deps.runbooks.find((r) => r.id === runbookId);
  if (!runbook) throw new Error(`unknown runbook "${runbookId}"`);
  const period = resolvePeriod(runbook, undefined, Date.now(), {
    tz: config.timezone,
    fiscalYearStartMonth: config.fiscalYearStartMonth,
  });
  const run = await runs.getScheduled(runbook.id, period.label);
  const delivered = run?.status === 'delivered' || run?.status === 'no-data-sent';
  metrics.addDimension('runbook', runbook.id);
  metrics.addMetric('ReportOverdue', MetricUnit.Count, delivered ? 0 : 1);
  metrics.publishStoredMetrics();
  if (!delivered)
    logger.error('report overdue', {
      runbook: runbook.id,
      period: period.label,
      status: run?.status ?? 'never started',
      error: run?.error,
    });
  return { runbook: runbook.id, period: period.label, delivered };
}
