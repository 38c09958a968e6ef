import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalStore } from '../../shared/local/ses.js';
import { startLocalStack, type LocalStack } from '../../shared/local/stack.js';

// `socpulse report` goes through the same exactly-once request as POST /reports: eight started at once send one
// report (issue 14: "8 concurrent `socpulse report` commands sent 8"). Eight node processes with tsx: about 20 s of CPU on
// an idle 2-core machine, minutes under load, hence the timeout.

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ tableName: 'cli-once', applyToProcessEnv: false });
});
afterAll(async () => stack.stop());

const report = (...args: string[]) =>
  promisify(execFile)('node', ['functions/cli/bin.js', 'report', 'weekly-kpi', ...args], {
    env: { PATH: process.env.PATH!, ...stack.env },
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);

describe('socpulse report: exactly once', () => {
  it('sends one report for eight concurrent commands, nothing for a ninth, once more with --resend', async () => {
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 8 }, () => report('--period', '2026-W40')));
    const ms = Date.now() - t0;
    for (const r of all) expect((r as { code?: number }).code ?? 0).toBe(0);
    const results = all.map((r) => JSON.parse(r.stdout) as { outcome: string; runId: string });
    expect(results.filter((r) => r.outcome === 'delivered')).toHaveLength(1);
    expect(results.every((r) => ['delivered', 'in-progress', 'already-delivered'].includes(r.outcome))).toBe(true);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    const subject = 'SOC weekly KPI report — 2026-W40';
    const sent = () => readLocalStore(stack.sesEndpoint).then((m) => m.filter((e) => e.subject.startsWith(subject)));
    expect((await sent()).map((m) => m.destination.to)).toEqual([['ciso@example.com']]);
    console.log(`8 concurrent socpulse report → ${(await sent()).length} email in ${ms} ms`);

    const ninth = await report('--period', '2026-W40');
    expect(JSON.parse(ninth.stdout)).toMatchObject({ outcome: 'already-delivered', runId: results[0]!.runId });
    expect(ninth.stderr).toMatch(/was already delivered .*nothing sent \(--resend sends it again\)/);
    const resent = await report('--period', '2026-W40', '--resend');
    expect(JSON.parse(resent.stdout)).toMatchObject({ outcome: 'delivered', runId: results[0]!.runId });
    expect(await sent()).toHaveLength(2);

    // A week still under way is refused for this runbook, naming the field, exit 2.
    const refused = (await report('--period', '2099-W01')) as { code: number; stderr: string };
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^socpulse report: period: 2099-W01 has not started yet/);
  }, 300_000);
});
