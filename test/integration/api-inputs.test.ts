import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../functions/api/app.js';
import { serveLocal } from '../../functions/cli/serve.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { summarize } from '../../shared/domain/summary.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { localTable } from './helpers.js';

// Strict inputs over real HTTP (`start --serve`'s server): each class of bad input gets a 4xx naming the field, is
// never echoed in full, stores nothing, and leaves the server answering.

const TOKEN = 'manager-token-0123456789';
const config = parseConfig({
  timezone: 'UTC',
  fiscalYearStartMonth: 4,
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com'], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
  localTokens: { [TOKEN]: 'manager' },
});
let env: Awaited<ReturnType<typeof localTable>>;
let server: Awaited<ReturnType<typeof serveLocal>>;
let deps: Omit<ApiDeps, 'identify'>;
const started: string[] = [];

beforeAll(async () => {
  env = await localTable();
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    runs: new DynamoReportRunStore(env.table),
    idempotency: new DynamoIdempotencyStore(env.table),
    budget: new DynamoBudgetStore(env.table),
    summaryFor: async (label) =>
      summarize(
        { cases: [] },
        {
          period: parsePeriod(label, { tz: 'UTC', fiscalYearStartMonth: 4 }),
          asOf: Date.parse('2026-11-24T00:00:00Z'),
          settings: config,
        },
      ),
    trigger: { start: async (runId) => void started.push(runId) },
    now: () => new Date('2026-11-24T09:00:00Z'),
  };
  server = await serveLocal(deps, 0);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await env?.stop();
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string> | undefined) },
  });
const post = (body: unknown, contentType = 'application/json') =>
  call('/reports', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': contentType } });
type ErrorBody = { error: { code: string; message: string; field?: string } };

/** Nothing stored: no run of any runbook, no trigger; and the server still answers a good request. */
async function nothingStoredAndStillUp() {
  for (const rb of deps.runbooks) expect(await deps.runs.list(rb.id), rb.id).toEqual([]);
  expect(started).toEqual([]);
  const ok = await call('/kpis?period=2026-W47');
  expect(ok.status).toBe(200);
}

describe('API: strict inputs', () => {
  it('periods outside 1970–2199, or that do not exist, are 400 naming period (never 500)', async () => {
    for (const period of ['9999-W52', '0099-01', '0026-11', '1969-12-31', 'FY2200', '2025-W53', '2027-W53']) {
      const res = await call(`/kpis?period=${period}`);
      expect(res.status, period).toBe(400);
      expect(((await res.json()) as ErrorBody).error, period).toMatchObject({
        code: 'invalid_period',
        field: 'period',
      });
      const trigger = await post({ runbook: 'weekly-kpi', period });
      expect(trigger.status, period).toBe(400);
      expect(((await trigger.json()) as ErrorBody).error.field).toBe('period');
    }
    await nothingStoredAndStillUp();
  });

  it('an over-long run id is 400 naming runId, a long-but-plausible unknown one 404, neither echoed in full', async () => {
    const long = await call(`/reports/${'a'.repeat(5000)}`);
    expect(long.status).toBe(400);
    const body = (await long.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'invalid_run_id', field: 'runId' });
    expect(JSON.stringify(body).length).toBeLessThan(200);
    const unknown = await call(`/reports/${'b'.repeat(64)}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.field).toBe('runId');
    const odd = await call('/reports/%E0%A4%A');
    expect(odd.status).toBeLessThan(500);
    await nothingStoredAndStillUp();
  });

  it('over-long names and periods in a report request are 400 naming the field, not echoed', async () => {
    for (const [body, field] of [
      [{ runbook: 'r'.repeat(5000) }, 'runbook'],
      [{ runbook: 'weekly-kpi', period: `2026-W47${'x'.repeat(5000)}` }, 'period'],
      [{ runbook: 'weekly-kpi', recipients: [`${'m'.repeat(5000)}@example.com`] }, 'recipients.0'],
    ] as const) {
      const res = await post(body);
      expect(res.status, field).toBe(400);
      const text = await res.text();
      expect((JSON.parse(text) as ErrorBody).error.field).toBe(field);
      expect(text.length, field).toBeLessThan(300);
    }
    await nothingStoredAndStillUp();
  });

  it('POST /reports needs application/json: anything else is 415 naming Content-Type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv', 'application/jsonx']) {
      const res = await post({ runbook: 'weekly-kpi', period: '2026-W46' }, type);
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as ErrorBody).error).toMatchObject({
        code: 'unsupported_media_type',
        field: 'Content-Type',
      });
    }
    const none = await call('/reports', { method: 'POST', body: '{"runbook":"weekly-kpi"}' });
    expect(none.status).toBe(415);
    await nothingStoredAndStillUp();
    // With the right type (and a charset) the same request is taken.
    const ok = await post({ runbook: 'weekly-kpi', period: '2026-W46' }, 'application/json; charset=utf-8');
    expect(ok.status).toBe(202);
    started.length = 0;
    for (const rb of deps.runbooks) for (const run of await deps.runs.list(rb.id)) expect(run.period).toBe('2026-W46');
  });

  it('unknown routes and methods answer the JSON error shape, without echoing a long path', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/reports'],
      ['GET', `/${'p'.repeat(5000)}`],
    ] as const) {
      const res = await call(path, { method });
      expect(res.status, path.slice(0, 20)).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await res.json()) as ErrorBody;
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('not_found');
      expect(body.error.message.length).toBeLessThan(120);
    }
    expect((await call('/kpis?period=2026-W47')).status).toBe(200);
  });
});
