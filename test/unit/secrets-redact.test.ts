import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvSecretResolver, redact, resolveSecrets } from '../../shared/sources/secrets.js';

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

describe('a secret cut by a URL delimiter (issue 23)', () => {
  // The issue's case: the secret's `#` cuts the URL, so the server gets (and echoes) `h3-SECRET%20tok`, not the secret.
  const resolve = (url: string, value: string) =>
    resolveSecrets('leaky', { kind: 'socpulse', url }, new EnvSecretResolver({ SOCPULSE_SECRET_LEAK: value }));

  it('gives, to redact, the pieces of the secret and the userinfo, query values and fragment of the URL', async () => {
    const { server, values } = await resolve(
      'https://svc-user:p4ss-w0rd@soar.example/mcp?key=${secret:leak}&v=2',
      'h3-SECRET tok#9f8e7d',
    );
    expect(server).toEqual({
      kind: 'socpulse',
      url: 'https://svc-user:p4ss-w0rd@soar.example/mcp?key=h3-SECRET tok#9f8e7d&v=2',
    });
    // The `#` made `9f8e7d&v=2` the fragment: the server receives `?key=h3-SECRET%20tok` and nothing else of it.
    expect([...values].sort()).toEqual(
      [
        'h3-SECRET tok#9f8e7d',
        'h3-SECRET tok',
        '9f8e7d',
        'svc-user',
        'p4ss-w0rd',
        '9f8e7d&v=2',
        'h3-SECRET%20tok',
      ].sort(),
    );
  });

  it("removes the issue's `h3-SECRET%20tok` and the prefix in every form a server or the client writes it", async () => {
    const { values } = await resolve(
      'https://svc-user:p4ss-w0rd@soar.example/mcp?key=${secret:leak}&v=2',
      'h3-SECRET tok#9f8e7d',
    );
    const cases: [string, string][] = [
      [
        'Streamable HTTP error: Error POSTing to endpoint: denied /mcp?key=h3-SECRET%20tok',
        'Streamable HTTP error: Error POSTing to endpoint: denied /mcp?key=[redacted]',
      ],
      ['key=h3-SECRET+tok (form)', 'key=[redacted] (form)'],
      ['key "h3-SECRET tok" is unknown', 'key "[redacted]" is unknown'],
      ['next=%2Fmcp%3Fkey%3Dh3-SECRET%2520tok', 'next=%2Fmcp%3Fkey%3D[redacted]'],
      ['token aDMtU0VDUkVUIHRvaw== refused', 'token [redacted] refused'], // base64 of "h3-SECRET tok"
      ['{"error":"bad key h3-SECRET\\u0020tok"}', '{"error":"bad key [redacted]"}'],
      ['<p>key=h3-SECRET&#32;tok</p>', '<p>key=[redacted]</p>'],
      [
        'TypeError: Request cannot be constructed from a URL that includes credentials: https://svc-user:p4ss-w0rd@soar.example/mcp?key=h3-SECRET%20tok#9f8e7d&v=2',
        // The whole secret goes (its `#` encoded or not); `&v=2` is the config's own parameter.
        'TypeError: Request cannot be constructed from a URL that includes credentials: https://[redacted]:[redacted]@soar.example/mcp?key=[redacted]&v=2',
      ],
    ];
    for (const [text, expected] of cases) expect(redact(text, values), text).toBe(expected);
    // The bare value, as before, would have left the prefix in place: the failure the issue reports.
    expect(redact('denied /mcp?key=h3-SECRET%20tok', ['h3-SECRET tok#9f8e7d'])).toBe('denied /mcp?key=h3-SECRET%20tok');
  });

  it('removes a prefix cut at `&` in its JSON-escaped, HTML, twice-encoded and lower-hex forms', async () => {
    const { values } = await resolve('https://soar.example/mcp?key=${secret:leak}', 'Zq:9/ü&rest-of-it');
    expect([...values].sort()).toEqual(['Zq:9/ü&rest-of-it', 'Zq:9/ü', 'rest-of-it', 'Zq:9/%C3%BC'].sort());
    const cases: [string, string][] = [
      ['denied /mcp?key=Zq:9/%C3%BC&rest-of-it', 'denied /mcp?key=[redacted]'], // the whole secret, encoded in part
      ['rest-of-it=&key=Zq:9/%C3%BC', '[redacted]=&key=[redacted]'], // its pieces, apart
      ['denied /mcp?key=Zq:9/%c3%bc', 'denied /mcp?key=[redacted]'],
      ['key=Zq%3A9%2F%C3%BC', 'key=[redacted]'],
      ['{"key": "Zq:9\\/\\u00fc"}', '{"key": "[redacted]"}'], // PHP json_encode
      ['{"key": "Zq:9/\\u00FC"}', '{"key": "[redacted]"}'], // ensure_ascii, upper-case hex
      ['{"key": "Zq:9/ü\\u0026rest-of-it"}', '{"key": "[redacted]"}'], // Go escapes & as \u0026
      ['<td>Zq:9/&#252;&amp;rest-of-it</td>', '<td>[redacted]</td>'],
      ['<td>Zq:9/&#xFC;</td>', '<td>[redacted]</td>'],
      ['next=%2Fmcp%3Fkey%3DZq%3A9%2F%25C3%25BC', 'next=%2Fmcp%3Fkey%3D[redacted]'],
      ['Bearer WnE6OS/DvA==', 'Bearer [redacted]'], // base64 of "Zq:9/ü"
    ];
    for (const [text, expected] of cases) expect(redact(text, values), text).toBe(expected);
  });

  it('for any secret with #, ? and &, what of it reaches the server leaves no encoding behind (property)', async () => {
    const alphabet = fc.constantFrom(...'ab9Z /+%=é#?&'.split(''));
    const secret = fc.array(alphabet, { minLength: 6, maxLength: 20 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(secret, fc.constantFrom(...ENCODINGS), async (s, [, enc]) => {
        const { server, values } = await resolve('https://x.example/mcp?key=${secret:leak}', s);
        // What the server gets: the query's `key`, cut wherever the URL parser cut the secret.
        const got = new URL((server as { url: string }).url).searchParams.get('key') ?? '';
        fc.pre(got.length >= 4); // shorter ones are left alone (they would match ordinary words)
        const out = redact(`denied key=${enc(got)}.`, values);
        expect(out).toBe('denied key=[redacted].');
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('redacts a key written into a URL or a header by hand, with no ${secret:…}', async () => {
    const { values } = await resolveSecrets(
      'manual',
      {
        kind: 'socpulse',
        url: 'https://ops:hunter2-pw@soar.example/mcp?api_key=ak_live_77aa&format=json#sig-0042',
        headers: { 'X-Callback': 'see https://cb.example/hook?token=cb-tok-31 now', Accept: 'application/json' },
      },
      new EnvSecretResolver({}),
    );
    expect([...values].sort()).toEqual(['ops', 'hunter2-pw', 'sig-0042', 'ak_live_77aa', 'json', 'cb-tok-31'].sort());
    expect(
      redact('GET https://ops:hunter2-pw@soar.example/mcp?api_key=ak_live_77aa&format=json#sig-0042 -> 403', values),
    ).toBe('GET https://ops:[redacted]@soar.example/mcp?api_key=[redacted]&format=[redacted]#[redacted] -> 403');
    expect(redact('callback cb-tok-31 refused (application/json)', values)).toBe(
      'callback [redacted] refused (application/[redacted])',
    );
  });

  it('redacts credentials written by hand under credential-named keys (headers, environment, options)', async () => {
    const { values } = await resolveSecrets(
      'vantage',
      {
        kind: 'cost',
        url: 'https://vantage.example/mcp',
        headers: { Authorization: 'Bearer lit-bearer-7788', 'X-Api-Key': 'k3y-lit#eral', Accept: 'application/json' },
        options: { vantage: { workspaceToken: 'wrkspc_5566' } },
      },
      new EnvSecretResolver({}),
    );
    // The Authorization value whole and after its scheme; the API key whole and cut at its `#`; the option.
    expect([...values].sort()).toEqual(
      ['Bearer lit-bearer-7788', 'lit-bearer-7788', 'k3y-lit#eral', 'k3y-lit', 'eral', 'wrkspc_5566'].sort(),
    );
    expect(redact('401: token lit-bearer-7788 / key k3y-lit / workspace wrkspc_5566 (application/json)', values)).toBe(
      '401: token [redacted] / key [redacted] / workspace [redacted] (application/json)',
    );
  });

  it('a stdio source: URLs among its arguments and environment', async () => {
    const { values } = await resolveSecrets(
      'remote',
      {
        kind: 'socpulse',
        command: 'npx',
        args: ['mcp-remote', 'https://x.example/mcp?key=${secret:leak}'],
        env: { UPSTREAM: 'https://u:pw-5566@y.example/' },
      },
      new EnvSecretResolver({ SOCPULSE_SECRET_LEAK: 'stdio-key#tail' }),
    );
    expect([...values].sort()).toEqual(['stdio-key#tail', 'stdio-key', 'tail', 'u', 'pw-5566'].sort());
    // An environment variable named for a credential is one, URL or not.
    const env = await resolveSecrets(
      'remote',
      { kind: 'socpulse', command: 'x', env: { API_TOKEN: 'envtok-4242', LOG_LEVEL: 'debug' } },
      new EnvSecretResolver({}),
    );
    expect(env.values).toEqual(['envtok-4242']);
  });
});
