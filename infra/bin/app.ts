import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolve } from 'node:path';
import { loadConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { secretNames } from '../../shared/sources/secrets.js';
import { ROOT } from '../constructs/socpulse-function.js';
import { acknowledgeFindings } from '../nag.js';
import { StatefulStack } from '../stacks/stateful-stack.js';
import { StatelessStack } from '../stacks/stateless-stack.js';

/** Build the socpulse app from a config file: the stacks, every schedule from the runbooks, cdk-nag on all of it. */
export function buildApp(app: App, configFile: string) {
  const config = loadConfig(configFile);
  if (!config.deploy) throw new Error(`${configFile}: a "deploy" section (stage, sesIdentity, …) is needed to deploy`);
  const deploy = config.deploy;
  const runbooks = loadReportRunbooks(resolve(ROOT, 'runbooks'));
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const names = [...new Set(Object.values(config.mcpServers).flatMap((s) => secretNames(s)))];
  const stateful = new StatefulStack(app, `socpulse-${deploy.stage}-stateful`, {
    env,
    stage: deploy.stage,
    secretNames: names,
    secretsPrefix: deploy.secretsPrefix,
  });
  const stateless = new StatelessStack(app, `socpulse-${deploy.stage}-stateless`, {
    env,
    config,
    deploy,
    configFile: resolve(configFile),
    runbooks,
    table: stateful.table,
    key: stateful.key,
    secrets: stateful.secrets,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings(stateful, stateless);
  return { stateful, stateless };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(ROOT, 'infra/bin/app.ts')) {
  const app = new App();
  buildApp(app, app.node.tryGetContext('config') ?? resolve(ROOT, 'socpulse.config.json'));
  app.synth();
}
