import { Duration, Stack } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { StackPart } from './stack-part.js';

/** The CloudWatch dimension the SES event destination publishes, and the value every socpulse message carries. */
const MAIL_EVENT_DIMENSION = { name: 'socpulse', value: 'report' } as const;

export interface MailProps {
  /** deploy.sesIdentity: the verified sender, a domain or one address. */
  sesIdentity: string;
}

/** SES: the sender identity, the configuration set reports are sent through, and its bounce and complaint metrics. */
export class Mail extends StackPart {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.identity = new EmailIdentity(this, 'SenderIdentity', {
      identity: props.sesIdentity.includes('@')
        ? Identity.email(props.sesIdentity)
        : Identity.domain(props.sesIdentity),
    });
    this.configurationSet = new ConfigurationSet(this, 'MailConfig', {});
    // Bounces, complaints and rejects become CloudWatch metrics (AWS/SES) carrying exactly the dimensions configured
    // here, nothing else: the mailer sets no `socpulse` message tag, so every message counts under its default value,
    // and metricBouncesAndComplaints reads that same dimension (MAIL_EVENT_DIMENSION, one constant for both).
    new ConfigurationSetEventDestination(this, 'MailEvents', {
      configurationSet: this.configurationSet,
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
  }

  /**
   * Let a function send email from the identity through the configuration set, and nothing else in SES. The SES v2
   * SendEmail call (raw MIME content included) is authorized as ses:SendEmail on both; ses:SendRawEmail is v1's.
   */
  grantSend(fn: IFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }

  /** Bounces plus complaints per hour of every message sent through the configuration set. */
  metricBouncesAndComplaints(): MathExpression {
    const metric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { [MAIL_EVENT_DIMENSION.name]: MAIL_EVENT_DIMENSION.value },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    return new MathExpression({
      expression: 'b + c',
      usingMetrics: { b: metric('Bounce'), c: metric('Complaint') },
      period: Duration.hours(1),
    });
  }
}
