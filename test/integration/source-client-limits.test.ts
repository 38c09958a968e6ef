import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SourceClient } from '../../shared/sources/mcp-client.js';

/** A real MCP server whose `slow` tool holds each call a while and records how many were running at once. */
function slowServer(holdMs: number) {
  const seen = { running: 0, peak: 0, calls: 0 };
  const server = new McpServer({ name: 'slow', version: '0' });
  server.registerTool('slow', { inputSchema: { n: z.number() } }, async ({ n }) => {
    seen.calls++;
    seen.running++;
    seen.peak = Math.max(seen.peak, seen.running);
    await new Promise((r) => setTimeout(r, holdMs));
    seen.running--;
    return { content: [{ type: 'text' as const, text: JSON.stringify({ n }) }] };
  });
  return { server, seen };
}

async function connect(server: McpServer, maxInFlight: number) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  return SourceClient.connect('slow', { transport: client }, { limits: { maxInFlight, backoffMs: 1 } });
}

describe('MCP source client concurrency (DESIGN.md "Sources": a bounded number of calls in flight)', () => {
  it('never has more than maxInFlight calls at the server, and answers every call with its own result', async () => {
    const { server, seen } = slowServer(15);
    const client = await connect(server, 3);
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, n) => client.call('slow', { n })));
      expect(answers).toEqual(Array.from({ length: 12 }, (_, n) => ({ n })));
      expect(seen.calls).toBe(12);
      expect(seen.peak).toBe(3);
    } finally {
      await client.close();
    }
  }, 30_000);

  it('frees the slot of a call that failed, so the calls waiting behind it still run', async () => {
    const { server, seen } = slowServer(5);
    server.registerTool('broken', { inputSchema: {} }, async () => {
      throw new Error('upstream exploded');
    });
    const client = await connect(server, 1);
    try {
      const results = await Promise.allSettled([
        client.call('broken', {}),
        client.call('slow', { n: 1 }),
        client.call('slow', { n: 2 }),
      ]);
      expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ source: 'slow' }) });
      expect(results.slice(1)).toEqual([
        { status: 'fulfilled', value: { n: 1 } },
        { status: 'fulfilled', value: { n: 2 } },
      ]);
      expect(seen.peak).toBe(1);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe('MCP source client errors carry no secret', () => {
  it('redacts a failing tools/list answer that echoes the credentials, as it does a tool call’s', async () => {
    const { Server } = await import('@modelcontextprotocol/sdk/server/index.js');
    const { ListToolsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const server = new Server({ name: 'echo', version: '0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => {
      throw new Error('denied /mcp?key=h3-SECRET%20tok auth=Bearer h3-SECRET tok#9f8e7d');
    });
    const [client, srv] = InMemoryTransport.createLinkedPair();
    await server.connect(srv);
    const source = await SourceClient.connect(
      'echo',
      { transport: client },
      { secrets: ['h3-SECRET tok#9f8e7d', 'h3-SECRET tok', 'h3-SECRET'] },
    );
    try {
      const error = await source.requireTools(['list_cases']).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/^echo: tools\/list failed: /);
      expect(error?.message).not.toMatch(/h3-SECRET/);
    } finally {
      await source.close();
    }
  });

  it('names a url that is not a URL without printing it', async () => {
    const error = await SourceClient.connect('bad', { url: 'http://[h3-SECRET/mcp', kind: 'socpulse' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe('bad: cannot connect: its url is not a valid URL');
    expect(JSON.stringify(error)).not.toMatch(/h3-SECRET/);
  });
});
