import { UsageError } from './usage-error.js';
import { ConfigError } from '../../shared/config/config.js';
import { TableUnreachableError } from '../../shared/store/errors.js';

type Command = (argv: string[]) => Promise<number>;

// Each command loads only its own module, so `socpulse summarize` never pays for the SES or MCP clients.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: 'run the main job locally on embedded stand-ins [--serve] [--port 8787] [--data DIR] [--fresh]',
    load: async () => (await import('./start.js')).startCommand,
  },
  summarize: {
    summary: 'compute every figure from canonical files: --input DIR --period LABEL [--tz] [--as-of] --json',
    load: async () => (await import('./summarize.js')).summarizeCommand,
  },
  forecast: {
    summary: "next week's arrivals, analysts required and rostered: --input DIR --week 2026-W49 [--tz] --json",
    load: async () => (await import('./forecast.js')).forecastCommand,
  },
  export: {
    summary: 'collect straight to canonical JSONL: --from DATE --to DATE --out DIR [--source NAME]',
    load: async () => (await import('./export.js')).exportCommand,
  },
  backfill: {
    summary: 'collect history into the table (SOCPULSE_TABLE): --from DATE [--source NAME]',
    load: async () => (await import('./backfill.js')).backfillCommand,
  },
  'check-source': {
    summary: 'call a source for a small window and say what came back and a verdict: NAME [--from DATE --to DATE]',
    load: async () => (await import('./check-source.js')).checkSourceCommand,
  },
  report: {
    summary: 'produce one report now, exactly once: RUNBOOK --period LABEL [--resend] [--dry-run --out DIR]',
    load: async () => (await import('./report.js')).reportCommand,
  },
  trigger: {
    summary: 'ask the API for a report: RUNBOOK [--period LABEL] [--recipients a,b] [--resend] [--api URL] [--wait]',
    load: async () => (await import('./trigger.js')).triggerCommand,
  },
  budget: {
    summary: 'finance: import plan.csv | export --fiscal-year FY2027 [--month] [--format csv|json] [--api URL]',
    load: async () => (await import('./budget.js')).budgetCommand,
  },
  sim: {
    summary: 'run the SOC simulator as an MCP server [--stdio | --port N]',
    load: async () => (await import('./sim.js')).simCommand,
  },
};

const USAGE = `usage: socpulse <command> [options] [--config FILE]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}
`;

/** Run one `socpulse` command and return its exit code (2 for bad input, with one clear line on stderr). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`socpulse: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      process.stderr.write(`socpulse ${name}: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TableUnreachableError) {
      process.stderr.write(`socpulse ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
