import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/function-env.js';
import { SocpulseFunction, type FunctionPartProps } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface CollectionProps extends FunctionPartProps {
  /** The source credentials (`${secret:NAME}`): only the collect function reads them. */
  secrets: ISecret[];
  /** deploy.secretsPrefix: the name prefix the stateful stack gave the secrets, which the function reads by. */
  secretsPrefix: string;
}

/**
 * Actions the collect function's role is granted that the end-to-end collections do not call, each with why
 * (test/infra/deployed-functions.test.ts reads this beside GRANTS_WITHOUT_A_CALL).
 */
export const COLLECT_GRANTS_WITHOUT_A_CALL: Readonly<Record<string, string>> = {
  'dynamodb:DeleteItem':
    'shared/store/snapshot-store.ts deleteOld: a replaced day stored in parts (over 350 KB) or with a tail has them deleted; no test collection is that large',
};

/** The collect function: reads the sources through MCP and writes snapshots to the table. */
export class Collection extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: CollectionProps) {
    super(scope, id);
    const collect = new SocpulseFunction(this, 'Collect', {
      name: 'collect',
      configFile: props.configFile,
      environment: { ...props.environment, [ENV.secretsPrefix]: props.secretsPrefix },
      timeout: Duration.minutes(10),
      memorySize: 1024,
    });
    // DeleteItem: see COLLECT_GRANTS_WITHOUT_A_CALL.
    collect.useTable(
      props.table,
      props.key,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:DeleteItem',
    );
    // GetSecretValue only (grantRead adds DescribeSecret, which nothing calls); the key is granted by useTable.
    if (props.secrets.length)
      collect.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: props.secrets.map((s) => s.secretArn),
        }),
      );
    this.fn = collect.fn;
  }
}
