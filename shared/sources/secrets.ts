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

/** Remove every secret value (and its base64 form, as in Basic auth) from a text before it is logged or stored. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (const form of [s, Buffer.from(s).toString('base64'), encodeURIComponent(s)])
      out = out.split(form).join('[redacted]');
  }
  return out;
}
