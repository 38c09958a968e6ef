import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { runReport } from '../report/run-report.js';
import { tableDeps } from './table-deps.js';
import { UsageError } from './usage-error.js';

/** `socpulse report RUNBOOK --period LABEL [--dry-run --out DIR]`: produce one report now, on demand. */
export async function reportCommand(argv: string[]): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        period: { type: 'string' },
        'dry-run': { type: 'boolean' },
        out: { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [runbook] = positionals;
  if (!runbook || positionals.length > 1)
    throw new UsageError('usage: socpulse report RUNBOOK --period LABEL [--dry-run --out DIR]');
  if (values['dry-run'] && !values.out) throw new UsageError('--dry-run needs --out DIR to write the email to');
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const deps = tableDeps();
  const out = values.out;
  if (out) await mkdir(out, { recursive: true });
  try {
    const result = await runReport(
      {
        config,
        runbooks: loadReportRunbooks('runbooks'),
        ...deps,
        mailer: new SesMailer(),
        charts: reportCharts,
        archive: out ? (f, c) => writeFile(join(out, f), c) : undefined,
        now: () => new Date(),
      },
      { runbook, period: values.period, trigger: 'on-demand', dryRun: values['dry-run'], requestedBy: 'cli' },
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.outcome === 'failed' ? 1 : 0;
  } catch (e) {
    if (e instanceof ReportRequestError) throw new UsageError(e.message);
    throw e;
  } finally {
    deps.client.destroy();
  }
}
