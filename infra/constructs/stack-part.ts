import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';

/**
 * A part of a stack (its mail set-up, API, schedules, alarms …): a construct that groups code, not resources. A stack
 * that allocates logical ids with `logicalIdWithoutParts` leaves the parts' ids out, so a resource keeps the logical id
 * it had when it was created directly in the stack. A changed logical id makes CloudFormation create a new resource
 * and delete the old one: the named app roles, the dashboard and the SES identity would collide with themselves, the
 * alarm topic would lose its confirmed email subscription and the dead-letter queue its messages.
 */
export class StackPart extends Construct {}

/**
 * The logical id CDK gives a resource (Stack.allocateLogicalId), computed from its construct path without the ids of
 * the StackParts on it. The rule is CDK's own (aws-cdk-lib core/lib/private/uniqueid.ts, not exported): drop
 * `Default` components; one component alone is its own id; otherwise the human-readable components (duplicates and
 * `Resource` left out) followed by the first 8 hex digits, upper case, of the MD5 of the path joined with `/`.
 * test/infra/stack-part.test.ts checks that it equals CDK's where no part is involved.
 */
export function logicalIdWithoutParts(stack: Stack, element: CfnElement): string {
  const scopes = element.node.scopes;
  const components = scopes
    .slice(scopes.indexOf(stack) + 1)
    .filter((scope) => !(scope instanceof StackPart))
    .map((scope) => scope.node.id)
    .filter((id) => id !== 'Default');
  const alphanumeric = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  if (components.length === 1 && alphanumeric(components[0]!).length <= 255) return alphanumeric(components[0]!);
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of components) if (!human.length || !human[human.length - 1]!.endsWith(c)) human.push(c);
  return (
    human
      .filter((c) => c !== 'Resource')
      .map(alphanumeric)
      .join('')
      .slice(0, 240) + hash
  );
}
