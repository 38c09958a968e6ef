import { Duration, TimeZone } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Config } from '../../shared/config/config.js';
import type { ReportRunbook } from '../../shared/config/runbooks.js';
import { StackPart } from './stack-part.js';

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

export interface SchedulesProps {
  /** The configured sources (stdio ones run only locally and get no schedule) and the config's time zone. */
  config: Pick<Config, 'mcpServers' | 'timezone'>;
  /** The report runbooks: their front matter holds schedule, time zone and deadline. */
  runbooks: ReportRunbook[];
  collect: IFunction;
  report: IFunction;
}

/**
 * EventBridge Scheduler: a collection per remote source, and per report runbook its report and, deadlineHours later,
 * the check that it was delivered. Each invocation is retried, then parked in the dead-letter queue.
 */
export class Schedules extends StackPart {
  readonly dlq: Queue;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const { config } = props;
    this.dlq = new Queue(this, 'ScheduleDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const target = (fn: IFunction, input: Record<string, string>) =>
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
        target: target(props.collect, { source: name }),
      });
    }
    for (const rb of props.runbooks) {
      new Schedule(this, `Report-${rb.id}`, {
        description: `${rb.title} (runbooks/${rb.id}.md)`,
        schedule: ScheduleExpression.expression(rb.schedule, TimeZone.of(rb.timezone)),
        target: target(props.report, { runbook: rb.id }),
      });
      new Schedule(this, `Deadline-${rb.id}`, {
        description: `check that ${rb.id} was delivered within ${rb.deadlineHours} h`,
        schedule: ScheduleExpression.expression(
          cronPlusHours(rb.schedule, rb.deadlineHours, `runbooks/${rb.id}.md`),
          TimeZone.of(rb.timezone),
        ),
        target: target(props.report, { deadlineCheck: rb.id }),
      });
    }
  }
}
