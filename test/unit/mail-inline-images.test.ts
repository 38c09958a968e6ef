import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { inlineImages } from '../../shared/mail/inline-images.js';
import { composeMime } from '../../shared/mail/mime.js';

describe('inlineImages', () => {
  it('gives the page a mail client shows: the same HTML mailparser makes of the sent message (cid: parts as data URIs)', async () => {
    // Two images, one referenced twice, and one cid that is a prefix of another: every reference is replaced whole.
    const images = [
      { cid: 'volume@socpulse', png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) },
      { cid: 'volume@socpulse.x', png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9]) },
    ];
    const html =
      '<p>a</p><img src="cid:volume@socpulse" alt="x"><img src="cid:volume@socpulse.x" alt="y"><img src="cid:volume@socpulse">';
    const raw = await composeMime({
      from: 'socpulse@example.com',
      to: ['a@example.com'],
      subject: 's',
      html,
      text: 't',
      inlineImages: images.map((i) => ({ cid: i.cid, filename: 'c.png', content: i.png })),
    });
    // mailparser (nodemailer/mailparser, simple-parser.js) rewrites cid: links to `data:<type>;base64,<content>`.
    const parsed = await simpleParser(raw);
    const ours = inlineImages(html, images);
    expect(ours).not.toContain('cid:');
    expect(ours).toBe(parsed.html);
  });
});
