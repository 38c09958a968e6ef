import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastCompletePeriod, localDay } from '../../shared/domain/periods.js';
import { runCli } from '../cli-run.js';

// Issue 25: a newcomer runs the README's commands with no environment variables at all. backfill, report and budget
// work on the data directory `start` keeps, on stand-ins they start themselves; a deployed table is used only when
// named, and then a missing region or credentials is one line; another socpulse holding the directory is one line.

const home = mkdtempSync(join(tmpdir(), 'socpulse-home-')); // no ~/.aws: nothing of a developer's account is read
const socpulse = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { PATH: process.env.PATH!, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...env } });
/** What must never be printed in local mode: the AWS SDK's region and credential errors, or a stack trace. */
const AWS_NOISE = /region is missing|could not load credentials|credential|\n\s+at /i;

describe('socpulse without any environment: the local data directory', () => {
  it('backfills, reports (email to the SES stand-in and out/), imports and exports the plan; never a region or credentials error', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'socpulse-local-')), 'data');
    const out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    const tz = 'Europe/London';
    const week = lastCompletePeriod('week', Date.now(), { tz, fiscalYearStartMonth: 4 });
    const from = localDay(week.start - 86_400_000, tz);

    const backfill = await socpulse(['backfill', '--from', from, '--data', data]);
    expect([backfill.code, backfill.stdout]).toEqual([0, '']);
    expect(backfill.stderr).toContain(`socpulse backfill: into the local table in ${data}\n`);
    expect(backfill.stderr).toMatch(/^sim: ok; \d+ cases, \d+ alerts/m);
    expect(backfill.stderr).not.toMatch(AWS_NOISE);
    expect(existsSync(join(data, 'socpulse-store.json'))).toBe(true);

    const report = await socpulse(['report', 'weekly-kpi', '--data', data, '--out', out]);
    expect(report.code).toBe(0);
    expect(report.stderr).not.toMatch(AWS_NOISE);
    const result = JSON.parse(report.stdout) as { outcome: string; period: string; deliveries: object };
    expect([result.outcome, result.period, Object.keys(result.deliveries)]).toEqual([
      'delivered',
      week.label,
      ['ciso@example.com'],
    ]);
    expect(readdirSync(out).sort()).toEqual([
      `weekly-kpi-${week.label}-ciso@example.com.eml`,
      `weekly-kpi-${week.label}.html`,
      `weekly-kpi-${week.label}.txt`,
    ]);
    // The run was kept in the data directory: asked again, it is already delivered and nothing is sent.
    const again = await socpulse(['report', 'weekly-kpi', '--data', data, '--out', out]);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'already-delivered' });

    // Finance's plan, through the API's own route, as finance, on the same table.
    const plan = join(out, 'plan.csv');
    writeFileSync(
      plan,
      'fiscalYear,month,category,amount,currency\nFY2027,2026-04,tooling,1000.00,EUR\nFY2027,2026-05,tooling,1200.50,EUR\n',
    );
    const imported = await socpulse(['budget', 'import', plan, '--data', data]);
    expect([imported.code, imported.stdout]).toEqual([0, 'imported 2 plan lines\n']);
    const exported = await socpulse([
      'budget',
      'export',
      '--fiscal-year',
      'FY2027',
      '--format',
      'json',
      '--data',
      data,
    ]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ fiscalYear: 'FY2027', month: null, snapshots: [] });
    for (const r of [imported, exported]) expect(r.stderr).not.toMatch(AWS_NOISE);
    expect(readFileSync(join(data, 'socpulse-store.json'), 'utf8')).toMatch(/"state":"closed"/);
  }, 300_000); // six CLI processes one after the other, each opening the data directory: minutes on a busy machine

  it('refuses with one line when another socpulse holds the data directory', async () => {
    const data = mkdtempSync(join(tmpdir(), 'socpulse-held-'));
    // A live socpulse process (the simulator on stdio, waiting), recorded in the lock as data-dir.ts records itself.
    const holder = spawn('node', ['functions/cli/bin.js', 'sim', '--stdio'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const stat = readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      const cmdline = readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      writeFileSync(join(data, 'socpulse.lock'), JSON.stringify({ pid: holder.pid, startTime, cmdline }));
      const r = await socpulse(['backfill', '--from', '2026-11-01', '--data', data]);
      expect([r.code, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toBe(
        `socpulse backfill: data directory ${data} is in use by another socpulse (pid ${holder.pid}); stop it or pass --data DIR\n`,
      );
    } finally {
      holder.kill();
    }
  }, 60_000);

  it('uses a deployed table only when named, and then names a missing region or missing credentials in one line', async () => {
    const noRegion = await socpulse(['backfill', '--from', '2026-11-01', '--table', 'socpulse-prod']);
    expect([noRegion.code, noRegion.stderr]).toEqual([
      2,
      'socpulse backfill: --table socpulse-prod names a deployed table but no AWS region is set: pass --region or set AWS_REGION (without a table name, the local data directory is used)\n',
    ]);
    const noCredentials = await socpulse(['report', 'weekly-kpi'], {
      SOCPULSE_TABLE: 'socpulse-prod',
      AWS_REGION: 'eu-west-2',
    });
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toMatch(
      /^socpulse report: SOCPULSE_TABLE=socpulse-prod names a deployed table but no AWS credentials were found \(.+\); assume the socpulse role first\n$/,
    );
  }, 60_000);
});
