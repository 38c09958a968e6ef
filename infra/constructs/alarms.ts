import { Duration } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../../shared/config/config.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { collectionFailed, reportOverdue } from './app-metrics.js';
import type { Mail } from './mail.js';
import { StackPart } from './stack-part.js';

/** Where the operator runbooks live in the repository (alarm descriptions name them relative to it). */
export const OPERATOR_RUNBOOKS = 'runbooks/operator/';

export interface AlarmsProps {
  /** deploy.alarmEmail (subscribed to the topic) and deploy.runbookBaseUrl (where the operator runbooks are published). */
  deploy: Pick<DeployConfig, 'alarmEmail' | 'runbookBaseUrl'>;
  /** Each function, the name its alarm is known by, and the operator runbook that says what to do when it fails. */
  functions: { name: 'Collect' | 'Report' | 'Api' | 'Mcp'; fn: IFunction; runbook: string }[];
  /** The schedules' dead-letter queue. */
  dlq: IQueue;
  /** Every configured source (local ones too: their collections publish the same metric). */
  sources: string[];
  runbooks: ReportRunbook[];
  mail: Mail;
}

/** The alarms, each linked to the operator runbook that says what to do, and the encrypted topic they notify. */
export class Alarms extends StackPart {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { deploy } = props;
    // The runbook an alarm points to: a link when the deploy config says where runbooks are published, else the path
    // in the repository the stack was deployed from (never a guessed URL).
    const link = (file: string) =>
      deploy.runbookBaseUrl
        ? `${deploy.runbookBaseUrl}${file}`
        : `${OPERATOR_RUNBOOKS}${file} in the socpulse repository`;

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
    this.topic = new Topic(this, 'Alarms', {
      displayName: 'socpulse alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    if (deploy.alarmEmail) this.topic.addSubscription(new EmailSubscription(deploy.alarmEmail));
    const notify = (alarm: Alarm) => alarm.addAlarmAction(new SnsAction(this.topic));

    for (const { name, fn, runbook } of props.functions)
      notify(
        fn.metricErrors({ period: Duration.minutes(5) }).createAlarm(this, `${name}Errors`, {
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `The ${name.toLowerCase()} function failed. What to do: ${link(runbook)}`,
        }),
      );
    notify(
      props.dlq
        .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) })
        .createAlarm(this, 'DlqDepth', {
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `A scheduled collection or report could not be invoked and is in the dead-letter queue. What to do: ${link('dlq-has-messages.md')}`,
        }),
    );
    for (const name of props.sources)
      notify(
        collectionFailed(name, Duration.hours(1)).createAlarm(this, `CollectionFailed-${name}`, {
          threshold: 2,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `Source ${name} failed to collect repeatedly; reports will mark it stale. What to do: ${link('source-stale-or-failing.md')}`,
        }),
      );
    for (const rb of props.runbooks)
      notify(
        reportOverdue(rb.id, Duration.hours(1)).createAlarm(this, `ReportOverdue-${rb.id}`, {
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `${rb.title} was not delivered within ${rb.deadlineHours} h of its schedule. What to do: ${link('report-failed.md')}`,
        }),
      );
    notify(
      props.mail.metricBouncesAndComplaints().createAlarm(this, 'MailBounces', {
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `A report email bounced or drew a complaint; check the recipient list. What to do: ${link('report-failed.md')}`,
      }),
    );
  }
}
