import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SocpulseFunction, type FunctionPartProps } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface CollectionProps extends FunctionPartProps {
  /** The source credentials (`${secret:NAME}`): only the collect function reads them. */
  secrets: ISecret[];
}

/** The collect function: reads the sources through MCP and writes snapshots to the table. */
export class Collection extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: CollectionProps) {
    super(scope, id);
    const collect = new SocpulseFunction(this, 'Collect', {
      name: 'collect',
      configFile: props.configFile,
      environment: props.environment,
      timeout: Duration.minutes(10),
      memorySize: 1024,
    });
    collect.useTable(
      props.table,
      props.key,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:DeleteItem',
    );
    for (const s of props.secrets) s.grantRead(collect.fn);
    this.fn = collect.fn;
  }
}
