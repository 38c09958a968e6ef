import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { ReportRequestError, resolveReportRequest } from '../config/report-request.js';
import type { ReportRunbook } from '../config/runbooks.js';
import { reportRunKey, type ReportRun } from '../store/report-run-store.js';
import type { IdempotencyPort, ReportRequestPort } from './ports.js';

/** An Idempotency-Key that was used for another request, or whose first request is still being served (HTTP 409). */
export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
  readonly field = 'Idempotency-Key';
  constructor(
    readonly code: 'idempotency_key_reused' | 'idempotency_key_in_use',
    message: string,
  ) {
    super(message);
  }
}

export interface ReportRequestDeps {
  config: Config;
  runbooks: ReportRunbook[];
  runs: ReportRequestPort;
  idempotency: IdempotencyPort;
  /** Starts a run this request queued: the report function (cloud), in process (local server, CLI). */
  trigger: { start(runId: string): Promise<void> };
  now: () => Date;
}

export interface ReportRequestInput {
  runbook: string;
  period?: string;
  recipients?: string[];
  /** Send a delivered run again (managers only: the caller checks the role). */
  resend?: boolean;
  /** Who asks (recorded on the run and on a resend); also the scope of the idempotency key. */
  requestedBy: string;
  idempotencyKey?: string;
}

export interface ReportRequestResult {
  run: ReportRun;
  /** True when this request queued work (a new run, a retry of a failed one, or a resend); false when it found a run. */
  queued: boolean;
  resent: boolean;
}

const MAX_KEY = 255;

/** Check a caller's idempotency key: 1–255 visible ASCII characters (Stripe's bound); the draft's quoted form too. */
export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  // draft-ietf-httpapi-idempotency-key-header makes the value a structured-field string ("…"); Stripe sends it bare.
  const key = /^"(.*)"$/.exec(raw)?.[1] ?? raw;
  if (key.length === 0 || key.length > MAX_KEY || !/^[\x21-\x7e]+$/.test(key))
    throw new ReportRequestError(
      'Idempotency-Key',
      `must be 1–${MAX_KEY} visible ASCII characters (e.g. a UUID), got ${key.length} character(s)`,
    );
  return key;
}

/**
 * Ask for a report (API `POST /reports`, MCP `trigger_report`, CLI `report`): the one way every on-demand trigger
 * reaches the exactly-once run of (runbook, period, recipient set) — see shared/store/report-run-store.ts for the timeline.
 * 1. validate runbook, period and recipients (a 400 naming the field, before anything is stored);
 * 2. with an idempotency key: replay its run, or refuse a key used for another request or still being served;
 * 3. create the run queued, or find the run of the same identity (queued, running, delivered) and return it;
 *    a failed or abandoned run is queued again, a delivered one only with `resend`;
 * 4. start it when this request queued it, and record the run under the idempotency key.
 */
export async function requestReport(deps: ReportRequestDeps, req: ReportRequestInput): Promise<ReportRequestResult> {
  const now = deps.now();
  const { runbook, period, recipients, wholeAudience } = resolveReportRequest(
    deps.config,
    deps.runbooks,
    req,
    now.getTime(),
  );
  const key = req.idempotencyKey;
  // The request as sent, normalized only where order carries no meaning (the recipient set).
  const fingerprint = {
    runbook: req.runbook,
    period: req.period ?? null,
    recipients: req.recipients ? [...new Set(req.recipients)].sort() : null,
    resend: req.resend === true,
  };
  if (key !== undefined) {
    const begun = await deps.idempotency.begin(req.requestedBy, key, fingerprint, now);
    if (begun.state === 'mismatch')
      throw new IdempotencyConflictError(
        'idempotency_key_reused',
        `this Idempotency-Key was used for another request (different ${begun.fields.join(', ')}); use a new key for a new request`,
      );
    if (begun.state === 'in-progress')
      throw new IdempotencyConflictError(
        'idempotency_key_in_use',
        'a request with this Idempotency-Key is still being served; retry shortly',
      );
    if (begun.state === 'replay') {
      const run = await deps.runs.getById(begun.runId);
      if (run) return { run, queued: false, resent: false };
    }
  }
  try {
    const found = await deps.runs.request(
      {
        runId: randomUUID(),
        runbook: runbook.id,
        period: period.label,
        runKey: reportRunKey(period.label, wholeAudience ? undefined : recipients),
        trigger: 'on-demand',
        recipients,
        requestedBy: req.requestedBy,
      },
      now,
      req.resend ? { requestedBy: req.requestedBy, idempotencyKey: key } : undefined,
    );
    if (found.outcome === 'queued') {
      try {
        await deps.trigger.start(found.run.runId);
      } catch (e) {
        // Not started: mark it failed so the next identical request queues it again now, not after the lease.
        await deps.runs
          .update(found.run, { status: 'failed', error: `could not be started: ${(e as Error).message}` })
          .catch(() => undefined);
        throw e;
      }
    }
    if (key !== undefined) await deps.idempotency.complete(req.requestedBy, key, fingerprint, found.run.runId, now);
    return {
      run: found.run,
      queued: found.outcome === 'queued',
      resent: found.outcome === 'queued' && found.resent,
    };
  } catch (e) {
    // Nothing was decided for this key: the caller may retry with it (a run already queued is found by identity).
    if (key !== undefined) await deps.idempotency.release(req.requestedBy, key).catch(() => undefined);
    throw e;
  }
}
