import { BudgetCsvError } from '../config/budget-plan-csv.js';
import type { Config } from '../config/config.js';
import { ReportRequestError } from '../config/report-request.js';
import type { ReportRunbook } from '../config/runbooks.js';
import type { Missing, StaffingForecast } from '../domain/forecast.js';
import { PeriodError } from '../domain/periods.js';
import type { Summary } from '../domain/summary.js';
import { DynamoBudgetStore } from '../store/budget-store.js';
import { DynamoCollectionRunStore } from '../store/collection-run-store.js';
import type { DynamoTable } from '../store/dynamo-table.js';
import { TableUnreachableError } from '../store/errors.js';
import { DynamoIdempotencyStore } from '../store/idempotency-store.js';
import { DynamoReportRunStore, type ReportRun } from '../store/report-run-store.js';
import { DynamoSnapshotStore } from '../store/snapshot-store.js';
import { IdempotencyConflictError } from './enqueue-report.js';
import { forecastForLabel } from './forecast-loader.js';
import type {
  BudgetPlanReader,
  BudgetSnapshotPort,
  CollectionRunRecorder,
  IdempotencyPort,
  ReportRequestPort,
  ReportRunPort,
  SnapshotReader,
  SnapshotWriter,
  SourceStatusReader,
} from './ports.js';
import { summaryForLabel } from './summary-loader.js';

/** Every store of one table. */
export interface TableStores {
  snapshots: DynamoSnapshotStore;
  budget: DynamoBudgetStore;
  collections: DynamoCollectionRunStore;
  runs: DynamoReportRunStore;
  idempotency: DynamoIdempotencyStore;
}

/**
 * The stores of `table`: what the handlers, the local server and the CLI commands give the use cases. Each store is
 * checked here against every port it serves (ports.ts): the store may not import a use case to say `implements`.
 */
export function storesOf(table: DynamoTable): TableStores {
  return {
    snapshots: new DynamoSnapshotStore(table),
    budget: new DynamoBudgetStore(table),
    collections: new DynamoCollectionRunStore(table),
    runs: new DynamoReportRunStore(table),
    idempotency: new DynamoIdempotencyStore(table),
  } satisfies {
    snapshots: SnapshotReader & SnapshotWriter;
    budget: BudgetPlanReader & BudgetSnapshotPort;
    collections: SourceStatusReader & CollectionRunRecorder;
    runs: ReportRunPort & ReportRequestPort;
    idempotency: IdempotencyPort;
  };
}

/** What the HTTP API and socpulse's MCP server answer from: the same use cases and stores at both edges. */
export interface EdgeDeps {
  config: Config;
  runbooks: ReportRunbook[];
  runs: DynamoReportRunStore;
  idempotency: DynamoIdempotencyStore;
  budget: DynamoBudgetStore;
  /** Figures for a period at the collection time (summary-loader.ts `summaryForLabel`). */
  summaryFor: (periodLabel: string) => Promise<Summary>;
  /** The staffing forecast of an ISO week at the collection time (forecast-loader.ts `forecastForLabel`); every
   * handler wires it, optional only so that stand-ins for other routes and tools need not. */
  forecastFor?: (weekLabel: string) => Promise<StaffingForecast | (Missing & { week: string })>;
  /** Starts a run a request queued: the report function (cloud), in process (local server, CLI). */
  trigger: { start(runId: string): Promise<void> };
  now: () => Date;
  /** Where an edge logs the errors it does not show its caller (Powertools' Logger in the functions). */
  logger?: EdgeLogger;
}

/** The one method of a logger the edges use; Powertools' Logger has it. */
export interface EdgeLogger {
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** One JSON line on stderr per error, the shape of the functions' logs: for processes without a Powertools logger. */
export const stderrLogger: EdgeLogger = {
  error: (message, ...extra) =>
    console.error(JSON.stringify({ level: 'ERROR', message, ...Object.assign({}, ...extra) })),
};

/** What a caller is told about an error that is not theirs (the error itself is logged). */
export const INTERNAL_ERROR_MESSAGE = 'internal error';
/** What a caller is told when the table cannot be reached (logged too). */
export const UNAVAILABLE_MESSAGE = 'the data store is unreachable; try again later';

/** What an edge answers for an error: a request error's own message, or a generic one for everything else. */
export interface EdgeFailure {
  /** request: the caller's input is at fault; unavailable: the table could not be reached; internal: anything else. */
  kind: 'request' | 'unavailable' | 'internal';
  message: string;
}

/**
 * The one error rule of the HTTP API and the MCP server. A known error about the request (a bad period, runbook,
 * recipient, plan or Idempotency-Key) is answered with its own message, which names what to fix. Anything else is
 * answered with a generic message and logged with its stack: its text may hold internals (a table name, an SDK
 * message) the caller has no use for.
 */
export function edgeFailure(e: unknown, logger: EdgeLogger = stderrLogger): EdgeFailure {
  if (e instanceof IdempotencyConflictError) return { kind: 'request', message: `${e.field}: ${e.message}` };
  if (e instanceof ReportRequestError || e instanceof PeriodError || e instanceof BudgetCsvError)
    return { kind: 'request', message: e.message };
  // The store's own message already names the table and what to check, in one line: no stack for it.
  if (e instanceof TableUnreachableError) {
    logger.error('table unreachable', { error: e.message });
    return { kind: 'unavailable', message: UNAVAILABLE_MESSAGE };
  }
  logger.error('unexpected error', e instanceof Error ? { error: e.message, stack: e.stack } : { error: String(e) });
  return { kind: 'internal', message: INTERNAL_ERROR_MESSAGE };
}

/**
 * The public shape of a report run, at both edges (GET /reports/{runId}, the MCP tools and resources): an allow-list,
 * so a field added to the stored run stays private until it is added here. Left out: the claim (claimId, leaseUntil,
 * rev, sending), the item's key (runKey), who first asked (requestedBy) and each resend's Idempotency-Key.
 */
export function publicRun(r: ReportRun) {
  return {
    runId: r.runId,
    runbook: r.runbook,
    period: r.period,
    trigger: r.trigger,
    status: r.status,
    recipients: r.recipients,
    deliveries: r.deliveries,
    /** Sends that began and were never confirmed, and what was decided (README "Exactly once"). */
    unconfirmed: r.unconfirmed,
    attempts: r.attempts,
    resends: r.resends.map(({ requestedBy, requestedAt, previousDeliveries }) => ({
      requestedBy,
      requestedAt,
      previousDeliveries,
    })),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    error: r.error,
    notes: r.notes,
  };
}

/** The API's and MCP server's dependencies on stored data: figures and forecasts judged at the newest collection. */
export function edgeDeps(
  stores: TableStores,
  opts: { config: Config; runbooks: ReportRunbook[]; trigger: EdgeDeps['trigger']; logger?: EdgeLogger },
): EdgeDeps {
  return {
    config: opts.config,
    runbooks: opts.runbooks,
    runs: stores.runs,
    idempotency: stores.idempotency,
    budget: stores.budget,
    summaryFor: summaryForLabel(stores, opts.config),
    forecastFor: forecastForLabel(stores, opts.config),
    trigger: opts.trigger,
    now: () => new Date(),
    logger: opts.logger ?? stderrLogger,
  };
}
