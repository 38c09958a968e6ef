import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/bin/app.js';
import { cronPlusHours } from '../../infra/constructs/schedules.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { SYNTH_CONFIG } from './global-setup.js';
import { synthesized } from './template.js';

// Other configs: bundling is skipped (the shared synth bundles); everything else is the real app as `cdk synth` builds it.
const makeApp = (configFile: string) => {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:defaultCrossStackReferences': 'strong' },
  });
  const stacks = buildApp(app, configFile);
  return { app, stateful: Template.fromStack(stacks.stateful), stateless: Template.fromStack(stacks.stateless) };
};
// The production fixture: the templates of the one shared `cdk synth` (global-setup.ts), cdk-nag included.
const shared = synthesized();
const stateful = Template.fromJSON(shared.stateful as unknown as Record<string, unknown>);
const stateless = Template.fromJSON(shared.stateless as unknown as Record<string, unknown>);
const runbooks = loadReportRunbooks('runbooks');

describe('stateful stack', () => {
  it('keeps the table safe in production: PITR, deletion protection, KMS, retained', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    });
  });

  it('makes one secret per ${secret:NAME} reference, under the prefix', () => {
    stateful.resourceCountIs('AWS::SecretsManager::Secret', 2);
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'socpulse/soar-token' });
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'socpulse/vantage-key' });
  });
});

describe('stateless stack', () => {
  it('schedules every report runbook with its own cron and time zone, a retry policy and the DLQ', () => {
    for (const rb of runbooks) {
      stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: rb.schedule,
        ScheduleExpressionTimezone: rb.timezone,
        Target: Match.objectLike({
          Input: JSON.stringify({ runbook: rb.id }),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      });
    }
  });

  it('schedules each remote source collection and a deadline check per runbook', () => {
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ Input: JSON.stringify({ source: 'soar' }) }),
    });
    stateless.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 10 ? * MON *)',
      Target: Match.objectLike({ Input: JSON.stringify({ deadlineCheck: 'weekly-kpi' }) }),
    });
    // 4 runbooks × (report + deadline) + 2 sources
    stateless.resourceCountIs('AWS::Scheduler::Schedule', 10);
  });

  it('encrypts the DLQ and refuses plain HTTP to it', () => {
    stateless.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('gives the report function only the table actions it uses and SES send on the identity', () => {
    const policies = stateless.findResources('AWS::IAM::Policy');
    const reportPolicy = Object.entries(policies).find(([id]) => id.startsWith('ReportFnServiceRoleDefaultPolicy'))![1];
    const statements = reportPolicy.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'ses:SendEmail']),
    );
    // SES v2 SendEmail (raw content too) is authorized as ses:SendEmail; SendRawEmail is the v1 API's.
    expect(actions).not.toContain('ses:SendRawEmail');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    const ses = statements.find((s) => [s.Action].flat().includes('ses:SendEmail'))!;
    expect(JSON.stringify(ses.Resource)).not.toContain('"*"');
  });

  it('lets only the collect function read the source secrets', () => {
    const policies = stateless.findResources('AWS::IAM::Policy');
    const collect = Object.entries(policies).find(([id]) => id.startsWith('CollectFnServiceRoleDefaultPolicy'))![1];
    const secretStatement = (collect.Properties.PolicyDocument.Statement as { Action: string[] }[]).find((s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    expect(secretStatement).toBeDefined();
  });

  it('runs Node 22 on arm64 with the table name in the environment', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ SOCPULSE_TABLE: Match.anyValue() }) },
    });
  });

  it('gives every socpulse function source maps and the 64 MB young generation the report benchmark runs with', () => {
    const fns = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.SOCPULSE_TABLE !== undefined,
    );
    expect(fns.length).toBe(4);
    for (const f of fns)
      expect(f.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=64');
  });

  it('links every alarm to the operator runbook that says what to do', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(4 + 1 + 2 + runbooks.length + 1);
    for (const a of alarms)
      expect(a.Properties.AlarmDescription).toMatch(
        /What to do: https:\/\/runbooks\.example\.com\/socpulse\/[a-z-]+\.md/,
      );
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReportOverdue',
      Dimensions: Match.arrayWith([{ Name: 'runbook', Value: 'weekly-kpi' }]),
    });
  });

  it('puts every API route behind IAM authorization, and the MCP endpoint too', () => {
    const routes = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route')).map((r) => [
      r.Properties.RouteKey,
      r.Properties.AuthorizationType,
    ]);
    expect(routes.map(([k]) => k).sort()).toEqual([
      'GET /budget/snapshots',
      'GET /kpis',
      'GET /reports/{runId}',
      'GET /staffing/forecast',
      'POST /mcp',
      'POST /reports',
      'PUT /budget/plan',
    ]);
    expect(routes.every(([, auth]) => auth === 'AWS_IAM')).toBe(true);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('lets each app role invoke exactly its routes: finance cannot trigger, viewer cannot import plans', () => {
    const policies = Object.entries(stateless.findResources('AWS::IAM::Policy'));
    const routesOf = (role: string) =>
      JSON.stringify(policies.find(([id]) => id.startsWith(`Role${role}DefaultPolicy`))![1].Properties.PolicyDocument)
        .match(/\/\$default\/[A-Z]+\/[a-z/*]+/g)!
        .map((r) => r.replace('/$default/', ''))
        .sort();
    expect(routesOf('manager')).toEqual([
      'GET/budget/snapshots',
      'GET/kpis',
      'GET/reports/*',
      'GET/staffing/forecast',
      'POST/mcp',
      'POST/reports',
    ]);
    expect(routesOf('finance')).toEqual(['GET/budget/snapshots', 'POST/mcp', 'PUT/budget/plan']);
    expect(routesOf('viewer')).toEqual(['GET/kpis', 'GET/reports/*', 'GET/staffing/forecast', 'POST/mcp']);
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement explained', () => {
    // The shared synth ran the checks (a finding fails it, and every infra test with it); this one does again.
    expect(() => makeApp(SYNTH_CONFIG).app.synth()).not.toThrow();
  });
});

describe('config at synth time', () => {
  it('refuses a config without a deploy section, naming the file', () => {
    expect(() =>
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'test/fixtures/config/no-deploy.json'),
    ).toThrow(/no-deploy\.json: a "deploy" section/);
  });

  it('computes deadline schedules and refuses one that passes midnight', () => {
    expect(cronPlusHours('cron(0 7 ? * MON *)', 3, 'x')).toBe('cron(0 10 ? * MON *)');
    expect(() => cronPlusHours('cron(0 22 ? * MON *)', 3, 'runbooks/x.md')).toThrow(
      /runbooks\/x\.md: .*passes midnight/,
    );
  });
});

describe('mail bounce and complaint alarm', () => {
  // SES publishes event metrics to CloudWatch (AWS/SES) with exactly the dimensions the configuration set's event
  // destination configures (AWS::SES::ConfigurationSetEventDestination DimensionConfiguration, CloudFormation
  // reference), each at its default value when the message does not set it. An alarm on any other dimension never fires.
  it('reads only dimensions the event destination publishes, at the value every message carries', () => {
    const destinations = Object.values(stateless.findResources('AWS::SES::ConfigurationSetEventDestination'));
    expect(destinations).toHaveLength(1);
    const published = new Map(
      (
        destinations[0]!.Properties.EventDestination.CloudWatchDestination.DimensionConfigurations as {
          DimensionName: string;
          DefaultDimensionValue: string;
        }[]
      ).map((d) => [d.DimensionName, d.DefaultDimensionValue]),
    );
    const events = destinations[0]!.Properties.EventDestination.MatchingEventTypes as string[];
    const sesMetrics = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).flatMap((a) =>
      ((a.Properties.Metrics ?? []) as { MetricStat?: { Metric: Record<string, unknown> } }[])
        .map((m) => m.MetricStat?.Metric)
        .filter((m): m is Record<string, unknown> => m?.Namespace === 'AWS/SES'),
    );
    expect(sesMetrics.map((m) => m.MetricName).sort()).toEqual(['Bounce', 'Complaint']);
    for (const m of sesMetrics) {
      expect(events).toContain(String(m.MetricName).toLowerCase());
      for (const d of m.Dimensions as { Name: string; Value: unknown }[]) {
        expect(published.has(d.Name), `dimension ${d.Name} is not published`).toBe(true);
        expect(d.Value).toBe(published.get(d.Name));
      }
    }
  });
});

describe('alarm runbook links without runbookBaseUrl', () => {
  const dev = makeApp('test/fixtures/config/no-runbook-url.json').stateless;
  it('name the runbook path in the repository instead of inventing a URL', () => {
    const alarms = Object.values(dev.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(8);
    for (const a of alarms) {
      const text = a.Properties.AlarmDescription as string;
      expect(text).toMatch(/What to do: runbooks\/operator\/[a-z-]+\.md in the socpulse repository$/);
      expect(text).not.toMatch(/https?:/);
    }
  });

  it('refuse a runbookBaseUrl that does not end in "/", naming the key', () => {
    expect(() =>
      parseConfig({
        sender: 'a@example.com',
        deploy: { sesIdentity: 'example.com', runbookBaseUrl: 'https://runbooks.example.com/ops' },
      }),
    ).toThrow(/deploy\.runbookBaseUrl: must end with "\/"/);
  });
});

describe('operator runbooks', () => {
  it('exist for every alarm link', async () => {
    const { existsSync } = await import('node:fs');
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    const files = new Set(
      alarms.map((a) => /socpulse\/([a-z-]+\.md)/.exec(a.Properties.AlarmDescription as string)![1]!),
    );
    expect(files.size).toBeGreaterThanOrEqual(4);
    for (const f of files) expect(existsSync(`runbooks/operator/${f}`), f).toBe(true);
  });
});
