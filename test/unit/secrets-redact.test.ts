import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redact } from '../../shared/sources/secrets.js';

/** Every way a URL, a form body or an HTTP header can carry a secret (what a server may echo back in an error). */
const lowerHex = (t: string) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const b64 = (t: string) => Buffer.from(t, 'utf8').toString('base64');
const ENCODINGS: [string, (s: string) => string][] = [
  ['raw', (s) => s],
  ['percent, upper-case hex', (s) => encodeURIComponent(s)],
  ['percent, lower-case hex', (s) => lowerHex(encodeURIComponent(s))],
  ['form (+ for space)', (s) => new URLSearchParams({ k: s }).toString().slice(2)],
  ['form-decoded (+ read as space)', (s) => s.replace(/\+/g, ' ')],
  ['encodeURI (a path)', (s) => encodeURI(s)],
  [
    'URL path as new URL() writes it',
    (s) => {
      const u = new URL('http://h/');
      u.pathname = `/${s}`;
      return u.pathname.slice(1);
    },
  ],
  ['base64', (s) => b64(s)],
  ['base64url', (s) => Buffer.from(s, 'utf8').toString('base64url')],
  ['base64, percent-encoded', (s) => encodeURIComponent(b64(s))],
];

describe('redact: a secret in every encoding a URL can carry', () => {
  it("removes the issue's example in each encoding, inside a URL", () => {
    const secret = 'FAKE SECRET/9f8e+7d6c';
    for (const [name, enc] of ENCODINGS) {
      const text = `GET https://soar.example/api/${enc(secret)}?key=${enc(secret)}&x=1 failed`;
      const out = redact(text, [secret]);
      expect(out, name).not.toContain(enc(secret));
      expect(out, name).toBe('GET https://soar.example/api/[redacted]?key=[redacted]&x=1 failed');
    }
    expect(redact('token FAKE%20SECRET/9f8e+7d6c', [secret])).toBe('token [redacted]');
  });

  it('removes the secret from a Basic credential that encodes user:secret', () => {
    const secret = 'FAKE SECRET/9f8e+7d6c';
    for (const user of ['u', 'us', 'use', 'user']) {
      const header = `Authorization: Basic ${b64(`${user}:${secret}`)}`;
      const out = redact(header, [secret]);
      expect(out).toContain('[redacted]');
      // What is left is the user name's base64 and at most the two characters the secret shares with its neighbours.
      const left = out.replace(/.*Basic /, '').split('[redacted]');
      expect(left[0]!.length).toBeLessThanOrEqual(Math.ceil(((user.length + 1) * 4) / 3) + 1);
      expect(left[1]!.length).toBeLessThanOrEqual(3);
    }
  });

  it('for any secret with spaces, +, / and %, no encoding of it survives (property)', () => {
    const alphabet = fc.constantFrom(...'ab9Z /+%=?&é'.split(''));
    const secret = fc.array(alphabet, { minLength: 6, maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(secret, fc.constantFrom(...ENCODINGS), fc.string({ maxLength: 10 }), (s, [, enc], noise) => {
        const text = `${noise}https://x.example/p/${enc(s)}?k=${enc(s)}#${noise}`;
        const out = redact(text, [s]);
        expect(out).not.toContain(enc(s));
        expect(out).toContain('[redacted]');
      }),
      { numRuns: 150 },
    );
  }, 60_000); // each new secret compiles its pattern (a few ms): 150 of them is real work on a busy machine

  it('leaves text without the secret alone, and short secrets (they would match ordinary words)', () => {
    expect(redact('nothing to see at https://x.example/?a=b', ['FAKE SECRET/9f8e+7d6c'])).toBe(
      'nothing to see at https://x.example/?a=b',
    );
    expect(redact('abc abc', ['abc'])).toBe('abc abc');
  });
});
