import { randomUUID } from 'node:crypto';
import { requireSender, type Config } from '../config/config.js';
import type { ReportRunbook } from '../config/runbooks.js';
import { buildBudgetSnapshot, type BudgetSnapshot } from '../domain/budget-snapshot.js';
import { formatInstant, parsePeriod, type Period } from '../domain/periods.js';
import { isMissing, type Summary } from '../domain/summary.js';
import type { BudgetSummary } from '../domain/budget.js';
import { budgetSnapshotCsv } from '../mail/budget-csv.js';
import { MailRejectedError, MailTransientError } from '../mail/errors.js';
import { inlineImages } from '../mail/inline-images.js';
import { composeMime } from '../mail/mime.js';
import { renderReport, type ReportModel, type SourceLine } from '../mail/render.js';
import { coverageOf, type SourceStatus } from '../store/collection-run-store.js';
import { reportRunKey, type ReportRun, type UnconfirmedSend } from '../store/report-run-store.js';
import type {
  BudgetPlanReader,
  BudgetSnapshotPort,
  MailSender,
  ReportRunPort,
  SnapshotReader,
  SourceStatusReader,
} from './ports.js';
import { collectionAsOf, loadSummary, withUnavailable } from './summary-loader.js';
import { loadStaffingLookAhead } from './forecast-loader.js';
import { shiftWeek } from '../domain/forecast.js';
import { periodContaining } from '../domain/periods.js';
import { ReportRequestError, resolveReportRequest } from '../config/report-request.js';

export interface ReportDeps {
  config: Config;
  runbooks: ReportRunbook[];
  snapshots: SnapshotReader;
  /** The plan (the budget section) and the snapshot versions the budget CSV is made from. */
  budget: BudgetPlanReader & BudgetSnapshotPort;
  collections: SourceStatusReader;
  runs: ReportRunPort;
  mailer: MailSender;
  charts?: (model: ReportModel) => Promise<NonNullable<ReportModel['charts']>>;
  /** Local runs keep a copy of every email (`out/`); the cloud has none. */
  archive?: (file: string, content: Buffer | string) => Promise<void>;
  now: () => Date;
  /**
   * Called after SES accepted a message and before its id is recorded: the one place a test may stop the process
   * (the local CLI wires SOCPULSE_TEST_CRASH_AFTER to it); production wiring leaves it unset.
   */
  afterSesAccepted?: (recipient: string, messageId: string) => Promise<void>;
}

export interface ReportRequest {
  runbook: string;
  /** A period label; without it the runbook's relative period at `now`. */
  period?: string;
  trigger: 'schedule' | 'on-demand';
  runId?: string;
  /** The run item a queued run lives under (runQueued); otherwise from the period and the recipient set. */
  runKey?: string;
  recipients?: string[];
  requestedBy?: string;
  /** Render and archive, send nothing, claim nothing. */
  dryRun?: boolean;
}

export interface ReportResult {
  outcome: 'delivered' | 'already-delivered' | 'in-progress' | 'failed' | 'dry-run';
  runId: string;
  runbook: string;
  period: string;
  deliveries: ReportRun['deliveries'];
  /** Sends that began and were never confirmed, and what was done about each (only on runs that sent). */
  unconfirmed?: UnconfirmedSend[];
  /** Who has no confirmed email from this run: the recipients without a delivery (empty when delivered). */
  undelivered?: string[];
  errors: string[];
  subject?: string;
  htmlBytes?: number;
}

/** How each configured source stood for this report; staleness is judged against the end of the period. */
export function sourceLines(config: Config, statuses: SourceStatus[], period: Period, now: number): SourceLine[] {
  return Object.entries(config.mcpServers).map(([name, server]) => {
    const s = statuses.find((x) => x.source === name);
    if (!s?.lastSuccessAt)
      return {
        name,
        kind: server.kind,
        status: s ? 'failed' : 'missing',
        detail: s?.lastError ? 'collection failing' : 'never collected',
      };
    const through = Date.parse(s.collectedThrough ?? s.lastSuccessAt);
    const needed = Math.min(period.end, now);
    const line: SourceLine = { name, kind: server.kind, status: 'ok', lastCollectedAt: s.lastSuccessAt };
    if (through < needed) return { ...line, status: 'stale', detail: `data only up to ${s.collectedThrough}` };
    if (s.lastAttemptStatus === 'failed')
      return { ...line, status: 'failed', detail: 'the latest collection failed; figures use the previous one' };
    if (s.lastAttemptStatus === 'degraded')
      return {
        ...line,
        status: 'degraded',
        detail: `the latest collection rejected ${s.lastRejects ?? 'some'} record(s) it could not map; figures may lack them`,
      };
    return line;
  });
}

/**
 * Produce and deliver one report, exactly once per (runbook, period, recipient set):
 * 1. resolve the runbook, the period (SOC time zone) and the recipients;
 * 2. claim the run with a conditional write on the same item every trigger uses (ReportRunPort) — a
 *    delivered run or one in progress elsewhere ends here;
 * 3. judge the data at the collection time (asOf), load snapshots for the period and the previous one, compute;
 * 4. render (HTML, text, charts, CSV for budget) and send one message per recipient not yet delivered,
 *    recording each SES message id as it is accepted, so a retry resends only what SES did not accept;
 * 5. mark the run delivered, or failed with the reasons.
 */
export async function runReport(deps: ReportDeps, req: ReportRequest): Promise<ReportResult> {
  const { config } = deps;
  const now = deps.now();
  const { runbook, period, recipients, wholeAudience, toDate } = resolveReportRequest(
    config,
    deps.runbooks,
    req,
    now.getTime(),
  );
  // Refused before anything is claimed: a report is email, even a dry run composes it as sent.
  const sender = requireSender(config, 'produce reports');
  const runId = req.runId ?? randomUUID();

  let run: ReportRun | undefined;
  if (!req.dryRun) {
    const claim = await deps.runs.claim(
      {
        runId,
        runbook: runbook.id,
        period: period.label,
        trigger: req.trigger,
        runKey: req.runKey ?? reportRunKey(period.label, wholeAudience ? undefined : recipients),
        recipients,
        requestedBy: req.requestedBy,
      },
      randomUUID(),
      now,
    );
    if (claim.outcome !== 'claimed')
      return {
        outcome: claim.outcome,
        runId: claim.run.runId,
        runbook: runbook.id,
        period: period.label,
        deliveries: claim.run.deliveries,
        undelivered: claim.run.recipients.filter((to) => !claim.run.deliveries[to]),
        errors: [],
      };
    run = claim.run;
  }

  const errors: string[] = [];
  try {
    const statuses = await deps.collections.statuses();
    const sources = sourceLines(config, statuses, period, now.getTime());
    // asOf is the collection time: the newest point all data is complete to, never later than now.
    const asOf = collectionAsOf(statuses, now.getTime());
    const summary = withUnavailable(
      await loadSummary(
        { snapshots: deps.snapshots, budget: deps.budget },
        // Only the runbook's sections are read and computed.
        {
          period,
          asOf,
          settings: config,
          sections: runbook.sections,
          sources: coverageOf(statuses, Object.keys(config.mcpServers)),
        },
      ),
      statuses,
    );
    const model: ReportModel = {
      runbook: { id: runbook.id, title: runbook.title, sections: runbook.sections },
      summary,
      sources,
      generatedAt: formatInstant(now.getTime(), period.tz),
      toDate,
      settings: config,
    };
    if (runbook.lookAhead) {
      // The week after next from the period's last week: on Thursday, about last week, that is next week. Tied to the
      // period, not to the clock, so a resent or retried run shows the same look ahead.
      const last = periodContaining('week', period.end - 1, { tz: period.tz, fiscalYearStartMonth: 1 });
      model.lookAhead = await loadStaffingLookAhead(deps.snapshots, {
        week: shiftWeek(last, 2),
        asOf,
        settings: config,
      });
    }
    model.charts = deps.charts ? await deps.charts(model) : [];
    const rendered = renderReport(model);
    // Detail that would make the email too large (or the full incident list) travels as an attached HTML file.
    const attachments: { filename: string; contentType: string; content: string }[] = [...rendered.attachments];
    if (runbook.attachBudgetCsv && !isMissing(summary.budget)) {
      const snapshot = await saveBudgetSnapshot(deps, summary, period, req.dryRun === true);
      attachments.push({
        filename: `socpulse-budget-${snapshot.fiscalYear}-${snapshot.month}-v${snapshot.version}.csv`,
        contentType: 'text/csv; charset=utf-8',
        content: budgetSnapshotCsv([snapshot]),
      });
    }
    const base = `${runbook.id}-${period.label}`;
    // The archived .html shows its charts on its own (data URIs); the .eml files keep the cid: parts as sent.
    await deps.archive?.(`${base}.html`, inlineImages(rendered.html, model.charts));
    await deps.archive?.(`${base}.txt`, rendered.text);

    const deliveries = { ...(run?.deliveries ?? {}) };
    // Sends an earlier attempt began and never confirmed: recorded on the run with the decision before anything else.
    if (run) run = await recordUnconfirmed(deps, run, now);
    for (const to of recipients) {
      if (deliveries[to]) continue;
      // SES has no idempotency key: a recipient in doubt is sent again, and that copy says it may be the second one.
      // (A manager's resend starts the deliveries again: only doubts found since then concern this round.)
      const since = run?.resends.at(-1)?.requestedAt ?? '';
      const doubt = run?.unconfirmed.find((u) => u.recipient === to && u.foundAt >= since);
      const possibleDuplicate = doubt ? { sendingAt: doubt.sendingAt, runId } : undefined;
      const body = possibleDuplicate ? renderReport({ ...model, possibleDuplicate }) : rendered;
      const raw = await composeMime({
        from: sender,
        fromName: config.senderName,
        replyTo: config.replyTo,
        to: [to],
        subject: body.subject,
        html: body.html,
        text: body.text,
        inlineImages: (model.charts ?? []).map((c) => ({
          cid: c.cid,
          filename: `${c.cid.split('@')[0]}.png`,
          content: c.png,
        })),
        attachments,
        headers: {
          'X-Socpulse-Run': runId,
          'X-Socpulse-Runbook': runbook.id,
          'X-Socpulse-Period': period.label,
          ...(doubt ? { 'X-Socpulse-Possible-Duplicate': doubt.sendingAt } : {}),
        },
      });
      await deps.archive?.(`${base}-${to.replace(/[^a-zA-Z0-9.@-]/g, '_')}.eml`, raw);
      if (req.dryRun) continue;
      // "Sending to X" is on the run before SES is called: a crash from here until the id is recorded leaves a doubt
      // the next attempt finds, never a silent second send. A lost claim (ConflictError) stops before SES is called.
      run = await deps.runs.update(run!, {
        sending: { ...run!.sending, [to]: { at: deps.now().toISOString(), attempt: run!.attempts } },
      });
      let messageId: string;
      try {
        ({ messageId } = await deps.mailer.send({ from: sender, to: [to], raw }));
      } catch (e) {
        errors.push(`${to}: ${(e as Error).message}`);
        // SES said no (rejected, or throttled): nothing was accepted, the mark goes. Without an answer it stays.
        const refused = e instanceof MailRejectedError || (e instanceof MailTransientError && e.answered);
        if (refused) run = await deps.runs.update(run!, { sending: without(run!.sending, to) });
        if (!(e instanceof MailRejectedError)) break; // throttled or down: stop here, the retry resends the rest
        continue;
      }
      await deps.afterSesAccepted?.(to, messageId);
      deliveries[to] = {
        messageId,
        sentAt: deps.now().toISOString(),
        ...(doubt ? { afterUnconfirmedSendAt: doubt.sendingAt } : {}),
      };
      run = await deps.runs.update(run!, { deliveries, sending: without(run!.sending, to) });
    }
    if (req.dryRun)
      return {
        outcome: 'dry-run',
        runId,
        runbook: runbook.id,
        period: period.label,
        deliveries: {},
        errors,
        subject: rendered.subject,
        htmlBytes: Buffer.byteLength(rendered.html),
      };
    const status = errors.length === 0 ? 'delivered' : 'failed';
    run = await deps.runs.update(run!, {
      status,
      error: errors.join('; ') || undefined,
      notes: [
        ...sources.filter((s) => s.status !== 'ok').map((s) => `source ${s.name} ${s.status}`),
        ...run!.unconfirmed.map(unconfirmedNote),
      ],
    });
    return {
      outcome: status,
      runId: run.runId,
      runbook: runbook.id,
      period: period.label,
      deliveries,
      unconfirmed: run.unconfirmed,
      undelivered: recipients.filter((to) => !deliveries[to]),
      errors,
      subject: rendered.subject,
      htmlBytes: Buffer.byteLength(rendered.html),
    };
  } catch (e) {
    if (run) await deps.runs.update(run, { status: 'failed', error: (e as Error).message }).catch(() => undefined);
    throw e;
  }
}

const without = <T>(record: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

/** The run's words for a send in doubt and the decision taken. */
export const unconfirmedNote = (u: UnconfirmedSend) =>
  `${u.recipient}: a send begun at ${u.sendingAt} (attempt ${u.attempt}) was never confirmed; sent again, saying it may be a second copy`;

/**
 * Turn "sending to X" marks left without a message id by an earlier attempt into recorded doubts, each with the
 * decision (resent with a notice), before this attempt sends anything.
 */
async function recordUnconfirmed(deps: ReportDeps, run: ReportRun, now: Date): Promise<ReportRun> {
  const found = Object.entries(run.sending)
    .filter(
      ([to, mark]) =>
        !run.deliveries[to] && !run.unconfirmed.some((u) => u.recipient === to && u.sendingAt === mark.at),
    )
    .map(([recipient, mark]): UnconfirmedSend => ({
      recipient,
      sendingAt: mark.at,
      attempt: mark.attempt,
      decision: 'resent-with-notice',
      foundAt: now.toISOString(),
    }));
  return found.length ? deps.runs.update(run, { unconfirmed: [...run.unconfirmed, ...found] }) : run;
}

/** Store this month's budget snapshot, reusing the latest version when nothing changed (a retry adds no version). */
async function saveBudgetSnapshot(
  deps: ReportDeps,
  summary: Summary,
  period: Period,
  dryRun: boolean,
): Promise<BudgetSnapshot> {
  const b = summary.budget as BudgetSummary;
  const month = parsePeriod(b.month.label, { tz: period.tz, fiscalYearStartMonth: 1 });
  const content = buildBudgetSnapshot(b, {
    asOf: summary.period.asOf,
    periodStart: formatInstant(month.start, period.tz),
    periodEnd: formatInstant(month.end, period.tz),
  });
  // Same figures as the latest version → that version, also when two runs race (the store compares again after a
  // lost write), so a snapshot id never gets a twin with identical content nor changes its own.
  // Content is every field but the time it was taken (asOf) and what the store assigns (id, version).
  const same = (latest: BudgetSnapshot) =>
    Object.entries(content).every(
      ([k, v]) => k === 'asOf' || JSON.stringify(latest[k as keyof BudgetSnapshot]) === JSON.stringify(v),
    );
  if (dryRun) {
    const latest = (await deps.budget.snapshots(b.fiscalYear, b.month.label)).at(-1);
    if (latest && same(latest)) return latest;
    return { ...content, snapshotId: `${b.fiscalYear}-${b.month.label}-draft`, version: 0 };
  }
  return deps.budget.addSnapshot(content, same);
}

/**
 * Recover every run left queued or claimed by a process that is gone, now. Only a caller that knows no other process
 * can hold a run may call it: the local `start`, which holds the data directory's lock, at start-up. Each run is
 * released (failed, naming why, its lease ended) and run again at once: only recipients without a recorded message
 * id are sent, and a send in doubt is sent again saying so.
 */
export async function recoverOrphanedRuns(deps: ReportDeps, why: string): Promise<ReportResult[]> {
  const results: ReportResult[] = [];
  for (const runbook of deps.runbooks)
    for (const run of await deps.runs.unfinished(runbook.id)) {
      const released = await deps.runs.update(run, {
        status: 'failed',
        error: `${run.status} by a process that is gone: ${why}`,
        claimId: undefined,
        leaseUntil: deps.now().getTime(),
      });
      try {
        results.push(
          await runReport(deps, {
            runbook: released.runbook,
            period: released.period,
            trigger: released.trigger,
            runId: released.runId,
            runKey: released.runKey,
            recipients: released.recipients,
            requestedBy: released.requestedBy,
          }),
        );
      } catch (e) {
        results.push({
          outcome: 'failed',
          runId: released.runId,
          runbook: released.runbook,
          period: released.period,
          deliveries: released.deliveries,
          undelivered: released.recipients.filter((to) => !released.deliveries[to]),
          errors: [(e as Error).message],
        });
      }
    }
  return results;
}

/** Run a queued on-demand report (queued by the API or the MCP server) by its run id. */
export async function runQueued(deps: ReportDeps, runId: string): Promise<ReportResult> {
  const queued = await deps.runs.getById(runId);
  if (!queued) throw new ReportRequestError('runId', `unknown run "${runId}"`);
  return runReport(deps, {
    runbook: queued.runbook,
    period: queued.period,
    trigger: queued.trigger,
    runId: queued.runId,
    runKey: queued.runKey,
    recipients: queued.recipients,
    requestedBy: queued.requestedBy,
  });
}
