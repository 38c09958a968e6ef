import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { functionConfig } from '../../shared/config/function-env.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { summaryForLabel } from '../../shared/store/summary-loader.js';
import { forecastForLabel } from '../../shared/store/forecast-loader.js';
import { cloudCaller, cloudTrigger } from '../../shared/config/cloud.js';
import { handleMcpRequest, type McpDeps } from './server.js';

const { config, runbooks } = functionConfig();
const table = tableFromEnv();
const snapshots = new DynamoSnapshotStore(table);
const budget = new DynamoBudgetStore(table);
const collections = new DynamoCollectionRunStore(table);
const deps: McpDeps = {
  config,
  // Read (once) on first use: only the report tools need the runbooks, not the reads most calls are.
  get runbooks() {
    return runbooks();
  },
  runs: new DynamoReportRunStore(table),
  idempotency: new DynamoIdempotencyStore(table),
  budget,
  summaryFor: summaryForLabel({ snapshots, budget, collections }, config),
  forecastFor: forecastForLabel({ snapshots, collections }, config),
  trigger: cloudTrigger(),
  now: () => new Date(),
};

const app = new Hono();
app.all('/mcp', (c) => handleMcpRequest(deps, cloudCaller((c.env as { event?: LambdaEvent }).event), c.req.raw));

/** API Gateway HTTP API `/mcp` (IAM authorization) → socpulse's stateless MCP server. */
export const handler = handle(app);
