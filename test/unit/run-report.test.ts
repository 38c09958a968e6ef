import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import { MailRejectedError, MailTransientError } from '../../shared/mail/errors.js';
import { ConflictError } from '../../shared/store/errors.js';
import type { ReportRun } from '../../shared/store/report-run-store.js';
import type { ReportRunPort } from '../../shared/usecases/ports.js';
import { recoverOrphanedRuns, runQueued, runReport, type ReportDeps } from '../../shared/usecases/run-report.js';
import {
  InMemoryBudgetStore,
  InMemoryReportRunStore,
  InMemorySnapshotStore,
  InMemorySourceStatuses,
  ScriptedMailer,
} from '../fakes/in-memory-ports.js';

// run-report's exactly-once paths (README "Exactly once") on in-memory ports: the store's own claim decisions over a
// map, and a scripted SES. What each path must send is worked out from the timeline by hand; the same paths against
// dynalite and aws-ses-v2-local stay in test/integration/report-{once,unconfirmed,delivery}.test.ts.

const CISO = 'ciso@example.com';
const COO = 'coo@example.com';
const CFO = 'cfo@example.com';
const config = parseConfig({
  timezone: 'Europe/London',
  fiscalYearStartMonth: 4,
  mcpServers: { sim: { kind: 'socpulse', command: 'unused' } },
  sender: 'socpulse@example.com',
  audiences: { leadership: [CISO, COO, CFO], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
});
const runbooks = loadReportRunbooks('runbooks');
// Wednesday of 2026-W48: W47 has ended. The lease is the store's default, 10 minutes.
const T0 = Date.parse('2026-11-25T10:00:00Z');
const LEASE = 10 * 60_000;
const W47 = { runbook: 'weekly-kpi', period: '2026-W47', trigger: 'schedule' } as const;

let clock: number;
let runs: InMemoryReportRunStore;
beforeEach(() => {
  clock = T0;
  runs = new InMemoryReportRunStore();
});

/** The use case's dependencies on in-memory ports; `over` replaces any of them. */
function depsWith(mailer: ScriptedMailer, over: Partial<ReportDeps> = {}): ReportDeps {
  return {
    config,
    runbooks,
    // Nothing collected: the report says so ("no data"), which is all these paths need.
    snapshots: new InMemorySnapshotStore(),
    budget: new InMemoryBudgetStore(),
    collections: new InMemorySourceStatuses(),
    runs,
    mailer,
    now: () => new Date(clock),
    ...over,
  };
}

/** The value of the possible-duplicate header of a raw message, or undefined when it says nothing of the kind. */
const duplicateHeader = (raw: Buffer) => /^X-Socpulse-Possible-Duplicate: (.+)$/im.exec(raw.toString())?.[1]?.trim();

/** The stored run of W47's whole audience. */
const storedW47 = async () => (await runs.getScheduled('weekly-kpi', '2026-W47'))!;

/**
 * The report-run port of a process that dies at the write `dies` picks: that write never happens and never returns
 * (the process is gone), and nothing after it runs.
 */
function dyingAt(port: ReportRunPort, dies: (change: Partial<ReportRun>) => boolean): ReportRunPort {
  return {
    claim: (...a) => port.claim(...a),
    getById: (id) => port.getById(id),
    unfinished: (rb) => port.unfinished(rb),
    update: (run, change) => (dies(change) ? new Promise<ReportRun>(() => undefined) : port.update(run, change)),
  };
}
/** Until a promise that never settles has done all it will: a few turns of the event loop. */
const settled = async () => {
  for (let i = 0; i < 50; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('runReport on in-memory ports: one email per recipient, exactly once', () => {
  it('sends the first claim to every recipient once, and a later run of the same period nothing', async () => {
    const ses = new ScriptedMailer();
    const first = await runReport(depsWith(ses), W47);
    expect(first).toMatchObject({ outcome: 'delivered', period: '2026-W47', undelivered: [], errors: [] });
    expect(ses.accepted()).toEqual([CISO, COO, CFO]);
    expect(Object.fromEntries(Object.entries(first.deliveries).map(([to, d]) => [to, d.messageId]))).toEqual({
      [CISO]: 'ses-1',
      [COO]: 'ses-2',
      [CFO]: 'ses-3',
    });
    expect(ses.calls.map((c) => duplicateHeader(c.raw))).toEqual([undefined, undefined, undefined]);
    const run = await storedW47();
    expect(run).toMatchObject({ status: 'delivered', attempts: 1, sending: {}, unconfirmed: [] });
    // claim (rev 1), three "sending to" marks and three deliveries (rev 7), the final status (rev 8).
    expect(run.rev).toBe(8);

    clock = T0 + 3_600_000;
    const again = await runReport(depsWith(ses), W47);
    expect(again).toMatchObject({ outcome: 'already-delivered', runId: first.runId, undelivered: [] });
    expect(ses.calls).toHaveLength(3);
  });

  it('gives two concurrent runs one claim: the other is told it is in progress and sends nothing', async () => {
    const ses = new ScriptedMailer();
    const both = await Promise.all([runReport(depsWith(ses), W47), runReport(depsWith(ses), W47)]);
    expect(both.map((r) => r.outcome).sort()).toEqual(['delivered', 'in-progress']);
    expect(runs.conflicts).toBe(1); // the loser's put-if-absent
    expect(ses.accepted()).toEqual([CISO, COO, CFO]);
    expect(new Set(both.map((r) => r.runId)).size).toBe(1);
  });

  it('sends nothing while another worker holds the lease, even one that is stuck', async () => {
    // Worker A is stuck inside SES's call for the first recipient: its "sending to ciso" mark is written.
    const stuck = new ScriptedMailer(() => 'hang');
    void runReport(depsWith(stuck), W47);
    await settled();
    expect(stuck.calls.map((c) => [c.to, c.outcome])).toEqual([[CISO, 'hung']]);
    const other = new ScriptedMailer();
    clock = T0 + LEASE - 1;
    const b = await runReport(depsWith(other), W47);
    expect(b).toMatchObject({ outcome: 'in-progress', deliveries: {}, undelivered: [CISO, COO, CFO] });
    expect(other.calls).toEqual([]);
  });

  it('resumes a partial delivery (2 of 3, then the process died) by sending only the third', async () => {
    const ses = new ScriptedMailer();
    // The process dies as it would write "sending to cfo": ciso and coo are delivered, cfo was never begun.
    const dying = depsWith(ses, { runs: dyingAt(runs, (c) => c.sending?.[CFO] !== undefined) });
    void runReport(dying, W47);
    await settled();
    expect(ses.accepted()).toEqual([CISO, COO]);
    const left = await storedW47();
    expect(left).toMatchObject({ status: 'claimed', sending: {} });
    expect(Object.keys(left.deliveries)).toEqual([CISO, COO]);

    // Start-up recovery (the local `start`, which knows the process is gone) releases it and runs it again.
    clock = T0 + 60_000;
    const [resumed] = await recoverOrphanedRuns(depsWith(ses), 'the previous start was killed');
    expect(resumed).toMatchObject({ outcome: 'delivered', runId: left.runId, undelivered: [], unconfirmed: [] });
    expect(ses.accepted()).toEqual([CISO, COO, CFO]);
    expect(duplicateHeader(ses.calls[2]!.raw)).toBeUndefined();
    const run = await storedW47();
    expect(run).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(Object.fromEntries(Object.entries(run.deliveries).map(([to, d]) => [to, d.messageId]))).toEqual({
      [CISO]: 'ses-1',
      [COO]: 'ses-2',
      [CFO]: 'ses-3',
    });
  });

  it('lets another worker take over once the lease has run out, sending only to who has no delivery', async () => {
    const ses = new ScriptedMailer();
    void runReport(depsWith(ses, { runs: dyingAt(runs, (c) => c.sending?.[CFO] !== undefined) }), W47);
    await settled();
    // One millisecond before the lease ends the run is still the dead worker's.
    clock = T0 + LEASE - 1;
    expect((await runReport(depsWith(ses), W47)).outcome).toBe('in-progress');
    // At the instant it ends (leaseUntil = T0 + LEASE is no longer after now) another worker takes it over.
    clock = T0 + LEASE;
    const b = await runReport(depsWith(ses), W47);
    expect(b).toMatchObject({ outcome: 'delivered', undelivered: [] });
    expect(ses.accepted()).toEqual([CISO, COO, CFO]);
    expect((await storedW47()).attempts).toBe(2);
  });

  it('keeps a worker whose lease was taken from writing over the run it lost, and it sends nothing more', async () => {
    // Worker A's SES call for coo stays unanswered past the lease; B takes over, then A's answer finally comes.
    let answerA!: (v: { messageId: string }) => void;
    const sentByA: string[] = [];
    const slowA = {
      send: async (m: { to: string[] }) => {
        sentByA.push(m.to[0]!);
        if (m.to[0] === COO) return new Promise<{ messageId: string }>((r) => (answerA = r));
        return { messageId: `a-${m.to[0]}` };
      },
    };
    const a = runReport(depsWith(new ScriptedMailer(), { mailer: slowA }), W47);
    await settled();
    expect(sentByA).toEqual([CISO, COO]);
    clock = T0 + LEASE + 1;
    const ses = new ScriptedMailer();
    const b = await runReport(depsWith(ses), W47);
    // coo's send by A began and was never confirmed: B sends it again saying so, and cfo plainly; ciso not at all.
    expect(ses.accepted()).toEqual([COO, CFO]);
    expect(b.outcome).toBe('delivered');
    answerA({ messageId: 'a-late' });
    await expect(a).rejects.toBeInstanceOf(ConflictError);
    expect(sentByA).toEqual([CISO, COO]);
    const run = await storedW47();
    expect(run.status).toBe('delivered');
    expect(run.deliveries[COO]!.messageId).toBe('ses-1');
  });

  it('sends everyone again on an explicit resend, keeping the earlier deliveries on the run', async () => {
    const ses = new ScriptedMailer();
    const first = await runReport(depsWith(ses), W47);
    clock = T0 + 86_400_000;
    const asked = await runs.request(
      {
        runId: 'ignored-for-an-existing-run',
        runbook: 'weekly-kpi',
        period: '2026-W47',
        trigger: 'on-demand',
        recipients: [CISO, COO, CFO],
      },
      new Date(clock),
      { requestedBy: 'manager', idempotencyKey: 'resend-1' },
    );
    expect(asked).toMatchObject({ outcome: 'queued', resent: true, run: { runId: first.runId } });
    const again = await runQueued(depsWith(ses), first.runId);
    expect(again).toMatchObject({ outcome: 'delivered', undelivered: [] });
    expect(ses.accepted()).toEqual([CISO, COO, CFO, CISO, COO, CFO]);
    expect(ses.calls.map((c) => duplicateHeader(c.raw))).toEqual(Array(6).fill(undefined));
    const run = await storedW47();
    expect(run.resends).toHaveLength(1);
    expect(run.resends[0]!.previousDeliveries).toEqual(first.deliveries);
    expect(Object.values(run.deliveries).map((d) => d.messageId)).toEqual(['ses-4', 'ses-5', 'ses-6']);
  });
});

describe('runReport on in-memory ports: a send socpulse cannot confirm', () => {
  const NOTICE = /Possibly a second copy\./;

  it('reports a send without an answer as failed and undelivered; the retry resends it saying so, and records the doubt', async () => {
    // SES gives no answer for coo (a timeout after the request went out): SES may or may not have taken it.
    const ses = new ScriptedMailer((to, n) =>
      to === COO && n === 1 ? new MailTransientError('SES timed out', { answered: false }) : 'accept',
    );
    const first = await runReport(depsWith(ses), W47);
    expect(first).toMatchObject({
      outcome: 'failed',
      undelivered: [COO, CFO], // cfo was never tried: an unanswered SES stops the run
      errors: [`${COO}: SES timed out`],
    });
    expect(Object.keys(first.deliveries)).toEqual([CISO]);
    const left = await storedW47();
    expect(left.status).toBe('failed');
    // The mark stays: coo is in doubt, never taken for delivered nor for never sent.
    expect(Object.keys(left.sending)).toEqual([COO]);
    const sendingAt = left.sending[COO]!.at;

    clock = T0 + 60_000;
    const retry = await runReport(depsWith(ses), W47);
    expect(retry.outcome).toBe('delivered');
    expect(retry.unconfirmed).toEqual([
      {
        recipient: COO,
        sendingAt,
        attempt: 1,
        decision: 'resent-with-notice',
        foundAt: new Date(T0 + 60_000).toISOString(),
      },
    ]);
    expect(ses.calls.map((c) => [c.to, c.outcome])).toEqual([
      [CISO, 'accepted'],
      [COO, 'threw'],
      [COO, 'accepted'],
      [CFO, 'accepted'],
    ]);
    // Only coo's second copy says it may be one, in a header and in the text.
    expect(ses.calls.map((c) => duplicateHeader(c.raw))).toEqual([undefined, undefined, sendingAt, undefined]);
    expect(ses.calls[2]!.raw.toString().replace(/=\r?\n/g, '')).toMatch(NOTICE);
    expect(ses.calls[3]!.raw.toString().replace(/=\r?\n/g, '')).not.toMatch(NOTICE);
    const run = await storedW47();
    expect(run.deliveries[COO]).toMatchObject({ messageId: 'ses-2', afterUnconfirmedSendAt: sendingAt });
    expect(run.deliveries[CFO]!.afterUnconfirmedSendAt).toBeUndefined();
    // The configured source never collected is named too (sourceLines: "missing").
    expect(run.notes).toEqual([
      'source sim missing',
      `${COO}: a send begun at ${sendingAt} (attempt 1) was never confirmed; sent again, saying it may be a second copy`,
    ]);
  });

  it('treats a crash after SES accepted and before the record as a doubt, never as delivered', async () => {
    const ses = new ScriptedMailer();
    let killed = false;
    const dying = depsWith(ses, {
      afterSesAccepted: async () => {
        if (!killed) throw new Error('killed', { cause: (killed = true) });
      },
    });
    await expect(runReport(dying, W47)).rejects.toThrow('killed');
    const left = await storedW47();
    expect(left).toMatchObject({ status: 'failed', error: 'killed', deliveries: {} });
    expect(Object.keys(left.sending)).toEqual([CISO]);

    const retry = await runReport(depsWith(ses), W47);
    expect(retry.outcome).toBe('delivered');
    expect(retry.unconfirmed?.map((u) => u.recipient)).toEqual([CISO]);
    expect(ses.accepted()).toEqual([CISO, CISO, COO, CFO]);
    expect(ses.calls.map((c) => duplicateHeader(c.raw) !== undefined)).toEqual([false, true, false, false]);
  });

  it('finds a doubt once: a third attempt does not record it again nor send a third copy', async () => {
    const ses = new ScriptedMailer((to, n) =>
      to === COO && n === 1 ? new MailTransientError('no answer', { answered: false }) : 'accept',
    );
    await runReport(depsWith(ses), W47);
    // The second attempt finds the doubt, then SES refuses cfo for now (throttled): failed again.
    ses.script = (to, n) =>
      to === CFO && n === 1 ? new MailTransientError('Throttling', { answered: true }) : 'accept';
    const second = await runReport(depsWith(ses), W47);
    expect(second).toMatchObject({ outcome: 'failed', undelivered: [CFO] });
    expect(second.unconfirmed?.map((u) => u.recipient)).toEqual([COO]);
    const third = await runReport(depsWith(ses), W47);
    expect(third).toMatchObject({ outcome: 'delivered', undelivered: [] });
    expect(third.unconfirmed?.map((u) => u.recipient)).toEqual([COO]);
    expect(ses.accepted()).toEqual([CISO, COO, CFO]);
    // The third attempt's cfo is no second copy: SES answered no, so the first never arrived.
    expect(ses.calls.map((c) => [c.to, duplicateHeader(c.raw) !== undefined])).toEqual([
      [CISO, false],
      [COO, false],
      [COO, true],
      [CFO, false],
      [CFO, false],
    ]);
  });
});

describe('runReport on in-memory ports: a resend after a doubt', () => {
  it('sends the resend round plainly: a doubt of an earlier round says nothing about this one', async () => {
    const ses = new ScriptedMailer((to, n) =>
      to === COO && n === 1 ? new MailTransientError('no answer', { answered: false }) : 'accept',
    );
    await runReport(depsWith(ses), W47);
    clock = T0 + 60_000;
    const second = await runReport(depsWith(ses), W47);
    expect(second.unconfirmed?.map((u) => u.recipient)).toEqual([COO]);
    clock = T0 + 86_400_000;
    const init = {
      runId: 'x',
      runbook: 'weekly-kpi',
      period: '2026-W47',
      trigger: 'on-demand' as const,
      recipients: [],
    };
    await runs.request(init, new Date(clock), { requestedBy: 'manager' });
    const resent = await runQueued(depsWith(ses), second.runId);
    expect(resent.outcome).toBe('delivered');
    // Round one: ciso, coo (no answer), coo again with the notice, cfo. The resend: all three, none with a notice.
    expect(ses.calls.map((c) => [c.to, duplicateHeader(c.raw) !== undefined])).toEqual([
      [CISO, false],
      [COO, false],
      [COO, true],
      [CFO, false],
      [CISO, false],
      [COO, false],
      [CFO, false],
    ]);
    expect((await storedW47()).deliveries[COO]!.afterUnconfirmedSendAt).toBeUndefined();
  });
});

describe('runReport on in-memory ports: the budget snapshot behind the CSV', () => {
  it('stores one version for a month and attaches it; a resend an hour later adds none', async () => {
    const lines = demoBudgetPlan('FY2027', 4, 'EUR');
    const header = {
      fiscalYear: 'FY2027',
      importId: 'plan-1',
      importedAt: '2026-04-01T00:00:00Z',
      lines: lines.length,
    };
    const budget = new InMemoryBudgetStore({ FY2027: { header, lines } });
    const ses = new ScriptedMailer();
    const oct = { runbook: 'monthly-budget', period: '2026-10', trigger: 'schedule' } as const;
    const first = await runReport(depsWith(ses, { budget }), oct);
    // leadership then finance, in the config's order.
    expect(first).toMatchObject({ outcome: 'delivered', undelivered: [] });
    expect(ses.accepted()).toEqual([CISO, COO, CFO, 'fpa@example.com']);
    const csvName = /filename="?(socpulse-budget-[^"\s;]+\.csv)/;
    expect(ses.calls.map((c) => csvName.exec(c.raw.toString())?.[1])).toEqual(
      Array(4).fill('socpulse-budget-FY2027-2026-10-v1.csv'),
    );
    clock = T0 + 3_600_000;
    await runs.request(
      { runId: 'x', runbook: 'monthly-budget', period: '2026-10', trigger: 'on-demand', recipients: [] },
      new Date(clock),
      { requestedBy: 'manager' },
    );
    expect((await runQueued(depsWith(ses, { budget }), first.runId)).outcome).toBe('delivered');
    expect(ses.calls.slice(4).map((c) => csvName.exec(c.raw.toString())?.[1])).toEqual(
      Array(4).fill('socpulse-budget-FY2027-2026-10-v1.csv'),
    );
    expect((await budget.snapshots('FY2027')).map((v) => v.snapshotId)).toEqual(['FY2027-2026-10-v1']);
  });
});

describe('runReport on in-memory ports: SES saying no', () => {
  it('skips a recipient SES rejects for good, sends the rest, and retries only that one without a notice', async () => {
    const ses = new ScriptedMailer((to, n) =>
      to === COO && n === 1 ? new MailRejectedError('MessageRejected: address blacklisted') : 'accept',
    );
    const first = await runReport(depsWith(ses), W47);
    expect(first).toMatchObject({
      outcome: 'failed',
      undelivered: [COO],
      errors: [`${COO}: MessageRejected: address blacklisted`],
    });
    expect(Object.keys(first.deliveries)).toEqual([CISO, CFO]);
    // SES answered: nothing was accepted, so coo is in no doubt.
    expect((await storedW47()).sending).toEqual({});

    const retry = await runReport(depsWith(ses), W47);
    expect(retry).toMatchObject({ outcome: 'delivered', unconfirmed: [], undelivered: [] });
    expect(ses.calls.map((c) => [c.to, c.outcome])).toEqual([
      [CISO, 'accepted'],
      [COO, 'threw'],
      [CFO, 'accepted'],
      [COO, 'accepted'],
    ]);
    expect(duplicateHeader(ses.calls[3]!.raw)).toBeUndefined();
  });

  it('stops at a throttled send (SES answered: not accepted) and the retry sends the rest without a notice', async () => {
    const ses = new ScriptedMailer((to, n) =>
      to === COO && n === 1 ? new MailTransientError('Throttling: rate exceeded', { answered: true }) : 'accept',
    );
    const first = await runReport(depsWith(ses), W47);
    expect(first).toMatchObject({ outcome: 'failed', undelivered: [COO, CFO] });
    expect(Object.keys(first.deliveries)).toEqual([CISO]);
    expect((await storedW47()).sending).toEqual({});

    const retry = await runReport(depsWith(ses), W47);
    expect(retry).toMatchObject({ outcome: 'delivered', unconfirmed: [], undelivered: [] });
    expect(ses.calls.map((c) => [c.to, c.outcome])).toEqual([
      [CISO, 'accepted'],
      [COO, 'threw'],
      [COO, 'accepted'],
      [CFO, 'accepted'],
    ]);
    expect(ses.calls.map((c) => duplicateHeader(c.raw))).toEqual([undefined, undefined, undefined, undefined]);
  });
});
