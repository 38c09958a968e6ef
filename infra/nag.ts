import { Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { StatefulStack } from './stacks/stateful-stack.js';
import type { StatelessStack } from './stacks/stateless-stack.js';

/** Every cdk-nag finding socpulse accepts, each with the reason a reviewer needs. */
export function acknowledgeFindings(stateful: StatefulStack, stateless: StatelessStack): void {
  for (const s of stateful.secrets)
    Validations.of(s).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Source API tokens are issued by third-party SOC tools that Secrets Manager cannot rotate; runbooks/operator/rotate-source-credentials.md is the rotation procedure.',
    });
  const fns = [stateless.collect, stateless.report, stateless.api, stateless.mcp];
  for (const fn of fns) {
    const ack = (id: string, reason: string) => Validations.of(fn).acknowledge({ id, reason });
    ack(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only allows writing the function's own logs: the AWS-maintained minimum for Lambda.",
    );
    ack(
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments and PutTelemetryRecords accept no resource-level scoping; nothing else in the policy uses *.',
    );
    ack(
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'KMS actions are granted on the one socpulse data key only (CDK grantEncryptDecrypt form).',
    );
    ack(
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'KMS actions are granted on the one socpulse data key only (CDK grantEncryptDecrypt form).',
    );
  }
  // The scheduler's role may invoke the report function and its versions (`<arn>:*`), nothing else.
  const reportId = Stack.of(stateless).getLogicalId(stateless.report.node.defaultChild as CfnElement);
  Validations.of(stateless).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${reportId}.Arn>:*]`,
    reason:
      'EventBridge Scheduler invokes the report function by qualified ARN; the wildcard covers its versions only.',
  });
  const collectId = Stack.of(stateless).getLogicalId(stateless.collect.node.defaultChild as CfnElement);
  Validations.of(stateless).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${collectId}.Arn>:*]`,
    reason:
      'EventBridge Scheduler invokes the collect function by qualified ARN; the wildcard covers its versions only.',
  });
  // GET /reports/{runId}: the run id is a path parameter, so the route's ARN ends in `*` by construction.
  const stack = Stack.of(stateless);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const apiId = stack.getLogicalId(stateless.httpApi.node.defaultChild as CfnElement);
  for (const role of [stateless.appRoles.manager, stateless.appRoles.viewer])
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${apiId}>/$default/GET/reports/*]`,
      reason:
        'GET /reports/{runId} takes the run id as a path parameter; the wildcard covers run ids on that one route and stage.',
    });
  Validations.of(stateless.dlq).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the schedules.',
  });
  Validations.of(Stack.of(stateless)).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Node.js 22 is the runtime socpulse is built, bundled and tested for; moving to a newer runtime is a tested change, not an automatic one.',
  });
}
