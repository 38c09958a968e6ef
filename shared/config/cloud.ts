import type { LambdaEvent } from 'hono/aws-lambda';
import type { Role } from './config.js';
import { callerFromIamArn, type Caller } from './roles.js';

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
 * Start a queued run by invoking the report function (its name from the environment, parsed at INIT) asynchronously.
 * The Lambda client is loaded on the first trigger, not at cold start: most API and MCP calls only read.
 */
export function cloudTrigger(reportFunction: string) {
  let client: Promise<{ send(name: string, payload: string): Promise<unknown> }> | undefined;
  return {
    start: async (runId: string) => {
      client ??= import('@aws-sdk/client-lambda').then(({ InvokeCommand, LambdaClient }) => {
        const lambda = new LambdaClient({});
        return {
          send: (fn: string, payload: string) =>
            lambda.send(
              new InvokeCommand({ FunctionName: fn, InvocationType: 'Event', Payload: Buffer.from(payload) }),
            ),
        };
      });
      await (await client).send(reportFunction, JSON.stringify({ runId }));
    },
  };
}
