import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../functions/cli/commands.js';
import { commandHelp } from '../../functions/cli/flags.js';
import { DaysRead } from '../../functions/cli/progress.js';
import { main } from '../../functions/cli/main.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { runCli } from '../cli-run.js';

const socpulse = (...args: string[]) => runCli(args, { env: { PATH: process.env.PATH! } });

/** The README's command table: each row's commands (`socpulse NAME …` in code spans) and the flags it names. */
function readmeCommands(): { name: string; flags: string[] }[] {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('\n## ', readme.indexOf('## Commands') + 3));
  return [...table.matchAll(/^\| (.+?) \| .* \|$/gm)]
    .flatMap((row) => [...row[1]!.matchAll(/`socpulse ([a-z-]+)([^`]*)`/g)])
    .map((m) => ({ name: m[1]!, flags: [...m[2]!.matchAll(/--([a-z-]+)/g)].map((f) => f[1]!) }));
}

/** Run main() in this process, capturing what it writes. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const t0 = performance.now();
  const code = await main(argv);
  const ms = performance.now() - t0;
  vi.restoreAllMocks();
  return { code, stdout: out.join(''), stderr: err.join(''), ms };
}
afterEach(() => vi.restoreAllMocks());

describe('socpulse help', () => {
  it("runs every command of the README's table with --help: exit 0, its usage on stdout, each flag the row names", async () => {
    const rows = readmeCommands();
    // Every command is in the table, and the table names no command that does not exist.
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(Object.keys(COMMANDS)));
    for (const { name, flags } of rows) {
      const r = await socpulse(name, '--help');
      expect([name, r.code, r.stderr]).toEqual([name, 0, '']);
      expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^usage: socpulse ${name}\\b`));
      for (const flag of flags) expect([name, flag, r.stdout.includes(`--${flag} `)]).toEqual([name, flag, true]);
    }
  }, 60_000);

  it('socpulse --help lists every command; --version prints the package version; both on stdout, exit 0', async () => {
    const help = await socpulse('--help');
    expect(help.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    const version = await socpulse('--version');
    expect([version.code, version.stdout]).toEqual([0, 'socpulse 0.1.0\n']);
  });

  it("prints each flag of a command's table, with its placeholder and default, and nothing it does not accept", async () => {
    const r = await run('start', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}--port N +the port of --serve \(0: any free port\) \(default: 8787\)$/m);
    expect(r.stdout).toMatch(/^ {2}--days N +days of history to collect \(default: 90\)$/m);
    expect(r.stdout).toMatch(/^ {2}-h, --help +print this help and exit$/m);
    const listed = [...r.stdout.matchAll(/^ {2}(?:-h, )?--([a-z-]+)/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...Object.keys(COMMANDS.start.flags), 'help'].sort());
    // forecast takes --as-of (the look ahead judged at an instant).
    expect(commandHelp('forecast', COMMANDS.forecast)).toMatch(/--as-of ISO/);
  });
});

describe("the README's reports table", () => {
  it('says what the runbooks say: each one, its audience, its hour and its weekday', () => {
    const readme = readFileSync('README.md', 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \| [^|]+ \|$/gm)].map((m) => ({
      id: m[1]!,
      when: m[2]!.trim(),
      to: m[3]!.trim(),
    }));
    const runbooks = loadReportRunbooks('runbooks');
    expect(rows.map((r) => r.id).sort()).toEqual(runbooks.map((r) => r.id).sort());
    const days: Record<string, string> = { MON: 'Mondays', THU: 'Thursdays' };
    for (const row of rows) {
      const runbook = runbooks.find((r) => r.id === row.id)!;
      const [minute, hour, , , weekday] = /^cron\((.*)\)$/.exec(runbook.schedule)![1]!.split(' ');
      expect([row.id, row.to]).toEqual([row.id, runbook.audience.join(', ')]);
      expect([row.id, row.when.includes(`${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`)]).toEqual([
        row.id,
        true,
      ]);
      if (days[weekday!]) expect([row.id, row.when]).toEqual([row.id, expect.stringContaining(days[weekday!]!)]);
    }
  });
});

describe('socpulse: bad input is refused before any work, on stderr, exit 2', () => {
  it.each([
    [['start', '--serve', '--port', '99999'], /^socpulse start: --port "99999": must be a port number from 0 to 65535/],
    [['start', '--days', '0'], /^socpulse start: --days "0": must be a whole number from 1 to 400/],
    [['backfill', '--from', '2026-02-30'], /^socpulse backfill: --from "2026-02-30": is not a calendar day/],
    [['export', '--bogus'], /^socpulse export: Unknown option '--bogus' \(socpulse export --help lists them\)/],
    [['report'], /^socpulse report: RUNBOOK is required: usage: socpulse report RUNBOOK \[options\]/],
    [['report', 'a', 'b'], /^socpulse report: unexpected argument "b"/],
    [['summarize', '--as-of', 'yesterday'], /^socpulse summarize: --as-of "yesterday": is not an ISO-8601 instant/],
    [['budget', 'export', '--format', 'xml'], /^socpulse budget: --format "xml": must be one of csv, json/],
    [
      ['sim', '--shape', 'qradar'],
      /^socpulse sim: --shape "qradar": must be one of socpulse, secops-soar, secops-soar-remote, sentinel, splunk/,
    ],
    [['nosuch'], /^socpulse: unknown command "nosuch" \(socpulse --help lists them\)/],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // Refused from the flag table alone: no command module was loaded, nothing started.
    expect(r.ms).toBeLessThan(1000);
  });

  it('report nosuch names the runbooks it knows, before any table is opened', async () => {
    const r = await socpulse('report', 'nosuch', '--data', '/nonexistent/never-created');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'socpulse report: runbook: unknown runbook "nosuch" (known: monthly-budget, monthly-executive, weekly-kpi, weekly-staffing)\n',
    );
  });

  it('start --serve on a port another program holds is refused before the job, naming the port', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as AddressInfo).port;
    try {
      const data = mkdtempSync(join(tmpdir(), 'socpulse-port-'));
      const r = await socpulse('start', '--serve', '--port', String(port), '--data', data);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe(
        `socpulse start: --port ${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE); pick another or 0\n`,
      );
      // Nothing started: the data directory was never taken.
      expect(readdirSync(data)).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it('no command: the overview on stderr, exit 2', async () => {
    const r = await run();
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^usage: socpulse <command> \[options\]/);
  });
});

describe('progress in days', () => {
  it('counts each family up to its latest record, days × families in all, and full only at the end', () => {
    // A 10-day window, two families: cases reach day 4 (4.5 days in), alerts nothing yet.
    const from = Date.parse('2026-11-01T00:00:00Z');
    const days = new DaysRead(from, from + 10 * 86_400_000, new Set(['cases', 'alerts']));
    expect([days.done, days.total]).toEqual([0, 20]);
    days.add('cases', [{ createdAt: '2026-11-03T00:00:00Z' }, { createdAt: '2026-11-05T12:00:00Z' }]);
    expect(days.done).toBe(4);
    // An older record does not move it back; a family not read is ignored.
    days.add('cases', [{ createdAt: '2026-11-02T00:00:00Z' }]);
    days.add('costs', [{ month: '2026-11' }]);
    expect(days.done).toBe(4);
    days.finish('cases');
    days.add('alerts', [{ createdAt: '2026-11-08T00:00:00Z' }]);
    expect([days.done, days.total]).toEqual([17, 20]);
  });
});
