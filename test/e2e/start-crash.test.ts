import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetBackfillFrom } from '../../functions/cli/start.js';
import { lastCompletePeriod } from '../../shared/domain/periods.js';
import { startLocalDynamo } from '../../shared/local/dynamo.js';
import type { StoredEmail } from '../../shared/local/ses.js';
import { dynamoClient, DynamoTable } from '../../shared/store/dynamo-table.js';
import { DynamoReportRunStore, type ReportRun } from '../../shared/store/report-run-store.js';
import { startServing } from './serve.js';

// Issue 23's crash tests, on `socpulse start` as a user runs it (real child processes, dynalite on disk, the SES
// stand-in): kill -9 between SES accepting a message and the run recording it, kill -9 during the backfill, a foreign
// pid in the lock, and a write log cut to half its size. Each stand-in's store is read before its process goes, and
// every email is counted per recipient across processes: nobody gets a second copy silently, nobody is forgotten.

// The project's config, with the fiscal year starting at the budget report's month: `start` then backfills costs and
// shifts from that month's first day (its first collection window, the one a kill lands in) rather than from April,
// the same two windows and five emails as with the default config, for a fraction of the days. What is tested here is
// what happens around a kill, not how much history there is.
const reportMonth = lastCompletePeriod('month', Date.now(), { tz: 'Europe/London', fiscalYearStartMonth: 4 }).label;
const CONFIG = join(mkdtempSync(join(tmpdir(), 'socpulse-config-')), 'socpulse.config.json');
writeFileSync(
  CONFIG,
  JSON.stringify({
    ...(JSON.parse(readFileSync('socpulse.config.json', 'utf8')) as object),
    fiscalYearStartMonth: Number(reportMonth.slice(5)),
  }),
);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `socpulse start` (no --serve) with extra arguments and environment: its output so far, and its end. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn('node', ['functions/cli/bin.js', 'start', '--config', CONFIG, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    out,
    exit,
    /** Resolves with the first match of `re` in stdout; rejects if the process ends first. */
    waitFor: (re: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const look = () => {
          const m = re.exec(out.stdout);
          if (m) {
            child.stdout.off('data', look);
            resolve(m);
          }
        };
        child.stdout.on('data', look);
        look();
        void exit.then(() => reject(new Error(`exited before ${re}:\n${out.stdout}\n${out.stderr}`)));
      }),
    kill9: async () => {
      child.kill('SIGKILL');
      await exit;
    },
  };
}

const store = async (ses: string) => ((await (await fetch(`${ses}/store`)).json()) as { emails: StoredEmail[] }).emails;
/** recipient | runbook title and period (the subject up to its figures) → how many emails. */
const tally = (...lists: StoredEmail[][]) =>
  lists.flat().reduce<Record<string, number>>((acc, m) => {
    const key = `${m.destination.to.join(',')}|${m.subject.split(':')[0]}`;
    acc[key] = (acc[key] ?? 0) + 1;
    return acc;
  }, {});
const NOTICE = /Possibly a second copy\. socpulse began sending you this report at .* but could not confirm/;

/** The report runs kept in a data directory (read once its socpulse has stopped; the directory is not reused). */
async function storedRuns(data: string): Promise<ReportRun[]> {
  const dynamo = await startLocalDynamo({ path: join(data, 'dynamo') });
  const client = dynamoClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const runs = new DynamoReportRunStore(new DynamoTable(client, 'socpulse-local'));
    const ids = ['weekly-kpi', 'monthly-budget', 'weekly-staffing', 'monthly-executive'];
    return (await Promise.all(ids.map((id) => runs.list(id, 100)))).flat();
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

const MANAGER = { authorization: 'Bearer dev-manager-token', 'content-type': 'application/json' };

describe('socpulse start survives kill -9 and refuses a damaged data directory', () => {
  it("backfills costs and shifts from the budget report's month in these tests: a first window, shorter than a fiscal year", () => {
    const from = budgetBackfillFrom(Date.now(), {
      timezone: 'Europe/London',
      fiscalYearStartMonth: Number(reportMonth.slice(5)),
    });
    expect(from).toBe(`${reportMonth}-01`);
  });

  it('kill -9 after SES accepted and before the record: the next start recovers the run, sends the copy in doubt again saying so, and nothing else twice', async () => {
    const data = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    // The second message SES accepts is the monthly budget report's second recipient: one delivered, one in doubt.
    const first = start(['--data', data, '--out', out, '--days', '2'], {
      SOCPULSE_TEST_CRASH_AFTER: 'ses-accepted:2',
    });
    const hook = await first.waitFor(/test hook: SES accepted (\S+) for (\S+); stopped before recording it/);
    const messageId = hook[1]!;
    const inDoubt = hook[2]!;
    const ses1 = /SES stand-in (http:\/\/127\.0\.0\.1:\d+)/.exec(first.out.stdout)![1]!;
    const before = await store(ses1);
    expect(before.map((m) => m.messageId)).toContain(messageId);
    expect(before).toHaveLength(2);
    await first.kill9();

    // The dead process's lock, overwritten with the pid of a live process that is not socpulse.
    const other = spawn('sleep', ['60']);
    children.push(other);
    writeFileSync(join(data, 'socpulse.lock'), String(other.pid));

    const second = await startServing(['--config', CONFIG, '--data', data, '--out', out, '--days', '1']);
    let after: StoredEmail[];
    try {
      expect(second.stdout).toContain(`took over the data directory's lock: a lock naming pid ${other.pid}`);
      expect(second.stdout).toMatch(/the socpulse before \(pid \d+\) stopped without closing it/);
      // Recovered at start-up, not "in-progress" for ten minutes.
      expect(second.stdout).not.toContain('in-progress');
      const recovered =
        /recovered report monthly-budget (\S+): delivered, 2 email\(s\); (\S+) was sent it again: a send begun at (\S+) was never confirmed/.exec(
          second.stdout,
        );
      expect(recovered?.[2]).toBe(inDoubt);
      after = await store(second.ses);
      // An identical request to --serve answers the recovered, delivered run and sends nothing.
      const asked = await fetch(`${second.api}/reports`, {
        method: 'POST',
        headers: MANAGER,
        body: JSON.stringify({ runbook: 'monthly-budget', period: recovered![1] }),
      });
      expect(asked.status).toBe(200);
      const run = (await asked.json()) as { status: string; unconfirmed: { recipient: string }[] };
      expect(run.status).toBe('delivered');
      expect(run.unconfirmed.map((u) => u.recipient)).toEqual([inDoubt]);
      expect(await store(second.ses)).toHaveLength(after.length);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    // Across both processes: five reports' emails once each, and the one in doubt twice, the second saying so.
    const counts = tally(before, after);
    const budgetKey = Object.keys(counts).find((k) => k.startsWith(`${inDoubt}|SOC monthly budget report`))!;
    expect(counts[budgetKey]).toBe(2);
    expect(Object.values(counts).sort()).toEqual([1, 1, 1, 1, 2]);
    const copies = [...before, ...after].filter(
      (m) => m.destination.to[0] === inDoubt && m.subject.startsWith('SOC monthly budget report'),
    );
    expect(copies.map((m) => NOTICE.test((m.body.text ?? '').replace(/\s+/g, ' ')))).toEqual([false, true]);

    const runs = await storedRuns(data);
    const budget = runs.find((r) => r.runbook === 'monthly-budget')!;
    expect(budget.status).toBe('delivered');
    expect(budget.attempts).toBe(2);
    expect(budget.error).toBeUndefined();
    expect(budget.sending).toEqual({});
    // The record names the confirmed second copy and the doubt it followed; the first copy's id was never recorded.
    expect(budget.deliveries[inDoubt]!.messageId).toBe(copies[1]!.messageId);
    expect(budget.deliveries[inDoubt]!.afterUnconfirmedSendAt).toBe(budget.unconfirmed[0]!.sendingAt);
    expect(budget.unconfirmed.map((u) => [u.recipient, u.attempt, u.decision])).toEqual([
      [inDoubt, 1, 'resent-with-notice'],
    ]);
    expect(runs.every((r) => r.status === 'delivered')).toBe(true);
  }, 300_000);

  it('kill -9 during the backfill loses nothing and sends once; a write log cut to half is refused, nothing sent', async () => {
    const data = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    const first = start(['--data', data, '--out', out, '--days', '2']);
    // The first collection window is stored; the second is under way.
    await first.waitFor(/collect sim \(socpulse\) costs and shifts from \S+: ok/);
    await first.kill9();
    expect(first.out.stdout).not.toMatch(/^report /m);

    const second = await startServing(['--config', CONFIG, '--data', data, '--out', out, '--days', '2']);
    let sent: StoredEmail[];
    try {
      expect(second.stdout).toMatch(/the socpulse before \(pid \d+\) stopped without closing it/);
      expect(second.stdout).toMatch(/collect sim \(socpulse\) from \S+: ok/);
      sent = await store(second.ses);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(Object.values(tally(sent)).sort()).toEqual([1, 1, 1, 1, 1]);
    expect(readdirSync(out).filter((f) => f.endsWith('.eml'))).toHaveLength(5);

    // Closed cleanly: now cut dynalite's write log to half its size.
    const dynamo = join(data, 'dynamo');
    const log = readdirSync(dynamo).find((f) => f.endsWith('.log'))!;
    const size = statSync(join(dynamo, log)).size;
    truncateSync(join(dynamo, log), Math.floor(size / 2));
    const files = () => Object.fromEntries(readdirSync(dynamo).map((f) => [f, readFileSync(join(dynamo, f))]));
    const damaged = files();
    const out3 = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    const third = start(['--data', data, '--out', out3, '--days', '1']);
    expect(await third.exit).toBe(1);
    expect(third.out.stderr.trim().split('\n')).toEqual([
      `socpulse start: data directory ${data} cannot be trusted: dynamo/${log} is ${Math.floor(size / 2)} bytes, ${size} when socpulse closed it. Nothing was read or sent. Restore the directory from a backup, or start over with --fresh (it forgets every run, so reports already delivered are sent again)`,
    ]);
    // Nothing started, collected, imported or sent; dynalite never opened the files.
    expect(third.out.stdout).toBe('');
    expect(readdirSync(out3)).toEqual([]);
    expect(files()).toEqual(damaged);
  }, 300_000);
});
