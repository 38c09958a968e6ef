import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { cloudCaller, cloudTrigger } from '../../shared/config/cloud.js';
import { EdgeEnv, ENV, functionConfig, parseFunctionEnv } from '../../shared/config/function-env.js';
import { DynamoTable, dynamoClient } from '../../shared/store/dynamo-table.js';
import { edgeDeps, storesOf } from '../../shared/usecases/edge.js';
import { createApiApp } from './app.js';

// INIT, once per container: the environment (its schema names any missing or broken variable, the role ARNs
// included), config and runbooks. A broken one fails the cold start with one line, never a request.
const env = parseFunctionEnv(EdgeEnv);
const { config, runbooks } = functionConfig(env[ENV.configFile]);
const logger = new Logger({ serviceName: 'socpulse-api' });

const app = createApiApp({
  ...edgeDeps(storesOf(new DynamoTable(dynamoClient(), env[ENV.table])), {
    config,
    runbooks,
    trigger: cloudTrigger(env[ENV.reportFunction]),
    logger,
  }),
  // The IAM identity API Gateway verified; a bearer token is never looked at here.
  identify: (c) => cloudCaller(env[ENV.roleArns], (c.env as { event?: LambdaEvent }).event),
});
const api = handle(app);

/** API Gateway HTTP API (IAM authorization per route) → the socpulse API. */
export const handler = (event: Parameters<typeof api>[0], context: Context) => {
  logger.addContext(context);
  return api(event, context);
};
