import {
  COMMON_FLAGS,
  isDay,
  isHttpUrl,
  isInstant,
  isPort,
  nonEmpty,
  oneOf,
  parseCommand,
  wholeNumber,
  type CommandDef,
} from './flags.js';

// The one table of `socpulse` commands and their flags: the parser, `--help` and the checks before any work all read
// it. This file imports nothing heavy, so `socpulse --help` and a refused flag cost no SDK, no zod, no MCP client.

/** Days of history `socpulse start` backfills from the configured sources (`--days`). */
export const START_BACKFILL_DAYS = 90;

/** The local data directory every command that uses a table shares with `start`. */
const DATA_FLAG = {
  type: 'string',
  value: 'DIR',
  help: 'the local data directory (the table `start` keeps; one socpulse at a time)',
  default: '.socpulse/data',
} as const;

/** A deployed table instead of the local one: only when named, never by accident. */
const TABLE_FLAGS = {
  data: DATA_FLAG,
  table: {
    type: 'string',
    value: 'NAME',
    help: 'use this deployed DynamoDB table instead (or SOCPULSE_TABLE); needs AWS credentials and a region',
    check: nonEmpty,
  },
  region: { type: 'string', value: 'REGION', help: 'the AWS region of --table or --api (else AWS_REGION)' },
} as const;

/** A deployed API, or the local one a `start --serve` runs. */
const REMOTE = {
  api: {
    type: 'string',
    value: 'URL',
    help: 'the API of a deployed stack (SigV4), or of a running `start --serve` with --token (or SOCPULSE_API_URL)',
    check: isHttpUrl,
  },
  token: { type: 'string', value: 'TOKEN', help: 'a local token (localTokens) for a `start --serve` API' },
  region: { type: 'string', value: 'REGION', help: 'the AWS region of --api (else AWS_REGION, else from the URL)' },
} as const;

const SOURCE_FLAG = { type: 'string', value: 'NAME', help: 'only this configured source', check: nonEmpty } as const;

/** The flags of the commands that read canonical files (summarize, forecast). */
const INPUT_FLAG = { type: 'string', value: 'DIR', help: 'the canonical input directory (required)' } as const;
const TZ_FLAG = { type: 'string', value: 'ZONE', help: "the SOC's time zone (else the config's)" } as const;
const JSON_FLAG = { type: 'boolean', help: 'print JSON (required: the only format)' } as const;

export const COMMANDS = {
  start: {
    summary:
      'run the main job locally on embedded stand-ins: collect → store → compute → email (to a local SES and out/)',
    flags: {
      serve: { type: 'boolean', help: 'then keep serving the HTTP API and the MCP server until Ctrl-C' },
      port: {
        type: 'string',
        value: 'N',
        help: 'the port of --serve (0: any free port)',
        default: '8787',
        check: isPort,
      },
      data: DATA_FLAG,
      fresh: { type: 'boolean', help: 'start over: remove the stored table first (reports are sent again)' },
      out: { type: 'string', value: 'DIR', help: 'where each email is written as .eml and .html', default: 'out' },
      days: {
        type: 'string',
        value: 'N',
        help: 'days of history to collect',
        default: String(START_BACKFILL_DAYS),
        check: wholeNumber(1, 400),
      },
      ...COMMON_FLAGS,
    },
  },
  summarize: {
    summary: 'compute every figure of METRICS.md from canonical files, as JSON',
    flags: {
      input: INPUT_FLAG,
      period: { type: 'string', value: 'LABEL', help: 'the period: 2026-W47, 2026-11, 2026-Q4 or FY2027 (required)' },
      tz: TZ_FLAG,
      'as-of': {
        type: 'string',
        value: 'ISO',
        help: 'judge as at this instant',
        default: 'the end of the period',
        check: isInstant,
      },
      json: JSON_FLAG,
      ...COMMON_FLAGS,
    },
  },
  forecast: {
    summary: "next week's arrivals, analysts required and rostered per hour, and the hours short, as JSON",
    flags: {
      input: INPUT_FLAG,
      week: { type: 'string', value: 'WEEK', help: 'the ISO week to forecast, e.g. 2026-W49 (required)' },
      'as-of': {
        type: 'string',
        value: 'ISO',
        help: 'forecast as at this instant: only what was known then is used',
        default: 'the start of the week',
        check: isInstant,
      },
      tz: TZ_FLAG,
      json: JSON_FLAG,
      ...COMMON_FLAGS,
    },
  },
  export: {
    summary: 'collect from the configured sources straight to canonical JSONL files (nothing stored)',
    flags: {
      from: { type: 'string', value: 'DATE', help: 'the first local day (required)', check: isDay },
      to: { type: 'string', value: 'DATE', help: 'the last local day, inclusive (required)', check: isDay },
      out: { type: 'string', value: 'DIR', help: 'where the files are written (required)' },
      source: SOURCE_FLAG,
      ...COMMON_FLAGS,
    },
  },
  backfill: {
    summary: 'collect history from the configured sources into the table (the local one unless --table)',
    flags: {
      from: { type: 'string', value: 'DATE', help: 'the first local day to collect (required)', check: isDay },
      source: SOURCE_FLAG,
      ...TABLE_FLAGS,
      ...COMMON_FLAGS,
    },
  },
  'check-source': {
    summary:
      'call a source for a small window and print what was asked, what came back, mapped, rejected and ignored, and a verdict (ok: exit 0)',
    args: [{ name: 'NAME', help: 'a configured source (mcpServers)' }],
    flags: {
      from: {
        type: 'string',
        value: 'DATE',
        help: 'the first local day',
        default: '24 hours before --to',
        check: isDay,
      },
      to: { type: 'string', value: 'DATE', help: 'the last local day, inclusive', default: 'now', check: isDay },
      ...COMMON_FLAGS,
    },
  },
  report: {
    summary: 'produce one report now, exactly once, from the table (the local one unless --table)',
    args: [
      { name: 'RUNBOOK', help: 'a report runbook: weekly-kpi, weekly-staffing, monthly-budget, monthly-executive' },
    ],
    notes: [
      'Locally the email goes to the embedded SES stand-in and is written to --out; with --table, to Amazon SES.',
    ],
    flags: {
      period: {
        type: 'string',
        value: 'LABEL',
        help: 'the period (a week or a month, per the runbook)',
        default: 'its last complete one',
      },
      resend: { type: 'boolean', help: 'send a delivered report again' },
      'dry-run': { type: 'boolean', help: 'render and write the email to --out; send nothing' },
      out: { type: 'string', value: 'DIR', help: 'where the email is written', default: 'out (locally)' },
      ...TABLE_FLAGS,
      ...COMMON_FLAGS,
    },
  },
  trigger: {
    summary: 'ask an API (a deployed stack, or a running `start --serve`) for a report',
    args: [
      { name: 'RUNBOOK', help: 'a report runbook: weekly-kpi, weekly-staffing, monthly-budget, monthly-executive' },
    ],
    flags: {
      period: { type: 'string', value: 'LABEL', help: 'the period', default: "the runbook's own" },
      recipients: { type: 'string', value: 'A,B', help: "a subset of the runbook's audience" },
      resend: { type: 'boolean', help: 'send a delivered report again (managers only)' },
      wait: { type: 'boolean', help: 'wait until it is delivered or failed (up to 5 minutes)' },
      ...REMOTE,
      ...COMMON_FLAGS,
    },
  },
  budget: {
    summary: 'finance: import the budget plan, or export the budget snapshots (the local table unless --api)',
    args: [
      { name: 'import|export', help: 'import PLAN.csv, or export the snapshots of --fiscal-year' },
      { name: 'PLAN.csv', help: 'the plan to import (fiscalYear,month,category,amount,currency)', optional: true },
    ],
    flags: {
      'fiscal-year': {
        type: 'string',
        value: 'FY',
        help: 'export: the fiscal year, e.g. FY2027',
        check: (v) => (/^FY\d{4}$/.test(v) ? undefined : 'must be a fiscal year such as FY2027'),
      },
      month: {
        type: 'string',
        value: 'MONTH',
        help: 'export: one month, e.g. 2026-09',
        check: (v) => (/^\d{4}-(0[1-9]|1[0-2])$/.test(v) ? undefined : 'must be a month such as 2026-09'),
      },
      format: {
        type: 'string',
        value: 'FORMAT',
        help: 'export: csv or json',
        default: 'csv',
        check: oneOf('csv', 'json'),
      },
      out: { type: 'string', value: 'FILE', help: 'export: write here', default: 'stdout' },
      data: DATA_FLAG,
      ...REMOTE,
      ...COMMON_FLAGS,
    },
  },
  sim: {
    summary:
      "run the SOC simulator as a standalone MCP server, in socpulse's, Google SecOps SOAR's, Microsoft Sentinel's or the Splunk MCP Server's shapes",
    flags: {
      stdio: { type: 'boolean', help: 'serve over stdin/stdout instead of HTTP' },
      port: { type: 'string', value: 'N', help: 'the HTTP port', default: '9100', check: isPort },
      shape: {
        type: 'string',
        value: 'SHAPE',
        help: 'socpulse, secops-soar, secops-soar-remote, sentinel or splunk',
        default: 'socpulse',
        check: oneOf('socpulse', 'secops-soar', 'secops-soar-remote', 'sentinel', 'splunk'),
      },
      seed: { type: 'string', value: 'N', help: 'the random seed', check: wholeNumber(0, Number.MAX_SAFE_INTEGER) },
      fault: {
        type: 'string',
        value: 'MODE',
        help: 'misbehave on purpose (slow, erroring, isError, malformed, error-payload, die-mid-page, repeat-cursor, null-result)',
      },
      'alerts-per-day': {
        type: 'string',
        value: 'N',
        help: 'alerts a day',
        check: wholeNumber(0, Number.MAX_SAFE_INTEGER),
      },
      'cases-per-day': {
        type: 'string',
        value: 'N',
        help: 'cases a day',
        check: wholeNumber(0, Number.MAX_SAFE_INTEGER),
      },
      'close-lookback-days': {
        type: 'string',
        value: 'N',
        help: 'days back that closures are reported',
        check: wholeNumber(0, Number.MAX_SAFE_INTEGER),
      },
      now: { type: 'string', value: 'ISO', help: "freeze the simulator's clock", check: isInstant },
      ...COMMON_FLAGS,
    },
  },
} as const satisfies Record<string, CommandDef>;

export type CommandName = keyof typeof COMMANDS;

/** A command's parsed and checked arguments, typed from its definitions. */
export const parseFor = <N extends CommandName>(name: N, argv: readonly string[]) =>
  parseCommand(name, COMMANDS[name], argv);
