import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLocal } from '../../functions/cli/serve.js';
import { runQueued, runReport, type ReportDeps } from '../../shared/usecases/run-report.js';
import { loadReportRunbooks, type ReportRunbook } from '../../shared/config/runbooks.js';
import { readLocalStore, type StoredEmail } from '../../shared/local/ses.js';
import { startLocalStack, type LocalStack } from '../../shared/local/stack.js';
import { SesMailer } from '../../shared/mail/ses-mailer.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoTable } from '../../shared/store/dynamo-table.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { summaryForLabel } from '../../shared/usecases/summary-loader.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import type { BudgetSnapshotContent } from '../../shared/domain/budget-snapshot.js';
import { budgetSnapshotContent, reportTestConfig } from './helpers.js';

// Exactly once for every trigger (issue 14), against the real pieces: the local server (`start --serve`'s API and MCP
// server over HTTP), dynalite and aws-ses-v2-local, each email counted in the stand-in's /store.

// Wednesday of ISO week 2026-W48: W47 and October have ended, W48 and November have not.
const NOW = new Date('2026-11-25T10:00:00Z');
const config = reportTestConfig({
  localTokens: {
    'manager-token-0123456789': 'manager',
    'viewer-token-01234567890': 'viewer',
    'finance-token-0123456789': 'finance',
  },
});
const MANAGER = 'Bearer manager-token-0123456789';
const VIEWER = 'Bearer viewer-token-01234567890';
// A runbook written for weeks still under way: the only kind that may report on W48 today.
const toDateRunbook: ReportRunbook = {
  ...loadReportRunbooks('runbooks').find((r) => r.id === 'weekly-kpi')!,
  id: 'weekly-kpi-live',
  title: 'SOC weekly KPI (live)',
  allowToDate: true,
};

let stack: LocalStack;
let server: { url: string; close(): Promise<void> };
let deps: ReportDeps;
let runs: DynamoReportRunStore;
let budget: DynamoBudgetStore;
const pending = new Set<Promise<unknown>>();

beforeAll(async () => {
  stack = await startLocalStack({ tableName: 'once-test' });
  const table = new DynamoTable(new DynamoDBClient({}), stack.tableName);
  runs = new DynamoReportRunStore(table);
  budget = new DynamoBudgetStore(table);
  const stores = {
    snapshots: new DynamoSnapshotStore(table),
    budget,
    collections: new DynamoCollectionRunStore(table),
  };
  deps = {
    config,
    runbooks: [...loadReportRunbooks('runbooks'), toDateRunbook],
    ...stores,
    runs,
    mailer: new SesMailer(new SESv2Client({})),
    now: () => NOW,
  };
  // As `start --serve` wires it: a queued run is produced in process, as the report Lambda would produce it.
  server = await serveLocal(
    {
      config,
      runbooks: deps.runbooks,
      runs,
      idempotency: new DynamoIdempotencyStore(table),
      budget,
      summaryFor: summaryForLabel(stores, config),
      trigger: {
        start: async (runId) => {
          const job = runQueued(deps, runId);
          pending.add(job);
          void job.finally(() => pending.delete(job));
        },
      },
      now: () => NOW,
    },
    0,
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

const settle = async () => {
  while (pending.size) await Promise.allSettled([...pending]);
};
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/reports`, {
    method: 'POST',
    headers: { authorization: MANAGER, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const mails = async (subject: string): Promise<StoredEmail[]> =>
  (await readLocalStore(stack.sesEndpoint)).filter((m) => m.subject.startsWith(subject));
const perRecipient = (list: StoredEmail[]) =>
  list.reduce<Record<string, number>>((acc, m) => {
    for (const to of m.destination.to) acc[to] = (acc[to] ?? 0) + 1;
    return acc;
  }, {});

describe('POST /reports: exactly once per (runbook, period, recipient set)', () => {
  const W47 = 'SOC weekly KPI report — 2026-W47';

  it('answers 10 concurrent identical requests with one run and sends one email per recipient', async () => {
    const t0 = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post({ runbook: 'weekly-kpi', period: '2026-W47' })),
    );
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { runId: string; status: string }[];
    // One request queued the run (202); the nine others found it (200) — all with the same run id.
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(bodies.map((b) => b.runId)).size).toBe(1);
    await settle();
    const sent = await mails(W47);
    expect(perRecipient(sent)).toEqual({ 'ciso@example.com': 1, 'coo@example.com': 1 });
    const run = (await (
      await fetch(`${server.url}/reports/${bodies[0]!.runId}`, { headers: { authorization: MANAGER } })
    ).json()) as { status: string; deliveries: Record<string, { messageId: string }> };
    expect(run.status).toBe('delivered');
    expect(
      Object.values(run.deliveries)
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(sent.map((m) => m.messageId).sort());
    console.log(`10 concurrent POST /reports → ${sent.length} emails, delivered in ${Date.now() - t0} ms`);

    // A second wave, the whole audience named explicitly, and the schedule's own retry: the same run, nothing sent.
    const again = await Promise.all([
      ...Array.from({ length: 10 }, () => post({ runbook: 'weekly-kpi', period: '2026-W47' })),
      post({ runbook: 'weekly-kpi', period: '2026-W47', recipients: ['coo@example.com', 'ciso@example.com'] }),
    ]);
    expect(again.every((r) => r.status === 200)).toBe(true);
    const againIds = await Promise.all(again.map(async (r) => ((await r.json()) as { runId: string }).runId));
    expect(new Set(againIds)).toEqual(new Set([bodies[0]!.runId]));
    const scheduled = await runReport(deps, { runbook: 'weekly-kpi', period: '2026-W47', trigger: 'schedule' });
    expect(scheduled).toMatchObject({ outcome: 'already-delivered', runId: bodies[0]!.runId });
    await settle();
    expect(await mails(W47)).toHaveLength(2);
  }, 60_000);

  it('sends a subset of the audience as its own request, once', async () => {
    const subset = await Promise.all(
      Array.from({ length: 5 }, () =>
        post({ runbook: 'weekly-kpi', period: '2026-W47', recipients: ['ciso@example.com'] }),
      ),
    );
    const ids = await Promise.all(subset.map(async (r) => ((await r.json()) as { runId: string }).runId));
    expect(new Set(ids).size).toBe(1);
    await settle();
    expect(perRecipient(await mails(W47))).toEqual({ 'ciso@example.com': 2, 'coo@example.com': 1 });
  }, 60_000);

  it('resends only when a manager asks, once per request, and records who asked', async () => {
    // A viewer (or finance) may not resend: 403 before anything is stored.
    const denied = await fetch(`${server.url}/reports`, {
      method: 'POST',
      headers: { authorization: VIEWER, 'content-type': 'application/json' },
      body: JSON.stringify({ runbook: 'weekly-kpi', period: '2026-W47', resend: true }),
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const before = (await mails(W47)).length;

    const key = { 'idempotency-key': 'resend-w47-0001' };
    const first = await post({ runbook: 'weekly-kpi', period: '2026-W47', resend: true }, key);
    expect(first.status).toBe(202);
    const run = (await first.json()) as { runId: string; status: string };
    await settle();
    // The client retries its resend (a lost response): the key makes it the same request, nothing more is sent.
    const retried = await post({ runbook: 'weekly-kpi', period: '2026-W47', resend: true }, key);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { runId: string }).runId).toBe(run.runId);
    await settle();
    const after = await mails(W47);
    expect(after.length - before).toBe(2); // once more to each of the two recipients
    const stored = (await (
      await fetch(`${server.url}/reports/${run.runId}`, { headers: { authorization: MANAGER } })
    ).json()) as { status: string; resends: { requestedBy: string; previousDeliveries: object }[] };
    expect(stored.status).toBe('delivered');
    expect(stored.resends).toHaveLength(1);
    expect(stored.resends[0]!.requestedBy).toBe('local-token:manager');
    expect(Object.keys(stored.resends[0]!.previousDeliveries).sort()).toEqual(['ciso@example.com', 'coo@example.com']);
  }, 60_000);
});

describe('Idempotency-Key on POST /reports and trigger_report', () => {
  it('returns the same run for the same key and body, and 409 naming the difference for another body', async () => {
    const key = { 'idempotency-key': '7f1c5a0e-2b7d-4c59-9d55-0d3c6f1e8a11' };
    const a = await post({ runbook: 'weekly-kpi', period: '2026-W46' }, key);
    expect(a.status).toBe(202);
    const runId = ((await a.json()) as { runId: string }).runId;
    const b = await post({ runbook: 'weekly-kpi', period: '2026-W46' }, key);
    expect(b.status).toBe(200);
    expect(((await b.json()) as { runId: string }).runId).toBe(runId);
    const c = await post({ runbook: 'weekly-kpi', period: '2026-W45' }, key);
    expect(c.status).toBe(409);
    expect(await c.json()).toEqual({
      error: {
        code: 'idempotency_key_reused',
        message: expect.stringMatching(/different period/),
        field: 'Idempotency-Key',
      },
    });
    // The draft standard's quoted form is the same key.
    const d = await post(
      { runbook: 'weekly-kpi', period: '2026-W46' },
      { 'idempotency-key': `"${key['idempotency-key']}"` },
    );
    expect(((await d.json()) as { runId: string }).runId).toBe(runId);
    // Nothing was queued for W45 by the refused request.
    expect((await runs.list('weekly-kpi')).map((r) => r.period)).not.toContain('2026-W45');
    const bad = await post({ runbook: 'weekly-kpi', period: '2026-W45' }, { 'idempotency-key': 'x'.repeat(300) });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { field: string; message: string } };
    expect(badBody.error.field).toBe('Idempotency-Key');
    expect(badBody.error.message).not.toContain('x'.repeat(300));
    await settle();
    expect(perRecipient(await mails('SOC weekly KPI report — 2026-W46'))).toEqual({
      'ciso@example.com': 1,
      'coo@example.com': 1,
    });
  }, 60_000);

  it('gives trigger_report the same run as POST /reports, and honours its idempotencyKey', async () => {
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: MANAGER } },
      }),
    );
    try {
      const viaApi = (await (await post({ runbook: 'weekly-kpi', period: '2026-W46' })).json()) as { runId: string };
      const calls = await Promise.all(
        Array.from({ length: 5 }, () =>
          client.callTool({ name: 'trigger_report', arguments: { runbook: 'weekly-kpi', period: '2026-W46' } }),
        ),
      );
      for (const r of calls)
        expect(r.structuredContent).toMatchObject({ runId: viaApi.runId, status: 'delivered', queued: false });
      const k1 = await client.callTool({
        name: 'trigger_report',
        arguments: { runbook: 'weekly-kpi', period: '2026-W44', idempotencyKey: 'agent-1' },
      });
      const k2 = await client.callTool({
        name: 'trigger_report',
        arguments: { runbook: 'weekly-kpi', period: '2026-W43', idempotencyKey: 'agent-1' },
      });
      expect(k2.isError).toBe(true);
      expect(JSON.stringify(k2.content)).toMatch(/Idempotency-Key: .*different period/);
      const k3 = await client.callTool({
        name: 'trigger_report',
        arguments: { runbook: 'weekly-kpi', period: '2026-W44', idempotencyKey: 'agent-1' },
      });
      expect((k3.structuredContent as { runId: string }).runId).toBe((k1.structuredContent as { runId: string }).runId);
      await settle();
      expect(await mails('SOC weekly KPI report — 2026-W46')).toHaveLength(2);
      expect(await mails('SOC weekly KPI report — 2026-W44')).toHaveLength(2);
      expect(await mails('SOC weekly KPI report — 2026-W43')).toHaveLength(0);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('report period rules', () => {
  const refused = async (body: Record<string, unknown>) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    return ((await res.json()) as { error: { field: string; message: string } }).error;
  };

  it('takes only the period kinds a runbook is written for, and only ended periods', async () => {
    const before = (await runs.list('weekly-kpi', 100)).length;
    expect(await refused({ runbook: 'weekly-kpi', period: '2026-05' })).toEqual({
      code: 'invalid_period',
      field: 'period',
      message: 'period: weekly-kpi reports on an ISO week such as 2026-W47; "2026-05" is a month',
    });
    expect((await refused({ runbook: 'weekly-kpi', period: 'FY2027' })).message).toMatch(/"FY2027" is a fiscal year/);
    expect((await refused({ runbook: 'monthly-budget', period: '2026-W40' })).message).toMatch(
      /monthly-budget reports on a month such as 2026-11/,
    );
    // The week under way, the month under way, and a week that has not begun.
    expect((await refused({ runbook: 'weekly-kpi', period: '2026-W48' })).message).toMatch(
      /2026-W48 has not ended yet \(it ends 2026-11-30T00:00:00\+00:00\); weekly-kpi reports on complete periods only/,
    );
    expect((await refused({ runbook: 'monthly-budget', period: '2026-11' })).message).toMatch(/has not ended yet/);
    expect((await refused({ runbook: 'weekly-kpi', period: '2030-W10' })).message).toMatch(
      /2030-W10 has not started yet/,
    );
    expect((await refused({ runbook: 'weekly-kpi-live', period: '2030-W10' })).field).toBe('period');
    // Refused before anything is stored; the server is still up.
    expect((await runs.list('weekly-kpi', 100)).length).toBe(before);
    expect((await fetch(`${server.url}/kpis?period=2026-W47`, { headers: { authorization: MANAGER } })).status).toBe(
      200,
    );
  });

  it('lets a runbook with allowToDate report on the period under way, and says "to date"', async () => {
    const res = await post({ runbook: 'weekly-kpi-live', period: '2026-W48' });
    expect(res.status).toBe(202);
    await settle();
    const sent = await mails('SOC weekly KPI (live) — 2026-W48 to date');
    expect(sent.map((m) => m.destination.to[0]).sort()).toEqual(['ciso@example.com', 'coo@example.com']);
    expect(sent[0]!.body.text).toContain('2026-W48 to date');
  }, 60_000);
});

describe('budget snapshots: a new version only when the content changes', () => {
  // The stored shape (shared/domain/budget-snapshot.ts) reduced to what the comparison reads: lines and totals.
  const content = (amount: string) =>
    budgetSnapshotContent({
      month: '2026-09',
      asOf: NOW.toISOString(),
      lines: [
        {
          category: 'tooling',
          plan: '100.00',
          actual: amount,
          variance: null,
          variancePct: null,
          forecast: null,
          flagged: false,
          estimated: false,
        },
      ],
      totals: { ...budgetSnapshotContent().totals, plan: '100.00', actual: amount },
    });
  const same = (c: ReturnType<typeof content>) => (latest: BudgetSnapshotContent) =>
    JSON.stringify(latest.lines) === JSON.stringify(c.lines) &&
    JSON.stringify(latest.totals) === JSON.stringify(c.totals);

  it('makes one version of identical content written concurrently, and a new one for new content', async () => {
    const a = content('90.00');
    const written = await Promise.all(Array.from({ length: 6 }, () => budget.addSnapshot(a, same(a))));
    expect(new Set(written.map((s) => s.snapshotId))).toEqual(new Set(['FY2027-2026-09-v1']));
    const b = content('95.00');
    const next = await Promise.all(Array.from({ length: 6 }, () => budget.addSnapshot(b, same(b))));
    expect(new Set(next.map((s) => s.snapshotId))).toEqual(new Set(['FY2027-2026-09-v2']));
    const stored = await budget.snapshots('FY2027', '2026-09');
    expect(stored.map((s) => s.version)).toEqual([1, 2]);
    expect(JSON.stringify(stored[0]!.lines)).toBe(JSON.stringify(a.lines));
  });

  it('keeps one version when two budget reports for the same month run at once', async () => {
    await budget.importPlan(demoBudgetPlan('FY2027', 4, 'EUR'), 'plan-once', NOW.toISOString());
    // Two identities (finance alone, leadership alone) so both really run and both store the snapshot.
    const [x, y] = await Promise.all([
      runReport(deps, {
        runbook: 'monthly-budget',
        period: '2026-10',
        trigger: 'on-demand',
        recipients: ['fpa@example.com'],
      }),
      runReport(deps, {
        runbook: 'monthly-budget',
        period: '2026-10',
        trigger: 'on-demand',
        recipients: ['ciso@example.com'],
      }),
    ]);
    expect([x.outcome, y.outcome]).toEqual(['delivered', 'delivered']);
    expect((await budget.snapshots('FY2027', '2026-10')).map((s) => s.snapshotId)).toEqual(['FY2027-2026-10-v1']);
  }, 60_000);
});
