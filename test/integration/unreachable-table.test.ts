import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createApiApp } from '../../functions/api/app.js';
import { parseConfig } from '../../shared/config/config.js';
import { callerFromLocalToken } from '../../shared/config/roles.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';
import { TableUnreachableError } from '../../shared/store/errors.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';

// Port 9 (discard) on loopback: nothing listens there in a test environment, so every call is refused at once.
const NOWHERE = 'http://127.0.0.1:9';
const unreachable = () =>
  new DynamoTable(
    dynamoClient({
      endpoint: NOWHERE,
      region: 'eu-west-2',
      maxAttempts: 1,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    'socpulse-missing',
  );

describe('an unreachable table: one clear line, no stack trace', () => {
  it('the store says which table and what to check, in one line with no frames or cause', async () => {
    const e = await unreachable()
      .get({ pk: 'x', sk: 'y' })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TableUnreachableError);
    const err = e as Error;
    expect(err.message).toMatch(
      /DynamoDB table "socpulse-missing" is unreachable: .*ECONNREFUSED.*AWS_ENDPOINT_URL_DYNAMODB/,
    );
    expect(err.stack).toBe(`TableUnreachableError: ${err.message}`);
    expect(err.cause).toBeUndefined();
  });

  it('the CLI prints one line and exits 1', async () => {
    const r = await promisify(execFile)(
      'node',
      ['functions/cli/bin.js', 'report', 'weekly-kpi', '--period', '2026-W47'],
      {
        env: {
          PATH: process.env.PATH!,
          NODE_NO_WARNINGS: '1',
          SOCPULSE_TABLE: 'socpulse-missing',
          AWS_ENDPOINT_URL_DYNAMODB: NOWHERE,
          AWS_MAX_ATTEMPTS: '1',
          AWS_REGION: 'eu-west-2',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((r as { code?: number }).code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^socpulse report: DynamoDB table "socpulse-missing" is unreachable: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('the API logs one JSON line and answers 503 in the error shape', async () => {
    const table = unreachable();
    const config = parseConfig({ sender: 'a@example.com', localTokens: { 'viewer-token-0123456789': 'viewer' } });
    const app = createApiApp({
      config,
      runbooks: [],
      runs: new DynamoReportRunStore(table),
      idempotency: new DynamoIdempotencyStore(table),
      budget: new DynamoBudgetStore(table),
      summaryFor: () => Promise.reject(new Error('not used')),
      trigger: { start: async () => undefined },
      identify: (c) => callerFromLocalToken(config, c.req.header('authorization')),
      now: () => new Date(),
    });
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void logged.push(a.join(' ')));
    try {
      const res = await app.request('/reports/abc', { headers: { authorization: 'Bearer viewer-token-0123456789' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: { code: 'unavailable', message: 'the data store is unreachable; try again later' },
      });
      expect(logged).toHaveLength(1);
      expect(logged[0]).not.toContain('\n');
      expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'ERROR', error: expect.stringMatching(/is unreachable/) });
    } finally {
      spy.mockRestore();
    }
  });
});
