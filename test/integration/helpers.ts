import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../shared/config/config.js';
import { randomUUID } from 'node:crypto';
import { ensureTable, startLocalDynamo, type LocalDynamo } from '../../shared/local/dynamo.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';

/** A dynalite instance and a fresh table in it, for one test file. */
export async function localTable(): Promise<{
  dynamo: LocalDynamo;
  table: DynamoTable;
  client: DynamoDBClient;
  stop(): Promise<void>;
}> {
  const dynamo = await startLocalDynamo();
  const client = dynamoClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const name = `t-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, name);
  return {
    dynamo,
    client,
    table: new DynamoTable(client, name),
    stop: async () => {
      client.destroy();
      await dynamo.stop();
    },
  };
}

/** The config the report tests share: a London SOC with a fiscal year from April and three audiences; `extra` adds keys. */
export function reportTestConfig(extra: Record<string, unknown> = {}) {
  return parseConfig({
    timezone: 'Europe/London',
    fiscalYearStartMonth: 4,
    mcpServers: { sim: { kind: 'socpulse', command: 'unused' } },
    sender: 'socpulse@example.com',
    audiences: {
      leadership: ['ciso@example.com', 'coo@example.com'],
      finance: ['fpa@example.com'],
      manager: ['soc-lead@example.com'],
    },
    ...extra,
  });
}
