import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { Mail } from './mail.js';
import { SocpulseFunction } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface ReportingProps {
  /** The config file bundled beside the handler. */
  configFile: string;
  /** Environment every socpulse function gets (the table name). */
  environment: Record<string, string>;
  table: ITable;
  key: IKey;
  /** Where the reports are sent from. */
  mail: Mail;
}

/** The report function: computes a runbook's report from the snapshots and emails it through SES. */
export class Reporting extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    this.fn = new SocpulseFunction(this, 'Report', {
      name: 'report',
      configFile: props.configFile,
      environment: {
        ...props.environment,
        SOCPULSE_SES_CONFIGURATION_SET: props.mail.configurationSet.configurationSetName,
      },
      timeout: Duration.minutes(5),
      memorySize: 1536,
    }).fn;
    // Least privilege: the item actions it uses, on this table only (it never deletes).
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    props.key.grantEncryptDecrypt(this.fn);
    props.mail.grantSend(this.fn);
  }
}
