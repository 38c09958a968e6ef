import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../shared/store/table.js';

export interface StatefulStackProps extends StackProps {
  stage: 'dev' | 'prod';
  /** Secret names referenced as `${secret:NAME}` by the configured sources. */
  secretNames: string[];
  secretsPrefix: string;
}

/** What must survive a redeploy: the table (PITR, encrypted, retained in prod) and the source credentials. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly key: Key;
  readonly secrets: Secret[];

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const prod = props.stage === 'prod';
    this.key = new Key(this, 'DataKey', {
      description: 'socpulse table, secrets and queues',
      enableKeyRotation: true,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: TABLE_DEFINITION.sortKey.name, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // One secret per `${secret:NAME}`; the values are set by the operator (runbooks/operator/rotate-source-credentials.md).
    this.secrets = props.secretNames.map(
      (name) =>
        new Secret(this, `Secret-${name}`, {
          secretName: `${props.secretsPrefix}${name}`,
          description: `socpulse source credential "${name}" (set its value after the first deploy)`,
          encryptionKey: this.key,
          removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
    );
  }
}
