import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { budgetBackfillFrom, START_BACKFILL_DAYS } from '../../functions/cli/start.js';
import { loadConfig } from '../../shared/config/config.js';
import { localDay } from '../../shared/domain/periods.js';
import type { StoredEmail } from '../../shared/local/ses.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Change } from '../../shared/domain/changes.js';
import { changeSubject } from '../../shared/mail/headline.js';
import { startServing } from './serve.js';
import { printedVerdicts, whatChangedDisagreements } from './what-changed-agreement.js';

describe('socpulse start (the README quick start)', () => {
  it('backfills from soc-sim, runs every report runbook and delivers the emails to the local SES', async () => {
    const out = mkdtempSync(join(tmpdir(), 'socpulse-out-'));
    // Its own data directory: the default (.socpulse/data) would remember the runs of an earlier test run.
    const data = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const { stdout, stop } = await startServing(['--out', out, '--data', data]);
    try {
      expect(stdout).toMatch(
        /collect sim \(socpulse\) from \d{4}-\d{2}-\d{2}: ok; \d+ cases, \d+ alerts, \d+ shifts.*; \d+ snapshots in [\d.]+ s; 0 rejected/,
      );
      for (const runbook of ['weekly-kpi', 'monthly-budget', 'weekly-staffing', 'monthly-executive'])
        expect(stdout).toMatch(new RegExp(`report ${runbook} \\S+: delivered`));
      const ses = /SES stand-in (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      const store = (await (await fetch(`${ses}/store`)).json()) as { emails: StoredEmail[] };
      // leadership gets weekly-kpi, monthly-budget and monthly-executive; finance monthly-budget; the manager weekly-staffing
      const to = store.emails.map((e) => `${e.destination.to.join(',')}|${e.subject}`).sort();
      expect(to).toHaveLength(5);
      expect(to.filter((t) => t.startsWith('ciso@example.com|'))).toHaveLength(3);
      expect(to.filter((t) => t.startsWith('fpa@example.com|SOC monthly budget report'))).toHaveLength(1);
      expect(to.filter((t) => t.startsWith('soc-lead@example.com|SOC weekly staffing report'))).toHaveLength(1);
      // Every email's headline, tiles and "What changed and why" table say the same thing (docs/what-changed.md).
      for (const e of store.emails)
        expect([e.subject, whatChangedDisagreements(e.body.text ?? '')]).toEqual([e.subject, []]);
      const kpi = store.emails.find((e) => e.subject.startsWith('SOC weekly KPI report'))!;
      expect(kpi.body.text).toMatch(/WHAT CHANGED AND WHY/);
      // The check can fail: an arrow on a tile the table calls within noise, or a headline naming a change, is caught.
      const doctored = (kpi.body.text ?? '').replace(/^(- Cases created: [\d,]+ \()[^)]*\)/m, '$1▲ +40 vs usual 200)');
      expect(whatChangedDisagreements(doctored).join(' ')).toMatch(/tile "Cases created" has arrow/);
      expect(kpi.body.html).toContain('Headline figures');
      expect(kpi.body.text).toMatch(/Cases created: [\d,]+/);
      const budget = store.emails.find(
        (e) => e.subject.startsWith('SOC monthly budget report') && e.destination.to[0] === 'fpa@example.com',
      )!;
      // Costs (and the shifts personnel is estimated from) were backfilled from the fiscal year's start, so every
      // month of the budget report has data: no "no data" month, and YTD over all of them.
      const fyFrom = budgetBackfillFrom(Date.now(), loadConfig('socpulse.config.json'));
      if (fyFrom < localDay(Date.now() - START_BACKFILL_DAYS * 86_400_000, 'Europe/London'))
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

      // The manager triggers a report on demand through the local API; it arrives at the SES stand-in.
      const api = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
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
    } finally {
      expect(await stop()).toBe(0);
    }
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
});
