import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { requireSender } from '../../shared/config/config.js';
import { ENV, functionConfig, parseFunctionEnv, ReportEnv } from '../../shared/config/function-env.js';
import { reportCharts, warmCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoTable, dynamoClient } from '../../shared/store/dynamo-table.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { checkReportDeadline } from '../../shared/usecases/check-report-deadline.js';
import { runQueued, runReport, type ReportDeps, type ReportResult } from '../../shared/usecases/run-report.js';

// INIT, once per container: the environment (its schema names any missing variable), config, runbooks, stores.
const env = parseFunctionEnv(ReportEnv);
const { config, runbooks } = functionConfig(env[ENV.configFile]);
// Cold start fails fast, naming the key, when the deployed config cannot send.
requireSender(config, 'send reports');
const table = new DynamoTable(dynamoClient(), env[ENV.table]);
const runs = new DynamoReportRunStore(table);
const deps: ReportDeps = {
  config,
  runbooks,
  snapshots: new DynamoSnapshotStore(table),
  budget: new DynamoBudgetStore(table),
  collections: new DynamoCollectionRunStore(table),
  runs,
  mailer: new SesMailer(undefined, env[ENV.sesConfigurationSet]),
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
export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const parsed = Event.parse(event);
  if ('deadlineCheck' in parsed) return deadlineCheck(parsed.deadlineCheck);
  // A run that throws counts as failed: the metrics are published whatever happens.
  let runbook = 'runbook' in parsed ? parsed.runbook : undefined;
  let outcome: ReportResult['outcome'] | 'threw' = 'threw';
  try {
    const result =
      'runId' in parsed
        ? await runQueued(deps, parsed.runId)
        : await runReport(deps, { runbook: parsed.runbook, period: parsed.period, trigger: 'schedule' });
    runbook = result.runbook;
    outcome = result.outcome;
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
  } catch (e) {
    if (outcome === 'threw') logger.error('report run threw', { runbook, error: e as Error });
    throw e;
  } finally {
    if (runbook) metrics.addDimension('runbook', runbook);
    const delivered = outcome === 'delivered' || outcome === 'already-delivered';
    metrics.addMetric('ReportDelivered', MetricUnit.Count, delivered ? 1 : 0);
    metrics.addMetric('ReportFailed', MetricUnit.Count, outcome === 'failed' || outcome === 'threw' ? 1 : 0);
    metrics.publishStoredMetrics();
  }
};

/** Some hours after a runbook's schedule: ReportOverdue = 1 unless its period was delivered (a check that throws too). */
async function deadlineCheck(runbookId: string) {
  let overdue = 1;
  try {
    const check = await checkReportDeadline({ ...deps, runs }, runbookId);
    overdue = check.overdue ? 1 : 0;
    if (check.overdue) logger.error('report overdue', { ...check });
    return { runbook: check.runbook, period: check.period, delivered: !check.overdue };
  } finally {
    metrics.addDimension('runbook', runbookId);
    metrics.addMetric('ReportOverdue', MetricUnit.Count, overdue);
    metrics.publishStoredMetrics();
  }
}
