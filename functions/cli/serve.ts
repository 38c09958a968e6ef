import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { callerFromLocalToken } from '../../shared/config/roles.js';
import { createApiApp, type ApiDeps } from '../api/app.js';
import { handleMcpRequest, hostOrOriginProblem, jsonRpcErrorResponse, LOCAL_HOSTNAMES } from '../mcp/server.js';

/** RFC 6750 §3: a missing token gets the bare challenge; a token that is not known gets error="invalid_token". */
const challenge = (authorization: string | undefined) =>
  authorization
    ? 'Bearer realm="socpulse", error="invalid_token", error_description="unknown token"'
    : 'Bearer realm="socpulse"';

/**
 * The local API and MCP server (`socpulse start --serve`): one HTTP server on 127.0.0.1, the API at `/` and the MCP
 * server at `/mcp`, with `Authorization: Bearer <token>` mapped to a role by `localTokens`. Only here are tokens accepted.
 * Before any route runs, every request passes two checks, in this order: Host and Origin name this machine
 * (DNS-rebinding protection: 403), and the token is known (401 with `WWW-Authenticate`), so an unauthenticated
 * MCP `initialize` or `tools/list` learns nothing.
 */
export async function serveLocal(
  deps: Omit<ApiDeps, 'identify'>,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const identify = (authorization: string | undefined) => callerFromLocalToken(deps.config, authorization);
  const app = new Hono();
  app.use('*', async (c, next) => {
    const isMcp = c.req.path === '/mcp';
    const problem = hostOrOriginProblem(c.req.raw.headers, LOCAL_HOSTNAMES);
    if (problem)
      return isMcp
        ? jsonRpcErrorResponse(403, problem)
        : c.json({ error: { code: 'forbidden_host', message: problem } }, 403);
    const authorization = c.req.header('authorization');
    if (!identify(authorization)) {
      const headers = { 'WWW-Authenticate': challenge(authorization) };
      return isMcp
        ? jsonRpcErrorResponse(401, 'unauthenticated: no or unknown bearer token', headers)
        : c.json({ error: { code: 'unauthenticated', message: 'no or unknown credentials' } }, 401, headers);
    }
    await next();
  });
  app.all('/mcp', (c) => handleMcpRequest(deps, identify(c.req.header('authorization'))!, c.req.raw));
  // Everything else is the API app itself (not mounted with route(), which would drop its JSON 404 and error shapes).
  const api = createApiApp({ ...deps, identify: (c) => identify(c.req.header('authorization')) });
  app.all('*', (c) => api.fetch(c.req.raw));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
