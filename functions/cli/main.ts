import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';
import { COMMANDS, type CommandName } from './commands.js';
import { commandHelp, parseCommand, wantsHelp } from './flags.js';

type Command = (argv: string[]) => Promise<number>;

// Each command loads only its own module, so `socpulse summarize` never pays for the SES or MCP clients, and
// `--help` or a refused flag loads none of them.
const LOAD: Record<CommandName, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).startCommand,
  summarize: async () => (await import('./summarize.js')).summarizeCommand,
  forecast: async () => (await import('./forecast.js')).forecastCommand,
  export: async () => (await import('./export.js')).exportCommand,
  backfill: async () => (await import('./backfill.js')).backfillCommand,
  'check-source': async () => (await import('./check-source.js')).checkSourceCommand,
  report: async () => (await import('./report.js')).reportCommand,
  trigger: async () => (await import('./trigger.js')).triggerCommand,
  budget: async () => (await import('./budget.js')).budgetCommand,
  sim: async () => (await import('./sim.js')).simCommand,
};

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** `socpulse --help`: every command in one line each. */
export function overview(): string {
  const names = Object.keys(COMMANDS) as CommandName[];
  const width = Math.max(...names.map((n) => n.length));
  return `usage: socpulse <command> [options]

socpulse collects SOC data through MCP, stores dated snapshots and emails KPI, staffing and budget reports.
Every command runs locally by default (the data directory \`start\` keeps); a deployed stack only when named.

commands:
${names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`).join('\n')}

\`socpulse <command> --help\` lists its options. \`socpulse --version\` prints the version.
`;
}

/** The package's version, from the package.json above this file (in the sources or in the built copy). */
export function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'socpulse' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

/**
 * Run one `socpulse` command and return its exit code. Help goes to stdout (exit 0); bad input is one clear line
 * on stderr, exit 2 — every flag and argument is checked before the command's module is even loaded.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && isCommand(rest[0])) {
      process.stdout.write(commandHelp(rest[0], COMMANDS[rest[0]]));
      return 0;
    }
    process.stdout.write(overview());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`socpulse ${version()}\n`);
    return 0;
  }
  if (!name) {
    process.stderr.write(overview());
    return 2;
  }
  if (!isCommand(name)) {
    process.stderr.write(`socpulse: unknown command "${name}" (socpulse --help lists them)\n`);
    return 2;
  }
  const def = COMMANDS[name];
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(name, def));
    return 0;
  }
  try {
    parseCommand(name, def, rest);
    const run = await LOAD[name]();
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`socpulse ${name}: ${e.message}\n`);
      return 2;
    }
    // Loaded only on this path: `--help` and the checks above need none of these modules.
    const [{ ConfigError }, { TableUnreachableError }, { DataDirError, DataDirDamagedError }] = await Promise.all([
      import('../../shared/config/config.js'),
      import('../../shared/store/errors.js'),
      import('../../shared/local/data-dir.js'),
    ]);
    if (e instanceof ConfigError) {
      process.stderr.write(`socpulse ${name}: ${e.message}\n`);
      return 2;
    }
    // Another socpulse holds the data directory, or it cannot be trusted: one line, exit 1.
    if (e instanceof TableUnreachableError || e instanceof DataDirError || e instanceof DataDirDamagedError) {
      process.stderr.write(`socpulse ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
