import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { MailRejectedError, MailTransientError } from './errors.js';

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
]);

/** Sends raw MIME through SES v2; the endpoint comes from the SDK's standard `AWS_ENDPOINT_URL_SESV2`. */
export class SesMailer {
  constructor(
    private readonly client = new SESv2Client({}),
    private readonly configurationSet?: string,
  ) {}

  /** Send one message to its recipients; returns the SES message id. */
  async send(input: { from: string; to: string[]; raw: Buffer }): Promise<{ messageId: string }> {
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
      throw PERMANENT.has(name) ? new MailRejectedError(msg, { cause: e }) : new MailTransientError(msg, { cause: e });
    }
  }
}
