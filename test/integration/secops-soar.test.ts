// The secops-soar adapter against independent fake servers in both public forms (test/fakes/secops-soar-*.ts), over
// the real MCP client and server: in memory here, Streamable HTTP through `socpulse export` below.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it, vi } from 'vitest';
import type { McpServerConfig } from '../../shared/config/config.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { fakeSoarLocal, LOCAL_CASES, serveHttp, type FakeCalls } from '../fakes/secops-soar-local.js';
import { fakeSoarRemote, REMOTE_CASES, TENANT } from '../fakes/secops-soar-remote.js';
import { runCli } from '../cli-run.js';

type Rec = Record<string, unknown>;
// Real servers and clients in memory: quick alone, but the machine may be shared.
vi.setConfig({ testTimeout: 30_000 });
const WINDOW = { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-09T00:00:00Z') };

async function readAll(server: McpServer, extra: Partial<McpServerConfig> = {}) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  const reader = await openSource('soar', { kind: 'secops-soar', command: 'unused', ...extra } as McpServerConfig, {
    secrets: new EnvSecretResolver({}),
    transport: client,
    limits: { backoffMs: 1 },
  });
  const out: { cases: Rec[]; alerts: Rec[] } = { cases: [], alerts: [] };
  try {
    for await (const b of reader.read(WINDOW)) out[b.family as 'cases' | 'alerts'].push(...(b.records as Rec[]));
  } finally {
    await reader.close();
  }
  return { ...out, summary: reader.summary() };
}
const byId = (list: Rec[]) => new Map(list.map((r) => [r.id as string, r]));

describe('secops-soar, local form (google/mcp-security open-source server)', () => {
  it('pages unfiltered cases and their alerts, keeps the window, and maps every field it can', async () => {
    const calls: FakeCalls = {};
    const { cases, alerts, summary } = await readAll(
      fakeSoarLocal({ failListTimes: 1, failAlertsPartTimes: 2 }, calls),
    );
    // Every case overlapping the window once (4090 was created before it and closed in it); 4001 is outside it.
    expect(cases.map((c) => c.id).sort()).toEqual(['4090', '4103', '4104', '4105', '4106', '4107']);
    const c = byId(cases);
    expect(c.get('4107')).toEqual({
      id: '4107',
      source: 'soar',
      title: 'Phishing link clicked by finance user',
      severity: 'high',
      createdAt: '2026-11-06T14:05:00.000Z',
      // The latest closingTimeMs of its alerts, not the later updateTime.
      closedAt: '2026-11-06T16:30:00.000Z',
      assignee: 'j.brennan@example.com',
      rule: 'Phishing URL clicked',
    });
    expect(c.get('4106')).toMatchObject({ severity: 'critical', createdAt: '2026-11-05T09:12:00.000Z' });
    expect(c.get('4106')).not.toHaveProperty('closedAt');
    expect(c.get('4104')).toMatchObject({ severity: 'info' });
    expect(c.get('4103')).toMatchObject({ severity: 'low', closedAt: '2026-11-02T12:45:00.000Z' });
    // No closingTimeMs on its alert: the case's updateTime, said to be an upper bound.
    expect(c.get('4105')).toMatchObject({ severity: 'medium', closedAt: '2026-11-07T08:00:00.000Z' });
    expect(summary.notes.join('\n')).toMatch(/closedAt of 1 closed cases is their updateTime .*upper bound/);
    for (const k of cases) expect(k).not.toHaveProperty('acknowledgedAt');
    // Of the optional case fields only rule, disposition and assignee are mapped: the figures of the others are not
    // available (domain/case-figures.ts).
    const not = 'not available from SecOps SOAR';
    expect(summary.unavailable).toEqual({
      ttd: not,
      tta: not,
      'sla.acknowledge': not,
      ttc: not,
      escalationRate: not,
      runbooks: not,
      'staffing.casesPerAnalystHour': not,
      'staffing.aht': not,
      'staffing.utilization': not,
    });

    // Every alert once, 4107's three over two pages (get_case_full_details, then list_alerts_by_case).
    expect(alerts).toHaveLength(9);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(9);
    const a = byId(alerts);
    expect(a.get('CREDENTIAL_SUBMITTED_TO_LOOKALIKE_DOMAIN_4107-2')).toEqual({
      id: 'CREDENTIAL_SUBMITTED_TO_LOOKALIKE_DOMAIN_4107-2',
      source: 'soar',
      rule: 'Credential submitted to lookalike domain',
      severity: 'critical',
      createdAt: '2026-11-06T14:20:00.000Z',
      caseId: '4107',
      disposition: 'true_positive',
      product: 'Chronicle SIEM',
    });
    expect(a.get('IMPOSSIBLE_TRAVEL_SIGN_IN_4106-1')).toMatchObject({
      severity: 'critical',
      sla: { expirationTime: '2026-11-05T09:41:00.000Z', expirationStatus: 'PASSED_DUE' },
    });
    expect(a.get('IMPOSSIBLE_TRAVEL_SIGN_IN_4106-1')).not.toHaveProperty('disposition');
    expect(a.get('AV_UPDATE_FAILURE_4104-1')).toMatchObject({ severity: 'info' });
    expect(a.get('BRUTE_FORCE_AGAINST_VPN_4103-2')).toMatchObject({ disposition: 'benign_positive' });
    expect(a.get('NEW_ADMIN_ACCOUNT_CREATED_4090-1')).toMatchObject({ disposition: 'undetermined' });
    expect(a.get('OUTBOUND_TRAFFIC_TO_TOR_4105-1')).toMatchObject({ disposition: 'false_positive' });

    // The failed list page (no content) and the two details that lost their alerts part were retried, not skipped.
    expect(calls.list_cases).toBe(1 + Math.ceil(LOCAL_CASES.length / 3));
    expect(calls.get_case_full_details).toBe(6 + 2);
    expect(calls.list_alerts_by_case).toBe(1);
    expect(summary.rejects.count).toBe(0);
  });

  it('rejects what it cannot map with a sample, and keeps the rest', async () => {
    const cases = [
      { ...LOCAL_CASES[0], priority: 'PriorityUnspecified' },
      ...LOCAL_CASES.slice(1, 3),
      { ...LOCAL_CASES[3], status: 'Archived' },
    ];
    const { cases: got, summary } = await readAll(fakeSoarLocal({ cases }));
    expect(got.map((c) => c.id).sort()).toEqual(['4105', '4106']);
    expect(summary.rejects.count).toBe(2);
    expect(summary.rejects.samples.map((s) => s.reason)).toEqual([
      'case 4107: priority "PriorityUnspecified" has no severity',
      'case 4104: status "Archived" is not one SecOps SOAR defines',
    ]);
    expect(summary.rejects.samples[0]!.record).toContain('"id":4107');
  });

  it('fails loudly when a page has cases in the window and none maps', async () => {
    const cases = LOCAL_CASES.slice(0, 3).map((c) => ({ ...c, priority: 'PriorityUnspecified' }));
    await expect(readAll(fakeSoarLocal({ cases }))).rejects.toThrow(
      /soar: list_cases page 1: none of its 3 cases in the window could be read, nor any before it \(e\.g\. case \d+: priority "PriorityUnspecified" has no severity\)/,
    );
  });
});

describe('secops-soar, remote form (Google-hosted, v1alpha shapes)', () => {
  for (const spelling of ['snake', 'camel'] as const) {
    it(`reads every case and alert once with disposition, skipping merged cases (${spelling}_case arguments)`, async () => {
      const calls: FakeCalls = {};
      const toolArgs =
        spelling === 'snake'
          ? TENANT
          : { projectId: TENANT.project_id, customerId: TENANT.customer_id, region: TENANT.region };
      const { cases, alerts, summary } = await readAll(fakeSoarRemote({ spelling, maxPage: 2 }, calls), {
        toolArgs,
      });
      expect(cases.map((c) => c.id).sort()).toEqual(['1201', '1202', '1203', '1204', '1205', '1207']);
      const c = byId(cases);
      expect(c.get('1207')).toEqual({
        id: '1207',
        source: 'soar',
        title: 'Ransomware precursor on LAP-2231',
        severity: 'critical',
        createdAt: '2026-11-06T08:00:00.000Z',
        closedAt: '2026-11-06T11:45:00.000Z',
        disposition: 'true_positive',
        assignee: 'n.adeyemi@example.com',
        rule: 'Shadow copy deletion',
        sla: { expirationTime: '2026-11-06T12:00:00.000Z', expirationStatus: 'OPEN_SLA' },
      });
      expect(c.get('1205')).toMatchObject({ severity: 'high', disposition: 'false_positive' });
      expect(c.get('1202')).toMatchObject({
        severity: 'info',
        disposition: 'benign_positive',
        closedAt: '2026-11-03T02:00:00.000Z',
      });
      expect(c.get('1201')).toMatchObject({ disposition: 'undetermined', closedAt: '2026-11-02T22:55:00.000Z' });
      // CREATION_PENDING and OPENED are open; an open case has no disposition.
      for (const id of ['1203', '1204']) {
        expect(c.get(id)).not.toHaveProperty('closedAt');
        expect(c.get(id)).not.toHaveProperty('disposition');
      }
      expect(summary.notes.join('\n')).toMatch(/1 merged cases skipped: each is a duplicate of the case it was merged/);

      expect(alerts).toHaveLength(9);
      expect(new Set(alerts.map((a) => a.id)).size).toBe(9);
      expect(alerts.filter((a) => a.caseId === '1201')).toHaveLength(3);
      expect(byId(alerts).get('SHADOW COPY DELETION_1207-1')).toEqual({
        id: 'SHADOW COPY DELETION_1207-1',
        source: 'soar',
        rule: 'Shadow copy deletion',
        severity: 'critical',
        createdAt: '2026-11-06T07:59:00.000Z',
        caseId: '1207',
        disposition: 'true_positive',
        product: 'CrowdStrike Falcon',
        sla: { expirationTime: '2026-11-06T09:00:00.000Z', expirationStatus: 'OPEN_SLA' },
      });
      // list_cases drops closureDetails unexpanded: each closed case was asked for once more; the merged one never.
      expect(calls.get_case).toBe(4);
      expect(calls.list_cases).toBe(Math.ceil(REMOTE_CASES.length / 2));
      expect(calls.list_case_alerts).toBe(7);
      expect(summary.rejects.count).toBe(0);
    });
  }

  it('rejects a case whose name carries no id and one with an unspecified priority', async () => {
    const cases = [
      ...REMOTE_CASES.slice(0, 1),
      { ...REMOTE_CASES[3], name: String(REMOTE_CASES[3]!.name).replace(/\/1204$/, '') },
      { ...REMOTE_CASES[2], priority: 'PRIORITY_UNSPECIFIED' },
    ];
    const { cases: got, summary } = await readAll(fakeSoarRemote({ cases }), { toolArgs: TENANT });
    expect(got.map((c) => c.id)).toEqual(['1207']);
    expect(summary.rejects.samples.map((s) => s.reason)).toEqual([
      'no case id: neither "id" nor a "name" ending in /cases/<id>',
      'case 1205: priority "PRIORITY_UNSPECIFIED" has no severity',
    ]);
  });
});

const cli = (...args: string[]) => runCli(args);
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);

describe('socpulse export against SecOps SOAR servers over Streamable HTTP', () => {
  async function exportFrom(server: { url: string }, extra: Rec = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-soar-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        timezone: 'UTC',
        sender: 'socpulse@example.com',
        mcpServers: { soar: { kind: 'secops-soar', url: server.url, ...extra } },
      }),
    );
    const r = await cli(
      'export',
      '--from',
      '2026-11-02',
      '--to',
      '2026-11-08',
      '--out',
      join(dir, 'out'),
      '--config',
      config,
    );
    return { ...r, out: join(dir, 'out') };
  }

  it('local form: every case and alert once, with severity, creation instant and closed state', async () => {
    const calls: FakeCalls = {};
    const http = await serveHttp(() => fakeSoarLocal({ failListTimes: 1 }, calls));
    try {
      const r = await exportFrom(http);
      expect(r.stderr).toMatch(/export soar: ok; 6 cases, 9 alerts; 0 rejected\n {2}note: /);
      expect(r.code).toBe(0);
      const cases = lines(join(r.out, 'cases.jsonl'));
      expect(cases.map((c) => [c.id, c.severity, c.createdAt, c.closedAt ?? null]).sort()).toEqual([
        ['4090', 'medium', '2026-10-28T10:00:00.000Z', '2026-11-03T09:55:00.000Z'],
        ['4103', 'low', '2026-11-02T11:00:00.000Z', '2026-11-02T12:45:00.000Z'],
        ['4104', 'info', '2026-11-03T03:00:00.000Z', null],
        ['4105', 'medium', '2026-11-04T22:50:00.000Z', '2026-11-07T08:00:00.000Z'],
        ['4106', 'critical', '2026-11-05T09:12:00.000Z', null],
        ['4107', 'high', '2026-11-06T14:05:00.000Z', '2026-11-06T16:30:00.000Z'],
      ]);
      const alerts = lines(join(r.out, 'alerts.jsonl'));
      expect(alerts).toHaveLength(9);
      expect(new Set(alerts.map((a) => a.id)).size).toBe(9);
      // The list page that failed upstream was asked for again.
      expect(calls.list_cases).toBe(1 + Math.ceil(LOCAL_CASES.length / 3));
    } finally {
      await http.close();
    }
  }, 60_000);

  it('remote form: every case and alert once, with disposition, merged cases skipped', async () => {
    const http = await serveHttp(() => fakeSoarRemote({ maxPage: 2 }));
    try {
      const r = await exportFrom(http, { toolArgs: TENANT });
      expect(r.stderr).toMatch(/export soar: ok; 6 cases, 9 alerts; 0 rejected\n {2}note: /);
      expect(r.code).toBe(0);
      const cases = lines(join(r.out, 'cases.jsonl'));
      expect(
        cases.map((c) => [c.id, c.severity, c.createdAt, c.closedAt ?? null, c.disposition ?? null]).sort(),
      ).toEqual([
        ['1201', 'medium', '2026-11-02T20:00:00.000Z', '2026-11-02T22:55:00.000Z', 'undetermined'],
        ['1202', 'info', '2026-11-03T01:00:00.000Z', '2026-11-03T02:00:00.000Z', 'benign_positive'],
        ['1203', 'low', '2026-11-04T09:00:00.000Z', null, null],
        ['1204', 'medium', '2026-11-04T10:00:00.000Z', null, null],
        ['1205', 'high', '2026-11-05T15:00:00.000Z', '2026-11-05T17:30:00.000Z', 'false_positive'],
        ['1207', 'critical', '2026-11-06T08:00:00.000Z', '2026-11-06T11:45:00.000Z', 'true_positive'],
      ]);
      const alerts = lines(join(r.out, 'alerts.jsonl'));
      expect(alerts).toHaveLength(9);
      expect(alerts.filter((a) => a.disposition === 'true_positive').map((a) => a.caseId)).toEqual(['1207', '1207']);
    } finally {
      await http.close();
    }
  }, 60_000);

  it('a source where nothing maps fails: exit 1 with the reason on stderr, not "0 cases"', async () => {
    const cases = REMOTE_CASES.map((c) => ({ ...c, priority: 'PRIORITY_UNSPECIFIED' }));
    const http = await serveHttp(() => fakeSoarRemote({ cases }));
    try {
      const r = await exportFrom(http, { toolArgs: TENANT });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /export soar: failed; nothing; 2 rejected \(cases 2\)\n(.*\n)* {2}error: soar: list_cases page 1: none of its 2 cases in the window could be read, nor any before it \(e\.g\. case 1205: priority "PRIORITY_UNSPECIFIED" has no severity\)/,
      );
      expect(r.stderr).not.toMatch(/0 cases/);
    } finally {
      await http.close();
    }
  }, 60_000);
});
