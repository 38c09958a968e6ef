import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { cloudCaller, cloudDomainName, cloudTrigger } from '../../shared/config/cloud.js';
import { EdgeEnv, ENV, functionConfig, parseFunctionEnv } from '../../shared/config/function-env.js';
import { DynamoTable, dynamoClient } from '../../shared/store/dynamo-table.js';
import { edgeDeps, storesOf } from '../../shared/usecases/edge.js';
import { handleMcpRequest, hostOrOriginProblem, jsonRpcErrorResponse, type McpDeps } from './server.js';

// INIT, once per container: the environment (its schema names any missing or broken variable, the role ARNs
// included), config and runbooks. A broken one fails the cold start with one line, never a request.
const env = parseFunctionEnv(EdgeEnv);
const { config, runbooks } = functionConfig(env[ENV.configFile]);
const logger = new Logger({ serviceName: 'socpulse-mcp' });
const deps: McpDeps = edgeDeps(storesOf(new DynamoTable(dynamoClient(), env[ENV.table])), {
  config,
  runbooks,
  trigger: cloudTrigger(env[ENV.reportFunction]),
  logger,
});

const app = new Hono();
app.all('/mcp', (c) => {
  const event = (c.env as { event?: LambdaEvent }).event;
  // DNS-rebinding protection in the cloud: the request must name the API's own domain (SigV4 signs the Host), and a
  // browser page may call only from that same origin; agents send no Origin at all.
  const domain = cloudDomainName(event);
  const problem = domain ? hostOrOriginProblem(c.req.raw.headers, [domain]) : 'no API Gateway domain name';
  if (problem) return jsonRpcErrorResponse(403, problem);
  const caller = cloudCaller(env[ENV.roleArns], event);
  // API Gateway already verified the SigV4 signature: a principal that maps to no app role is forbidden, not unknown.
  if (!caller) return jsonRpcErrorResponse(403, 'forbidden: the caller is not one of the socpulse app roles');
  return handleMcpRequest(deps, caller, c.req.raw);
});
const mcp = handle(app);

/** API Gateway HTTP API `/mcp` (IAM authorization) → socpulse's stateless MCP server. */
export const handler = (event: Parameters<typeof mcp>[0], context: Context) => {
  logger.addContext(context);
  return mcp(event, context);
};
