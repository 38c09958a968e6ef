import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** The account, region and partition the templates are resolved in (any fixed values: nothing is deployed). */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-2';

type Json = unknown;
export interface CfnResource {
  Type: string;
  Properties: Record<string, Json>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}

/** The templates of the one shared synth (test/infra/global-setup.ts). */
export function synthesized(): { outdir: string; stateful: CfnTemplate; stateless: CfnTemplate } {
  const synth = inject('synth');
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  return { outdir: synth.outdir, stateful: read(synth.stateful), stateless: read(synth.stateless) };
}

/**
 * The physical names and ARNs CloudFormation would give each resource, made up consistently (a table is always
 * `socpulse-<logical id>`), so that an environment variable and an IAM policy resolved from the same template name
 * the same thing. A resource type not listed here is an error naming it, never a guess.
 */
function physical(id: string, r: CfnResource, attribute: 'Ref' | string): string {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const props = r.Properties ?? {};
  const name = (key: string) => (typeof props[key] === 'string' ? (props[key] as string) : `socpulse-${id}`);
  switch (r.Type) {
    case 'AWS::DynamoDB::Table':
      return attribute === 'Ref' ? name('TableName') : arn('dynamodb', `table/${name('TableName')}`);
    case 'AWS::KMS::Key': {
      const keyId = `0000aaaa-${id.slice(-8).toLowerCase()}`;
      return attribute === 'Ref' ? keyId : arn('kms', `key/${keyId}`);
    }
    case 'AWS::SecretsManager::Secret':
      // Ref is the ARN, whose last part is the name and six random characters.
      return arn('secretsmanager', `secret:${name('Name')}-AbCdEf`);
    case 'AWS::Lambda::Function':
      return attribute === 'Ref' ? name('FunctionName') : arn('lambda', `function:${name('FunctionName')}`);
    case 'AWS::IAM::Role':
      return attribute === 'Ref' ? name('RoleName') : `arn:aws:iam::${ACCOUNT}:role/${name('RoleName')}`;
    case 'AWS::SES::ConfigurationSet':
      return name('Name');
    case 'AWS::SES::EmailIdentity':
      return props.EmailIdentity as string;
    case 'AWS::ApiGatewayV2::Api':
      return 'a1b2c3d4e5';
    case 'AWS::SQS::Queue':
      return attribute === 'Ref' ? `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}` : arn('sqs', id);
    default:
      throw new Error(`template: no physical name for ${id} (${r.Type}) ${attribute}`);
  }
}

/** Resolve CloudFormation intrinsics in a value of `stack` (exports looked up in every template given). */
export function resolveIn(templates: CfnTemplate[], stack: CfnTemplate, value: Json): Json {
  const go = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(go);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, Json>;
    const [key] = Object.keys(o);
    if (key === 'Ref') {
      const ref = o.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return REGION;
      if (ref === 'AWS::AccountId') return ACCOUNT;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      const r = stack.Resources[ref];
      if (!r) throw new Error(`template: Ref to unknown ${ref}`);
      return physical(ref, r, 'Ref');
    }
    if (key === 'Fn::GetAtt') {
      const [id, att] = o['Fn::GetAtt'] as [string, string];
      const r = stack.Resources[id];
      if (!r) throw new Error(`template: GetAtt of unknown ${id}`);
      return physical(id, r, att);
    }
    if (key === 'Fn::Join') {
      const [sep, parts] = o['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(go(p))).join(sep);
    }
    if (key === 'Fn::Split') {
      const [sep, s] = o['Fn::Split'] as [string, Json];
      return String(go(s)).split(sep);
    }
    if (key === 'Fn::Select') {
      const [i, list] = o['Fn::Select'] as [number, Json];
      return (go(list) as Json[])[Number(i)];
    }
    if (key === 'Fn::ImportValue') {
      const name = go(o['Fn::ImportValue']);
      for (const t of templates)
        for (const out of Object.values(t.Outputs ?? {}))
          if (out.Export?.Name === name) return resolveIn(templates, t, out.Value);
      throw new Error(`template: no export ${String(name)}`);
    }
    if (key?.startsWith('Fn::')) throw new Error(`template: ${key} is not resolved here`);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, go(x)]));
  };
  return go(value);
}

/** A socpulse function as the template defines it: its asset folder, environment and role's own policies. */
export interface TemplateFunction {
  /** collect, report, api or mcp (the logical id's first word). */
  name: string;
  logicalId: string;
  asset: string;
  environment: Record<string, string>;
  memorySize: number;
  roleArn: string;
  /** The inline policy documents attached to the function's role, resolved. */
  policies: { name: string; document: PolicyDocument }[];
  /** The managed policies' ARNs (AWSLambdaBasicExecutionRole). */
  managedPolicyArns: string[];
}
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
  Principal?: unknown;
}
export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** The inline policies of a role of the stateless stack, resolved. */
export function rolePolicies(roleId: string): { name: string; document: PolicyDocument }[] {
  const { stateful, stateless } = synthesized();
  return Object.entries(stateless.Resources)
    .filter(([, p]) => p.Type === 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === roleId))
    .map(([pid, p]) => ({
      name: pid,
      document: resolveIn([stateful, stateless], stateless, p.Properties.PolicyDocument) as PolicyDocument,
    }));
}

/** Every socpulse function of the stateless stack (those given the table), resolved. */
export function templateFunctions(): {
  outdir: string;
  functions: TemplateFunction[];
  keyPolicy: PolicyDocument;
  keyArn: string;
} {
  const { outdir, stateful, stateless } = synthesized();
  const all = [stateful, stateless];
  const resolve = (v: Json) => resolveIn(all, stateless, v);
  const functions = Object.entries(stateless.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .filter(
      ([, r]) =>
        (r.Properties.Environment as { Variables?: object } | undefined)?.Variables &&
        'SOCPULSE_TABLE' in (r.Properties.Environment as { Variables: object }).Variables,
    )
    .map(([id, r]): TemplateFunction => {
      const roleId = (r.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const role = stateless.Resources[roleId]!;
      const policies = rolePolicies(roleId);
      return {
        name: id.replace(/Fn.*$/, '').toLowerCase(),
        logicalId: id,
        asset: join(outdir, `asset.${(r.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`),
        environment: resolve((r.Properties.Environment as { Variables: Json }).Variables) as Record<string, string>,
        memorySize: r.Properties.MemorySize as number,
        roleArn: resolve(r.Properties.Role) as string,
        policies,
        managedPolicyArns: resolve(role.Properties.ManagedPolicyArns ?? []) as string[],
      };
    });
  const [keyId, key] = Object.entries(stateful.Resources).find(([, r]) => r.Type === 'AWS::KMS::Key')!;
  return {
    outdir,
    functions,
    keyPolicy: resolveIn(all, stateful, key.Properties.KeyPolicy) as PolicyDocument,
    keyArn: physical(keyId, key, 'Arn'),
  };
}
