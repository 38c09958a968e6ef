import { sourceStatusLines } from '../../shared/usecases/source-status.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DEFAULT_CONFIG_FILE, loadConfig, requireSender, type Config } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { reportMonth } from '../../shared/domain/budget.js';
import type { Family } from '../../shared/domain/day-snapshot.js';
import { fiscalYearOf, localDay, localMonth, monthsOfFiscalYear, parsePeriod } from '../../shared/domain/periods.js';
import { DataDirDamagedError, DEFAULT_DATA_DIR, type DataDir } from '../../shared/local/data-dir.js';
import { openLocalSession, type LocalSession } from '../../shared/local/session.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import { readLocalStore } from '../../shared/local/ses.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { collectSource, configuredSource } from '../../shared/usecases/collect-source.js';
import {
  recoverOrphanedRuns,
  runQueued,
  runReport,
  type ReportDeps,
  type ReportResult,
} from '../../shared/usecases/run-report.js';
import { withDayProgress } from './progress.js';
import { serveLocal } from './serve.js';
import { edgeDeps, storesOf } from '../../shared/usecases/edge.js';
import { parseFor, START_BACKFILL_DAYS } from './commands.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse start [--serve] [--port 8787] [--data DIR] [--fresh]`: the main job on embedded stand-ins — start DynamoDB
 * and SES in process, backfill history from the configured sources (soc-sim by default), run every report runbook for
 * its last complete period, deliver the emails to the local SES, keep a copy in out/, and say where to read them.
 * The table lives on disk in the data directory (default .socpulse/data), so a second run sends nothing for periods
 * already delivered and a restarted server keeps its runs, plans and snapshots; `--fresh` starts over.
 */
export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('start', argv);
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  // start emails its reports: refused before anything starts when there is no sender.
  requireSender(config, 'run socpulse start (it emails the reports)');
  const days = values.days ? Number(values.days) : START_BACKFILL_DAYS;
  const port = values.port === undefined ? 8787 : Number(values.port);
  // A port another program holds would only be found after the whole job: it is tried first (and let go).
  if (values.serve && port !== 0) await portFree(port);
  const outDir = resolve(values.out ?? 'out');
  const runbooks = loadReportRunbooks('runbooks');
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`${line}\n`);

  let session: LocalSession;
  try {
    session = await openLocalSession(values.data ?? DEFAULT_DATA_DIR, { fresh: values.fresh });
  } catch (e) {
    if (e instanceof DataDirDamagedError) return refuse(e);
    throw e;
  }
  const { data, stack, table } = session;
  log(`socpulse: DynamoDB stand-in ${stack.dynamoEndpoint}, SES stand-in ${stack.sesEndpoint}`);
  log(`socpulse: data in ${data.dir} (${dataLine(data, values.fresh === true)})`);
  if (data.tookOver) log(`socpulse: took over the data directory's lock: ${data.tookOver}`);
  const deps = storesOf(table);
  try {
    await mkdir(outDir, { recursive: true });
    const reportDeps: ReportDeps = {
      config,
      runbooks,
      ...deps,
      mailer: new SesMailer(new SESv2Client({})),
      charts: reportCharts,
      archive: (file, content) => writeFile(join(outDir, file), content),
      now: () => new Date(),
      afterSesAccepted: testCrashHook(log),
    };
    // This process holds the data directory's lock: a run still queued or claimed belongs to a socpulse that is gone.
    let undelivered = 0;
    const recovered = new Set<string>();
    for (const result of await recoverOrphanedRuns(reportDeps, 'found at start-up by the socpulse holding the lock')) {
      recovered.add(result.runId);
      if (result.outcome !== 'delivered') undelivered++;
      log(`recovered ${reportLine(result)}`);
    }
    await backfill(config, deps, days, log);
    await seedDemoPlan(config, deps.budget, log);
    await session.checkpoint();
    let earlier = 0;
    for (const runbook of runbooks) {
      const result = await runReport(reportDeps, { runbook: runbook.id, trigger: 'schedule' });
      const count = Object.keys(result.deliveries).length;
      if (result.outcome === 'already-delivered' && recovered.has(result.runId)) {
        log(`report ${runbook.id} ${result.period}: recovered above (run ${result.runId}, ${count} email(s))`);
      } else if (result.outcome === 'already-delivered') {
        earlier++;
        log(
          `report ${runbook.id} ${result.period}: already delivered earlier (run ${result.runId}, ${count} email(s)), nothing sent`,
        );
      } else {
        if (result.outcome !== 'delivered') undelivered++;
        log(reportLine(result));
      }
    }
    await session.checkpoint();
    const mails = await readLocalStore(stack.sesEndpoint);
    log(`\n${mails.length} email(s) delivered to the local SES in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (earlier)
      log(
        `  ${earlier} report(s) were delivered by an earlier run and not sent again (--fresh starts over, POST /reports with "resend": true sends one again)`,
      );
    if (undelivered)
      log(`  ${undelivered} report(s) NOT delivered (above: who got nothing and why); socpulse start exits 1`);
    if (mails.length) log(`  read them: ${outDir}/*.html (rendered) and *.eml (as sent)`);
    if (values.serve) {
      const pending = new Set<Promise<unknown>>();
      const server = await serveLocal(
        edgeDeps(deps, {
          config,
          runbooks,
          // Locally a queued run is produced in process, as the report Lambda would produce it.
          trigger: {
            start: async (runId) => {
              const job = runQueued(reportDeps, runId).catch((e: Error) =>
                log(`report run ${runId} failed: ${e.message}`),
              );
              pending.add(job);
              void job.finally(() => pending.delete(job));
            },
          },
        }),
        port,
      );
      log(`  and on the SES stand-in's page: ${stack.sesWebUrl}`);
      log(`API: ${server.url}/  (Authorization: Bearer <token from localTokens>)`);
      log(`MCP: ${server.url}/mcp`);
      log('socpulse: serving until Ctrl-C');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await server.close();
      await Promise.all(pending);
    }
    return undelivered || mails.length + earlier + recovered.size === 0 ? 1 : 0;
  } finally {
    await session.close();
  }
}

/** Refuse a port that cannot be listened on (another server holds it), before any work. */
async function portFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`--port ${port}: cannot listen on 127.0.0.1:${port} (${e.code}); pick another or 0`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** One line for a damaged data directory, on stderr; exit 1. */
function refuse(e: DataDirDamagedError): number {
  process.stderr.write(`socpulse start: ${e.message}\n`);
  return 1;
}

/** How the data directory was found, for the start line. */
function dataLine(data: DataDir, fresh: boolean): string {
  const p = data.previous;
  if (p.kind === 'new') return fresh ? 'started over' : 'new';
  if (p.kind === 'unrecorded')
    return 'kept from an earlier run, which kept no manifest: its table was found and is recorded from now on; --fresh starts over';
  if (p.kind === 'unclosed')
    return `kept from an earlier run; the socpulse before (pid ${p.pid}) stopped without closing it: its marker checked, runs it left are recovered; --fresh starts over`;
  return 'kept from an earlier run, unchanged since it closed; --fresh starts over';
}

/** A report's outcome in one line: how many emails, who was sent a second copy and why, who got nothing. */
function reportLine(r: ReportResult): string {
  const count = Object.keys(r.deliveries).length;
  const doubts = (r.unconfirmed ?? []).map(
    (u) =>
      `; ${u.recipient} was sent it again: a send begun at ${u.sendingAt} was never confirmed, and the new email says it may be a second copy`,
  );
  if (r.outcome === 'delivered' || r.outcome === 'already-delivered')
    return `report ${r.runbook} ${r.period}: ${r.outcome}, ${count} email(s)${doubts.join('')}`;
  const nobody = r.undelivered?.length ? r.undelivered.join(', ') : 'unknown recipients';
  return `report ${r.runbook} ${r.period}: NOT delivered (${r.outcome}, run ${r.runId}) — nothing confirmed for ${nobody}${r.errors.length ? `: ${r.errors.join('; ')}` : ''}${doubts.join('')}`;
}

/**
 * SOCPULSE_TEST_CRASH_AFTER=ses-accepted:N — for the crash tests only: after SES accepted the Nth message, and
 * before its id is recorded, say so on stdout and stop there until the test kills the process. Unset, nothing.
 */
function testCrashHook(log: (l: string) => void): ReportDeps['afterSesAccepted'] {
  const spec = /^ses-accepted:(\d+)$/.exec(process.env.SOCPULSE_TEST_CRASH_AFTER ?? '');
  if (!spec) return undefined;
  let accepted = 0;
  return async (to, messageId) => {
    if (++accepted < Number(spec[1])) return;
    log(`socpulse: test hook: SES accepted ${messageId} for ${to}; stopped before recording it`);
    await new Promise<never>(() => undefined);
  };
}

async function backfill(
  config: Config,
  deps: { snapshots: DynamoSnapshotStore; collections: DynamoCollectionRunStore },
  days: number,
  log: (l: string) => void,
) {
  const secrets = new EnvSecretResolver();
  const fromDay = localDay(Date.now() - days * 86_400_000, config.timezone);
  const budgetFrom = budgetBackfillFrom(Date.now(), config);
  for (const [name, server] of Object.entries(config.mcpServers)) {
    // The budget report covers the fiscal year to date: costs (and the shifts personnel is estimated from) are
    // read from the fiscal year's first day, so no month of the demo report is "no data" for want of a backfill.
    const windows: { from: string; families?: Family[] }[] = [
      ...(budgetFrom < fromDay ? [{ from: budgetFrom, families: BUDGET_FAMILIES }] : []),
      { from: fromDay },
    ];
    for (const w of windows) {
      const t0 = Date.now();
      // A bar in days of the window on a terminal's stderr (stdout keeps the lines a script reads).
      const source = withDayProgress(configuredSource(config, name, secrets), `collect ${name}`);
      const run = await collectSource(
        { snapshots: deps.snapshots, runs: deps.collections, now: () => new Date() },
        { ...source, fromDay: w.from, families: w.families },
      ).finally(() => source.done());
      // Each source's status, counts, rejects (with examples), notes and errors, as export and backfill say them.
      const label = `collect ${name} (${server.kind})${w.families ? ` ${w.families.join(' and ')}` : ''} from ${w.from}`;
      const extra = `${run.snapshots.written} snapshots in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
      for (const line of sourceStatusLines(run, { label, extra })) log(line);
    }
  }
}

/** The families the budget report needs for the whole fiscal year to date. */
const BUDGET_FAMILIES: Family[] = ['costs', 'shifts'];

/**
 * The first local day `start` backfills costs from: the first day of the fiscal year of the budget report's month
 * (the last complete month), so every month of the fiscal year through it has its actuals.
 */
export function budgetBackfillFrom(now: number, config: Pick<Config, 'timezone' | 'fiscalYearStartMonth'>): string {
  const month = reportMonth(
    parsePeriod(localDay(now, config.timezone), {
      tz: config.timezone,
      fiscalYearStartMonth: config.fiscalYearStartMonth,
    }),
    now,
  );
  return `${monthsOfFiscalYear(fiscalYearOf(month, config.fiscalYearStartMonth), config.fiscalYearStartMonth)[0]}-01`;
}

async function seedDemoPlan(config: Config, budget: DynamoBudgetStore, log: (l: string) => void) {
  const thisMonth = localMonth(Date.now(), config.timezone);
  const fy = fiscalYearOf(thisMonth, config.fiscalYearStartMonth);
  const previous = `FY${Number(fy.slice(2)) - 1}`;
  for (const year of [previous, fy]) {
    if (await budget.plan(year)) continue;
    const lines = demoBudgetPlan(year, config.fiscalYearStartMonth, config.currency);
    await budget.importPlan(lines, `demo-${year}`, new Date().toISOString(), 'socpulse start (demo plan)');
    log(`budget plan ${year}: imported the demo plan (${lines.length} lines)`);
  }
}
