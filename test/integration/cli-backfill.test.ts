import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotPayloadBinaryDecoders, SnapshotPayloadSchemas } from '../../shared/store/formats/snapshot-payload.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

describe('socpulse backfill', () => {
  it('collects history from the configured source into the table named by SOCPULSE_TABLE (a deployed table, named on purpose)', async () => {
    const { stderr } = await promisify(execFile)('node', ['functions/cli/bin.js', 'backfill', '--from', '2026-11-10'], {
      env: {
        ...process.env,
        SOCPULSE_TABLE: env.table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.endpoint,
        AWS_REGION: 'eu-west-2',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    expect(stderr).toMatch(
      /sim: ok; \d+ cases, \d+ alerts, \d+ shifts, \d+ costs, \d+ shiftsAhead; \d+ snapshots written, 0 unchanged; 0 rejected/,
    );
    // stderr is not a terminal here: the status lines only, no progress bar.
    expect(stderr).not.toMatch(/[░█]|\d+\/\d+ days/);
    const days = await new DynamoSnapshotStore(env.table).list(
      'cases',
      '2026-11-10',
      '2026-11-23',
      SnapshotPayloadSchemas.cases,
      { binary: SnapshotPayloadBinaryDecoders.cases },
    );
    expect(days.length).toBeGreaterThanOrEqual(14);
    expect((await new DynamoCollectionRunStore(env.table).status('sim'))?.lastAttemptStatus).toBe('ok');
  });

  it('keeps a secret carried in a source URL out of stdout, stderr and the table, in every encoding', async () => {
    // A source URL with the secret in its path and query, as an API key is often passed. The server refuses and echoes
    // what it received, in the ways servers do: the raw request line, the decoded query, and a base64 token of it.
    const secret = 'FAKE SECRET/9f8e+7d6c-0a1b';
    const echo = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      res
        .writeHead(401, { 'content-type': 'text/plain' })
        .end(
          `denied ${req.url} key=${url.searchParams.get('key')} lower=${req.url!.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())} ` +
            `b64=${Buffer.from(url.searchParams.get('key') ?? '').toString('base64')} ` +
            `b64url=${Buffer.from(url.searchParams.get('key') ?? '').toString('base64url')}`,
        );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const dir = await mkdtemp(join(tmpdir(), 'socpulse-secret-'));
    try {
      const port = (echo.address() as AddressInfo).port;
      const config = join(dir, 'socpulse.config.json');
      await writeFile(
        config,
        JSON.stringify({
          sender: 'socpulse@example.com',
          mcpServers: {
            leaky: { kind: 'socpulse', url: `http://127.0.0.1:${port}/mcp/\${secret:leak}?key=\${secret:leak}` },
          },
        }),
      );
      const r = await promisify(execFile)(
        'node',
        ['functions/cli/bin.js', 'backfill', '--from', '2026-11-20', '--config', config],
        {
          env: {
            ...process.env,
            SOCPULSE_SECRET_LEAK: secret,
            SOCPULSE_TABLE: env.table.tableName,
            AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.endpoint,
            AWS_REGION: 'eu-west-2',
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
          },
        },
      ).catch((e: { code: number; stdout: string; stderr: string }) => e);
      expect((r as { code?: number }).code).toBe(1);
      expect(r.stderr).toMatch(/leaky: failed/);
      expect(r.stderr).toMatch(/\[redacted\]/); // the server's words are kept, the secret is not
      const items: string[] = [];
      const runs = new DynamoCollectionRunStore(env.table);
      items.push(JSON.stringify(await runs.runs('leaky')), JSON.stringify(await runs.status('leaky')));
      expect(items.join('')).toMatch(/denied \/mcp\/\[redacted\]/);
      const b64 = Buffer.from(secret).toString('base64');
      const forms = [
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret)
          .toLowerCase()
          .replace(/[a-z0-9]+/gi, (w) => w),
        'FAKE%20SECRET/9f8e+7d6c',
        'FAKE%20SECRET',
        'FAKE+SECRET',
        'FAKE SECRET',
        '9f8e+7d6c',
        '9f8e 7d6c',
        b64.slice(0, 12),
        Buffer.from(secret.replace('+', ' ')).toString('base64').slice(0, 12),
        Buffer.from(secret).toString('base64url').slice(0, 12),
      ];
      for (const [where, text] of [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
        ['table items', items.join('\n')],
      ] as const)
        for (const form of forms) expect(text, `${where} carries ${form}`).not.toContain(form);
    } finally {
      await new Promise<void>((res) => echo.close(() => res()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
