import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClient, DynamoTable } from '../store/dynamo-table.js';
import { DynamoStoreMarker } from '../store/store-marker.js';
import { DataDirDamagedError, openDataDir, type DataDir, type StoreProbe } from './data-dir.js';
import { LocalTableOpenError, tableExists } from './dynamo.js';
import { startLocalStack, type LocalStack } from './stack.js';

/** The local table of a data directory, held by this process, on running stand-ins. */
export interface LocalSession {
  data: DataDir;
  stack: LocalStack;
  dynamo: DynamoDBClient;
  table: DynamoTable;
  /** Raise the store's generation (table marker, then manifest): after each step whose writes must survive. */
  checkpoint(): Promise<void>;
  /** Checkpoint, stop the stand-ins, record the table's files and release the directory. */
  close(): Promise<void>;
}

/**
 * Open the data directory `socpulse start` uses and the stand-ins on it — the one way every local command reaches
 * its table: take the directory's lock (another socpulse holding it is a DataDirError naming its pid), start dynalite
 * on its folder and the SES stand-in (the AWS SDK is pointed at both, with dummy credentials and a region, so no
 * real account is ever reached), and check the table against socpulse's manifest and marker. A directory that cannot
 * be trusted is a DataDirDamagedError; nothing is left running or locked after either.
 */
export async function openLocalSession(dir: string, options: { fresh?: boolean } = {}): Promise<LocalSession> {
  const data = openDataDir(dir, options);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dynamoPath: data.dynamoPath, createTable: !data.tableExpected });
  } catch (e) {
    data.release();
    if (e instanceof LocalTableOpenError)
      throw new DataDirDamagedError(data.dir, `dynalite cannot open dynamo/ (${e.message})`);
    throw e;
  }
  const dynamo = dynamoClient();
  const table = new DynamoTable(dynamo, stack.tableName);
  const marker = new DynamoStoreMarker(table);
  const probe: StoreProbe = {
    tableExists: () => tableExists(dynamo, stack.tableName),
    readMarker: () => marker.read(),
    writeMarker: (g) => marker.write(g),
  };
  try {
    await data.check(probe);
  } catch (e) {
    dynamo.destroy();
    await stack.stop();
    data.release();
    throw e;
  }
  let closed = false;
  return {
    data,
    stack,
    dynamo,
    table,
    checkpoint: () => data.checkpoint(probe),
    close: async () => {
      if (closed) return;
      closed = true;
      // The marker's last generation, then dynalite's files recorded once it has stopped: the next open checks both.
      await data.checkpoint(probe).catch(() => undefined);
      dynamo.destroy();
      await stack.stop();
      data.close();
      data.release();
    },
  };
}
