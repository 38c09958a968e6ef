import { userInfo } from 'node:os';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DEFAULT_DATA_DIR } from '../../shared/local/data-dir.js';
import { openLocalSession, type LocalSession } from '../../shared/local/session.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';
import { storesOf, type TableStores } from '../../shared/usecases/edge.js';
import { UsageError } from './usage-error.js';

/** The table a command works on: the local one of the data directory, or a deployed one named on purpose. */
export interface TableSession extends TableStores {
  /** In words, for the first line a command prints. */
  where: string;
  /** Set when local: the stand-ins (the SES one receives the emails) and the data directory. */
  local?: LocalSession;
  close(): Promise<void>;
}

/** The flags that choose the table (`--data`, `--table`, `--region`). */
export interface TableChoice {
  data?: string;
  table?: string;
  region?: string;
}

/**
 * The deployed table named by `--table` (or SOCPULSE_TABLE), checked before any work: a region and AWS credentials
 * must be there, else one line saying which; undefined when neither names one — then the command is local.
 */
export async function deployedTableName(choice: TableChoice): Promise<string | undefined> {
  const name = choice.table ?? process.env.SOCPULSE_TABLE;
  if (!name) return undefined;
  const from = choice.table ? `--table ${name}` : `SOCPULSE_TABLE=${name}`;
  const region = choice.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError(
      `${from} names a deployed table but no AWS region is set: pass --region or set AWS_REGION (without a table name, the local data directory is used)`,
    );
  process.env.AWS_REGION = region;
  try {
    await defaultProvider()();
  } catch (e) {
    throw new UsageError(
      `${from} names a deployed table but no AWS credentials were found (${(e as Error).message.split('\n')[0]}); assume the socpulse role first`,
    );
  }
  return name;
}

/**
 * Open the table: a deployed one when `deployedTableName` gave one, else the local table of the data directory
 * `start` keeps (`--data`, default .socpulse/data), on stand-ins started here — no environment variable needed, and
 * never a real AWS account by accident. Another socpulse holding the directory is one line (DataDirError).
 */
export async function openTable(choice: TableChoice, deployed: string | undefined): Promise<TableSession> {
  if (deployed) {
    const client = dynamoClient();
    return {
      ...storesOf(new DynamoTable(client, deployed)),
      where: `DynamoDB table ${deployed}`,
      close: async () => client.destroy(),
    };
  }
  const local = await openLocalSession(choice.data ?? DEFAULT_DATA_DIR);
  return {
    ...storesOf(local.table),
    where: `the local table in ${local.data.dir}`,
    local,
    close: () => local.close(),
  };
}

/** Who runs the command, for a run's audit trail (a container without a passwd entry has no user name). */
export function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
