import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../store/table.js';

/** A running in-process DynamoDB stand-in. */
export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/** dynalite could not open its leveldb folder; the message is leveldb's own (e.g. "Corruption: CURRENT file …"). */
export class LocalTableOpenError extends Error {
  override name = 'LocalTableOpenError';
}

/**
 * Open and close the leveldb folder with the `level` dynalite itself uses, before dynalite does: dynalite opens it
 * lazily and a folder leveldb refuses surfaces only as "Database is closed" (or an unhandled iterator error) on the
 * first request, without the cause.
 */
async function checkLevelFolder(path: string): Promise<void> {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = fromDynalite('level') as {
    Level: new (p: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new Level(path);
  try {
    await db.open();
  } catch (e) {
    const cause = (e as { cause?: Error }).cause;
    throw new LocalTableOpenError(cause?.message ?? (e as Error).message);
  }
  await db.close();
}

/** Start dynalite in process on a free loopback port (in memory unless `path` is given). */
export async function startLocalDynamo(options: { path?: string } = {}): Promise<LocalDynamo> {
  if (options.path) await checkLevelFolder(options.path);
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Create the socpulse table from the same definition the CDK stack uses; an existing table is fine. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
}

/** Whether the table exists (DescribeTable), without creating it. */
export async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return false;
    throw e;
  }
}
