import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { ReportRequestError, resolveReportRequest } from '../../shared/config/report-request.js';
import { requestReport } from '../../shared/usecases/enqueue-report.js';
import { runQueued, runReport, type ReportDeps, type ReportResult } from '../../shared/usecases/run-report.js';
import { parseFor } from './commands.js';
import { deployedTableName, openTable, whoAmI } from './table-deps.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse report RUNBOOK [--period LABEL] [--resend] [--dry-run] [--out DIR] [--data DIR | --table NAME]`: produce
 * one report now, on demand, from the local table of the data directory `start` keeps (the email goes to the SES
 * stand-in and is written to --out), or from a deployed table named on purpose (Amazon SES). It asks through the same
 * exactly-once request as the API (shared/usecases/enqueue-report.ts) and then runs the run it queued in this
 * process: eight of these started at once send one report; a delivered one is not sent again without --resend.
 */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFor('report', argv);
  const runbook = positionals[0]!;
  if (values['dry-run'] && values.resend) throw new UsageError('--dry-run sends nothing: it cannot be a --resend');
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const runbooks = loadReportRunbooks('runbooks');
  // The runbook, the period and the audience, checked before any table is opened or stand-in started.
  try {
    resolveReportRequest(config, runbooks, { runbook, period: values.period }, Date.now());
  } catch (e) {
    if (e instanceof ReportRequestError) throw new UsageError(e.message);
    throw e;
  }
  const deployed = await deployedTableName(values);
  if (values['dry-run'] && !values.out && deployed)
    throw new UsageError('--dry-run needs --out DIR to write the email to');
  const out = values.out ?? (deployed ? undefined : 'out');
  if (out) await mkdir(out, { recursive: true });
  const stores = await openTable(values, deployed);
  // Locally, say where: the SES stand-in stops with this process, the copy in --out stays.
  if (stores.local)
    process.stderr.write(`socpulse report: from ${stores.where}; the email is written to ${resolve(out!)}\n`);
  const deps: ReportDeps = {
    config,
    runbooks,
    ...stores,
    mailer: new SesMailer(),
    charts: reportCharts,
    archive: out ? (f, c) => writeFile(join(out, f), c) : undefined,
    now: () => new Date(),
  };
  try {
    let result: ReportResult;
    if (values['dry-run']) {
      result = await runReport(deps, {
        runbook,
        period: values.period,
        trigger: 'on-demand',
        dryRun: true,
        requestedBy: 'cli',
      });
    } else {
      let job: Promise<ReportResult> | undefined;
      const { run } = await requestReport(
        {
          ...deps,
          runs: stores.runs,
          idempotency: stores.idempotency,
          trigger: { start: async (runId) => void (job = runQueued(deps, runId)) },
        },
        { runbook, period: values.period, resend: values.resend, requestedBy: `cli:${whoAmI()}` },
      );
      if (job) result = await job;
      else {
        const done = run.status === 'delivered' || run.status === 'no-data-sent';
        result = {
          outcome: done ? 'already-delivered' : 'in-progress',
          runId: run.runId,
          runbook: run.runbook,
          period: run.period,
          deliveries: run.deliveries,
          errors: [],
        };
        process.stderr.write(
          done
            ? `socpulse report: ${run.runbook} ${run.period} was already delivered (run ${run.runId}, ${Object.keys(run.deliveries).length} email(s)); nothing sent (--resend sends it again)\n`
            : `socpulse report: ${run.runbook} ${run.period} is already ${run.status} (run ${run.runId}); nothing sent twice\n`,
        );
      }
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (result.outcome === 'failed')
      process.stderr.write(
        `socpulse report: ${result.runbook} ${result.period} NOT delivered — nothing confirmed for ${result.undelivered?.join(', ') || 'unknown recipients'}: ${result.errors.join('; ')}\n`,
      );
    return result.outcome === 'failed' ? 1 : 0;
  } catch (e) {
    if (e instanceof ReportRequestError) throw new UsageError(e.message);
    throw e;
  } finally {
    await stores.close();
  }
}
