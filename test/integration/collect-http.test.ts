import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { createSocSimSoarServer, startSocSimHttp } from '../../functions/soc-sim/server.js';
import { SnapshotPayloadBinaryDecoders, SnapshotPayloadSchemas } from '../../shared/store/formats/snapshot-payload.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { localTable } from './helpers.js';

const NOW = Date.parse('2026-11-23T06:00:00Z');
const tz = 'Europe/London';
let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());
const deps = () => ({
  snapshots: new DynamoSnapshotStore(env.table),
  runs: new DynamoCollectionRunStore(env.table),
  now: () => new Date(NOW),
});

describe('collection over Streamable HTTP and in the secops-soar shapes', () => {
  it('collects from soc-sim over Streamable HTTP on localhost, sending the resolved secret as a header', async () => {
    const sim = await startSocSimHttp({ now: () => NOW });
    try {
      const secrets = new EnvSecretResolver({ SOCPULSE_SECRET_SIM_TOKEN: 'sim-secret-value-123' });
      const run = await collectSource(deps(), {
        source: 'sim-http',
        kind: 'socpulse',
        open: () =>
          openSource(
            'sim-http',
            { kind: 'socpulse', url: sim.url, headers: { Authorization: 'Bearer ${secret:sim-token}' } },
            { secrets },
          ),
        tz,
        windowDays: 3,
      });
      expect(run.status).toBe('ok');
      expect(run.counts.alerts).toBeGreaterThan(1000);
      const stored = await new DynamoSnapshotStore(env.table).list(
        'cases',
        '2026-11-20',
        '2026-11-23',
        SnapshotPayloadSchemas.cases,
        { binary: SnapshotPayloadBinaryDecoders.cases },
      );
      expect(stored.filter((s) => s.source === 'sim-http')).toHaveLength(4);
    } finally {
      await sim.close();
    }
  });

  it('collects cases and their alerts from the simulator speaking the secops-soar shapes', async () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    await createSocSimSoarServer({ now: () => NOW, historyDays: 5 }).connect(server);
    const run = await collectSource(deps(), {
      source: 'soar',
      kind: 'secops-soar',
      open: () =>
        openSource(
          'soar',
          { kind: 'secops-soar', command: 'unused' },
          { secrets: new EnvSecretResolver({}), transport: client },
        ),
      tz,
      windowDays: 3,
    });
    expect(run.status).toBe('ok');
    expect(run.counts.cases).toBeGreaterThan(50);
    expect(run.counts.alerts).toBe(run.counts.cases);
    const [day] = await new DynamoSnapshotStore(env.table).list(
      'cases',
      '2026-11-21',
      '2026-11-21',
      SnapshotPayloadSchemas.cases,
      { binary: SnapshotPayloadBinaryDecoders.cases },
    );
    expect(day!.payload.cases.some((c) => c.closed !== undefined)).toBe(true);
  });

  it('never lets a secret reach an error, a log line or the collection record', async () => {
    // A server that rejects the call and echoes the credentials back in its error body, as some do.
    const echo = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`invalid credentials: ${req.headers.authorization}`);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/mcp`;
    const secret = 'super-secret-token-9f8e7d';
    const logged: string[] = [];
    const original = { log: console.log, error: console.error, warn: console.warn };
    console.log = console.error = console.warn = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    try {
      const run = await collectSource(deps(), {
        source: 'leaky',
        kind: 'socpulse',
        open: () =>
          openSource(
            'leaky',
            { kind: 'socpulse', url, headers: { Authorization: 'Bearer ${secret:leaky-token}' } },
            { secrets: new EnvSecretResolver({ SOCPULSE_SECRET_LEAKY_TOKEN: secret }) },
          ),
        tz,
        windowDays: 1,
      });
      expect(run.status).toBe('failed');
      expect(run.errors.join(' ')).toMatch(/leaky: cannot connect/);
      const stored = JSON.stringify(await new DynamoCollectionRunStore(env.table).runs('leaky'));
      for (const text of [JSON.stringify(run), stored, logged.join('\n')]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      }
      // The failure itself is still explained: the server's words, with the token redacted.
      expect(run.errors.join(' ')).toMatch(/\[redacted\]|401/);
    } finally {
      Object.assign(console, original);
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it('names a missing secret without a value', async () => {
    const run = await collectSource(deps(), {
      source: 'nosecret',
      kind: 'socpulse',
      open: () =>
        openSource(
          'nosecret',
          { kind: 'socpulse', url: 'http://127.0.0.1:9/mcp', headers: { 'X-Api-Key': '${secret:absent}' } },
          { secrets: new EnvSecretResolver({}) },
        ),
      tz,
      windowDays: 1,
    });
    expect(run.errors[0]).toBe('SecretError: nosecret: secret "absent" is not set (set SOCPULSE_SECRET_ABSENT)');
  });
});
