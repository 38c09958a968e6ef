import { Duration } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/function-env.js';
import type { Mail } from './mail.js';
import { SocpulseFunction, type FunctionPartProps } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface ReportingProps extends FunctionPartProps {
  /** Where the reports are sent from. */
  mail: Mail;
}

/** The report function: computes a runbook's report from the snapshots and emails it through SES. */
export class Reporting extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const report = new SocpulseFunction(this, 'Report', {
      name: 'report',
      configFile: props.configFile,
      environment: {
        ...props.environment,
        [ENV.sesConfigurationSet]: props.mail.configurationSet.configurationSetName,
      },
      timeout: Duration.minutes(5),
      memorySize: 1536,
    });
    report.useTable(props.table, props.key, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'); // never deletes
    props.mail.grantSend(report.fn);
    this.fn = report.fn;
  }
}
