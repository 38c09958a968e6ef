import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeployConfig } from '../../shared/config/config.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { OPERATOR_RUNBOOKS } from './alarms.js';
import { collectionFailed, reportDelivered } from './app-metrics.js';
import { StackPart } from './stack-part.js';

export interface OperationsDashboardProps {
  /** deploy.stage (the dashboard's name) and deploy.runbookBaseUrl (where the operator runbooks are published). */
  deploy: Pick<DeployConfig, 'stage' | 'runbookBaseUrl'>;
  collect: IFunction;
  report: IFunction;
  /** The schedules' dead-letter queue. */
  dlq: IQueue;
  /** Every configured source. */
  sources: string[];
  runbooks: ReportRunbook[];
}

/** The CloudWatch dashboard `socpulse-<stage>`: errors, collection failures, deliveries, DLQ depth, durations. */
export class OperationsDashboard extends StackPart {
  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { deploy, collect, report } = props;
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
            left: [collect.metricErrors(), report.metricErrors()],
            width: 8,
          }),
          new GraphWidget({
            title: 'Collection failures',
            left: props.sources.map((s) => collectionFailed(s)),
            width: 8,
          }),
          new GraphWidget({
            title: 'Reports delivered',
            left: props.runbooks.map((rb) => reportDelivered(rb.id, Duration.days(1))),
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Schedule DLQ depth',
            left: [props.dlq.metricApproximateNumberOfMessagesVisible()],
            width: 12,
          }),
          new GraphWidget({
            title: 'Function duration p90',
            left: [collect.metricDuration({ statistic: 'p90' }), report.metricDuration({ statistic: 'p90' })],
            width: 12,
          }),
        ],
      ],
    });
  }
}
