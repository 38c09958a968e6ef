import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../shared/config/config.js';
import { randomUUID } from 'node:crypto';
import { ensureTable, startLocalDynamo, type LocalDynamo } from '../../shared/local/dynamo.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';
import type { BudgetSnapshotContent } from '../../shared/domain/budget-snapshot.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';

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

/** A whole budget snapshot's content (every field the store checks), its figures unknown unless given. */
export function budgetSnapshotContent(over: Partial<BudgetSnapshotContent> = {}): BudgetSnapshotContent {
  return {
    fiscalYear: 'FY2027',
    month: '2026-10',
    periodStart: '2026-10-01T00:00:00+01:00',
    periodEnd: '2026-11-01T00:00:00+00:00',
    asOf: '2026-11-03T08:00:00+00:00',
    currency: 'EUR',
    coveredMonths: [],
    missingMonths: [],
    forecastEstimatedMonths: 12,
    lines: [],
    totals: {
      plan: null,
      actual: null,
      variance: null,
      variancePct: null,
      forecast: null,
      annualPlan: null,
      ytdActual: null,
      ytdPlan: null,
    },
    ...over,
  };
}

/** The stores a summary is loaded from (snapshots, budget plans, collection runs) on one table. */
export function summaryStores(table: DynamoTable) {
  return {
    snapshots: new DynamoSnapshotStore(table),
    budget: new DynamoBudgetStore(table),
    collections: new DynamoCollectionRunStore(table),
  };
}
