import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/**
 * One flag of a command. The same entry drives the parser (`type`), the help (`value`, `help`, `default`) and the
 * check that runs before any work starts (`check`: the problem with a value, in words, or undefined).
 */
export interface FlagDef {
  type: 'string' | 'boolean';
  /** The value's placeholder in the help (`DATE`, `DIR`, `N`). */
  value?: string;
  help: string;
  /** The default, as the help states it (the command applies it). */
  default?: string;
  check?: (value: string) => string | undefined;
}

/** A positional argument, for the usage line and the help. */
export interface ArgDef {
  name: string;
  help: string;
  optional?: boolean;
}

/** One `socpulse` command: what the help prints and the parser accepts. Light: no import beyond this file. */
export interface CommandDef {
  summary: string;
  args?: readonly ArgDef[];
  flags: Readonly<Record<string, FlagDef>>;
  /** More lines for `--help` (modes, examples). */
  notes?: readonly string[];
}

/** The parsed flags of a command, typed from its definitions. */
export type FlagValues<F extends Readonly<Record<string, FlagDef>>> = {
  -readonly [K in keyof F]?: F[K] extends { type: 'boolean' } ? boolean : string;
};

/** Every command takes these; `--help` is answered before anything is parsed or loaded. */
export const COMMON_FLAGS = {
  config: { type: 'string', value: 'FILE', help: 'the config file', default: 'socpulse.config.json' },
} as const satisfies Record<string, FlagDef>;

const HELP_FLAG: FlagDef = { type: 'boolean', help: 'print this help and exit' };

/** Whether argv asks for help (before a `--` that ends the flags). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Parse and check a command's arguments against its definitions: an unknown flag, a missing value, a value its check
 * refuses, or too many or too few arguments is a UsageError naming the flag — before the command does any work.
 */
export function parseCommand<D extends CommandDef>(
  name: string,
  def: D,
  argv: readonly string[],
): { values: FlagValues<D['flags']>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.entries(def.flags).map(([flag, f]) => [flag, { type: f.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')} (socpulse ${name} --help lists them)`,
    );
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    const problem = typeof value === 'string' ? def.flags[flag]?.check?.(value) : undefined;
    if (problem) throw new UsageError(`--${flag} ${JSON.stringify(value)}: ${problem}`);
  }
  const args = def.args ?? [];
  const required = args.filter((a) => !a.optional).length;
  const { positionals } = parsed;
  if (positionals.length < required || positionals.length > args.length)
    throw new UsageError(
      positionals.length > args.length
        ? `unexpected argument "${positionals[args.length]}": ${usageLine(name, def)}`
        : `${args[positionals.length]!.name} is required: ${usageLine(name, def)}`,
    );
  return { values: parsed.values as FlagValues<D['flags']>, positionals };
}

/** `usage: socpulse report RUNBOOK [options]`. */
export function usageLine(name: string, def: CommandDef): string {
  const args = (def.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name));
  return ['usage: socpulse', name, ...args, '[options]'].join(' ');
}

/** A command's whole help, from its definitions. */
export function commandHelp(name: string, def: CommandDef): string {
  const lines = [usageLine(name, def), '', def.summary];
  if (def.notes?.length) lines.push('', ...def.notes);
  const args = def.args ?? [];
  if (args.length) {
    const width = Math.max(...args.map((a) => a.name.length));
    lines.push('', 'arguments:', ...args.map((a) => `  ${a.name.padEnd(width)}  ${a.help}`));
  }
  const rows = [...Object.entries(def.flags), ['help', HELP_FLAG] as const].map(([flag, f]) => [
    `${flag === 'help' ? '-h, ' : ''}--${flag}${f.value ? ` ${f.value}` : ''}`,
    `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}`,
  ]);
  const width = Math.max(...rows.map(([left]) => left!.length));
  lines.push('', 'options:', ...rows.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`));
  return `${lines.join('\n')}\n`;
}

// The checks the definitions share: each names what is wrong with a value.

/** A real calendar day, `YYYY-MM-DD` (2026-02-30 is refused). */
export const isDay = (v: string): string | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return 'must be a date such as 2026-11-01';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
    ? undefined
    : 'is not a calendar day';
};

/** An ISO-8601 instant with a date and a time. */
export const isInstant = (v: string): string | undefined =>
  /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : 'is not an ISO-8601 instant';

/** A whole number from `min` to `max`. */
export const wholeNumber =
  (min: number, max: number) =>
  (v: string): string | undefined =>
    /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;

/** A TCP port (0: any free one). */
export const isPort = (v: string): string | undefined =>
  wholeNumber(0, 65535)(v) ? 'must be a port number from 0 to 65535 (0: any free port)' : undefined;

/** One of the given words. */
export const oneOf =
  (...words: string[]) =>
  (v: string): string | undefined =>
    words.includes(v) ? undefined : `must be one of ${words.join(', ')}`;

/** An http(s) URL. */
export const isHttpUrl = (v: string): string | undefined =>
  /^https?:\/\/[^/\s]+/.test(v) ? undefined : 'is not an http(s) URL';

/** Not empty. */
export const nonEmpty = (v: string): string | undefined => (v.trim() ? undefined : 'must not be empty');
