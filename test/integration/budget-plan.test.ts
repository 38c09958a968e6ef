import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLocal } from '../../functions/cli/serve.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { summarize } from '../../shared/domain/summary.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { localTable } from './helpers.js';

/**
 * Issue 14, strict budget plan input: `PUT /budget/plan` on the real local server (HTTP on loopback, the API app,
 * dynalite behind it) refuses each bad input class with 400 naming the CSV line and the field, stores nothing, and
 * keeps serving; `socpulse budget import` says the same and exits 2.
 */
const config = parseConfig({
  timezone: 'UTC',
  fiscalYearStartMonth: 4,
  currency: 'EUR',
  sender: 'socpulse@example.com',
  audiences: { finance: ['fpa@example.com'] },
  localTokens: { 'finance-token-0123456789': 'finance' },
});
const TOKEN = 'finance-token-0123456789';
const HEADER = 'fiscalYear,month,category,amount,currency';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

let env: Awaited<ReturnType<typeof localTable>>;
let budget: DynamoBudgetStore;
let server: { url: string; close(): Promise<void> };
let dir: string;

beforeAll(async () => {
  env = await localTable();
  budget = new DynamoBudgetStore(env.table);
  server = await serveLocal(
    {
      config,
      runbooks: loadReportRunbooks('runbooks'),
      runs: new DynamoReportRunStore(env.table),
      idempotency: new DynamoIdempotencyStore(env.table),
      budget,
      summaryFor: async (label) =>
        summarize(
          {},
          { period: parsePeriod(label, { tz: 'UTC', fiscalYearStartMonth: 4 }), asOf: 0, settings: config },
        ),
      trigger: { start: async () => undefined },
      now: () => new Date('2026-11-24T09:00:00Z'),
    },
    0,
  );
  dir = await mkdtemp(join(tmpdir(), 'socpulse-plan-'));
}, 30_000);
afterAll(async () => {
  await server?.close();
  await env?.stop();
  await rm(dir, { recursive: true, force: true });
});

const put = async (body: string) => {
  const res = await fetch(`${server.url}/budget/plan`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv; charset=utf-8' },
    body,
  });
  return {
    status: res.status,
    body: (await res.json()) as { lines?: number; error?: { field: string; message: string } },
  };
};

/** Every plan stored, over the fiscal years these tests name. */
const stored = async () =>
  (await Promise.all(['FY2026', 'FY2027', 'FY2028'].map((fy) => budget.plan(fy)))).filter((p) => p !== undefined);

describe('PUT /budget/plan refuses each bad input class, naming line and field, and stores nothing', () => {
  it.each([
    [
      'an amount beyond the bound (over 10^12 minor units)',
      csv('FY2027,2026-04,tooling,100.00,EUR', 'FY2027,2026-05,tooling,99999999999999999999999.00,EUR'),
      'line 3: amount',
      /99999999999999999999999\.00 is over the bound of 10000000000\.00 per line/,
    ],
    [
      "a currency other than the config's",
      csv('FY2027,2026-04,tooling,100.00,USD'),
      'line 2: currency',
      /USD differs from the configured currency EUR/,
    ],
    [
      'duplicate (month, category) lines',
      csv('FY2027,2026-04,tooling,100.00,EUR', 'FY2027,2026-05,cloud,1.00,EUR', 'FY2027,2026-04,tooling,999.00,EUR'),
      'line 4: month,category',
      /2026-04 tooling is planned twice: line 2 and line 4/,
    ],
    ['a negative amount', csv('FY2027,2026-04,tooling,-100.00,EUR'), 'line 2: amount', /-100\.00 is negative/],
    [
      'a month outside the named fiscal year (fiscalYearStartMonth 4)',
      csv('FY2027,2026-03,tooling,100.00,EUR'),
      'line 2: month',
      /2026-03 is outside FY2027 \(2026-04 to 2027-03\)/,
    ],
    [
      'an unknown category',
      csv('FY2027,2026-04,coffee,100.00,EUR'),
      'line 2: category',
      /unknown category "coffee" \(one of personnel, tooling/,
    ],
  ])('%s', async (_name, body, field, message) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.body.error?.field).toBe(field);
    expect(res.body.error?.message).toMatch(message);
    expect(await stored()).toEqual([]);
  });

  it('accepts FY2027 and 2027 alike, stores them as FY2027, and is still serving after every refusal', async () => {
    const res = await put(csv('FY2027,2026-04,tooling,100.00,EUR', '2027,2026-05,tooling,10000000000.00,EUR'));
    expect(res).toEqual({ status: 200, body: { lines: 2 } });
    const plan = await budget.plan('FY2027');
    expect(plan?.lines.map((l) => [l.fiscalYear, l.month, l.amount]).sort()).toEqual([
      ['FY2027', '2026-04', '100.00'],
      ['FY2027', '2026-05', '10000000000.00'],
    ]);
  });
});

describe('socpulse budget import', () => {
  it('exits 2 with the API refusal naming line and field, and imports nothing', async () => {
    const file = join(dir, 'plan.csv');
    await writeFile(file, csv('FY2028,2027-04,tooling,1.00,EUR', 'FY2028,2027-04,tooling,2.00,EUR'));
    const r = await promisify(execFile)('node', [
      'functions/cli/bin.js',
      'budget',
      'import',
      file,
      '--api',
      server.url,
      '--token',
      TOKEN,
    ]).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /400 invalid_plan: .*2027-04 tooling is planned twice: line 2 and line 3 \(field: line 3: month,category\)/,
    );
    expect(await budget.plan('FY2028')).toBeUndefined();
  }, 30_000);
});
