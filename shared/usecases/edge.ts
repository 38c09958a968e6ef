import type { Config } from '../config/config.js';
import type { ReportRunbook } from '../config/runbooks.js';
import type { Missing, StaffingForecast } from '../domain/forecast.js';
import type { Summary } from '../domain/summary.js';
import { DynamoBudgetStore } from '../store/budget-store.js';
import { DynamoCollectionRunStore } from '../store/collection-run-store.js';
import type { DynamoTable } from '../store/dynamo-table.js';
import { DynamoIdempotencyStore } from '../store/idempotency-store.js';
import { DynamoReportRunStore } from '../store/report-run-store.js';
import { DynamoSnapshotStore } from '../store/snapshot-store.js';
import { forecastForLabel } from './forecast-loader.js';
import { summaryForLabel } from './summary-loader.js';

/** Every store of one table. */
export interface TableStores {
  snapshots: DynamoSnapshotStore;
  budget: DynamoBudgetStore;
  collections: DynamoCollectionRunStore;
  runs: DynamoReportRunStore;
  idempotency: DynamoIdempotencyStore;
}

/** The stores of `table`: what the handlers, the local server and the CLI commands give the use cases. */
export function storesOf(table: DynamoTable): TableStores {
  return {
    snapshots: new DynamoSnapshotStore(table),
    budget: new DynamoBudgetStore(table),
    collections: new DynamoCollectionRunStore(table),
    runs: new DynamoReportRunStore(table),
    idempotency: new DynamoIdempotencyStore(table),
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
}

/** The API's and MCP server's dependencies on stored data: figures and forecasts judged at the newest collection. */
export function edgeDeps(
  stores: TableStores,
  opts: { config: Config; runbooks: ReportRunbook[]; trigger: EdgeDeps['trigger'] },
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
  };
}
