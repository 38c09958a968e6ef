import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { callerFromLocalToken } from '../../shared/config/roles.js';
import { createApiApp, type ApiDeps } from '../api/app.js';
import { handleMcpRequest } from '../mcp/server.js';

/**
 * The local API and MCP server (`socpulse start --serve`): one HTTP server on 127.0.0.1, the API at `/` and the MCP
 * server at `/mcp`, with `Authorization: Bearer <token>` mapped to a role by `localTokens`. Only here are tokens accepted.
 */
export async function serveLocal(
  deps: Omit<ApiDeps, 'identify'>,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const identify = (authorization: string | undefined) => callerFromLocalToken(deps.config, authorization);
  const app = new Hono();
  app.all('/mcp', (c) => handleMcpRequest(deps, identify(c.req.header('authorization')), c.req.raw));
  app.route('/', createApiApp({ ...deps, identify: (c) => identify(c.req.header('authorization')) }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
