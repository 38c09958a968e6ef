import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { MailRejectedError, MailTransientError } from './errors.js';

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
]);

/**
 * Sends raw MIME through SES v2; the endpoint comes from the SDK's standard `AWS_ENDPOINT_URL_SESV2`. The SES
 * module is loaded on the first send, not at cold start: a report run that finds its period already delivered
 * (every retry, and the executive schedule's weekday no-ops) never loads it.
 */
export class SesMailer {
  private sdk?: Promise<typeof import('@aws-sdk/client-sesv2')>;

  constructor(
    private client?: SESv2Client,
    private readonly configurationSet?: string,
  ) {}

  /** Send one message to its recipients; returns the SES message id. */
  async send(input: { from: string; to: string[]; raw: Buffer }): Promise<{ messageId: string }> {
    this.sdk ??= import('@aws-sdk/client-sesv2');
    const { SendEmailCommand, SESv2Client } = await this.sdk;
    this.client ??= new SESv2Client({});
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: input.from,
          Destination: { ToAddresses: input.to },
          Content: { Raw: { Data: input.raw } },
          ConfigurationSetName: this.configurationSet,
        }),
      );
      if (!out.MessageId) throw new MailTransientError('SES accepted the call but returned no message id');
      return { messageId: out.MessageId };
    } catch (e) {
      if (e instanceof MailTransientError) throw e;
      const name = (e as Error).name;
      const msg = `SES ${name}: ${(e as Error).message}`;
      if (PERMANENT.has(name)) throw new MailRejectedError(msg, { cause: e });
      // A 4xx (throttling) is SES saying no; a 5xx or no answer at all leaves the message's fate unknown.
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      throw new MailTransientError(msg, { cause: e, answered: status !== undefined && status >= 400 && status < 500 });
    }
  }
}
