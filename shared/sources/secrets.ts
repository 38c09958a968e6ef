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
 * Replace `${secret:NAME}` references in a server config with their values. Returns the resolved config and the
 * values, so every error path can redact them.
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
  return { server: resolved, values };
}

const reEscape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * One character as a URL may carry it: itself, percent-encoded (UTF-8, hex in either case), and for a space `+`
 * (form encoding) or for a `+` a space (what a form decoder makes of it).
 */
function charForms(c: string): string {
  const pct = [...Buffer.from(c, 'utf8')]
    .map((b) => {
      const hex = b.toString(16).toUpperCase().padStart(2, '0');
      return `%${[...hex].map((h) => (/[A-F]/.test(h) ? `[${h}${h.toLowerCase()}]` : h)).join('')}`;
    })
    .join('');
  const alts = [reEscape(c), pct];
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
 * Remove every secret value from a text before it is logged or stored, in every form a URL or header can carry it:
 * raw; percent-encoded with upper- or lower-case hex, wholly or in part; `+` for a space (and a space for `+`); and
 * base64 or base64url (padded or not, alone or inside a longer encoded value such as Basic auth), those percent-encoded
 * too. Secrets shorter than 4 characters are left alone: they would match ordinary text.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    out = out.replace(secretPattern(s), '[redacted]');
  }
  return out;
}
