import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli-run.js';

// A stand-in for API Gateway that records what the CLI sends: there is no AWS here, so the SigV4 header is checked
// for its shape (algorithm, credential scope for execute-api in the region, signed headers, signature).
const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] =
  [];
let url: string;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.url === '/reports')
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ runId: 'run-1', status: 'queued' }));
    else if (req.url === '/budget/plan')
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'invalid_plan', message: 'body: line 3: month: expected a month', field: 'line 3: month' },
        }),
      );
    else res.writeHead(200, { 'content-type': 'text/csv' }).end('BillingPeriodStart\n');
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const run = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env } });
const aws = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'session-token-example',
  AWS_REGION: 'eu-west-2',
};

describe('socpulse trigger and budget against an API', () => {
  it('signs the trigger request with SigV4 for execute-api and never sends the secret key', async () => {
    const r = await run(['trigger', 'weekly-kpi', '--period', '2026-W47', '--api', url], aws);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('queued run-1\n');
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(JSON.parse(req.body)).toEqual({ runbook: 'weekly-kpi', period: '2026-W47' });
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(req.headers['x-amz-security-token']).toBe('session-token-example');
    expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(JSON.stringify(req.headers)).not.toContain(aws.AWS_SECRET_ACCESS_KEY);
  });

  it('uses a bearer token for a local run', async () => {
    const r = await run(['trigger', 'weekly-kpi', '--api', url, '--token', 'dev-manager-token']);
    expect(r.code).toBe(0);
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer dev-manager-token');
  });

  it('reports an API error with its code and field and exits 2 for bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    writeFileSync(join(dir, 'plan.csv'), 'fiscalYear,month,category,amount,currency\n');
    const r = await run(['budget', 'import', join(dir, 'plan.csv'), '--api', url, '--token', 't'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'socpulse budget import: 400 invalid_plan: body: line 3: month: expected a month (field: line 3: month)\n',
    );
    expect(seen.at(-1)!.headers['content-type']).toMatch(/^text\/csv/);
    const missing = await run(['trigger', 'weekly-kpi']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--api URL \(or SOCPULSE_API_URL\) is required/);
  });

  it('exports budget snapshots with the query finance asked for', async () => {
    const r = await run(['budget', 'export', '--fiscal-year', 'FY2027', '--month', '2026-09', '--api', url], aws);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('BillingPeriodStart\n');
    expect(seen.at(-1)!.url).toBe('/budget/snapshots?fiscalYear=FY2027&format=csv&month=2026-09');
  });
});
