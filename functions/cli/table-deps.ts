import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { dynamoClient, tableFromEnv } from '../../shared/store/dynamo-table.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { UsageError } from './usage-error.js';

/** The stores of the table named by SOCPULSE_TABLE (a deployed table, or a stand-in via AWS_ENDPOINT_URL_DYNAMODB). */
export function tableDeps() {
  if (!process.env.SOCPULSE_TABLE)
    throw new UsageError(
      'SOCPULSE_TABLE is not set: name the table to use (and AWS_ENDPOINT_URL_DYNAMODB for a local one)',
    );
  const client = dynamoClient();
  const table = tableFromEnv(process.env, client);
  return {
    client,
    snapshots: new DynamoSnapshotStore(table),
    budget: new DynamoBudgetStore(table),
    collections: new DynamoCollectionRunStore(table),
    runs: new DynamoReportRunStore(table),
    idempotency: new DynamoIdempotencyStore(table),
  };
}
