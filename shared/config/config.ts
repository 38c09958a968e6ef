import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { BudgetCategory, Severity, Tier } from '../domain/records.js';
import { MetricSettingsSchema } from '../domain/settings.js';
import { QueryOption } from './query-spec.js';

/** Source kinds socpulse has an adapter for (DESIGN.md "Sources"). */
export const SOURCE_KINDS = ['socpulse', 'secops-soar', 'secops-siem', 'pagerduty', 'cost', 'query'] as const;

/**
 * Arguments sent with every tool call of this source, for servers that need their tenant named in each call (the
 * Google-hosted SecOps server's `project_id`/`customer_id`/`region`, or `projectId`/`customerId`/`region`).
 */
const ToolArgs = z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]));

/**
 * Per-source options of the adapters (DESIGN.md "Sources"), one key per adapter; a key another kind does not read is
 * an error, so a misplaced option never silently does nothing. Strings may hold `${secret:NAME}` references.
 */
export const SourceOptionsSchema = z
  .object({
    /** pagerduty: tier per schedule or escalation policy id (else escalation level 1/2/3+ → tier 1/2/3); filters. */
    pagerduty: z
      .object({
        tiers: z.record(z.string().min(1), Tier).optional(),
        scheduleIds: z.array(z.string().min(1)).min(1).optional(),
        escalationPolicyIds: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .optional(),
    /** secops-siem: severity for alerts whose rule names none (absent: such alerts are rejected, never guessed). */
    siem: z
      .object({
        defaultSeverity: Severity.optional(),
        maxAlerts: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .optional(),
    /** cost (Vantage query-costs): the workspace and the VQL filter naming the provider(s). */
    vantage: z
      .object({
        workspaceToken: z.string().min(1),
        filter: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** cost (AWS billing cost-explorer): an optional Cost Explorer filter expression, e.g. to drop credits. */
    aws: z
      .object({ filter: z.record(z.string(), z.unknown()).optional() })
      .strict()
      .optional(),
    /**
     * query: the tool, query text, paging, where the rows are and the JSONata mapping to canonical records
     * (shared/config/query-spec.ts), or the name of a shipped mapping ("sentinel", "splunk-es").
     */
    query: QueryOption.optional(),
    /** cost (either form): budget category per billed service name, before the built-in mapping. */
    cost: z
      .object({ categories: z.record(z.string().min(1), BudgetCategory).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type SourceOptions = z.infer<typeof SourceOptionsSchema>;

const OPTIONS_OF_KIND: Record<(typeof SOURCE_KINDS)[number], readonly string[]> = {
  socpulse: [],
  'secops-soar': [],
  'secops-siem': ['siem'],
  pagerduty: ['pagerduty'],
  cost: ['vantage', 'aws', 'cost'],
  query: ['query'],
};

/** Options must belong to the source's kind: `pagerduty` options on a cost source are a mistake worth naming. */
function optionsFitKind(s: { kind: (typeof SOURCE_KINDS)[number]; options?: SourceOptions }, ctx: z.RefinementCtx) {
  for (const key of Object.keys(s.options ?? {}))
    if (!OPTIONS_OF_KIND[s.kind].includes(key))
      ctx.addIssue({
        code: 'custom',
        path: ['options', key],
        message: `option "${key}" is not read by kind "${s.kind}"${OPTIONS_OF_KIND[s.kind].length ? ` (it reads: ${OPTIONS_OF_KIND[s.kind].join(', ')})` : ''}`,
      });
  if (s.kind === 'query' && s.options?.query === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['options', 'query'],
      message: 'a query source needs its query spec, or the name of a shipped mapping (sentinel, splunk-es)',
    });
}

/** What every source declares, whichever way it is reached. */
const sourceFields = {
  kind: z.enum(SOURCE_KINDS),
  /** Collection schedule for this source in the cloud (EventBridge Scheduler expression). */
  schedule: z.string().optional(),
  windowDays: z.number().int().min(1).max(400).optional(),
  toolArgs: ToolArgs.optional(),
  options: SourceOptionsSchema.optional(),
};
const HttpServer = z
  .object({
    ...sourceFields,
    url: z.url(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .superRefine(optionsFitKind);
const StdioServer = z
  .object({
    ...sourceFields,
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .superRefine(optionsFitKind);
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
    /**
     * Where the operator runbooks are readable, ending in `/` (alarm descriptions link to `<runbookBaseUrl><file>.md`).
     * Optional: without it, alarms name the runbook's path in the repository (`runbooks/operator/<file>.md`) rather
     * than invent a URL that may not exist.
     */
    runbookBaseUrl: z
      .url()
      .refine((u) => u.endsWith('/'), 'must end with "/" (runbook file names are appended to it)')
      .optional(),
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
  /** Display name on the From header of every report ("SOC reports" <sender>). */
  senderName: z
    .string()
    .min(1)
    .max(78)
    .regex(/^[^\r\n"<>]+$/, 'a display name without line breaks, quotes or angle brackets')
    .default('socpulse SOC reports'),
  /** Where replies to a report go (the SOC manager, say); without it replies go to the sender. */
  replyTo: Email.optional(),
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
    const lines = result.error.issues.flatMap(closestBranch).map((i) => {
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

/**
 * A source is an HTTP or a stdio entry: when neither fits, name the problems of the one that came closest (fewest
 * issues), not a bare "Invalid input".
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
  return best.flatMap((i) => closestBranch({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
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
