/** Base of mail errors. */
export class MailError extends Error {
  override name = 'MailError';
}

/** An address or header that must never be sent. */
export class MailAddressError extends MailError {
  override name = 'MailAddressError';
}

/** SES refused the message for good (bad address, unverified identity, message rejected): do not retry. */
export class MailRejectedError extends MailError {
  override name = 'MailRejectedError';
}

/**
 * SES could not take the message now (throttling, 5xx, network): retry later. `answered` is true when SES answered
 * with a 4xx (throttled: the message was certainly not accepted); without an answer, or with a 5xx, it may have been.
 */
export class MailTransientError extends MailError {
  override name = 'MailTransientError';
  constructor(message: string, options?: { cause?: unknown; answered?: boolean }) {
    super(message, options);
    this.answered = options?.answered === true;
  }
  readonly answered: boolean;
}
