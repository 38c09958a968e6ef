import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { MetricSettingsSchema } from '../domain/settings.js';

/** Source kinds socpulse has an adapter for (DESIGN.md "Sources"). */
export const SOURCE_KINDS = ['socpulse', 'secops-soar', 'secops-siem', 'pagerduty', 'cost'] as const;

/**
 * Arguments sent with every tool call of this source, for servers that need their tenant named in each call (the
 * Google-hosted SecOps server's `project_id`/`customer_id`/`region`, or `projectId`/`customerId`/`region`).
 */
const ToolArgs = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

const HttpServer = z
  .object({
    kind: z.enum(SOURCE_KINDS),
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Collection schedule for this source in the cloud (EventBridge Scheduler expression). */
    schedule: z.string().optional(),
    windowDays: z.number().int().min(1).max(400).optional(),
    toolArgs: ToolArgs.optional(),
  })
  .strict();
const StdioServer = z
  .object({
    kind: z.enum(SOURCE_KINDS),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    schedule: z.string().optional(),
    windowDays: z.number().int().min(1).max(400).optional(),
    toolArgs: ToolArgs.optional(),
  })
  .strict();
export const McpServerSchema = z.union([HttpServer, StdioServer]);
export type McpServerConfig = z.infer<typeof McpServerSchema>;

const Email = z.email();
export const ROLES = ['manager', 'finance', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Deployment settings, read by the CDK app at synth time (absent for purely local use). */
export const DeployConfigSchema = z
  .object({
    stage: z.enum(['dev', 'prod']).default('dev'),
    /** Verified SES identity the sender belongs to: a domain (example.com) or an address. */
    sesIdentity: z.string().min(3),
    /** Secrets Manager names are `<secretsPrefix><NAME>` for each `${secret:NAME}`. */
    secretsPrefix: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]*$/)
      .default('socpulse/'),
    /** Where the operator runbooks are readable (alarm descriptions link there). */
    runbookBaseUrl: z.url().default('https://github.com/socpulse/socpulse/blob/main/runbooks/operator/'),
    alarmEmail: z.email().optional(),
    /** IAM principals (ARNs) allowed to assume each app role. */
    roles: z
      .object({
        manager: z.array(z.string()).default([]),
        finance: z.array(z.string()).default([]),
        viewer: z.array(z.string()).default([]),
      })
      .strict()
      .default({ manager: [], finance: [], viewer: [] }),
  })
  .strict();
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** The one socpulse config file (DESIGN.md "Configuration and commands"); unknown keys are errors naming the key. */
export const ConfigSchema = MetricSettingsSchema.extend({
  mcpServers: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'source names are lower-case letters, digits and -'),
      McpServerSchema,
    )
    .default({}),
  /** The address reports are sent from: required only where sending happens (`requireSender`), not to collect or export. */
  sender: Email.optional(),
  audiences: z.record(z.string(), z.array(Email).min(1)).default({}),
  localTokens: z.record(z.string().min(16), z.enum(ROLES)).default({}),
  deploy: DeployConfigSchema.optional(),
}).strict();
export type Config = z.infer<typeof ConfigSchema>;

/** A config file that failed validation; the message names the file and every offending key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse an already-read config object; errors name the source and the key path. */
export function parseConfig(raw: unknown, origin = 'config'): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const path = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        const at = path ? ` in ${path}` : '';
        return `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}${at}`;
      }
      return `${path || '(root)'}: ${i.message}`;
    });
    throw new ConfigError(`${origin}: ${lines.join('; ')}`);
  }
  return result.data;
}

/** The configured sender, for a part that sends email; a config without one is refused there, naming the key. */
export function requireSender(config: Config, purpose: string): string {
  if (!config.sender)
    throw new ConfigError(`config: "sender" is required to ${purpose} (the address the emails are sent from)`);
  return config.sender;
}

/** Default config path: `socpulse.config.json` at the project root (the working directory). */
export const DEFAULT_CONFIG_FILE = 'socpulse.config.json';

/** Read and validate a config file. */
export function loadConfig(file = DEFAULT_CONFIG_FILE): Config {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(raw, file);
}
