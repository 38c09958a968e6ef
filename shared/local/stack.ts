import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, ensureTable } from './dynamo.js';
import { startLocalSes } from './ses.js';
import { TABLE_NAME_ENV } from '../store/table.js';

/** The embedded stand-ins of a local run, and the environment that points the AWS SDK at them. */
export interface LocalStack {
  dynamoEndpoint: string;
  sesEndpoint: string;
  /** The SES stand-in's web page, where the delivered mail can be read. */
  sesWebUrl: string;
  tableName: string;
  /** Variables to put in the environment of anything that should use the stand-ins. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Start DynamoDB (dynalite) and SES (aws-ses-v2-local) in process on free ports, create the table (kept when it exists), and return the
 * standard `AWS_ENDPOINT_URL_*` variables: code under test uses the ordinary SDK clients, never an `if (local)` branch.
 */
export async function startLocalStack(
  options: {
    tableName?: string;
    applyToProcessEnv?: boolean;
    dynamoPath?: string;
    /** False when the table must already be there (a data directory socpulse recorded): it is never made anew. */
    createTable?: boolean;
  } = {},
): Promise<LocalStack> {
  const tableName = options.tableName ?? 'socpulse-local';
  // On disk when a path is given (dynalite's leveldb folder: `socpulse start` keeps its data), else in memory.
  const dynamo = await startLocalDynamo({ path: options.dynamoPath });
  let ses: Awaited<ReturnType<typeof startLocalSes>>;
  try {
    ses = await startLocalSes();
  } catch (e) {
    await dynamo.stop();
    throw e;
  }
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'eu-west-2',
    // The stand-ins accept any credentials; fixed dummies keep a developer's real ones out of local runs.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [TABLE_NAME_ENV]: tableName,
  };
  if (options.applyToProcessEnv !== false) {
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, env);
  }
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: env.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  if (options.createTable !== false) await ensureTable(client, tableName);
  client.destroy();
  return {
    dynamoEndpoint: dynamo.endpoint,
    sesEndpoint: ses.endpoint,
    sesWebUrl: ses.webUrl,
    tableName,
    env,
    stop: async () => {
      await Promise.all([dynamo.stop(), ses.stop()]);
    },
  };
}
