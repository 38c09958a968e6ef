import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { requestReport } from '../../shared/usecases/enqueue-report.js';
import { runQueued, runReport, type ReportDeps, type ReportResult } from '../../shared/usecases/run-report.js';
import { tableDeps } from './table-deps.js';
import { parseFlags, UsageError } from './usage-error.js';

const USAGE = 'usage: socpulse report RUNBOOK --period LABEL [--resend] [--dry-run --out DIR]';

/**
 * `socpulse report RUNBOOK --period LABEL [--resend] [--dry-run --out DIR]`: produce one report now, on demand. It asks
 * through the same exactly-once request as the API (shared/usecases/enqueue-report.ts) and then runs the run it queued
 * in this process: eight of these started at once send one report; a delivered one is not sent again without --resend.
 */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv,
    allowPositionals: true,
    options: {
      period: { type: 'string' },
      resend: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      out: { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const [runbook] = positionals;
  if (!runbook || positionals.length > 1) throw new UsageError(USAGE);
  if (values['dry-run'] && !values.out) throw new UsageError('--dry-run needs --out DIR to write the email to');
  if (values['dry-run'] && values.resend) throw new UsageError('--dry-run sends nothing: it cannot be a --resend');
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const stores = tableDeps();
  const out = values.out;
  if (out) await mkdir(out, { recursive: true });
  const deps: ReportDeps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
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
    stores.client.destroy();
  }
}

/** Who runs the command, for the run's audit trail (a container without a passwd entry has no user name). */
function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
