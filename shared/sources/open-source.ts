import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerConfig } from '../config/config.js';
import { querySpecOf } from '../config/query-spec.js';
import { costReader } from './adapters/cost.js';
import { pagerDutyReader } from './adapters/pagerduty.js';
import { queryReader } from './adapters/query.js';
import { secopsSiemReader } from './adapters/secops-siem.js';
import { secopsSoarReader } from './adapters/secops-soar.js';
import { socpulseReader } from './adapters/socpulse.js';
import { SourceClient, type ClientLimits, type ToolAnswer } from './mcp-client.js';
import type { SourceReader } from './reader.js';
import { redact, resolveSecrets, type SecretResolver } from './secrets.js';

/** Open a configured source: resolve its secrets, connect, check its tools, and wrap it in its kind's adapter. */
export async function openSource(
  name: string,
  server: McpServerConfig,
  deps: {
    secrets: SecretResolver;
    limits?: Partial<ClientLimits>;
    transport?: Transport;
    /** Told of every answer read (`check-source`). */
    observe?: (answer: ToolAnswer) => void;
  },
): Promise<SourceReader> {
  const { server: resolved, values } = await resolveSecrets(name, server, deps.secrets);
  const client = await SourceClient.connect(name, deps.transport ? { transport: deps.transport } : resolved, {
    secrets: values,
    limits: deps.limits,
    observe: deps.observe,
  });
  // Options come from the resolved config: a `${secret:…}` in them (a Vantage workspace token) is resolved too.
  const opts = {
    redact: (t: string) => redact(t, values),
    toolArgs: server.toolArgs ?? {},
    options: resolved.options ?? {},
  };
  try {
    switch (server.kind) {
      case 'socpulse':
        return await socpulseReader(client, opts);
      case 'secops-soar':
        return await secopsSoarReader(client, opts);
      case 'secops-siem':
        return await secopsSiemReader(client, opts);
      case 'pagerduty':
        return await pagerDutyReader(client, opts);
      case 'cost':
        return await costReader(client, opts);
      case 'query':
        return await queryReader(client, querySpecOf(opts.options.query!), opts);
    }
  } catch (e) {
    await client.close().catch(() => undefined);
    throw e;
  }
}
