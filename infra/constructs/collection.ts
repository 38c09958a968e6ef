import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SocpulseFunction } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface CollectionProps {
  /** The config file bundled beside the handler. */
  configFile: string;
  /** Environment every socpulse function gets (the table name). */
  environment: Record<string, string>;
  table: ITable;
  key: IKey;
  /** The source credentials (`${secret:NAME}`): only the collect function reads them. */
  secrets: ISecret[];
}

/** The collect function: reads the sources through MCP and writes snapshots to the table. */
export class Collection extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: CollectionProps) {
    super(scope, id);
    this.fn = new SocpulseFunction(this, 'Collect', {
      name: 'collect',
      configFile: props.configFile,
      environment: props.environment,
      timeout: Duration.minutes(10),
      memorySize: 1024,
    }).fn;
    // Least privilege: the item actions it uses, on this table only.
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem');
    props.key.grantEncryptDecrypt(this.fn);
    for (const s of props.secrets) s.grantRead(this.fn);
  }
}
