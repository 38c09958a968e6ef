import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastCompletePeriod } from '../../shared/domain/periods.js';
import type { StoredEmail } from '../../shared/local/ses.js';
import { startServing, type Serving } from './serve.js';

// Issue 14's done-when tests on `socpulse start --serve` as a user runs it: concurrent identical report requests send
// once, a resend sends once more, and a restart on the same data directory keeps runs and snapshots and resends nothing.

const MANAGER = { authorization: 'Bearer dev-manager-token', 'content-type': 'application/json' };
const VIEWER = { authorization: 'Bearer dev-viewer-token', 'content-type': 'application/json' };
const emails = async (s: Serving) =>
  ((await (await fetch(`${s.ses}/store`)).json()) as { emails: StoredEmail[] }).emails;
const count = (list: StoredEmail[], subject: string) =>
  list
    .filter((m) => m.subject.startsWith(subject))
    .reduce<Record<string, number>>((acc, m) => {
      for (const to of m.destination.to) acc[to] = (acc[to] ?? 0) + 1;
      return acc;
    }, {});
const waitDelivered = async (s: Serving, runId: string, resends = 0) => {
  for (let i = 0; i < 300; i++) {
    const run = (await (await fetch(`${s.api}/reports/${runId}`, { headers: MANAGER })).json()) as {
      status: string;
      resends: unknown[];
    };
    if (run.status === 'delivered' && run.resends.length === resends) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${runId} not delivered`);
};

describe('socpulse start --serve: exactly once, and data that lasts', () => {
  it('sends once for 10 concurrent requests, once more on resend, and nothing again after a restart', async () => {
    const data = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    // The week before the one the schedule delivers at start: only these requests send it.
    const week = lastCompletePeriod('week', Date.now() - 7 * 86_400_000, {
      tz: 'Europe/London',
      fiscalYearStartMonth: 4,
    }).label;
    const subject = `SOC weekly KPI report — ${week}`;
    const request = (headers = MANAGER, extra: Record<string, unknown> = {}) =>
      fetch(`${first.api}/reports`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ runbook: 'weekly-kpi', period: week, ...extra }),
      });

    const t0 = Date.now();
    const first = await startServing(['--data', data, '--out', out, '--days', '45']);
    const startedIn = Date.now() - t0;
    let runId: string;
    let scheduledRuns: string[];
    let snapshots: unknown;
    let fy: string;
    try {
      expect(first.stdout).toContain(`data in ${data} (new)`);
      scheduledRuns = [...first.stdout.matchAll(/report (\S+) (\S+): delivered/g)].map((m) => `${m[1]} ${m[2]}`);
      expect(scheduledRuns).toHaveLength(4);
      const atStart = (await emails(first)).length;
      expect(atStart).toBe(5);

      const t1 = Date.now();
      const wave = await Promise.all(Array.from({ length: 10 }, () => request()));
      const ids = await Promise.all(wave.map(async (r) => ((await r.json()) as { runId: string }).runId));
      expect(wave.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
      expect(new Set(ids).size).toBe(1);
      runId = ids[0]!;
      await waitDelivered(first, runId);
      const waveMs = Date.now() - t1;
      expect(count(await emails(first), subject)).toEqual({ 'ciso@example.com': 1 });

      // A second wave: the delivered run, nothing sent.
      const again = await Promise.all(Array.from({ length: 10 }, () => request()));
      expect(again.map((r) => r.status)).toEqual(Array(10).fill(200));
      for (const r of again) expect(((await r.json()) as { runId: string }).runId).toBe(runId);
      expect(count(await emails(first), subject)).toEqual({ 'ciso@example.com': 1 });

      // Resend: refused for a viewer, sent once more for the manager.
      expect((await request(VIEWER, { resend: true })).status).toBe(403);
      const resend = await request(MANAGER, { resend: true });
      expect(resend.status).toBe(202);
      expect(((await resend.json()) as { runId: string }).runId).toBe(runId);
      await waitDelivered(first, runId, 1);
      expect(count(await emails(first), subject)).toEqual({ 'ciso@example.com': 2 });
      expect((await emails(first)).length).toBe(atStart + 2);

      // The current fiscal year: the last demo plan imported.
      fy = [...first.stdout.matchAll(/budget plan (FY\d{4}): imported/g)].at(-1)![1]!;
      snapshots = await (await fetch(`${first.api}/budget/snapshots?fiscalYear=${fy}`, { headers: MANAGER })).json();
      console.log(
        `start --serve up in ${startedIn} ms; 10 concurrent POST /reports → 1 email in ${waveMs} ms; ` +
          `10 more → 0; resend → 1; budget snapshots ${JSON.stringify((snapshots as { snapshots: { snapshotId: string }[] }).snapshots.map((s) => s.snapshotId))}`,
      );
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // Stop and start on the same data directory.
    const t2 = Date.now();
    const second = await startServing(['--data', data, '--out', out, '--days', '1']);
    try {
      const restartedIn = Date.now() - t2;
      expect(second.stdout).toContain(
        `data in ${data} (kept from an earlier run, unchanged since it closed; --fresh starts over)`,
      );
      for (const r of scheduledRuns)
        expect(second.stdout).toMatch(new RegExp(`report ${r}: already delivered earlier \\(run [0-9a-f-]{36}, `));
      expect(second.stdout).toContain('4 report(s) were delivered by an earlier run and not sent again');
      // Earlier run ids answer; nothing was sent by this process.
      const run = (await (await fetch(`${second.api}/reports/${runId}`, { headers: MANAGER })).json()) as {
        status: string;
        resends: unknown[];
      };
      expect(run.status).toBe('delivered');
      expect(run.resends).toHaveLength(1);
      const asked = await fetch(`${second.api}/reports`, {
        method: 'POST',
        headers: MANAGER,
        body: JSON.stringify({ runbook: 'weekly-kpi', period: week }),
      });
      expect(asked.status).toBe(200);
      expect(((await asked.json()) as { runId: string }).runId).toBe(runId);
      expect(await emails(second)).toEqual([]);
      // The budget snapshots kept their ids and their content.
      const after = await (await fetch(`${second.api}/budget/snapshots?fiscalYear=${fy}`, { headers: MANAGER })).json();
      expect((snapshots as { snapshots: unknown[] }).snapshots.length).toBeGreaterThan(0);
      expect(after).toEqual(snapshots);
      console.log(`restart on the same data directory: serving in ${restartedIn} ms, 0 emails sent`);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 600_000);
});
