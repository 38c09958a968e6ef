import type { LambdaEvent } from 'hono/aws-lambda';
import type { Role } from './config.js';
import { callerFromIamArn, type Caller } from './roles.js';

/** The app roles' IAM role ARNs the stack created (`SOCPULSE_ROLE_ARNS`), read once at cold start. */
const roleArns = (): Partial<Record<Role, string>> => {
  const raw = process.env.SOCPULSE_ROLE_ARNS;
  if (!raw) throw new Error('SOCPULSE_ROLE_ARNS is not set: the API cannot map callers to roles');
  return JSON.parse(raw) as Partial<Record<Role, string>>;
};
let arns: Partial<Record<Role, string>> | undefined;

/** The caller of an API Gateway HTTP API request authorized with IAM (SigV4). */
export function cloudCaller(event: LambdaEvent | undefined): Caller | undefined {
  const ctx = (event as { requestContext?: { authorizer?: { iam?: { userArn?: string } } } } | undefined)
    ?.requestContext;
  return callerFromIamArn((arns ??= roleArns()), ctx?.authorizer?.iam?.userArn);
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
