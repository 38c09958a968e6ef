// Preloaded (`node --import`) into a process that runs a bundled handler: an AWS SDK v3 middleware on every client
// records each call (client, command, the input fields that name its resource, region) as one JSON line in
// $SOCPULSE_CALL_LOG. The bundles load the SDK with require from node_modules, so patching the one Client class of
// @smithy/core reaches every client they construct.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const log = process.env.SOCPULSE_CALL_LOG;
if (!log) throw new Error('record-calls.mjs: SOCPULSE_CALL_LOG is not set');
const require = createRequire(import.meta.url);
const RESOURCE_FIELDS = ['TableName', 'SecretId', 'FunctionName', 'FromEmailAddress', 'ConfigurationSetName'];
const patched = new Set();
for (const client of ['client-dynamodb', 'client-sesv2', 'client-secrets-manager', 'client-lambda']) {
  const fromClient = createRequire(require.resolve(`@aws-sdk/${client}`));
  const path = fromClient.resolve('@smithy/core/client');
  if (patched.has(path)) continue;
  patched.add(path);
  const { Client } = fromClient(path);
  const send = Client.prototype.send;
  Client.prototype.send = function (command, ...rest) {
    if (!this.__socpulseRecorded) {
      this.__socpulseRecorded = true;
      this.middlewareStack.add(
        (next, context) => async (args) => {
          const input = Object.fromEntries(
            RESOURCE_FIELDS.filter((f) => f in args.input).map((f) => [f, args.input[f]]),
          );
          const region = await this.config.region();
          appendFileSync(
            log,
            `${JSON.stringify({
              client: context.clientName,
              command: context.commandName,
              input,
              region,
              event: globalThis.__socpulseEvent ?? null,
            })}\n`,
          );
          return next(args);
        },
        { step: 'initialize', name: 'socpulseCallRecorder' },
      );
    }
    return send.call(this, command, ...rest);
  };
}
