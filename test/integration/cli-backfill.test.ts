import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotPayloadBinaryDecoders, SnapshotPayloadSchemas } from '../../shared/domain/day-snapshot.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { localTable } from './helpers.js';

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
});
afterAll(async () => env.stop());

describe('socpulse backfill', () => {
  it('collects history from the configured source into the table named by SOCPULSE_TABLE, with progress on stderr', async () => {
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
    expect(stderr).toMatch(/sim: ok; \d+ snapshots written, 0 unchanged; 0 rejected/);
    expect(stderr).toMatch(/records/); // the progress bar
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

  it('names a missing table variable and exits 2', async () => {
    const r = await promisify(execFile)('node', ['functions/cli/bin.js', 'backfill', '--from', '2026-11-10'], {
      env: { PATH: process.env.PATH! },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((r as { code: number }).code).toBe(2);
    expect((r as { stderr: string }).stderr).toMatch(/SOCPULSE_TABLE is not set/);
  });
});
