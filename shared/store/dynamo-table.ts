import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ConflictError, StoreError, TableUnreachableError } from './errors.js';
import type { Key } from './keys.js';

/** Attribute values socpulse stores at the top level of an item; anything nested travels as JSON in `data`. */
export type Scalar = string | number | boolean | Uint8Array | null;
export type Item = Record<string, Scalar>;

function toAttr(v: Scalar): AttributeValue {
  if (v === null) return { NULL: true };
  if (typeof v === 'string') return { S: v };
  if (typeof v === 'number') return { N: String(v) };
  if (typeof v === 'boolean') return { BOOL: v };
  return { B: v };
}

function fromAttr(a: AttributeValue): Scalar {
  if (a.S !== undefined) return a.S;
  if (a.N !== undefined) return Number(a.N);
  if (a.BOOL !== undefined) return a.BOOL;
  if (a.B !== undefined) return a.B;
  if (a.NULL) return null;
  throw new StoreError(`unsupported attribute type ${Object.keys(a).join(',')}`);
}

const marshal = (item: Item): Record<string, AttributeValue> =>
  Object.fromEntries(
    Object.entries(item)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, toAttr(v)]),
  );
const unmarshal = (attrs: Record<string, AttributeValue>): Item =>
  Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, fromAttr(v)]));

/** A condition expression with its placeholders, e.g. `{ expression: 'attribute_not_exists(pk)' }`. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, Scalar>;
}

/** The socpulse table: typed get/put/query/delete over the low-level client, with DynamoDB errors translated. */
export class DynamoTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Read one item by key; `undefined` when absent. Strongly consistent: claims and headers must see the latest write. */
  async get(key: Key): Promise<Item | undefined> {
    const out = await this.send(() =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: marshal(key), ConsistentRead: true })),
    );
    return out.Item ? unmarshal(out.Item) : undefined;
  }

  /** Write one item; with a condition, a lost race becomes a ConflictError carrying the item that won. */
  async put(item: Item & Key, condition?: Condition): Promise<void> {
    await this.send(
      () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshal(item),
            ConditionExpression: condition?.expression,
            ExpressionAttributeNames: condition?.names,
            ExpressionAttributeValues: condition?.values ? marshal(condition.values) : undefined,
            ReturnValuesOnConditionCheckFailure: condition ? 'ALL_OLD' : undefined,
          }),
        ),
      `${item.pk} ${item.sk}`,
    );
  }

  /** Delete one item (no condition: deleting twice is fine). */
  async delete(key: Key): Promise<void> {
    await this.send(() => this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: marshal(key) })));
  }

  /** Every item of a partition, optionally within sort-key bounds or under a prefix, following pagination to the end. */
  async *query(
    pk: string,
    range: {
      between?: [string, string];
      prefix?: string;
      descending?: boolean;
      limit?: number;
      attributes?: string[];
    } = {},
  ): AsyncGenerator<Item> {
    const values: Record<string, AttributeValue> = { ':pk': { S: pk } };
    let expression = '#pk = :pk';
    if (range.between) {
      expression += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = { S: range.between[0] };
      values[':to'] = { S: range.between[1] };
    } else if (range.prefix) {
      expression += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = { S: range.prefix };
    }
    const names: Record<string, string> = { '#pk': 'pk' };
    if (range.between || range.prefix) names['#sk'] = 'sk';
    // Only these attributes, when given: headers without their payloads.
    const projection = range.attributes?.map((a, i) => ((names[`#p${i}`] = a), `#p${i}`)).join(', ');
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    let yielded = 0;
    do {
      const out = await this.send(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: expression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: !range.descending,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
            Limit: range.limit,
            ProjectionExpression: projection,
          }),
        ),
      );
      for (const raw of out.Items ?? []) {
        yield unmarshal(raw);
        if (range.limit && ++yielded >= range.limit) return;
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  private async send<T>(call: () => Promise<T>, what = ''): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        const existing = e.Item ? unmarshal(e.Item) : undefined;
        throw new ConflictError(`conditional write lost${what ? ` on ${what}` : ''}`, existing, { cause: e });
      }
      const unreachable = unreachableReason(e);
      if (unreachable)
        throw new TableUnreachableError(`DynamoDB table "${this.tableName}" is unreachable: ${unreachable}`);
      throw new StoreError(`DynamoDB ${this.tableName}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH']);

/** Why a failed call means the table cannot be reached at all (after the SDK's own retries), or undefined. */
function unreachableReason(e: unknown): string | undefined {
  const err = e as { name?: string; code?: string; message?: string };
  if (err.name === 'ResourceNotFoundException') return 'no such table (check SOCPULSE_TABLE and the region)';
  if (err.code && NETWORK_CODES.has(err.code))
    return `${err.message ?? err.code} (check AWS_ENDPOINT_URL_DYNAMODB, the region and the network)`;
  if (err.name === 'TimeoutError') return 'no answer in time (check the endpoint and the network)';
  return undefined;
}

/**
 * The DynamoDB client every socpulse process uses.
 * - Binary attributes (snapshot payloads: tens of MB for a monthly report) are decoded by Buffer directly: the SDK's
 *   default decoder first checks each string against a regular expression, a third of a second per month read. A
 *   damaged payload still fails, at gunzip or decoding.
 * - The SDK's logger middleware is removed: it copies every request and response through a sensitive-data filter
 *   before handing them to the configured logger, even the SDK's default logger that drops them (about 30 ms of a
 *   monthly report's reads), and no socpulse process wants stored records or claims in a log.
 */
export function dynamoClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const client = new DynamoDBClient({ base64Decoder: (s) => Buffer.from(s, 'base64'), ...config });
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

/** The name the SDK gives its logger middleware (`@aws-sdk/core`, `loggerMiddlewareOptions`). */
export const SDK_LOGGER_MIDDLEWARE = 'loggerMiddleware';

/** The table from the environment: `SOCPULSE_TABLE` names it; the endpoint comes from the SDK's standard variables. */
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env, client = dynamoClient()): DynamoTable {
  const name = env.SOCPULSE_TABLE;
  if (!name) throw new StoreError('SOCPULSE_TABLE is not set: the functions need the table name');
  return new DynamoTable(client, name);
}
