import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';

// The metrics the functions publish with Powertools (namespace `socpulse`; the `service` dimension is the Powertools
// serviceName): functions/collect/handler.ts and functions/report/handler.ts. One definition for alarms and dashboard.
const NAMESPACE = 'socpulse';

/** CollectionFailed of one source: 1 per failed collection, 0 per successful one. */
export function collectionFailed(source: string, period?: Duration): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName: 'CollectionFailed',
    dimensionsMap: { service: 'collect', source },
    statistic: 'Sum',
    period,
  });
}

/** ReportOverdue of one runbook: 1 when its deadline check found the period undelivered. */
export function reportOverdue(runbook: string, period: Duration): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName: 'ReportOverdue',
    dimensionsMap: { service: 'report', runbook },
    statistic: 'Maximum',
    period,
  });
}

/** ReportDelivered of one runbook: 1 per run that delivered (or found delivered) its report. */
export function reportDelivered(runbook: string, period: Duration): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName: 'ReportDelivered',
    dimensionsMap: { service: 'report', runbook },
    statistic: 'Sum',
    period,
  });
}
