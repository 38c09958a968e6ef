import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { ROLES } from '../../shared/config/config.js';
import type { Api } from './api.js';
import { SocpulseFunction, type FunctionPartProps } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface McpProps extends Omit<FunctionPartProps, 'environment'> {
  /** The HTTP API the MCP endpoint is a route of, whose app roles call it (and whose handler environment it shares). */
  api: Api;
  /** The report function, invoked by the trigger_report tool. */
  report: NodejsFunction;
}

/** socpulse's own MCP server: the mcp function behind POST /mcp of the HTTP API. */
export class Mcp extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: McpProps) {
    super(scope, id);
    const mcp = new SocpulseFunction(this, 'Mcp', {
      name: 'mcp',
      configFile: props.configFile,
      environment: props.api.handlerEnvironment,
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    // Every role may reach the endpoint; each tool checks the caller's role (shared/config/roles.ts).
    props.api.addRoute('/mcp', HttpMethod.POST, new HttpLambdaIntegration('McpIntegration', mcp.fn), ROLES);
    props.report.grantInvoke(mcp.fn);
    mcp.useTable(props.table, props.key, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    this.fn = mcp.fn;
  }
}
