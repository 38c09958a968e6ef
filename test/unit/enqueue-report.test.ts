import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config.js';
import { ReportRequestError } from '../../shared/config/report-request.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import {
  IdempotencyConflictError,
  requestReport,
  type ReportRequestDeps,
} from '../../shared/usecases/enqueue-report.js';
import { InMemoryIdempotencyStore, InMemoryReportRunStore } from '../fakes/in-memory-ports.js';

// requestReport (POST /reports, trigger_report, `socpulse report`) on in-memory ports: one run per identity, the
// Idempotency-Key's replay and refusals, a run that could not be started. The same over HTTP, dynalite and SES:
// test/integration/report-once.test.ts.

const config = parseConfig({
  timezone: 'Europe/London',
  fiscalYearStartMonth: 4,
  mcpServers: { sim: { kind: 'socpulse', command: 'unused' } },
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com', 'coo@example.com'], finance: ['fpa@example.com'] },
});
const runbooks = loadReportRunbooks('runbooks');
const T0 = Date.parse('2026-11-25T10:00:00Z');
const W47 = { runbook: 'weekly-kpi', period: '2026-W47', requestedBy: 'manager' };

let clock: number;
let runs: InMemoryReportRunStore;
let idempotency: InMemoryIdempotencyStore;
let started: string[];
beforeEach(() => {
  clock = T0;
  runs = new InMemoryReportRunStore();
  idempotency = new InMemoryIdempotencyStore();
  started = [];
});

/** The use case on in-memory ports; `start` is what starting a queued run does (records its id by default). */
function deps(start: (runId: string) => Promise<void> = async (id) => void started.push(id)): ReportRequestDeps {
  return { config, runbooks, runs, idempotency, trigger: { start }, now: () => new Date(clock) };
}

describe('requestReport on in-memory ports', () => {
  it('queues one run for ten identical requests at once, and starts it once', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => requestReport(deps(), W47)));
    expect(answers.filter((a) => a.queued)).toHaveLength(1);
    const runId = answers.find((a) => a.queued)!.run.runId;
    expect(new Set(answers.map((a) => a.run.runId))).toEqual(new Set([runId]));
    expect(started).toEqual([runId]);
    expect(answers.map((a) => a.resent)).toEqual(Array(10).fill(false));
    expect(answers.find((a) => a.queued)!.run).toMatchObject({
      status: 'queued',
      runKey: '2026-W47',
      trigger: 'on-demand',
      recipients: ['ciso@example.com', 'coo@example.com'],
      requestedBy: 'manager',
    });
  });

  it('replays a key used again for the same request; refuses it for another, and while the first is served', async () => {
    const first = await requestReport(deps(), { ...W47, idempotencyKey: 'k-1' });
    clock = T0 + 1_000;
    const again = await requestReport(deps(), { ...W47, idempotencyKey: 'k-1' });
    expect(again).toMatchObject({ queued: false, resent: false, run: { runId: first.run.runId } });
    expect(started).toEqual([first.run.runId]);
    const other = requestReport(deps(), { ...W47, period: '2026-W46', idempotencyKey: 'k-1' });
    await expect(other).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(other).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      field: 'Idempotency-Key',
      message: expect.stringContaining('different period'),
    });
    // Two uses of a new key at once: the second finds the first still being served.
    const both = await Promise.allSettled([
      requestReport(deps(), { ...W47, period: '2026-W45', idempotencyKey: 'k-2' }),
      requestReport(deps(), { ...W47, period: '2026-W45', idempotencyKey: 'k-2' }),
    ]);
    expect(both.map((b) => b.status)).toEqual(['fulfilled', 'rejected']);
    expect((both[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'idempotency_key_in_use' });
    expect(started).toHaveLength(2);
  });

  it('marks a run it could not start failed and forgets the key, so the same request queues it again at once', async () => {
    const down = deps(async () => {
      throw new Error('Lambda throttled');
    });
    await expect(requestReport(down, { ...W47, idempotencyKey: 'k-3' })).rejects.toThrow('Lambda throttled');
    const failed = (await runs.getScheduled('weekly-kpi', '2026-W47'))!;
    expect(failed).toMatchObject({ status: 'failed', error: 'could not be started: Lambda throttled' });
    // Within what would have been its lease: a failed run is queued again, under the same id.
    clock = T0 + 5_000;
    const retry = await requestReport(deps(), { ...W47, idempotencyKey: 'k-3' });
    expect(retry).toMatchObject({ queued: true, resent: false, run: { runId: failed.runId, status: 'queued' } });
    expect(started).toEqual([failed.runId]);
  });

  it('resends a delivered run once per key, recording who asked', async () => {
    const { run } = await runs.claim(
      {
        runId: 'r-1',
        runbook: 'weekly-kpi',
        period: '2026-W47',
        trigger: 'schedule',
        recipients: ['ciso@example.com', 'coo@example.com'],
      },
      'c',
      new Date(T0),
    );
    await runs.update(run, { status: 'delivered' });
    expect(await requestReport(deps(), W47)).toMatchObject({ queued: false, run: { status: 'delivered' } });
    clock = T0 + 60_000;
    const resend = await requestReport(deps(), { ...W47, resend: true, idempotencyKey: 'resend-1' });
    expect(resend).toMatchObject({ queued: true, resent: true, run: { runId: 'r-1', status: 'queued' } });
    expect(resend.run.resends.map((r) => [r.requestedBy, r.idempotencyKey])).toEqual([['manager', 'resend-1']]);
    const retried = await requestReport(deps(), { ...W47, resend: true, idempotencyKey: 'resend-1' });
    expect(retried).toMatchObject({ queued: false, resent: false, run: { runId: 'r-1' } });
    expect(started).toEqual(['r-1']);
  });

  it('refuses a recipient outside the audience before anything is stored', async () => {
    const outside = requestReport(deps(), { ...W47, recipients: ['mallory@evil.example'], idempotencyKey: 'k-4' });
    await expect(outside).rejects.toBeInstanceOf(ReportRequestError);
    await expect(outside).rejects.toThrow(/^recipients: not in the leadership audience: mallory@evil\.example/);
    expect(await runs.unfinished('weekly-kpi')).toEqual([]);
    // The key was never taken: its first real use is new.
    expect(await idempotency.begin('manager', 'k-4', {}, new Date(T0))).toEqual({ state: 'new' });
    expect(started).toEqual([]);
  });
});
