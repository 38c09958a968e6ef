/**
 * The one DynamoDB table, described once: the CDK stack builds it from this and the local stand-in creates it from it,
 * so a key or index can never differ between the cloud and a local run. Plain data: no CDK or SDK imports.
 */
export const TABLE_DEFINITION = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
} as const;

/** The environment variable every function reads the table name from. */
export const TABLE_NAME_ENV = 'SOCPULSE_TABLE';

/** CreateTable input for the SDK (local runs and tests). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, AttributeType: TABLE_DEFINITION.partitionKey.type },
      { AttributeName: TABLE_DEFINITION.sortKey.name, AttributeType: TABLE_DEFINITION.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' as const },
    ],
    BillingMode: TABLE_DEFINITION.billingMode,
  };
}
