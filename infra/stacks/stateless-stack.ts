import { Duration, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import {
  AccountRootPrincipal,
  ArnPrincipal,
  CompositePrincipal,
  PolicyStatement,
  Role as IamRole,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ROLES, type Role } from '../../shared/config/config.js';
import { PERMISSIONS, type Permission } from '../../shared/config/roles.js';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config, DeployConfig } from '../../shared/config/config.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { TABLE_NAME_ENV } from '../../shared/store/table.js';
import { SocpulseFunction } from '../constructs/socpulse-function.js';

export interface StatelessStackProps extends StackProps {
  config: Config;
  deploy: DeployConfig;
  configFile: string;
  runbooks: ReportRunbook[];
  table: { tableArn: string; tableName: string };
  key: IKey;
  secrets: Secret[];
}

/** The CloudWatch dimension the SES event destination publishes, and the value every socpulse message carries. */
export const MAIL_EVENT_DIMENSION = { name: 'socpulse', value: 'report' } as const;
/** Where the operator runbooks live in the repository (alarm descriptions name them relative to it). */
export const OPERATOR_RUNBOOKS = 'runbooks/operator/';

/** Add hours to the hour field of a cron(min hour dom mon dow year) expression: the deadline check of a runbook. */
export function cronPlusHours(cron: string, hours: number, what: string): string {
  const m = /^cron\((\S+) (\d+) (\S+ \S+ \S+ \S+)\)$/.exec(cron);
  if (!m) throw new Error(`${what}: the deadline needs a fixed hour in "${cron}"`);
  const hour = Number(m[2]) + Math.ceil(hours);
  if (hour > 23)
    throw new Error(
      `${what}: scheduled hour + deadlineHours passes midnight (${hour}); choose an earlier hour or a shorter deadline`,
    );
  return `cron(${m[1]} ${hour} ${m[3]})`;
}

/** Functions, schedules, mail configuration, alarms and the dashboard: everything that can be replaced at will. */
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
    const { config, deploy } = props;
    // Import the stateful resources by ARN: grants then land on this stack's roles only, never on the key policy or
    // the secrets' resource policies in the stateful stack (which would make the two stacks depend on each other).
    const key = Key.fromKeyArn(this, 'DataKey', props.key.keyArn);
    const table = Table.fromTableAttributes(this, 'Table', { tableArn: props.table.tableArn, encryptionKey: key });
    const secrets = props.secrets.map((s, i) => Secret.fromSecretCompleteArn(this, `Secret${i}`, s.secretArn));
    // The runbook an alarm points to: a link when the deploy config says where runbooks are published, else the path
    // in the repository the stack was deployed from (never a guessed URL).
    const link = (file: string) =>
      deploy.runbookBaseUrl
        ? `${deploy.runbookBaseUrl}${file}`
        : `${OPERATOR_RUNBOOKS}${file} in the socpulse repository`;

    const identity = new EmailIdentity(this, 'SenderIdentity', {
      identity: deploy.sesIdentity.includes('@')
        ? Identity.email(deploy.sesIdentity)
        : Identity.domain(deploy.sesIdentity),
    });
    const configurationSet = new ConfigurationSet(this, 'MailConfig', {});
    // Bounces, complaints and rejects become CloudWatch metrics (AWS/SES) carrying exactly the dimensions configured
    // here, nothing else: the mailer sets no `socpulse` message tag, so every message counts under its default value,
    // and the MailBounces alarm below reads that same dimension (MAIL_EVENT_DIMENSION, one constant for both).
    new ConfigurationSetEventDestination(this, 'MailEvents', {
      configurationSet,
      destination: EventDestination.cloudWatchDimensions([
        {
          name: MAIL_EVENT_DIMENSION.name,
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: MAIL_EVENT_DIMENSION.value,
        },
      ]),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY,
      ],
    });

    const env = { [TABLE_NAME_ENV]: table.tableName };
    this.collect = new SocpulseFunction(this, 'Collect', {
      name: 'collect',
      configFile: props.configFile,
      environment: env,
      timeout: Duration.minutes(10),
      memorySize: 1024,
    }).fn;
    this.report = new SocpulseFunction(this, 'Report', {
      name: 'report',
      configFile: props.configFile,
      environment: { ...env, SOCPULSE_SES_CONFIGURATION_SET: configurationSet.configurationSetName },
      timeout: Duration.minutes(5),
      memorySize: 1536,
    }).fn;

    // The app roles people (or their tools) assume; API Gateway checks SigV4, the handler checks the role again.
    const trust = (role: Role) => {
      const principals = deploy.roles[role].map((arn) => new ArnPrincipal(arn));
      return principals.length ? new CompositePrincipal(...principals) : new AccountRootPrincipal();
    };
    this.appRoles = Object.fromEntries(
      ROLES.map((role) => [
        role,
        new IamRole(this, `Role-${role}`, {
          roleName: `socpulse-${deploy.stage}-${role}`,
          assumedBy: trust(role),
          description: `socpulse ${role}: ${role === 'manager' ? 'trigger reports, read all' : role === 'finance' ? 'budget snapshots and plan import' : 'read KPIs and report runs'}`,
        }),
      ]),
    ) as Record<Role, IamRole>;
    const roleArns = JSON.stringify(Object.fromEntries(ROLES.map((r) => [r, this.appRoles[r].roleArn])));
    const apiEnv = { ...env, SOCPULSE_ROLE_ARNS: roleArns, SOCPULSE_REPORT_FUNCTION: this.report.functionName };
    this.api = new SocpulseFunction(this, 'Api', {
      name: 'api',
      configFile: props.configFile,
      environment: apiEnv,
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).fn;
    this.mcp = new SocpulseFunction(this, 'Mcp', {
      name: 'mcp',
      configFile: props.configFile,
      environment: apiEnv,
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).fn;

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'socpulse API and MCP server',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        caller: '$context.identity.userArn',
        route: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
      }),
    };
    const apiIntegration = new HttpLambdaIntegration('ApiIntegration', this.api);
    const mcpIntegration = new HttpLambdaIntegration('McpIntegration', this.mcp);
    const ROUTES: { permission: Permission; path: string; method: HttpMethod; integration: HttpLambdaIntegration }[] = [
      { permission: 'POST /reports', path: '/reports', method: HttpMethod.POST, integration: apiIntegration },
      {
        permission: 'GET /reports/{runId}',
        path: '/reports/{runId}',
        method: HttpMethod.GET,
        integration: apiIntegration,
      },
      { permission: 'GET /kpis', path: '/kpis', method: HttpMethod.GET, integration: apiIntegration },
      {
        permission: 'GET /staffing/forecast',
        path: '/staffing/forecast',
        method: HttpMethod.GET,
        integration: apiIntegration,
      },
      {
        permission: 'GET /budget/snapshots',
        path: '/budget/snapshots',
        method: HttpMethod.GET,
        integration: apiIntegration,
      },
      { permission: 'PUT /budget/plan', path: '/budget/plan', method: HttpMethod.PUT, integration: apiIntegration },
    ];
    for (const r of ROUTES) {
      this.httpApi.addRoutes({ path: r.path, methods: [r.method], integration: r.integration });
      for (const role of PERMISSIONS[r.permission] as readonly Role[]) this.grantRoute(role, r.method, r.path);
    }
    // The MCP endpoint: every role may reach it; each tool checks the caller's role (shared/config/roles.ts).
    this.httpApi.addRoutes({ path: '/mcp', methods: [HttpMethod.POST], integration: mcpIntegration });
    for (const role of ROLES) this.grantRoute(role, HttpMethod.POST, '/mcp');
    this.report.grantInvoke(this.api);
    this.report.grantInvoke(this.mcp);

    // Least privilege: each function gets the item actions it uses, on this table only.
    table.grant(this.collect, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem');
    table.grant(this.report, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    table.grant(this.api, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    table.grant(this.mcp, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    for (const fn of [this.collect, this.report, this.api, this.mcp]) key.grantEncryptDecrypt(fn);
    for (const s of secrets) s.grantRead(this.collect);
    this.report.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          identity.emailIdentityArn,
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      }),
    );

    this.dlq = new Queue(this, 'ScheduleDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const target = (fn: NodejsFunction, input: Record<string, string>) =>
      new LambdaInvoke(fn, {
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.dlq,
        retryAttempts: 3,
        maxEventAge: Duration.hours(2),
      });

    for (const [name, server] of Object.entries(config.mcpServers)) {
      if (!('url' in server)) continue; // stdio sources run only locally
      new Schedule(this, `Collect-${name}`, {
        description: `collect source ${name} (${server.kind})`,
        schedule: ScheduleExpression.expression(server.schedule ?? 'rate(1 hour)', TimeZone.of(config.timezone)),
        target: target(this.collect, { source: name }),
      });
    }
    for (const rb of props.runbooks) {
      new Schedule(this, `Report-${rb.id}`, {
        description: `${rb.title} (runbooks/${rb.id}.md)`,
        schedule: ScheduleExpression.expression(rb.schedule, TimeZone.of(rb.timezone)),
        target: target(this.report, { runbook: rb.id }),
      });
      new Schedule(this, `Deadline-${rb.id}`, {
        description: `check that ${rb.id} was delivered within ${rb.deadlineHours} h`,
        schedule: ScheduleExpression.expression(
          cronPlusHours(rb.schedule, rb.deadlineHours, `runbooks/${rb.id}.md`),
          TimeZone.of(rb.timezone),
        ),
        target: target(this.report, { deadlineCheck: rb.id }),
      });
    }

    // CloudWatch must be allowed to use the alarm topic's key, or encrypted alarm notifications are silently dropped.
    const alarmKey = new Key(this, 'AlarmKey', {
      description: 'socpulse alarm notifications',
      enableKeyRotation: true,
    });
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'socpulse alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (deploy.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(deploy.alarmEmail));
    const alarm = (id: string, a: Alarm) => {
      a.addAlarmAction(new SnsAction(this.alarmTopic));
      return a;
    };
    for (const [fnId, fn, runbook] of [
      ['Collect', this.collect, 'source-stale-or-failing.md'],
      ['Report', this.report, 'report-failed.md'],
      ['Api', this.api, 'trigger-a-report.md'],
      ['Mcp', this.mcp, 'trigger-a-report.md'],
    ] as const)
      alarm(
        `${fnId}Errors`,
        fn.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, `${fnId}Errors`, {
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `The ${fnId.toLowerCase()} function failed. What to do: ${link(runbook)}`,
        }),
      );
    alarm(
      'DlqDepth',
      this.dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }).createAlarm(this, 'DlqDepth', {
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `A scheduled collection or report could not be invoked and is in the dead-letter queue. What to do: ${link('dlq-has-messages.md')}`,
      }),
    );
    for (const name of Object.keys(config.mcpServers))
      alarm(
        `CollectionFailed-${name}`,
        new Metric({
          namespace: 'socpulse',
          metricName: 'CollectionFailed',
          dimensionsMap: { service: 'collect', source: name },
          statistic: 'Sum',
          period: Duration.hours(1),
        }).createAlarm(this, `CollectionFailed-${name}`, {
          threshold: 2,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `Source ${name} failed to collect repeatedly; reports will mark it stale. What to do: ${link('source-stale-or-failing.md')}`,
        }),
      );
    for (const rb of props.runbooks)
      alarm(
        `ReportOverdue-${rb.id}`,
        new Metric({
          namespace: 'socpulse',
          metricName: 'ReportOverdue',
          dimensionsMap: { service: 'report', runbook: rb.id },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }).createAlarm(this, `ReportOverdue-${rb.id}`, {
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `${rb.title} was not delivered within ${rb.deadlineHours} h of its schedule. What to do: ${link('report-failed.md')}`,
        }),
      );
    alarm(
      'MailBounces',
      new MathExpression({
        expression: 'b + c',
        usingMetrics: {
          b: new Metric({
            namespace: 'AWS/SES',
            metricName: 'Bounce',
            dimensionsMap: { [MAIL_EVENT_DIMENSION.name]: MAIL_EVENT_DIMENSION.value },
            statistic: 'Sum',
            period: Duration.hours(1),
          }),
          c: new Metric({
            namespace: 'AWS/SES',
            metricName: 'Complaint',
            dimensionsMap: { [MAIL_EVENT_DIMENSION.name]: MAIL_EVENT_DIMENSION.value },
            statistic: 'Sum',
            period: Duration.hours(1),
          }),
        },
        period: Duration.hours(1),
      }).createAlarm(this, 'MailBounces', {
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `A report email bounced or drew a complaint; check the recipient list. What to do: ${link('report-failed.md')}`,
      }),
    );

    new Dashboard(this, 'Dashboard', {
      dashboardName: `socpulse-${deploy.stage}`,
      widgets: [
        [
          new TextWidget({
            markdown: `# socpulse (${deploy.stage})\nOperator runbooks: ${deploy.runbookBaseUrl ?? `${OPERATOR_RUNBOOKS} in the socpulse repository`}`,
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'Function errors',
            left: [this.collect.metricErrors(), this.report.metricErrors()],
            width: 8,
          }),
          new GraphWidget({
            title: 'Collection failures',
            left: Object.keys(config.mcpServers).map(
              (s) =>
                new Metric({
                  namespace: 'socpulse',
                  metricName: 'CollectionFailed',
                  dimensionsMap: { service: 'collect', source: s },
                  statistic: 'Sum',
                }),
            ),
            width: 8,
          }),
          new GraphWidget({
            title: 'Reports delivered',
            left: props.runbooks.map(
              (rb) =>
                new Metric({
                  namespace: 'socpulse',
                  metricName: 'ReportDelivered',
                  dimensionsMap: { service: 'report', runbook: rb.id },
                  statistic: 'Sum',
                  period: Duration.days(1),
                }),
            ),
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Schedule DLQ depth',
            left: [this.dlq.metricApproximateNumberOfMessagesVisible()],
            width: 12,
          }),
          new GraphWidget({
            title: 'Function duration p90',
            left: [this.collect.metricDuration({ statistic: 'p90' }), this.report.metricDuration({ statistic: 'p90' })],
            width: 12,
          }),
        ],
      ],
    });
  }

  /** execute-api:Invoke on one route of the default stage only (path parameters become `*`). */
  private grantRoute(role: Role, method: HttpMethod, path: string) {
    this.appRoles[role].addToPolicy(
      new PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: [this.httpApi.arnForExecuteApi(method, path.replace(/\{[^}]+\}/g, '*'), '$default')],
      }),
    );
  }
}
