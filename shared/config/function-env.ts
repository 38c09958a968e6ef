import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { TABLE_NAME_ENV } from '../store/table.js';
import { ConfigError, loadConfig, ROLES, type Config } from './config.js';
import { parseCompiledRunbooks, RunbookError, type ReportRunbook } from './runbook-schema.js';

/**
 * The environment variables the deployed functions read, by what they hold. infra sets them by these names and the
 * handlers read them only through the schemas below, once, at INIT.
 */
export const ENV = {
  /** The table's name (every function). */
  table: TABLE_NAME_ENV,
  /** The config file instead of the one bundled beside the handler (tests and benchmarks only; never set by infra). */
  configFile: 'SOCPULSE_CONFIG_FILE',
  /** collect: the Secrets Manager name prefix of `${secret:NAME}` (deploy.secretsPrefix, as the stateful stack names them). */
  secretsPrefix: 'SOCPULSE_SECRETS_PREFIX',
  /** report: the SES configuration set every report is sent through (its bounce and complaint metrics). */
  sesConfigurationSet: 'SOCPULSE_SES_CONFIGURATION_SET',
  /** api, mcp: the app roles' IAM role ARNs, `{"manager": "arn:aws:iam::…:role/…", …}`. */
  roleArns: 'SOCPULSE_ROLE_ARNS',
  /** api, mcp: the report function a queued run is started with (asynchronous invoke). */
  reportFunction: 'SOCPULSE_REPORT_FUNCTION',
} as const;

const IamRoleArn = z
  .string()
  .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]+$/, 'not an IAM role ARN');
/** SOCPULSE_ROLE_ARNS: JSON of at least one app role's ARN. */
const RoleArns = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(ROLES), IamRoleArn).refine((o) => Object.keys(o).length > 0, 'no role ARNs'));
const Name = z.string().min(1, 'is empty');

const common = {
  [ENV.table]: Name,
  [ENV.configFile]: Name.optional(),
};
/** What the collect function reads from its environment. */
export const CollectEnv = z.object({ ...common, [ENV.secretsPrefix]: z.string().regex(/^[A-Za-z0-9/_+=.@-]*$/) });
/** What the report function reads from its environment. */
export const ReportEnv = z.object({ ...common, [ENV.sesConfigurationSet]: Name });
/** What the api and mcp functions read from their environment. */
export const EdgeEnv = z.object({
  ...common,
  [ENV.roleArns]: RoleArns,
  [ENV.reportFunction]: Name,
});

/**
 * Parse a function's environment with its schema: at INIT, once. A missing or bad variable fails the cold start with
 * one line naming every such variable (never its value: a value may be a secret someone put in the wrong place).
 */
export function parseFunctionEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0]);
    return env[name] === undefined ? `${name} is not set` : `${i.path.join('.')}: ${i.message}`;
  });
  throw new ConfigError(`environment: ${problems.join('; ')}`);
}

/**
 * Where a deployed function finds its configuration: the config file and the runbooks, their front matter compiled to
 * `runbooks.json`, sit beside the handler (the CDK writes them at synth time); `SOCPULSE_CONFIG_FILE` overrides the
 * config file for tests and benchmarks. The runbooks are only ever read compiled, so no function bundles the YAML
 * parser. Read once per cold start; a bad file fails the cold start with a message naming the file and key.
 */
export function functionConfig(configFile?: string): { config: Config; runbooks: ReportRunbook[] } {
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  return {
    config: loadConfig(configFile ?? here('./socpulse.config.json')),
    runbooks: loadCompiledRunbooks(here('./runbooks.json')),
  };
}

function loadCompiledRunbooks(file: string): ReportRunbook[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RunbookError(
      `${file}: cannot read compiled runbooks (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  return parseCompiledRunbooks(text, file);
}
