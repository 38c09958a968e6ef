import { reportTestConfig } from './helpers.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { readLocalStore, type StoredEmail } from '../../shared/local/ses.js';
import { startLocalStack, type LocalStack } from '../../shared/local/stack.js';
import { MailTransientError } from '../../shared/mail/errors.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoTable } from '../../shared/store/dynamo-table.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { recoverOrphanedRuns, runReport, type ReportDeps } from '../../shared/usecases/run-report.js';

// Sends socpulse cannot confirm (issue 23), against dynalite and aws-ses-v2-local: "sending to X" is on the run before
// SES is called, and a retry that finds it without a message id sends again with a notice, never silently.

const NOW = new Date('2026-11-25T10:00:00Z');
const config = reportTestConfig();

let stack: LocalStack;
let deps: ReportDeps;
let runs: DynamoReportRunStore;
beforeAll(async () => {
  stack = await startLocalStack({ tableName: 'unconfirmed-test' });
  const table = new DynamoTable(new DynamoDBClient({}), stack.tableName);
  runs = new DynamoReportRunStore(table);
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    snapshots: new DynamoSnapshotStore(table),
    budget: new DynamoBudgetStore(table),
    collections: new DynamoCollectionRunStore(table),
    runs,
    mailer: new SesMailer(new SESv2Client({})),
    now: () => NOW,
  };
});
afterAll(async () => stack?.stop());

const mails = async (period: string) =>
  (await readLocalStore(stack.sesEndpoint)).filter((m) => m.subject.startsWith(`SOC weekly KPI report — ${period}`));
const to = (list: StoredEmail[], who: string) => list.filter((m) => m.destination.to.includes(who));
const NOTICE = /Possibly a second copy\. socpulse began sending you this report at .* but could not confirm/;

describe('a send socpulse cannot confirm', () => {
  it('a crash after SES accepted and before the record: the retry sends again saying so, and the run says why', async () => {
    // The process "dies" right after SES accepted the first message (the hook throws; nothing after it runs).
    let crashed = false;
    const dying: ReportDeps = {
      ...deps,
      afterSesAccepted: async () => {
        if (!crashed) throw new Error('killed', { cause: (crashed = true) });
      },
    };
    await expect(runReport(dying, { runbook: 'weekly-kpi', period: '2026-W40', trigger: 'schedule' })).rejects.toThrow(
      'killed',
    );
    const [left] = await runs.list('weekly-kpi');
    expect(left!.period).toBe('2026-W40');
    expect(left!.deliveries).toEqual({});
    expect(Object.keys(left!.sending)).toEqual(['ciso@example.com']);
    expect((await mails('2026-W40')).map((m) => m.destination.to)).toEqual([['ciso@example.com']]);

    const retry = await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W40', trigger: 'schedule' });
    expect(retry.outcome).toBe('delivered');
    const sent = await mails('2026-W40');
    // ciso: the unconfirmed first copy and the second, which says it may be one; coo: once, with no notice.
    expect(to(sent, 'ciso@example.com')).toHaveLength(2);
    expect(to(sent, 'coo@example.com')).toHaveLength(1);
    const [first, second] = to(sent, 'ciso@example.com');
    expect(first!.body.text).not.toMatch(NOTICE);
    expect(second!.body.text?.replace(/\s+/g, ' ')).toMatch(NOTICE);
    expect(second!.body.html).toContain('<b>Possibly a second copy.</b>');
    expect(to(sent, 'coo@example.com')[0]!.body.text).not.toContain('second copy');

    const run = (await runs.getById(retry.runId))!;
    expect(run.status).toBe('delivered');
    expect(run.sending).toEqual({});
    expect(run.deliveries['ciso@example.com']).toMatchObject({
      messageId: second!.messageId,
      afterUnconfirmedSendAt: left!.sending['ciso@example.com']!.at,
    });
    expect(run.deliveries['coo@example.com']!.afterUnconfirmedSendAt).toBeUndefined();
    expect(run.unconfirmed).toEqual([
      {
        recipient: 'ciso@example.com',
        sendingAt: left!.sending['ciso@example.com']!.at,
        attempt: 1,
        decision: 'resent-with-notice',
        foundAt: NOW.toISOString(),
      },
    ]);
    expect(run.notes).toContain(
      `ciso@example.com: a send begun at ${left!.sending['ciso@example.com']!.at} (attempt 1) was never confirmed; sent again, saying it may be a second copy`,
    );
    // A third attempt finds it delivered: nothing more.
    expect((await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W40', trigger: 'schedule' })).outcome).toBe(
      'already-delivered',
    );
    expect(await mails('2026-W40')).toHaveLength(3);
  });

  it('SES answering no (throttled) clears the mark; no answer at all keeps it, and the retry says so', async () => {
    let calls = 0;
    const flaky = (answered: boolean): ReportDeps => ({
      ...deps,
      mailer: {
        send: async (m) => {
          if (++calls === 1) throw new MailTransientError('SES says no', { answered });
          return deps.mailer.send(m);
        },
      },
    });
    // Throttled: SES answered, nothing was accepted, so nobody is in doubt.
    const a = await runReport(flaky(true), { runbook: 'weekly-kpi', period: '2026-W41', trigger: 'schedule' });
    expect(a).toMatchObject({ outcome: 'failed', undelivered: ['ciso@example.com', 'coo@example.com'] });
    expect((await runs.getById(a.runId))!.sending).toEqual({});
    await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W41', trigger: 'schedule' });
    expect((await mails('2026-W41')).map((m) => m.body.text?.includes('second copy'))).toEqual([false, false]);

    // A network failure: SES may have taken it; the mark stays and the retry's copy says it may be a second one.
    calls = 0;
    const b = await runReport(flaky(false), { runbook: 'weekly-kpi', period: '2026-W42', trigger: 'schedule' });
    expect(b.outcome).toBe('failed');
    expect(Object.keys((await runs.getById(b.runId))!.sending)).toEqual(['ciso@example.com']);
    const retry = await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W42', trigger: 'schedule' });
    expect(retry.unconfirmed?.map((u) => u.recipient)).toEqual(['ciso@example.com']);
    const sent = await mails('2026-W42');
    expect(to(sent, 'ciso@example.com').map((m) => NOTICE.test(m.body.text!.replace(/\s+/g, ' ')))).toEqual([true]);
    expect(to(sent, 'coo@example.com')).toHaveLength(1);
  });
});

describe('runs left by a process that is gone', () => {
  it('are recovered at once: a claimed run with a live lease is released and run, sending only what is missing', async () => {
    // What a killed `start` leaves: the run claimed (lease 10 minutes ahead), coo delivered, ciso marked "sending".
    const claim = await runs.claim(
      {
        runId: 'run-orphan-1',
        runbook: 'weekly-kpi',
        period: '2026-W43',
        trigger: 'schedule',
        recipients: ['ciso@example.com', 'coo@example.com'],
      },
      'dead-claim',
      NOW,
    );
    expect(claim.outcome).toBe('claimed');
    const marked = await runs.update(claim.run, {
      sending: { 'ciso@example.com': { at: '2026-11-25T09:59:00.000Z', attempt: 1 } },
    });
    await runs.update(marked, {
      deliveries: { 'coo@example.com': { messageId: 'ses-earlier-1', sentAt: '2026-11-25T09:58:00.000Z' } },
    });
    // A plain retry within the lease finds it in progress, as before: only start-up recovery may take it.
    expect((await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W43', trigger: 'schedule' })).outcome).toBe(
      'in-progress',
    );

    const recovered = await recoverOrphanedRuns(deps, 'test');
    expect(recovered.map((r) => [r.runId, r.outcome])).toEqual([['run-orphan-1', 'delivered']]);
    const sent = await mails('2026-W43');
    expect(sent.map((m) => m.destination.to[0])).toEqual(['ciso@example.com']);
    expect(sent[0]!.body.text?.replace(/\s+/g, ' ')).toMatch(NOTICE);
    const after = (await runs.getById('run-orphan-1'))!;
    expect(after).toMatchObject({ status: 'delivered', attempts: 2, sending: {} });
    expect(after.deliveries['coo@example.com']!.messageId).toBe('ses-earlier-1');
    expect(after.unconfirmed.map((u) => [u.recipient, u.sendingAt])).toEqual([
      ['ciso@example.com', '2026-11-25T09:59:00.000Z'],
    ]);
    // Nothing else was unfinished: a second recovery does nothing.
    expect(await recoverOrphanedRuns(deps, 'test')).toEqual([]);
  });
});
