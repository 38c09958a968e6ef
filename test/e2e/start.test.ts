import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBackfillFrom } from '../../functions/cli/start.js';
import { loadConfig } from '../../shared/config/config.js';
import { lastCompletePeriod, localDay } from '../../shared/domain/periods.js';
import type { StoredEmail } from '../../shared/local/ses.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Change } from '../../shared/domain/changes.js';
import { changeSubject } from '../../shared/mail/headline.js';
import { startServing, type Serving } from './serve.js';
import { printedVerdicts, whatChangedDisagreements } from './what-changed-agreement.js';

// Issue 14's and the README quick start's done-when tests on `socpulse start --serve` as a user runs it, on ONE started
// stack shared by the cases below (a start backfills and sends every report: the slow part of the e2e suite): the
// emails at start, the API and MCP figures against them, an on-demand report, concurrent identical requests sending
// once, a resend sending once more, and a restart on the same data directory keeping runs and snapshots and
// sending nothing. The cases run in order; the last one stops the stack.

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

/** Days of history the shared start collects (its budget window reaches back to the fiscal year's start anyway). */
const DAYS = 45;
let data: string;
let out: string;
let first: Serving;
let atStart: StoredEmail[];
let stopped = false;
/** The run the concurrent requests made, for the restart case. */
const runIds: { wave?: string } = {};
beforeAll(async () => {
  // Its own data directory: the default (.socpulse/data) would remember the runs of an earlier test run.
  data = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
  out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
  const t0 = Date.now();
  first = await startServing(['--data', data, '--out', out, '--days', String(DAYS)]);
  console.log(`start --serve (${DAYS} days) up in ${Date.now() - t0} ms`);
  atStart = await emails(first);
});
afterAll(async () => {
  if (!stopped) await first.stop();
});

describe('socpulse start --serve (the README quick start), started once', () => {
  it('backfills from soc-sim, runs every report runbook and delivers the emails to the local SES', async () => {
    const { stdout } = first;
    expect(stdout).toContain(`data in ${data} (new)`);
    expect(stdout).toMatch(
      /collect sim \(socpulse\) from \d{4}-\d{2}-\d{2}: ok; \d+ cases, \d+ alerts, \d+ shifts.*; \d+ snapshots in [\d.]+ s; 0 rejected/,
    );
    for (const runbook of ['weekly-kpi', 'monthly-budget', 'weekly-staffing', 'monthly-executive'])
      expect(stdout).toMatch(new RegExp(`report ${runbook} \\S+: delivered`));
    // leadership gets weekly-kpi, monthly-budget and monthly-executive; finance monthly-budget; the manager weekly-staffing
    const to = atStart.map((e) => `${e.destination.to.join(',')}|${e.subject}`).sort();
    expect(to).toHaveLength(5);
    expect(to.filter((t) => t.startsWith('ciso@example.com|'))).toHaveLength(3);
    expect(to.filter((t) => t.startsWith('fpa@example.com|SOC monthly budget report'))).toHaveLength(1);
    expect(to.filter((t) => t.startsWith('soc-lead@example.com|SOC weekly staffing report'))).toHaveLength(1);
    // Every email's headline, tiles and "What changed and why" table say the same thing (docs/what-changed.md).
    for (const e of atStart) expect([e.subject, whatChangedDisagreements(e.body.text ?? '')]).toEqual([e.subject, []]);
    const kpi = atStart.find((e) => e.subject.startsWith('SOC weekly KPI report'))!;
    expect(kpi.body.text).toMatch(/WHAT CHANGED AND WHY/);
    // The check can fail: an arrow on a tile the table calls within noise, or a headline naming a change, is caught.
    const doctored = (kpi.body.text ?? '').replace(/^(- Cases created: [\d,]+ \()[^)]*\)/m, '$1▲ +40 vs usual 200)');
    expect(whatChangedDisagreements(doctored).join(' ')).toMatch(/tile "Cases created" has arrow/);
    expect(kpi.body.html).toContain('Headline figures');
    expect(kpi.body.text).toMatch(/Cases created: [\d,]+/);
    const budget = atStart.find(
      (e) => e.subject.startsWith('SOC monthly budget report') && e.destination.to[0] === 'fpa@example.com',
    )!;
    // Costs (and the shifts personnel is estimated from) were backfilled from the fiscal year's start, so every
    // month of the budget report has data: no "no data" month, and YTD over all of them.
    const fyFrom = budgetBackfillFrom(Date.now(), loadConfig('socpulse.config.json'));
    if (fyFrom < localDay(Date.now() - DAYS * 86_400_000, 'Europe/London'))
      expect(stdout).toContain(`collect sim (socpulse) costs and shifts from ${fyFrom}: ok`);
    expect((budget.body.text ?? '').replace(/\s+/g, ' ')).toMatch(
      /Year to date is over the \d+ months? with data \([\d, -]+\)\./,
    );
    expect(budget.body.text).not.toContain('actual no data');
    // The stand-in lists the inline chart beside the CSV attachment.
    expect(budget.attachments.map((a) => a.filename).sort()).toEqual([
      'budget.png',
      expect.stringMatching(/^socpulse-budget-FY\d{4}-\d{4}-\d{2}-v1\.csv$/),
    ]);
  });

  it("answers the email's verdicts through the API and MCP, and a manager's on-demand report arrives once", async () => {
    const kpi = atStart.find((e) => e.subject.startsWith('SOC weekly KPI report'))!;
    const { api, ses } = first;
    // GET /kpis and the MCP tool get_kpis answer the verdicts the weekly email printed: the same engine, judged alike.
    const week = /— (\d{4}-W\d\d)/.exec(kpi.subject)![1]!;
    const viaApi = (await (
      await fetch(`${api}/kpis?period=${week}`, { headers: { authorization: 'bearer dev-manager-token' } })
    ).json()) as { kpi: { changes: Change[]; changesBasis: unknown } };
    const mcp = new Client({ name: 'start-test', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${api}/mcp`), {
        requestInit: { headers: { authorization: 'Bearer dev-manager-token' } },
      }),
    );
    const viaMcp = (await mcp.callTool({ name: 'get_kpis', arguments: { period: week } })).structuredContent as {
      kpi: { changes: Change[]; changesBasis: unknown };
    };
    await mcp.close();
    expect(viaMcp.kpi.changes).toEqual(viaApi.kpi.changes);
    expect(viaMcp.kpi.changesBasis).toEqual(viaApi.kpi.changesBasis);
    const printed = printedVerdicts(kpi.body.text ?? '').verdictOf;
    const words = {
      changed: 'changed',
      'no-change': 'within noise',
      'low-n': 'too few cases',
      'no-data': 'no data for',
    };
    for (const c of viaApi.kpi.changes)
      expect([c.metric, c.group, words[c.verdict].startsWith(printed.get(changeSubject(c)) ?? '?')]).toEqual([
        c.metric,
        c.group,
        true,
      ]);
    const asManager = { authorization: 'Bearer dev-manager-token', 'content-type': 'application/json' };
    const denied = await fetch(`${api}/reports`, {
      method: 'POST',
      headers: { ...asManager, authorization: 'Bearer dev-finance-token' },
      body: JSON.stringify({ runbook: 'weekly-kpi', period: '2026-W45' }),
    });
    expect(denied.status).toBe(403);
    const queued = await fetch(`${api}/reports`, {
      method: 'POST',
      headers: asManager,
      body: JSON.stringify({ runbook: 'weekly-kpi', period: '2026-W45' }),
    });
    expect(queued.status).toBe(202);
    const { runId, status } = (await queued.json()) as { runId: string; status: string };
    expect(status).toBe('queued');
    let run: { status: string; deliveries: Record<string, { messageId: string }> } | undefined;
    for (let i = 0; i < 100 && run?.status !== 'delivered'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      run = (await (await fetch(`${api}/reports/${runId}`, { headers: asManager })).json()) as typeof run;
    }
    expect(run?.status).toBe('delivered');
    const after = (await (await fetch(`${ses}/store`)).json()) as { emails: StoredEmail[] };
    const onDemand = after.emails.filter((e) => e.subject.startsWith('SOC weekly KPI report — 2026-W45:'));
    expect(onDemand.map((e) => e.messageId)).toEqual([run!.deliveries['ciso@example.com']!.messageId]);
    // The same emails were written to the out folder, as .eml (as sent) and .html.
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(6);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(5);
    const eml = files.find((f) => f.startsWith('weekly-kpi-') && f.endsWith('.eml'))!;
    const parsed = await simpleParser(readFileSync(join(out, eml)));
    expect(parsed.headers.get('x-socpulse-runbook')).toBe('weekly-kpi');
    expect(parsed.html).toContain('SOC weekly KPI report');
    expect(
      existsSync(
        join(
          out,
          files.find((f) => f.endsWith('.html'))!,
        ),
      ),
    ).toBe(true);
  });

  it('sends once for 10 concurrent requests, nothing for 10 more, once more on resend', async () => {
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
    const before = (await emails(first)).length;
    const t1 = Date.now();
    const wave = await Promise.all(Array.from({ length: 10 }, () => request()));
    const ids = await Promise.all(wave.map(async (r) => ((await r.json()) as { runId: string }).runId));
    expect(wave.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(ids).size).toBe(1);
    const runId = ids[0]!;
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
    expect((await emails(first)).length).toBe(before + 2);

    runIds.wave = runId;
    console.log(`10 concurrent POST /reports → 1 email in ${waveMs} ms; 10 more → 0; resend → 1`);
  });

  it('keeps runs, snapshots and deliveries across a restart on the same data directory, and sends nothing again', async () => {
    const runId = runIds.wave!;
    const week = lastCompletePeriod('week', Date.now() - 7 * 86_400_000, {
      tz: 'Europe/London',
      fiscalYearStartMonth: 4,
    }).label;
    const scheduledRuns = [...first.stdout.matchAll(/report (\S+) (\S+): delivered/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(scheduledRuns).toHaveLength(4);
    // The current fiscal year: the last demo plan imported.
    const fy = [...first.stdout.matchAll(/budget plan (FY\d{4}): imported/g)].at(-1)![1]!;
    const snapshots: unknown = await (
      await fetch(`${first.api}/budget/snapshots?fiscalYear=${fy}`, { headers: MANAGER })
    ).json();
    stopped = true;
    expect(await first.stop()).toBe(0);

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
  });
});
