import { handle } from 'hono/aws-lambda';
import type { LambdaEvent } from 'hono/aws-lambda';
import { functionConfig } from '../../shared/config/function-env.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { edgeDeps, storesOf } from '../../shared/usecases/edge.js';
import { createApiApp } from './app.js';
import { cloudCaller, cloudTrigger, roleArnsFromEnv } from '../../shared/config/cloud.js';

// Config, runbooks and role ARNs are read and validated at cold start: a broken one fails INIT with one line naming it.
const { config, runbooks } = functionConfig();
const roleArns = roleArnsFromEnv();

const app = createApiApp({
  ...edgeDeps(storesOf(tableFromEnv()), { config, runbooks: runbooks(), trigger: cloudTrigger() }),
  // The IAM identity API Gateway verified; a bearer token is never looked at here.
  identify: (c) => cloudCaller(roleArns, (c.env as { event?: LambdaEvent }).event),
});

/** API Gateway HTTP API (IAM authorization per route) → the socpulse API. */
export const handler = handle(app);
