import type { LambdaEvent } from 'hono/aws-lambda';
import * as z from 'zod';
import { ConfigError, type Role } from './config.js';
import { callerFromIamArn, type Caller } from './roles.js';

const IamRoleArn = z
  .string()
  .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]+$/, 'not an IAM role ARN');
const RoleArnsSchema = z
  .object({ manager: IamRoleArn, finance: IamRoleArn, viewer: IamRoleArn })
  .partial()
  .strict()
  .refine((o) => Object.keys(o).length > 0, 'no role ARNs');

/**
 * The app roles' IAM role ARNs the stack created (`SOCPULSE_ROLE_ARNS`, `{"manager": "arn:aws:iam::…:role/…", …}`),
 * read and validated once at cold start: a broken value fails INIT with one line naming the variable, instead of
 * every request answering 500.
 */
export function roleArnsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<Role, string>> {
  const raw = env.SOCPULSE_ROLE_ARNS;
  if (!raw) throw new ConfigError('SOCPULSE_ROLE_ARNS is not set: the API cannot map callers to roles');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('SOCPULSE_ROLE_ARNS is not JSON');
  }
  const result = RoleArnsSchema.safeParse(parsed);
  if (!result.success)
    throw new ConfigError(
      `SOCPULSE_ROLE_ARNS: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return result.data;
}

/** The caller of an API Gateway HTTP API request authorized with IAM (SigV4), given the validated role ARNs. */
export function cloudCaller(
  roleArns: Partial<Record<Role, string>>,
  event: LambdaEvent | undefined,
): Caller | undefined {
  const ctx = (event as { requestContext?: { authorizer?: { iam?: { userArn?: string } } } } | undefined)
    ?.requestContext;
  return callerFromIamArn(roleArns, ctx?.authorizer?.iam?.userArn);
}

/** The domain name API Gateway received the request on (the only Host the deployed MCP server answers to). */
export function cloudDomainName(event: LambdaEvent | undefined): string | undefined {
  return (event as { requestContext?: { domainName?: string } } | undefined)?.requestContext?.domainName;
}

/**
 * Start a queued run by invoking the report function asynchronously (`SOCPULSE_REPORT_FUNCTION`). The Lambda client
 * is loaded on the first trigger, not at cold start: most API and MCP calls only read.
 */
export function cloudTrigger() {
  let client: Promise<{ send(name: string, payload: string): Promise<unknown> }> | undefined;
  return {
    start: async (runId: string) => {
      const name = process.env.SOCPULSE_REPORT_FUNCTION;
      if (!name) throw new Error('SOCPULSE_REPORT_FUNCTION is not set');
      client ??= import('@aws-sdk/client-lambda').then(({ InvokeCommand, LambdaClient }) => {
        const lambda = new LambdaClient({});
        return {
          send: (fn: string, payload: string) =>
            lambda.send(
              new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: Buffer.from(payload) }),
            ),
        };
      });
      await (await client).send(name, JSON.stringify({ runId }));
    },
  };
}
