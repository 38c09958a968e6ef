import { Duration } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { ROLES } from '../../shared/config/config.js';
import type { Api } from './api.js';
import { SocpulseFunction } from './socpulse-function.js';
import { StackPart } from './stack-part.js';

export interface McpProps {
  /** The config file bundled beside the handler. */
  configFile: string;
  /** The HTTP API the MCP endpoint is a route of, and whose app roles call it. */
  api: Api;
  table: ITable;
  key: IKey;
  /** The report function, invoked by the trigger_report tool. */
  report: NodejsFunction;
}

/** socpulse's own MCP server: the mcp function behind POST /mcp of the HTTP API. */
export class Mcp extends StackPart {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: McpProps) {
    super(scope, id);
    this.fn = new SocpulseFunction(this, 'Mcp', {
      name: 'mcp',
      configFile: props.configFile,
      environment: props.api.handlerEnvironment,
      timeout: Duration.seconds(29),
      memorySize: 1024,
    }).fn;
    // Every role may reach the endpoint; each tool checks the caller's role (shared/config/roles.ts).
    props.api.addRoute('/mcp', HttpMethod.POST, new HttpLambdaIntegration('McpIntegration', this.fn), ROLES);
    props.report.grantInvoke(this.fn);
    // Least privilege: the item actions it uses, on this table only.
    props.table.grant(this.fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query');
    props.key.grantEncryptDecrypt(this.fn);
  }
}
