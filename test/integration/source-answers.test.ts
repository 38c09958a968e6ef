// Issue 23, "Sources": answers in shapes the vendors' own code gives (FastMCP's {"result": …} wrapper, a list under
// another key, an answer cut at the size asked, a reopened case, a null service, a permanent on-call), read through
// the real MCP client and server (in memory, and Streamable HTTP for SOAR and export). Each test fails on the old
// behaviour: a wrapped or renamed list read as empty, a cut answer taken as whole, a first closing kept, things unsaid.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { McpServerConfig } from '../../shared/config/config.js';
import type { ToolAnswer } from '../../shared/sources/mcp-client.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { exportCanonical } from '../../shared/usecases/export-canonical.js';
import { outcomeStatus } from '../../shared/usecases/source-status.js';
import { fakeAwsBilling, fakePagerDuty, fakeSiem, fakeVantage } from '../fakes/mcp-servers.js';
import { fakeSoarLocal, LOCAL_ALERTS, LOCAL_CASES, serveHttp } from '../fakes/secops-soar-local.js';

type Raw = Record<string, unknown>;
vi.setConfig({ testTimeout: 30_000 });
const WEEK = { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-09T00:00:00Z') };
const ms = (iso: string) => Date.parse(iso);

async function read(
  kind: McpServerConfig['kind'],
  server: McpServer,
  window = WEEK,
  options?: McpServerConfig['options'],
) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  const answers: ToolAnswer[] = [];
  const reader = await openSource(
    kind,
    { kind, command: 'unused', ...(options ? { options } : {}) },
    {
      secrets: new EnvSecretResolver({}),
      transport: client,
      limits: { backoffMs: 1, retries: 1 },
      observe: (a) => answers.push(a),
    },
  );
  const out: Record<string, Raw[]> = {};
  try {
    for await (const b of reader.read(window)) (out[b.family] ??= []).push(...(b.records as Raw[]));
  } finally {
    await reader.close();
  }
  return { out, summary: reader.summary(), answers };
}
const ids = (list: Raw[] | undefined) => (list ?? []).map((r) => r.id as string).sort();

// The six cases of LOCAL_CASES that overlap WEEK (4001 is older), and their alerts.
const WEEK_CASES = ['4090', '4103', '4104', '4105', '4106', '4107'];
const WEEK_ALERTS = WEEK_CASES.reduce((n, id) => n + (LOCAL_ALERTS[id]?.length ?? 0), 0);

describe('FastMCP\'s {"result": …} wrapper is taken off, as func_metadata decides it', () => {
  it('secops-soar local form, one annotation away (Dict[str, Any]): every case and alert, as from its plain answers', async () => {
    const plain = await read('secops-soar', fakeSoarLocal());
    const wrapped = await read('secops-soar', fakeSoarLocal({ returns: 'Dict[str, Any]' }));
    expect(ids(wrapped.out.cases)).toEqual(WEEK_CASES);
    expect(wrapped.out.alerts).toHaveLength(WEEK_ALERTS);
    expect(wrapped.out).toEqual(plain.out);
    expect(new Set(wrapped.answers.map((a) => a.form))).toEqual(new Set(['wrapped']));
    expect(new Set(plain.answers.map((a) => a.form))).toEqual(new Set(['text']));
  });

  it('secops-soar over Streamable HTTP with wrapped answers: every case of the window', async () => {
    const http = await serveHttp(() => fakeSoarLocal({ returns: 'Dict[str, Any]' }));
    try {
      const reader = await openSource(
        'soar',
        { kind: 'secops-soar', url: http.url },
        { secrets: new EnvSecretResolver({}), limits: { backoffMs: 1 } },
      );
      const cases: Raw[] = [];
      for await (const b of reader.read(WEEK)) if (b.family === 'cases') cases.push(...(b.records as Raw[]));
      await reader.close();
      expect(ids(cases)).toEqual(WEEK_CASES);
    } finally {
      await http.close();
    }
  });

  it('secops-siem (its real Dict[str, Any] annotation) and a standalone-fastmcp marker: every alert', async () => {
    const rules = { ru_1: { name: 'Brute force', severity: 'HIGH' } };
    const alerts = ['01', '02', '03'].map((d) => ({ ruleId: 'ru_1', id: `de_${d}`, at: `2026-11-${d}T10:00:00Z` }));
    for (const returns of ['Dict[str, Any]', 'fastmcp-wrapped'] as const) {
      const { out, answers } = await read('secops-siem', fakeSiem({ rules, alerts, returns }), {
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-11-04T00:00:00Z'),
      });
      expect(ids(out.alerts)).toEqual(['de_01', 'de_02', 'de_03']);
      expect(answers.map((a) => a.form)).toEqual(['wrapped']);
    }
  });

  it('a legitimate answer whose one key is "result" is read as it is (an object model titled by its class)', async () => {
    const server = new McpServer({ name: 'py', version: '0' });
    const body = { result: { items: [1, 2] } };
    server.registerTool(
      'lookup',
      {
        inputSchema: {},
        outputSchema: z.object({ result: z.object({ items: z.array(z.number()) }) }).meta({ title: 'LookupAnswer' }),
      },
      async () => ({ structuredContent: body, content: [{ type: 'text' as const, text: JSON.stringify(body) }] }),
    );
    const [client, srv] = InMemoryTransport.createLinkedPair();
    await server.connect(srv);
    const { SourceClient } = await import('../../shared/sources/mcp-client.js');
    const c = await SourceClient.connect('py', { transport: client });
    await c.requireTools(['lookup']);
    expect(await c.call('lookup', {})).toEqual(body);
    await c.close();
  });

  it('structured content and text that disagree fail the read, naming the tool', async () => {
    const server = new McpServer({ name: 'SecOps SOAR', version: '0' });
    const one = { ...LOCAL_CASES[0] };
    for (const tool of ['get_case_full_details', 'list_alerts_by_case'])
      server.registerTool(tool, { inputSchema: { case_id: z.string() } }, async () => ({ content: [] }));
    server.registerTool('list_cases', { inputSchema: { next_page_token: z.string().optional() } }, async () => ({
      structuredContent: { cases: [one] },
      content: [{ type: 'text' as const, text: JSON.stringify({ cases: [one, LOCAL_CASES[1]] }) }],
    }));
    await expect(read('secops-soar', server)).rejects.toThrow(
      /list_cases answered structured content and text that disagree/,
    );
  });
});

describe('fail closed: an absent list key names the tool, the key expected and the keys found', () => {
  it('secops-soar: cases under another key', async () => {
    const server = fakeSoarLocal({
      rewrite: (tool, { cases, ...rest }) => (tool === 'list_cases' ? { items: cases, ...rest } : { cases, ...rest }),
    });
    await expect(read('secops-soar', server)).rejects.toThrow(
      /secops-soar: list_cases answered without "cases" \(keys found: items, nextPageToken\)/,
    );
  });

  it('secops-soar: alerts under another key (was: 0 alerts, every case without its rule, "ok")', async () => {
    const renamed = ({ caseAlerts, ...rest }: Raw) => ({ alerts: caseAlerts, ...rest });
    const server = fakeSoarLocal({
      rewrite: (tool, body) =>
        tool === 'get_case_full_details' && body.case_alerts
          ? { ...body, case_alerts: renamed(body.case_alerts as Raw) }
          : tool === 'list_alerts_by_case'
            ? renamed(body)
            : body,
    });
    await expect(read('secops-soar', server)).rejects.toThrow(
      /get_case_full_details\(\d+\) answered without "case_alerts.caseAlerts" \(keys found in case_alerts: alerts/,
    );
  });

  it('secops-siem: no ruleAlerts, or a rule group without alerts', async () => {
    const rules = { ru_1: { name: 'Brute force', severity: 'HIGH' } };
    const alerts = [{ ruleId: 'ru_1', id: 'de_1', at: '2026-11-02T10:00:00Z' }];
    await expect(
      read(
        'secops-siem',
        fakeSiem({ rules, alerts, rewrite: ({ ruleAlerts, ...rest }) => ({ detections: ruleAlerts, ...rest }) }),
      ),
    ).rejects.toThrow(/search_rule_alerts answered without "ruleAlerts" \(keys found: detections, tooManyAlerts\)/);
    await expect(
      read(
        'secops-siem',
        fakeSiem({
          rules,
          alerts,
          rewrite: (b) => ({
            ...b,
            ruleAlerts: (b.ruleAlerts as Raw[]).map(({ alerts: a, ...g }) => ({ ...g, detections: a })),
          }),
        }),
      ),
    ).rejects.toThrow(
      /answered without "ruleAlerts\[0\].alerts" \(keys found in ruleAlerts\[0\]: ruleMetadata, detections\)/,
    );
  });

  it('pagerduty: on-calls under another key fail; an explicit empty response is zero shifts', async () => {
    const oncall = {
      escalation_policy: { id: 'PEP1' },
      escalation_level: 1,
      schedule: { id: 'PS1' },
      user: { id: 'PU1', summary: 'ana' },
      start: '2026-11-02T08:00:00Z',
      end: '2026-11-02T16:00:00Z',
    };
    await expect(
      read(
        'pagerduty',
        fakePagerDuty([oncall], undefined, ({ response, ...rest }) => ({ oncalls: response, ...rest })),
      ),
    ).rejects.toThrow(/list_oncalls answered without "response" \(keys found: oncalls, response_summary\)/);
    const empty = await read('pagerduty', fakePagerDuty([]));
    expect(empty.out.shifts).toEqual([]);
  });

  it('cost (Vantage): no costs list, or no pagination to say whether the page was the last', async () => {
    const rows = [{ accrued_at: '2026-10-03', provider: 'aws', service: 'AmazonEC2', amount: '10.00' }];
    const options = { vantage: { workspaceToken: 'wrkspc_test' } };
    const month = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    await expect(
      read('cost', fakeVantage({ rows, rewrite: ({ costs, ...rest }) => ({ data: costs, ...rest }) }), month, options),
    ).rejects.toThrow(/query-costs answered without "costs" \(keys found: data, total_cost, notes, pagination\)/);
    await expect(
      read('cost', fakeVantage({ rows, rewrite: ({ pagination: _p, ...rest }) => rest }), month, options),
    ).rejects.toThrow(/query-costs answered without "pagination" .*cannot tell whether page 1 was the last/);
  });

  it('cost (AWS billing): no ResultsByTime, or a month without Groups', async () => {
    const lines = [{ month: '2026-10', service: 'Amazon GuardDuty', amount: '120.00' }];
    const month = { from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') };
    await expect(
      read('cost', fakeAwsBilling({ lines, rewrite: (b) => ({ ...b, data: { Results: [] } }) }), month),
    ).rejects.toThrow(
      /cost-explorer \(2026-10\) answered without "data.ResultsByTime" \(keys found in data: Results\)/,
    );
    const noGroups = (b: Raw) => {
      const data = b.data as Raw;
      return { ...b, data: { ...data, ResultsByTime: (data.ResultsByTime as Raw[]).map(({ Groups: _g, ...r }) => r) } };
    };
    await expect(read('cost', fakeAwsBilling({ lines, rewrite: noGroups }), month)).rejects.toThrow(
      /answered without "data.ResultsByTime\[0\].Groups" \(keys found in data.ResultsByTime\[0\]: TimePeriod, Total, Estimated\)/,
    );
  });

  it('socpulse: a list tool that answers without items', async () => {
    const server = new McpServer({ name: 'native', version: '0' });
    server.registerTool(
      'list_cases',
      { inputSchema: { from: z.string(), to: z.string(), cursor: z.string().optional() } },
      async () => ({ content: [{ type: 'text' as const, text: JSON.stringify({ cases: [] }) }] }),
    );
    await expect(read('socpulse', server)).rejects.toThrow(/list_cases answered without "items" \(keys found: cases\)/);
  });
});

describe('caps: an answer as large as the size asked is read further or said incomplete', () => {
  const rules = { ru_1: { name: 'Brute force', severity: 'HIGH' } };
  const never = (b: Raw) => ({ ...b, tooManyAlerts: false }); // a server that cuts without saying so

  it('secops-siem: exactly max_alerts without tooManyAlerts is split until every alert is read (was: 4 of 6, ok)', async () => {
    const alerts = Array.from({ length: 6 }, (_, i) => ({
      ruleId: 'ru_1',
      id: `de_${i}`,
      at: new Date(ms('2026-11-02T00:00:00Z') + i * 3 * 3_600_000).toISOString(),
    }));
    const { out, summary } = await read(
      'secops-siem',
      fakeSiem({ rules, alerts, rewrite: never }),
      { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') },
      { siem: { maxAlerts: 4 } },
    );
    expect(ids(out.alerts)).toEqual(['de_0', 'de_1', 'de_2', 'de_3', 'de_4', 'de_5']);
    expect(summary.incomplete).toEqual([]);
  });

  it('secops-siem: exactly max_alerts in one minute is kept and marked incomplete, naming the minute: degraded', async () => {
    const alerts = [
      { ruleId: 'ru_1', id: 'de_a', at: '2026-11-02T10:15:10Z' },
      { ruleId: 'ru_1', id: 'de_b', at: '2026-11-02T10:15:40Z' },
      { ruleId: 'ru_1', id: 'de_c', at: '2026-11-02T18:00:00Z' },
    ];
    const { out, summary } = await read(
      'secops-siem',
      fakeSiem({ rules, alerts, rewrite: never }),
      { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') },
      { siem: { maxAlerts: 2 } },
    );
    expect(ids(out.alerts)).toEqual(['de_a', 'de_b', 'de_c']);
    expect(summary.incomplete).toEqual([
      'search_rule_alerts answered exactly max_alerts (2) for 2026-11-02T10:15:00.000Z–2026-11-02T10:16:00.000Z without saying tooManyAlerts: alerts of that minute may be missing',
    ]);
    expect(outcomeStatus([], summary)).toBe('degraded');
  });
});

describe('reopened cases: closedAt is the latest closure; a reopened case is open', () => {
  const T0 = ms('2026-11-03T08:00:00Z');
  const HOUR = 3_600_000;
  const kase = (id: number, status: string, update: number) => ({
    ...LOCAL_CASES[4],
    id,
    displayName: `case ${id}`,
    createTime: T0,
    updateTime: update,
    status,
    alertCount: 1,
  });
  const closedAlert = (id: number) => ({
    id: id * 100 + 1,
    identifier: `RULE_${id}-1`,
    caseId: id,
    ruleGenerator: 'Brute force',
    priority: 'LOW',
    status: 'CLOSE',
    createTime: T0 - 60_000,
    closureDetails: { reason: 'NOT_MALICIOUS', closingTimeMs: T0 + 1.5 * HOUR },
  });

  it("closed, reopened and closed again: 70.5 h to resolve, not the alerts' first 1.5 h; said in the notes", async () => {
    const { out, summary } = await read(
      'secops-soar',
      fakeSoarLocal({ cases: [kase(5001, 'Closed', T0 + 70.5 * HOUR)], alerts: { '5001': [closedAlert(5001)] } }),
    );
    expect(out.cases).toHaveLength(1);
    expect(out.cases![0]!.closedAt).toBe(new Date(T0 + 70.5 * HOUR).toISOString());
    expect(summary.notes.join('\n')).toMatch(
      /closedAt of 1 closed cases is their updateTime, more than 60 min after their alerts' last closing \(reopened/,
    );
  });

  it('reopened and still open: no closedAt and no disposition, though its alerts were closed', async () => {
    const { out } = await read(
      'secops-soar',
      fakeSoarLocal({ cases: [kase(5002, 'Opened', T0 + 50 * HOUR)], alerts: { '5002': [closedAlert(5002)] } }),
    );
    expect(out.cases).toHaveLength(1);
    expect(out.cases![0]).not.toHaveProperty('closedAt');
    expect(out.cases![0]).not.toHaveProperty('disposition');
  });
});

describe('said where the user looks', () => {
  it('a rejected case counts the alerts it took with it', async () => {
    const bad = { ...LOCAL_CASES[0], priority: 'PriorityUnspecified' }; // 4107, three alerts
    const cases = [bad, ...LOCAL_CASES.slice(1)];
    const { out, summary } = await read('secops-soar', fakeSoarLocal({ cases }));
    expect(ids(out.cases)).toEqual(WEEK_CASES.filter((id) => id !== '4107'));
    expect(LOCAL_ALERTS['4107']).toHaveLength(3);
    expect(summary.notes).toContain('1 rejected case(s) took 3 alert(s) with them: not collected');
  });

  it('export (over Streamable HTTP) keeps a month with a Vantage row of service null and prints it, and a permanent on-call', async () => {
    const vantage = await serveHttp(() =>
      fakeVantage({
        rows: [
          { accrued_at: '2026-10-03', provider: 'aws', service: 'AmazonEC2', amount: '100.00' },
          { accrued_at: '2026-10-31', provider: 'aws', service: null as unknown as string, amount: '7.50' },
        ],
      }),
    );
    const pagerduty = await serveHttp(() =>
      fakePagerDuty([
        {
          escalation_policy: { id: 'PEP1' },
          escalation_level: 3,
          schedule: null,
          user: { id: 'PU9', summary: 'manager' },
          start: null,
          end: null,
        },
      ]),
    );
    const out = mkdtempSync(join(tmpdir(), 'socpulse-answers-'));
    const lines: string[] = [];
    try {
      const outcomes = await exportCanonical({
        sources: [
          ['costs', { kind: 'cost', url: vantage.url, options: { vantage: { workspaceToken: 'wrkspc_test' } } }],
          ['oncall', { kind: 'pagerduty', url: pagerduty.url }],
        ],
        from: ms('2026-10-01T00:00:00Z'),
        to: ms('2026-11-01T00:00:00Z'),
        out,
        secrets: new EnvSecretResolver({}),
        log: (l) => lines.push(l),
      });
      expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok']);
      const costs = readFileSync(join(out, 'costs.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Raw);
      expect(costs.map((c) => [c.month, c.category, c.amount])).toEqual([['2026-10', 'cloud', '107.50']]);
      expect(lines).toContain('export costs: ok; 1 costs; 0 rejected');
      expect(lines).toContain(
        '  note: 2026-10: 1 cost row(s) with no service (provider-level charges such as tax or credits) summed as "(no service)" under cloud',
      );
      expect(lines.join('\n')).toMatch(
        /export oncall: ok; 1 shifts; 0 rejected\n {2}note: 1 permanent on-call\(s\) \(no start or end in PagerDuty\) counted as on shift for the whole window/,
      );
    } finally {
      await vantage.close();
      await pagerduty.close();
    }
  });
});
