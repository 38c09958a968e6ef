import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';

// The metrics the functions publish with Powertools (namespace `socpulse`; the `service` dimension is the Powertools
// serviceName): functions/collect/handler.ts and functions/report/handler.ts. One definition for alarms and dashboard.
const metric = (metricName: string, dimensionsMap: Record<string, string>, statistic: string, period?: Duration) =>
  new Metric({ namespace: 'socpulse', metricName, dimensionsMap, statistic, period });

/** CollectionFailed of one source: 1 per failed collection, 0 per successful one. */
export function collectionFailed(source: string, period?: Duration): Metric {
  return metric('CollectionFailed', { service: 'collect', source }, 'Sum', period);
}

/** ReportOverdue of one runbook: 1 when its deadline check found the period undelivered. */
export function reportOverdue(runbook: string, period: Duration): Metric {
  return metric('ReportOverdue', { service: 'report', runbook }, 'Maximum', period);
}

/** ReportDelivered of one runbook: 1 per run that delivered (or found delivered) its report. */
export function reportDelivered(runbook: string, period: Duration): Metric {
  return metric('ReportDelivered', { service: 'report', runbook }, 'Sum', period);
}
