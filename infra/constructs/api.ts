import { Duration } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, type CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRootPrincipal,
  ArnPrincipal,
  CompositePrincipal,
  PolicyStatement,
  Role as IamRole,
} from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ROLES, type DeployConfig, type Role } from '../../shared/config/config.js';
import { ENV } from '../../shared/config/function-env.js';
import { PERMISSIONS, type Permission } from '../../shared/config/roles.js';
import { SocpulseFunction, type FunctionPartProps } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

/** The HTTP API's routes (DESIGN.md "API, roles, agents"); who may call each is PERMISSIONS in shared/config/roles.ts. */
const ROUTES: { permission: Permission; path: string; method: HttpMethod }[] = [
  { permission: 'POST /reports', path: '/reports', method: HttpMethod.POST },
  { permission: 'GET /reports/{runId}', path: '/reports/{runId}', method: HttpMethod.GET },
  { permission: 'GET /kpis', path: '/kpis', method: HttpMethod.GET },
  { permission: 'GET /staffing/forecast', path: '/staffing/forecast', method: HttpMethod.GET },
  { permission: 'GET /budget/snapshots', path: '/budget/snapshots', method: HttpMethod.GET },
  { permission: 'PUT /budget/plan', path: '/budget/plan', method: HttpMethod.PUT },
];

export interface ApiProps extends FunctionPartProps {
  /** deploy.stage and deploy.roles: who may assume each app role. */
  deploy: Pick<DeployConfig, 'stage' | 'roles'>;
  /** The report function, invoked for a report requested on demand. */
  report: NodejsFunction;
}

/**
 * The HTTP API (IAM-authorized, access-logged), the app roles people or their tools assume to call it, and the api
 * function behind its routes. Other parts add routes with addRoute (the MCP endpoint).
 */
export class Api extends StackPart {
  readonly fn: NodejsFunction;
  readonly httpApi: HttpApi;
  readonly roles: Record<Role, IamRole>;
  /** Environment of the functions behind the API: the app roles' ARNs (checked again by the handler) and the report function. */
  readonly handlerEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { deploy } = props;
    // The app roles people (or their tools) assume; API Gateway checks SigV4, the handler checks the role again.
    const trust = (role: Role) => {
      const principals = deploy.roles[role].map((arn) => new ArnPrincipal(arn));
      return principals.length ? new CompositePrincipal(...principals) : new AccountRootPrincipal();
    };
    this.roles = Object.fromEntries(
      ROLES.map((role) => [
        role,
        new IamRole(this, `Role-${role}`, {
          roleName: `socpulse-${deploy.stage}-${role}`,
          assumedBy: trust(role),
          description: `socpulse ${role}: ${role === 'manager' ? 'trigger reports, read all' : role === 'finance' ? 'budget snapshots and plan import' : 'read KPIs and report runs'}`,
        }),
      ]),
    ) as Record<Role, IamRole>;
    const roleArns = JSON.stringify(Object.fromEntries(ROLES.map((r) => [r, this.roles[r].roleArn])));
    this.handlerEnvironment = {
      ...props.environment,
      [ENV.roleArns]: roleArns,
      [ENV.reportFunction]: props.report.functionName,
    };
    const api = new SocpulseFunction(this, 'Api', {
      name: 'api',
      configFile: props.configFile,
      environment: this.handlerEnvironment,
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    this.fn = api.fn;

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'socpulse API and MCP server',
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        caller: '$context.identity.userArn',
        route: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
      }),
    };
    const integration = new HttpLambdaIntegration('ApiIntegration', this.fn);
    for (const r of ROUTES) this.addRoute(r.path, r.method, integration, PERMISSIONS[r.permission] as readonly Role[]);
    props.report.grantInvoke(this.fn);
    api.useTable(props.table, props.key, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
  }

  /** A route to an integration, and execute-api:Invoke on it for each of the given app roles. */
  addRoute(path: string, method: HttpMethod, integration: HttpLambdaIntegration, roles: readonly Role[]): void {
    this.httpApi.addRoutes({ path, methods: [method], integration });
    for (const role of roles) this.grantRoute(role, method, path);
  }

  /** execute-api:Invoke on one route of the default stage only (path parameters become `*`). */
  private grantRoute(role: Role, method: HttpMethod, path: string) {
    this.roles[role].addToPolicy(
      new PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: [this.httpApi.arnForExecuteApi(method, path.replace(/\{[^}]+\}/g, '*'), '$default')],
      }),
    );
  }
}
