import { Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Role as IamRole } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config, DeployConfig, Role } from '../../shared/config/config.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { ENV } from '../../shared/config/function-env.js';
import { Alarms } from '../constructs/alarms.js';
import { Api } from '../constructs/api.js';
import { Collection } from '../constructs/collection.js';
import { OperationsDashboard } from '../constructs/dashboard.js';
import { Mail } from '../constructs/mail.js';
import { Mcp } from '../constructs/mcp.js';
import { Reporting } from '../constructs/reporting.js';
import { Schedules } from '../constructs/schedules.js';
import { logicalIdWithoutParts } from '../constructs/stack-part.js';

export interface StatelessStackProps extends StackProps {
  config: Config;
  deploy: DeployConfig;
  configFile: string;
  runbooks: ReportRunbook[];
  table: { tableArn: string; tableName: string };
  key: IKey;
  secrets: Secret[];
}

/**
 * Functions, schedules, mail configuration, alarms and the dashboard: everything that can be replaced at will. Each
 * part is a construct under infra/constructs/ (StackPart), wired here by its props.
 */
export class StatelessStack extends Stack {
  readonly collect: NodejsFunction;
  readonly report: NodejsFunction;
  readonly api: NodejsFunction;
  readonly mcp: NodejsFunction;
  readonly httpApi: HttpApi;
  readonly appRoles: Record<Role, IamRole>;
  readonly alarmTopic: Topic;
  readonly dlq: Queue;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, deploy, configFile, runbooks } = props;
    // Import the stateful resources by ARN: grants then land on this stack's roles only, never on the key policy or
    // the secrets' resource policies in the stateful stack (which would make the two stacks depend on each other).
    const key = Key.fromKeyArn(this, 'DataKey', props.key.keyArn);
    const table = Table.fromTableAttributes(this, 'Table', { tableArn: props.table.tableArn, encryptionKey: key });
    const secrets = props.secrets.map((s, i) => Secret.fromSecretCompleteArn(this, `Secret${i}`, s.secretArn));
    const environment = { [ENV.table]: table.tableName };

    const mail = new Mail(this, 'Mail', { sesIdentity: deploy.sesIdentity });
    this.collect = new Collection(this, 'Collection', {
      configFile,
      environment,
      table,
      key,
      secrets,
      secretsPrefix: deploy.secretsPrefix,
    }).fn;
    this.report = new Reporting(this, 'Reporting', { configFile, environment, table, key, mail }).fn;
    const api = new Api(this, 'Api', { deploy, configFile, environment, table, key, report: this.report });
    this.api = api.fn;
    this.httpApi = api.httpApi;
    this.appRoles = api.roles;
    this.mcp = new Mcp(this, 'Mcp', { configFile, api, table, key, report: this.report }).fn;
    this.dlq = new Schedules(this, 'Schedules', { config, runbooks, collect: this.collect, report: this.report }).dlq;

    const sources = Object.keys(config.mcpServers);
    this.alarmTopic = new Alarms(this, 'Alarms', {
      deploy,
      functions: [
        { name: 'Collect', fn: this.collect, runbook: 'source-stale-or-failing.md' },
        { name: 'Report', fn: this.report, runbook: 'report-failed.md' },
        { name: 'Api', fn: this.api, runbook: 'trigger-a-report.md' },
        { name: 'Mcp', fn: this.mcp, runbook: 'trigger-a-report.md' },
      ],
      dlq: this.dlq,
      sources,
      runbooks,
      mail,
    }).topic;
    new OperationsDashboard(this, 'Dashboard', {
      deploy,
      collect: this.collect,
      report: this.report,
      dlq: this.dlq,
      sources,
      runbooks,
    });
  }

  /** The parts' ids stay out of logical ids: a resource keeps its id wherever its part is (stack-part.ts says why). */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutParts(this, element);
  }
}
