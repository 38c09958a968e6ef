import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createSimServer, FAULTS, SIM_SHAPES, startSocSimHttp, type Fault, type SimShape } from '../soc-sim/server.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

/** `socpulse sim [--stdio | --port N] [--shape socpulse|secops-soar|secops-soar-remote|sentinel|splunk] [--seed N] [--fault MODE] [--alerts-per-day N] [--cases-per-day N]`. */
export async function simCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('sim', argv);
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
    return Number(v);
  };
  if (values.fault && !FAULTS.includes(values.fault as Fault))
    throw new UsageError(`--fault must be one of ${FAULTS.join(', ')}`);
  const options = {
    seed: int('seed', values.seed),
    fault: values.fault as Fault | undefined,
    alertsPerDay: int('alerts-per-day', values['alerts-per-day']),
    casesPerDay: int('cases-per-day', values['cases-per-day']),
    closeLookbackDays: int('close-lookback-days', values['close-lookback-days']),
    now: values.now === undefined ? undefined : fixedNow(values.now),
  };
  if (values.shape && !SIM_SHAPES.includes(values.shape as SimShape))
    throw new UsageError(`--shape is one of ${SIM_SHAPES.join(', ')}`);
  const shape = (values.shape ?? 'socpulse') as SimShape;
  if (values.stdio) {
    // stdout carries the protocol only: nothing else may print there.
    const server = createSimServer(shape, options);
    await server.connect(new StdioServerTransport());
    return new Promise<number>((resolve) => process.stdin.on('close', () => resolve(0)));
  }
  const server = await startSocSimHttp({
    ...options,
    shape,
    port: int('port', values.port) ?? 9100,
  });
  process.stderr.write(`soc-sim MCP server on ${server.url} (Ctrl-C to stop)\n`);
  return new Promise<number>((resolve) => process.on('SIGINT', () => void server.close().then(() => resolve(0))));
}

/** `--now ISO`: freeze the simulator's clock (benchmarks and demos that must be reproducible). */
function fixedNow(value: string): () => number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--now "${value}" is not an ISO-8601 instant`);
  return () => t;
}
