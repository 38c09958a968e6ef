import { App, CfnResource, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { logicalIdWithoutParts, StackPart } from '../../infra/constructs/stack-part.js';
import { synthesized } from './template.js';

/** A stack that leaves its parts out of logical ids, as the stateless stack does. */
class PartedStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutParts(this, element);
  }
}

const resource = (scope: Construct, id: string) => new CfnResource(scope, id, { type: 'Test::Thing::Here' });

// Paths that exercise each rule of CDK's logical id (aws-cdk-lib core/lib/private/uniqueid.ts): one component alone,
// `Default` dropped, `Resource` out of the readable part, repeated components, non-alphanumeric ids, long paths.
const shapes: string[][] = [
  ['Topic'],
  ['Role-manager'],
  ['Fn', 'Resource'],
  ['Fn', 'ServiceRole', 'DefaultPolicy', 'Resource'],
  ['Alarms', 'Alarms', 'Resource'],
  ['Queue', 'Default'],
  ['Default', 'Thing'],
  ['HttpApi', 'POST--/reports', 'ApiIntegration-Permission'],
  ['a'.repeat(150), 'b'.repeat(150), 'Resource'],
  ['x'.repeat(300)],
];
const build = (stack: Construct, path: string[]) => {
  let scope = stack;
  for (const id of path.slice(0, -1)) scope = (scope.node.tryFindChild(id) as Construct) ?? new Construct(scope, id);
  return resource(scope, path.at(-1)!);
};

describe('logical ids without stack parts', () => {
  it('equal CDK’s own logical ids where no part is on the path', () => {
    const stack = new Stack(new App(), 'S');
    for (const path of shapes) {
      const element = build(stack, path);
      expect(logicalIdWithoutParts(stack, element), path.join('/')).toBe(stack.getLogicalId(element));
    }
  });

  it('give a resource inside (nested) parts the id it has directly in the stack', () => {
    const plain = new Stack(new App(), 'S');
    const parted = new PartedStack(new App(), 'S');
    const outer = new StackPart(parted, 'Outer');
    const inner = new StackPart(outer, 'Inner');
    for (const [i, path] of shapes.entries()) {
      const expected = plain.resolve(build(plain, path).logicalId);
      const actual = parted.resolve(build(i % 2 ? inner : outer, path).logicalId);
      expect(actual, path.join('/')).toBe(expected);
    }
  });

  it('refuse two parts that would give two resources one logical id, instead of keeping one of them', () => {
    const app = new App();
    const stack = new PartedStack(app, 'S');
    resource(new StackPart(stack, 'A'), 'Same');
    resource(new StackPart(stack, 'B'), 'Same');
    expect(() => Template.fromStack(stack)).toThrow(/already contains 'Same'/);
  });
});

describe('stateless stack parts', () => {
  // These resources carry a physical name (the app roles, the dashboard, the SES identity) or state (the topic's
  // confirmed subscription, the dead-letter queue's messages, the log groups, the alarm key): a changed logical id
  // replaces them. They keep the ids they had when the stack was one constructor (issue 16).
  it('keep the logical ids of named and stateful resources', () => {
    // The production fixture's template from the one shared synth (global-setup.ts).
    const ids = Object.keys(synthesized().stateless.Resources);
    expect(ids).toEqual(
      expect.arrayContaining([
        'RolemanagerC09692E8',
        'Rolefinance238A5359',
        'Roleviewer90B9B519',
        'Dashboard9E4231ED',
        'SenderIdentity5AECAF6F',
        'MailConfigF0CE294A',
        'Alarms04B5A0BF',
        'Alarmsoncallexamplecom06CAB9D6',
        'AlarmKeyE05DE300',
        'ScheduleDlqBC80447A',
        'ApiAccessLogsE9DF007D',
        'CollectLogsDCF5CB26',
        'ReportLogsAA3E998E',
        'ApiLogsCD139AD4',
        'McpLogs4DA55288',
        'HttpApiF5A9A8A7',
      ]),
    );
  });
});
