import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import * as z from 'zod';
import { MailAddressError } from './errors.js';

const Address = z.email();

export interface MimeInput {
  from: string;
  /** Display name shown for `from`; config-set, never from a source. */
  fromName?: string;
  replyTo?: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  inlineImages?: { cid: string; filename: string; content: Buffer }[];
  attachments?: { filename: string; contentType: string; content: Buffer | string }[];
  /** Extra headers we set ourselves (never from source values), e.g. X-Socpulse-Run. */
  headers?: Record<string, string>;
}

/** Validate addresses and reject CR/LF anywhere a header is built from, so no header can be injected. */
export function checkHeaders(
  input: Pick<MimeInput, 'from' | 'to' | 'subject' | 'headers' | 'fromName' | 'replyTo'>,
): void {
  for (const a of [input.from, ...input.to, ...(input.replyTo === undefined ? [] : [input.replyTo])]) {
    if (/[\r\n]/.test(a) || !Address.safeParse(a).success)
      throw new MailAddressError(`not a valid email address: ${JSON.stringify(a)}`);
  }
  for (const v of [input.subject, input.fromName ?? '', ...Object.entries(input.headers ?? {}).flat()]) {
    if (/[\r\n]/.test(v)) throw new MailAddressError(`line break in a header value: ${JSON.stringify(v.slice(0, 60))}`);
  }
}

/**
 * Build raw MIME: multipart/alternative (text, html) with inline PNGs by Content-ID, plus attachments. Every
 * message says it is machine-made (`Auto-Submitted: auto-generated`, RFC 3834), so out-of-office replies stay away.
 */
export async function composeMime(input: MimeInput): Promise<Buffer> {
  checkHeaders(input);
  const mail = new MailComposer({
    from: input.fromName ? { name: input.fromName, address: input.from } : input.from,
    replyTo: input.replyTo,
    to: input.to,
    subject: input.subject,
    text: input.text,
    html: input.html,
    headers: { 'Auto-Submitted': 'auto-generated', ...input.headers },
    attachments: [
      ...(input.inlineImages ?? []).map((i) => ({
        filename: i.filename,
        content: i.content,
        cid: i.cid,
        contentType: 'image/png',
        contentDisposition: 'inline' as const,
      })),
      ...(input.attachments ?? []).map((a) => ({
        filename: a.filename,
        content: a.content,
        contentType: a.contentType,
      })),
    ],
  });
  return mail.compile().build();
}
