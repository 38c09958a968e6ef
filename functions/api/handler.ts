import { handle } from 'hono/aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { functionConfig } from '../../shared/config/function-env.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { summaryForLabel } from '../../shared/usecases/summary-loader.js';
import { forecastForLabel } from '../../shared/usecases/forecast-loader.js';
import { createApiApp } from './app.js';
import { cloudCaller, cloudTrigger, roleArnsFromEnv } from '../../shared/config/cloud.js';

// Config, runbooks and role ARNs are read and validated at cold start: a broken one fails INIT with one line naming it.
const { config, runbooks } = functionConfig();
const roleArns = roleArnsFromEnv();
const table = tableFromEnv();
const snapshots = new DynamoSnapshotStore(table);
const budget = new DynamoBudgetStore(table);
const collections = new DynamoCollectionRunStore(table);

const app = createApiApp({
  config,
  runbooks: runbooks(),
  runs: new DynamoReportRunStore(table),
  idempotency: new DynamoIdempotencyStore(table),
  budget,
  summaryFor: summaryForLabel({ snapshots, budget, collections }, config),
  forecastFor: forecastForLabel({ snapshots, collections }, config),
  trigger: cloudTrigger(),
  // The IAM identity API Gateway verified; a bearer token is never looked at here.
  identify: (c) => cloudCaller(roleArns, (c.env as { event?: LambdaEvent }).event),
  now: () => new Date(),
});

/** API Gateway HTTP API (IAM authorization per route) → the socpulse API. */
export const handler = handle(app);
