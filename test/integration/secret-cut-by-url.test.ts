import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { localTable } from './helpers.js';

/**
 * Issue 23: a secret holding `#`, put in a source URL's query, is cut there by the URL parser. The server gets only
 * `?key=h3-SECRET%20tok` and echoes it in its refusal; socpulse redacted the whole value, not the prefix, so
 * `h3-SECRET%20tok` reached stdout and the stored error.
 */
const SECRET = 'h3-SECRET tok#9f8e7d';
/** Every form of the prefix the echo server below writes, and the prefix itself. */
const LEAKS = ['h3-SECRET', 'SECRET%20tok', 'SECRET+tok', 'SECRET tok', 'aDMtU0VDUkVUIHRvaw', '9f8e7d'];

let env: Awaited<ReturnType<typeof localTable>>;
let echo: Server;
let dir: string;
let config: string;
beforeAll(async () => {
  env = await localTable();
  // A server that refuses and echoes what it received: the request line, the decoded key, its base64 and JSON.
  echo = createServer((req, res) => {
    const key = new URL(req.url!, 'http://x').searchParams.get('key') ?? '';
    res
      .writeHead(401, { 'content-type': 'text/plain' })
      .end(
        `denied ${req.url} key=${key} b64=${Buffer.from(key).toString('base64')} json=${JSON.stringify({ key })} form=${new URLSearchParams({ key })}`,
      );
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  dir = await mkdtemp(join(tmpdir(), 'socpulse-cut-secret-'));
  config = join(dir, 'socpulse.config.json');
  await writeFile(
    config,
    JSON.stringify({
      timezone: 'Europe/London',
      sender: 'socpulse@example.com',
      audiences: { leadership: ['ciso@example.com'], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
      mcpServers: {
        leaky: {
          kind: 'socpulse',
          url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}/mcp?key=\${secret:leak}`,
        },
      },
    }),
  );
});
afterAll(async () => {
  await new Promise<void>((r) => echo.close(() => r()));
  await env.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The server's refusal as socpulse should quote it: every value it echoed of the key is gone, its words are kept. */
const REFUSAL =
  'SourceError: leaky: cannot connect: Streamable HTTP error: Error POSTing to endpoint: ' +
  'denied /mcp?key=[redacted] key=[redacted] b64=[redacted] json={"key":"[redacted]"} form=key=[redacted]';

const run = (args: string[], extra: Record<string, string> = {}) =>
  promisify(execFile)('node', ['functions/cli/bin.js', ...args, '--config', config], {
    env: { ...process.env, SOCPULSE_SECRET_LEAK: SECRET, ...extra },
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);

describe('a secret cut by the URL parser at its `#` (issue 23)', () => {
  it('socpulse start: stdout and the emails carry no form of the prefix', async () => {
    const out = join(dir, 'out');
    const r = await run(['start', '--days', '2', '--data', join(dir, 'data'), '--out', out]);
    // Each collection's status line (the formatter export and backfill share), then its error on the next line.
    const said = r.stdout.split('\n');
    const at = said.flatMap((l, i) => (l.startsWith('collect leaky') ? [i] : []));
    expect(at.length).toBeGreaterThanOrEqual(1);
    for (const i of at) expect(said[i]).toMatch(/: failed; nothing; 0 snapshots in [\d.]+ s; 0 rejected$/);
    for (const i of at) expect(said[i + 1]).toBe(`  error: ${REFUSAL}`);
    const files = await readdir(out).catch(() => [] as string[]);
    const mails = await Promise.all(files.map((f) => readFile(join(out, f), 'utf8')));
    for (const [where, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ...files.map((f, i) => [f, mails[i]!] as const),
    ] as const)
      for (const leak of LEAKS) expect(text, `${where} carries ${leak}`).not.toContain(leak);
  });

  it('socpulse backfill: stderr and the stored error carry no form of the prefix', async () => {
    const r = await run(['backfill', '--from', '2026-11-20'], {
      SOCPULSE_TABLE: env.table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.endpoint,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    expect((r as { code?: number }).code).toBe(1);
    expect(r.stderr).toContain(
      `leaky: failed; nothing; 0 snapshots written, 0 unchanged; 0 rejected\n  error: ${REFUSAL}\n`,
    );
    const runs = new DynamoCollectionRunStore(env.table);
    const stored = await runs.runs('leaky');
    expect(stored.map((x) => x.errors)).toEqual([[REFUSAL]]);
    const items = JSON.stringify([stored, await runs.status('leaky')]);
    for (const [where, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ['table', items],
    ] as const)
      for (const leak of LEAKS) expect(text, `${where} carries ${leak}`).not.toContain(leak);
  });
});
