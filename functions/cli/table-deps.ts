import { dynamoClient, tableFromEnv } from '../../shared/store/dynamo-table.js';
import { storesOf } from '../../shared/usecases/edge.js';
import { UsageError } from './usage-error.js';

/** The stores of the table named by SOCPULSE_TABLE (a deployed table, or a stand-in via AWS_ENDPOINT_URL_DYNAMODB). */
export function tableDeps() {
  if (!process.env.SOCPULSE_TABLE)
    throw new UsageError(
      'SOCPULSE_TABLE is not set: name the table to use (and AWS_ENDPOINT_URL_DYNAMODB for a local one)',
    );
  const client = dynamoClient();
  return { client, ...storesOf(tableFromEnv(process.env, client)) };
}
