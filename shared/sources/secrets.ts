import type { McpServerConfig } from '../config/config.js';
import { SecretError } from './errors.js';

const REFERENCE = /\$\{secret:([A-Za-z0-9_.-]+)\}/g;

/** Looks up a secret's value by its name in the config (`${secret:NAME}`). */
export interface SecretResolver {
  resolve(name: string): Promise<string | undefined>;
}

/** Local runs: `${secret:soar-token}` reads `SOCPULSE_SECRET_SOAR_TOKEN`. */
export class EnvSecretResolver implements SecretResolver {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  async resolve(name: string) {
    return this.env[envName(name)];
  }
}

/** The environment variable a secret name maps to locally. */
export const envName = (name: string) => `SOCPULSE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * The cloud: Secrets Manager secret `<prefix><NAME>`, read once per cold start. The client is loaded on first use:
 * a source without secrets never pays for it at INIT.
 */
export class SecretsManagerResolver implements SecretResolver {
  private readonly cache = new Map<string, Promise<string | undefined>>();
  constructor(private readonly prefix: string) {}
  resolve(name: string) {
    let hit = this.cache.get(name);
    if (!hit) {
      hit = import('@aws-sdk/client-secrets-manager').then(async ({ GetSecretValueCommand, SecretsManagerClient }) => {
        const out = await new SecretsManagerClient({}).send(
          new GetSecretValueCommand({ SecretId: `${this.prefix}${name}` }),
        );
        return out.SecretString;
      });
      // A failed read is not remembered: the next collection asks again.
      hit.catch(() => this.cache.delete(name));
      this.cache.set(name, hit);
    }
    return hit;
  }
}

/** Every secret name a server config refers to. */
export function secretNames(server: McpServerConfig): string[] {
  const names = new Set<string>();
  for (const m of JSON.stringify(server).matchAll(REFERENCE)) names.add(m[1]!);
  return [...names];
}

/**
 * Replace `${secret:NAME}` references in a server config with their values. Returns the resolved config and what
 * every error path must redact: the values and the other sensitive parts of the resolved config (`sensitiveParts`).
 */
export async function resolveSecrets(
  source: string,
  server: McpServerConfig,
  resolver: SecretResolver,
): Promise<{ server: McpServerConfig; values: string[] }> {
  const values: string[] = [];
  const lookup = new Map<string, string>();
  for (const name of secretNames(server)) {
    let value: string | undefined;
    try {
      value = await resolver.resolve(name);
    } catch (e) {
      throw new SecretError(source, `secret "${name}" could not be read (${(e as Error).name})`);
    }
    if (value === undefined || value === '')
      throw new SecretError(
        source,
        `secret "${name}" is not set${resolver instanceof EnvSecretResolver ? ` (set ${envName(name)})` : ''}`,
      );
    lookup.set(name, value);
    values.push(value);
  }
  const resolved = JSON.parse(JSON.stringify(server), (_k, v: unknown) =>
    typeof v === 'string' ? v.replace(REFERENCE, (_m, name: string) => lookup.get(name)!) : v,
  ) as McpServerConfig;
  return { server: resolved, values: sensitiveParts(resolved, values) };
}

/** Where a URL parser cuts: a secret holding one of these, put in a URL, reaches the server (and its errors) in pieces. */
const URL_CUTS = /[#?&]/;

/** A URL written in a config string (a header or an argument may hold one among other words). */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * Percent-decoding as a server does it (WHATWG URL, Python's unquote): `%XX` is a byte, bytes that are not UTF-8 are
 * U+FFFD, a `%` without two hex digits stays itself.
 */
function percentDecoded(t: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < t.length;) {
    if (t[i] === '%' && /^[0-9a-f]{2}$/i.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const ch = String.fromCodePoint(t.codePointAt(i)!);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Of one URL: its userinfo, each query value and its fragment, as the URL carries them and decoded. */
function urlParts(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const raw = [url.username, url.password, url.hash.slice(1)];
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq >= 0) raw.push(pair.slice(eq + 1));
  }
  return raw.flatMap((r) => [r, percentDecoded(r.replace(/\+/g, ' ')), percentDecoded(r)]);
}

/**
 * Everything of a resolved source config that must stay out of logs, errors and records:
 * - each secret value, and each piece of it between URL delimiters (`#`, `?`, `&`): a secret put in a URL is cut there
 *   by the URL parser, and only its prefix (often percent-encoded, `h3-SECRET%20tok`) reaches the server and its errors;
 * - of every URL the config holds (`url`, header values, stdio arguments and environment values), the userinfo, each
 *   query value and the fragment, as the URL carries them and decoded, whether or not they came from `${secret:…}`:
 *   a key written into a URL by hand is a secret too;
 * - every value under a credential-named key (`Authorization`, `X-Api-Key`, `API_TOKEN`, `workspaceToken`, …) in
 *   headers, environment, options and tool arguments, and the credentials after an auth scheme (`Bearer …`).
 * `redact` then removes each in every encoding (and leaves those under 4 characters, such as `?v=2`, alone).
 */
export function sensitiveParts(server: McpServerConfig, secrets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    out.add(s);
    for (const piece of s.split(URL_CUTS)) out.add(piece);
  }
  const texts =
    'url' in server
      ? [server.url, ...Object.values(server.headers ?? {})]
      : [...(server.args ?? []), ...Object.values(server.env ?? {})];
  for (const text of texts) {
    // A whole value that is a URL is read whole (a secret in it may hold a space); otherwise the URLs written in it.
    const urls = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? [text] : (text.match(URL_IN_TEXT) ?? []);
    for (const u of urls) for (const part of urlParts(u)) out.add(part);
  }
  for (const value of credentialValues(server)) {
    // The value, and for `Bearer abc…` or `Basic dXNl…` the credentials after the scheme; each whole and cut at the
    // URL delimiters, as a secret is.
    const credentials = /^[A-Za-z][\w.+-]* +(\S.*)$/.exec(value)?.[1];
    for (const v of credentials ? [value, credentials] : [value]) for (const p of [v, ...v.split(URL_CUTS)]) out.add(p);
  }
  out.delete('');
  return [...out];
}

/** A config key whose value is a credential: a header, an environment variable, an option or a tool argument. */
const CREDENTIAL_KEY = /auth|token|secret|passw|api[-_]?key|^key$|credential|cookie|signature/i;

/** The string values under credential-named keys anywhere in a source's config (written by hand or resolved). */
function credentialValues(server: McpServerConfig): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      if (CREDENTIAL_KEY.test(key)) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(server, '');
  return out;
}

const reEscape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A hex number matched in either case. */
const anyCaseHex = (hex: string) =>
  [...hex].map((h) => (/[a-f]/i.test(h) ? `[${h.toUpperCase()}${h.toLowerCase()}]` : h)).join('');

const HTML_NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * One character as a URL, a JSON text or an HTML page may carry it: itself; percent-encoded (UTF-8, hex in either case),
 * once or twice (`%2520`, a URL encoded inside another); for a space `+` (form encoding) or for a `+` a space (what a
 * form decoder makes of it); JSON-escaped (`\"`, `\\`, `\/`, `\u00e9` in either case); an HTML entity (`&amp;`,
 * `&#35;`, `&#x23;`).
 */
function charForms(c: string): string {
  const bytes = [...Buffer.from(c, 'utf8')].map((b) => anyCaseHex(b.toString(16).padStart(2, '0')));
  const units = [...Array(c.length).keys()].map((i) => c.charCodeAt(i).toString(16).padStart(4, '0'));
  const code = c.codePointAt(0)!;
  // Encoded forms before the character itself: at the end of a match, `%` must take `%25` whole, `&` its `&amp;`.
  const alts = [
    bytes.map((h) => `%25${h}`).join(''),
    bytes.map((h) => `%${h}`).join(''),
    units.map((u) => `\\\\u${anyCaseHex(u)}`).join(''),
    `&#0*${code};`,
    `&#[xX]0*${anyCaseHex(code.toString(16))};`,
  ];
  const json = JSON.stringify(c).slice(1, -1);
  if (json !== c) alts.push(reEscape(json));
  if (c === '/') alts.push('\\\\/');
  if (HTML_NAMED[c]) alts.push(HTML_NAMED[c]);
  alts.push(reEscape(c));
  if (c === ' ') alts.push('\\+');
  if (c === '+') alts.push(' ');
  return `(?:${alts.join('|')})`;
}

/**
 * The base64 text of a secret wherever it sits in a longer value (Basic auth encodes `user:secret`): for each of the
 * three byte alignments, the characters that depend on the secret's bytes alone, in the standard and URL-safe alphabets.
 */
function base64Forms(s: string): string[] {
  const bytes = Buffer.from(s, 'utf8');
  const out = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const full = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64');
    let core = full.replace(/=+$/, '').slice([0, 2, 3][k]);
    if ((k + bytes.length) % 3 !== 0) core = core.slice(0, -1);
    if (k === 0) out.add(full); // with its padding, as a whole value is encoded
    if (core.length >= 6) out.add(core);
  }
  for (const f of [...out]) out.add(f.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  return [...out];
}

const patterns = new Map<string, RegExp>();

/** The pattern matching every form of one secret (cached: the same few secrets redact many texts). */
function secretPattern(s: string): RegExp {
  let re = patterns.get(s);
  if (!re) {
    // Longest forms first, so a padded base64 value goes whole rather than leaving its padding behind.
    // The base64 of the secret as a form decoder reads it too (a server that decodes `+` to a space, then encodes).
    const decoded = s.replace(/\+/g, ' ');
    const forms = [...new Set([s, ...base64Forms(s), ...(decoded === s ? [] : base64Forms(decoded))])].sort(
      (a, b) => b.length - a.length,
    );
    re = new RegExp(forms.map((f) => [...f].map(charForms).join('')).join('|'), 'g');
    if (patterns.size > 100) patterns.clear();
    patterns.set(s, re);
  }
  return re;
}

/**
 * Remove every secret value from a text before it is logged or stored, in every form a URL, a header, a JSON text or
 * an HTML page can carry it: raw; percent-encoded with upper- or lower-case hex, wholly or in part, once or twice; `+`
 * for a space (and a space for `+`); JSON-escaped; HTML entities; and base64 or base64url (padded or not, alone or
 * inside a longer encoded value such as Basic auth), those percent-encoded too. Secrets shorter than 4 characters are
 * left alone: they would match ordinary text. Pass `sensitiveParts` (what `resolveSecrets` returns), not the bare
 * values: a secret cut by a URL delimiter reaches a server as its prefix, which the whole value does not match.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a query value holding a secret's piece goes whole, not as "[redacted]" and the rest of it.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length < 4) continue;
    out = out.replace(secretPattern(s), '[redacted]');
  }
  return out;
}
