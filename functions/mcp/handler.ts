import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { functionConfig } from '../../shared/config/function-env.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { edgeDeps, storesOf } from '../../shared/usecases/edge.js';
import { cloudCaller, cloudDomainName, cloudTrigger, roleArnsFromEnv } from '../../shared/config/cloud.js';
import { handleMcpRequest, hostOrOriginProblem, jsonRpcErrorResponse, type McpDeps } from './server.js';

// Everything the function needs is read and validated at cold start: a broken config, runbook file or role-ARN list
// fails INIT with one line naming it, never a request.
const { config, runbooks } = functionConfig();
const roleArns = roleArnsFromEnv();
const deps: McpDeps = edgeDeps(storesOf(tableFromEnv()), { config, runbooks: runbooks(), trigger: cloudTrigger() });

const app = new Hono();
app.all('/mcp', (c) => {
  const event = (c.env as { event?: LambdaEvent }).event;
  // DNS-rebinding protection in the cloud: the request must name the API's own domain (SigV4 signs the Host), and a
  // browser page may call only from that same origin; agents send no Origin at all.
  const domain = cloudDomainName(event);
  const problem = domain ? hostOrOriginProblem(c.req.raw.headers, [domain]) : 'no API Gateway domain name';
  if (problem) return jsonRpcErrorResponse(403, problem);
  const caller = cloudCaller(roleArns, event);
  // API Gateway already verified the SigV4 signature: a principal that maps to no app role is forbidden, not unknown.
  if (!caller) return jsonRpcErrorResponse(403, 'forbidden: the caller is not one of the socpulse app roles');
  return handleMcpRequest(deps, caller, c.req.raw);
});

/** API Gateway HTTP API `/mcp` (IAM authorization) → socpulse's stateless MCP server. */
export const handler = handle(app);
