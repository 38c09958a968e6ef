import { reportTestConfig } from './helpers.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport, type ReportDeps } from '../../shared/usecases/run-report.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { DaySnapshotBuilder } from '../../shared/domain/day-snapshot.js';
import { snapshotForStore } from '../../shared/store/formats/snapshot-payload.js';
import { localDaysOf, parsePeriod } from '../../shared/domain/periods.js';
import type { Case } from '../../shared/domain/records.js';
import { readLocalStore } from '../../shared/local/ses.js';
import { startLocalStack, type LocalStack } from '../../shared/local/stack.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import { MailTransientError } from '../../shared/mail/errors.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoTable } from '../../shared/store/dynamo-table.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';

const HOSTILE_TITLE = '<img src=x onerror=alert(1)>';
const HOSTILE_RULE = '=HYPERLINK("http://evil.example","click")';
const tz = 'Europe/London';
const NOW = new Date('2026-11-23T07:00:00Z');
const config = reportTestConfig();

let stack: LocalStack;
let deps: ReportDeps;
let sent: { count: number };
let budget: DynamoBudgetStore;

beforeAll(async () => {
  stack = await startLocalStack({ tableName: 'delivery-test' });
  const table = new DynamoTable(new DynamoDBClient({}), stack.tableName);
  const snapshots = new DynamoSnapshotStore(table);
  const collections = new DynamoCollectionRunStore(table);
  // One week of hostile-looking but valid data, stored as a collection would store it.
  const week = parsePeriod('2026-W47', { tz, fiscalYearStartMonth: 4 });
  const builder = new DaySnapshotBuilder(tz, localDaysOf(week), new Set(['cases', 'alerts']));
  const cases: Case[] = Array.from({ length: 12 }, (_, i) => ({
    id: `c${i}`,
    source: 'sim',
    title: HOSTILE_TITLE,
    severity: 'high',
    createdAt: new Date(week.start + i * 3_600_000).toISOString(),
    acknowledgedAt: new Date(week.start + i * 3_600_000 + 600_000).toISOString(),
    closedAt: new Date(week.start + i * 3_600_000 + 7_200_000).toISOString(),
    disposition: 'false_positive',
    rule: HOSTILE_RULE,
    runbook: '<script>x</script>',
    assignee: HOSTILE_TITLE,
  }));
  builder.add('cases', cases);
  builder.add('alerts', [
    { id: 'a1', source: 'sim', rule: HOSTILE_RULE, severity: 'high', createdAt: new Date(week.start).toISOString() },
  ]);
  // Stored as collection stores them (binary columns), so the hostile values travel the report's real read path.
  for (const s of builder.snapshots())
    await snapshots.put<unknown>({
      family: s.family,
      periodKey: s.periodKey,
      source: 'sim',
      collectedAt: NOW.toISOString(),
      ...snapshotForStore(s.family, s.periodKey, s.payload, tz),
    });
  await collections.record({
    source: 'sim',
    kind: 'socpulse',
    startedAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
    status: 'ok',
    window: { from: new Date(week.start).toISOString(), to: new Date(NOW.getTime() - 3_600_000).toISOString() },
    counts: { cases: 12 },
    snapshots: { written: 7, unchanged: 0, superseded: 0 },
    rejects: { count: 0, samples: [] },
    errors: [],
    notes: [],
  });
  const mailer = new SesMailer(new SESv2Client({}));
  sent = { count: 0 };
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    snapshots,
    budget: (budget = new DynamoBudgetStore(table)),
    collections,
    runs: new DynamoReportRunStore(table),
    mailer: { send: async (m) => (sent.count++, mailer.send(m)) },
    now: () => NOW,
  };
});
afterAll(async () => stack.stop());

const mailsFor = async (subjectStart: string) =>
  (await readLocalStore(stack.sesEndpoint)).filter((e) => e.subject.startsWith(subjectStart));

describe('report delivery through SES', () => {
  it('delivers exactly one email per recipient when the handler runs 10 times at once for the same period', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runReport(deps, { runbook: 'weekly-kpi', trigger: 'schedule' })),
    );
    expect(results.filter((r) => r.outcome === 'delivered')).toHaveLength(1);
    expect(results.every((r) => ['delivered', 'in-progress', 'already-delivered'].includes(r.outcome))).toBe(true);
    const mails = await mailsFor('SOC weekly KPI report — 2026-W47');
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(['ciso@example.com', 'coo@example.com']);
    // A later retry of the schedule sends nothing more.
    expect((await runReport(deps, { runbook: 'weekly-kpi', trigger: 'schedule' })).outcome).toBe('already-delivered');
    expect(await mailsFor('SOC weekly KPI report — 2026-W47')).toHaveLength(2);
  });

  it('resends only what SES did not accept when a run is retried', async () => {
    let calls = 0;
    const flaky: ReportDeps = {
      ...deps,
      mailer: {
        send: async (m) => {
          if (++calls === 2) throw new MailTransientError('SES Throttling: rate exceeded', { answered: true });
          return deps.mailer.send(m);
        },
      },
      // A different period, so this run is fresh.
      now: () => new Date('2026-11-30T07:00:00Z'),
    };
    const first = await runReport(flaky, { runbook: 'weekly-kpi', trigger: 'schedule' });
    expect(first.outcome).toBe('failed');
    expect(Object.keys(first.deliveries)).toEqual(['ciso@example.com']);
    const retry = await runReport(flaky, { runbook: 'weekly-kpi', trigger: 'schedule' });
    expect(retry.outcome).toBe('delivered');
    const mails = await mailsFor('SOC weekly KPI report — 2026-W48');
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(['ciso@example.com', 'coo@example.com']);
  });

  it('keeps hostile source values inert in HTML, text and headers', async () => {
    const [mail] = await mailsFor('SOC weekly KPI report — 2026-W47');
    expect(mail!.body.html).not.toContain('<img src=x');
    expect(mail!.body.html).not.toContain('<script>');
    expect(mail!.body.html).toContain('&#61;HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)');
    expect(mail!.body.text).toContain('=HYPERLINK'); // plain text is inert by nature, and shown as it is
    expect(mail!.subject).not.toMatch(/HYPERLINK|img/);
  });

  it('sends a multipart message with text and HTML parts and the run headers', async () => {
    const raw: Buffer[] = [];
    const capture: ReportDeps = {
      ...deps,
      mailer: { send: async (m) => (raw.push(m.raw), { messageId: `m-${raw.length}` }) },
      now: () => new Date('2026-12-07T07:00:00Z'),
    };
    await runReport(capture, { runbook: 'weekly-kpi', trigger: 'schedule' });
    const parsed = await simpleParser(raw[0]!);
    expect(parsed.from?.value[0]).toEqual({ name: 'socpulse SOC reports', address: 'socpulse@example.com' });
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('ciso@example.com');
    expect(parsed.html).toContain('<!DOCTYPE html>');
    expect(parsed.text).toContain('SOC weekly KPI report');
    expect(parsed.headers.get('x-socpulse-period')).toBe('2026-W49');
    expect(raw[0]!.toString()).toMatch(/multipart\/alternative/);
  });

  it('embeds the charts as inline PNG parts referenced by cid:, and attaches the budget CSV', async () => {
    const raw: Buffer[] = [];
    const capture: ReportDeps = {
      ...deps,
      charts: reportCharts,
      mailer: { send: async (m) => (raw.push(m.raw), { messageId: 'x' }) },
    };
    // One recipient: another identity than the scheduled run to everyone above, which was delivered already.
    await runReport(capture, {
      runbook: 'weekly-kpi',
      trigger: 'on-demand',
      period: '2026-W47',
      recipients: ['ciso@example.com'],
    });
    const kpi = await simpleParser(raw[0]!, { keepCidLinks: true });
    const png = kpi.attachments.find((a) => a.contentType === 'image/png')!;
    expect(png.cid).toBe('volume@socpulse');
    expect(png.contentDisposition).toBe('inline');
    expect(kpi.html).toContain('src="cid:volume@socpulse"');
    expect(png.content.subarray(1, 4).toString()).toBe('PNG');
    await budget.importPlan(demoBudgetPlan('FY2027', 4, 'EUR'), 'plan-1', NOW.toISOString());
    await runReport(capture, { runbook: 'monthly-budget', trigger: 'on-demand', period: '2026-10' });
    const budgetMail = await simpleParser(raw.at(-1)!);
    const csv = budgetMail.attachments.find((a) => a.contentType.startsWith('text/csv'))!;
    expect(csv.filename).toMatch(/^socpulse-budget-FY2027-2026-10-v\d+\.csv$/);
    expect(csv.content.toString().split('\n')[0]).toMatch(
      /^BillingPeriodStart,BillingPeriodEnd,BilledCost,BillingCurrency,ServiceCategory/,
    );
  });

  it('sends a "no data" email rather than silence for an empty period', async () => {
    const raw: Buffer[] = [];
    const capture: ReportDeps = { ...deps, mailer: { send: async (m) => (raw.push(m.raw), { messageId: 'x' }) } };
    const r = await runReport(capture, { runbook: 'weekly-kpi', trigger: 'on-demand', period: '2026-W30' });
    expect(r.outcome).toBe('delivered');
    const parsed = await simpleParser(raw[0]!);
    expect(parsed.html).toContain('No data this period.');
  });

  it('rejects an unknown runbook, a malformed period and outside recipients, naming the field', async () => {
    await expect(runReport(deps, { runbook: 'nope', trigger: 'on-demand' })).rejects.toThrow(
      /^runbook: unknown runbook "nope"/,
    );
    await expect(runReport(deps, { runbook: 'weekly-kpi', trigger: 'on-demand', period: '2026-W99' })).rejects.toThrow(
      /^period: /,
    );
    await expect(
      runReport(deps, { runbook: 'weekly-kpi', trigger: 'on-demand', recipients: ['mallory@evil.example'] }),
    ).rejects.toThrow(/^recipients: not in the leadership audience/);
  });
});
