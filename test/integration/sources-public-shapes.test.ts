// The PagerDuty, SecOps SIEM, AWS billing and Vantage adapters against fakes that answer in those servers' public
// shapes (test/fakes/mcp-servers.ts names the code each shape comes from), over the real MCP client and server,
// in memory and over Streamable HTTP on loopback.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSource } from '../../shared/usecases/collect-source.js';
import type { McpServerConfig } from '../../shared/config/config.js';
import { SnapshotPayloadSchemas } from '../../shared/store/formats/snapshot-payload.js';
import { PAGERDUTY_LIMIT } from '../../shared/sources/adapters/pagerduty.js';
import { openSource } from '../../shared/sources/open-source.js';
import type { SourceReader } from '../../shared/sources/reader.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { fakeAwsBilling, fakePagerDuty, fakeSiem, fakeVantage } from '../fakes/mcp-servers.js';
import { serveHttp } from '../fakes/secops-soar-local.js';
import { localTable } from './helpers.js';

type Raw = Record<string, unknown>;
type Options = McpServerConfig['options'];
const HOUR = 3_600_000;
const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

async function openInMemory(kind: McpServerConfig['kind'], server: McpServer, options?: Options, env: Raw = {}) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  return openSource(
    kind,
    { kind, command: 'unused', ...(options ? { options } : {}) },
    { secrets: new EnvSecretResolver(env as NodeJS.ProcessEnv), transport: client, limits: { backoffMs: 1 } },
  );
}

async function drain(reader: SourceReader, window: { from: Date; to: Date }) {
  const out: Record<string, Raw[]> = {};
  try {
    for await (const b of reader.read(window)) (out[b.family] ??= []).push(...(b.records as Raw[]));
  } finally {
    await reader.close();
  }
  return { out, summary: reader.summary() };
}

async function readInMemory(
  kind: McpServerConfig['kind'],
  server: McpServer,
  window: { from: Date; to: Date },
  options?: Options,
) {
  return drain(await openInMemory(kind, server, options), window);
}

/** Call a fake's tool directly with the SDK client, as any agent would, to check what the fake itself accepts. */
async function rawCall(server: McpServer, name: string, args: Raw) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  const c = new Client({ name: 'probe', version: '0' });
  await c.connect(client);
  try {
    return await c.callTool({ name, arguments: args });
  } finally {
    await c.close();
  }
}

// --- PagerDuty -------------------------------------------------------------------------------------------------

const oncall = (user: string, level: number | null, start: string | null, end: string | null, policy = 'PEP1') => ({
  escalation_policy: { id: policy }, // summary is excluded from the dump (models/escalation_policies.py)
  escalation_level: level,
  schedule: level === null ? null : { id: `PS${level}`, summary: `SOC L${level}`, type: 'schedule_reference' },
  user: { id: `PU-${user}`, summary: user, type: 'user_reference' },
  start,
  end,
});

/** Three 8-hour shifts a day at level 1, one analyst each, rotating through four people; a weekly level-2 on-call. */
function roster(fromIso: string, days: number): Raw[] {
  const out: Raw[] = [];
  const t0 = ms(fromIso);
  for (let d = 0; d < days; d++)
    for (let s = 0; s < 3; s++) {
      const start = t0 + d * 24 * HOUR + s * 8 * HOUR;
      out.push(oncall(`analyst-${(d * 3 + s) % 4}`, 1, iso(start), iso(start + 8 * HOUR)));
    }
  for (let w = 0; w * 7 < days; w++)
    out.push(oncall(`lead-${w % 2}`, 2, iso(t0 + w * 7 * 24 * HOUR), iso(t0 + (w + 1) * 7 * 24 * HOUR), 'PEP2'));
  return out;
}

describe('pagerduty list_oncalls in its public shape', () => {
  const window = { from: new Date('2026-10-20T00:00:00Z'), to: new Date('2026-11-24T00:00:00Z') };

  it('collects every shift once over 35 days, asking earliest=false and splitting the window by weeks', async () => {
    const calls: Raw[] = [];
    // The weekly level-2 on-calls start before the window and cross every slice boundary.
    const data = roster('2026-10-13T00:00:00Z', 49);
    const { out, summary } = await readInMemory('pagerduty', fakePagerDuty(data, calls), window);
    const shifts = out.shifts!;
    const level1 = shifts.filter((s) => s.tier === 1);
    expect(level1).toHaveLength(35 * 3);
    // Four analysts rotate, so the same user has many shifts per escalation policy: earliest=true would keep one each.
    expect(new Set(level1.map((s) => s.analyst)).size).toBe(4);
    const keys = shifts.map((s) => `${String(s.analyst)}|${String(s.start)}|${String(s.end)}`);
    expect(new Set(keys).size).toBe(shifts.length);
    // Level 2: the week from 10-13 clipped to the window's start, then five whole weeks (the last one ends on 11-24).
    expect(shifts.filter((s) => s.tier === 2).map((s) => [s.start, s.end])).toEqual([
      ['2026-10-20T00:00:00.000Z', '2026-10-27T00:00:00.000Z'],
      ['2026-10-27T00:00:00.000Z', '2026-11-03T00:00:00.000Z'],
      ['2026-11-03T00:00:00.000Z', '2026-11-10T00:00:00.000Z'],
      ['2026-11-10T00:00:00.000Z', '2026-11-17T00:00:00.000Z'],
      ['2026-11-17T00:00:00.000Z', '2026-11-24T00:00:00.000Z'],
    ]);
    expect(calls).toHaveLength(5);
    for (const c of calls) expect(c).toMatchObject({ earliest: false, limit: PAGERDUTY_LIMIT });
    expect(summary.rejects.count).toBe(0);
  });

  it('halves a slice that comes back with exactly `limit` on-calls, and collects all of them', async () => {
    const calls: Raw[] = [];
    // 150 one-hour on-calls on one day (a busy roster), e.g. 150 analysts for one hour each.
    const busy = Array.from({ length: 150 }, (_, i) => {
      const start = ms('2026-11-02T00:00:00Z') + (i % 24) * HOUR;
      return oncall(`a${i}`, 1, iso(start), iso(start + HOUR));
    });
    const { out } = await readInMemory('pagerduty', fakePagerDuty(busy, calls), {
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-08T00:00:00Z'),
    });
    expect(out.shifts).toHaveLength(150);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.some((c) => (c as { until: string }).until !== '2026-11-08T00:00:00.000Z')).toBe(true);
  });

  it('fails loudly when even one hour holds `limit` on-calls, rather than lose some', async () => {
    const crowd = Array.from({ length: PAGERDUTY_LIMIT }, (_, i) =>
      oncall(`a${i}`, 1, '2026-11-02T09:00:00Z', '2026-11-02T17:00:00Z'),
    );
    await expect(
      readInMemory('pagerduty', fakePagerDuty(crowd), {
        from: new Date('2026-11-02T00:00:00Z'),
        to: new Date('2026-11-03T00:00:00Z'),
      }),
    ).rejects.toThrow(/pagerduty: list_oncalls returned its limit of 100 on-calls for one hour from 2026-11-02T09:00/);
  });

  it('clips a permanent on-call (null start and end) to the window and says so; maps tiers from options', async () => {
    const { out, summary } = await readInMemory(
      'pagerduty',
      fakePagerDuty([
        oncall('manager', 3, null, null),
        oncall('night', 1, '2026-11-02T22:00:00Z', '2026-11-03T06:00:00Z'),
        { ...oncall('hunter', 1, '2026-11-02T08:00:00Z', '2026-11-02T16:00:00Z'), schedule: { id: 'PHUNT' } },
      ]),
      { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-03T00:00:00Z') },
      { pagerduty: { tiers: { PHUNT: 2 } } },
    );
    expect(out.shifts).toEqual([
      {
        analyst: 'manager',
        tier: 3,
        start: '2026-11-02T00:00:00.000Z',
        end: '2026-11-03T00:00:00.000Z',
        source: 'pagerduty',
      },
      {
        analyst: 'night',
        tier: 1,
        start: '2026-11-02T22:00:00.000Z',
        end: '2026-11-03T00:00:00.000Z',
        source: 'pagerduty',
      },
      {
        analyst: 'hunter',
        tier: 2,
        start: '2026-11-02T08:00:00.000Z',
        end: '2026-11-02T16:00:00.000Z',
        source: 'pagerduty',
      },
    ]);
    expect(summary.notes.join(' ')).toMatch(/1 permanent on-call\(s\) .* counted as on shift for the whole window/);
  });

  it('one analyst on call in two policies for the same hours is one shift', async () => {
    const { out } = await readInMemory(
      'pagerduty',
      fakePagerDuty([
        oncall('ann', 1, '2026-11-02T00:00:00Z', '2026-11-02T08:00:00Z', 'PEP1'),
        oncall('ann', 1, '2026-11-02T00:00:00Z', '2026-11-02T08:00:00Z', 'PEP9'),
      ]),
      { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') },
    );
    expect(out.shifts).toHaveLength(1);
  });

  it('fails loudly when the server answered on-calls and none maps (never "ok, 0 shifts")', async () => {
    await expect(
      readInMemory('pagerduty', fakePagerDuty([oncall('ann', null, '2026-11-02T00:00:00Z', '2026-11-02T08:00:00Z')]), {
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-11-08T00:00:00Z'),
      }),
    ).rejects.toThrow(
      /list_oncalls: the server answered 1 item\(s\) and none could be read \(first: no escalation_level/,
    );
  });
});

// --- SecOps SIEM -----------------------------------------------------------------------------------------------

describe('secops-siem search_rule_alerts in its public shape', () => {
  const window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') };
  const at = (h: number) => iso(ms('2026-11-01T00:00:00Z') + h * HOUR);

  it('an error payload is a failed read, retried first; never "no alerts"', async () => {
    const rules = { ru_1: { name: 'R1', severity: 'LOW' } };
    const alerts = [{ ruleId: 'ru_1', id: 'de_1', at: at(1) }];
    await expect(readInMemory('secops-siem', fakeSiem({ rules, alerts, failures: 10 }), window)).rejects.toThrow(
      /secops-siem: search_rule_alerts failed after 4 attempts: error in payload: Failed to search rule alerts/,
    );
    const calls: Raw[] = [];
    const { out } = await readInMemory('secops-siem', fakeSiem({ rules, alerts, failures: 1, calls }), window);
    expect(out.alerts).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ max_alerts: 1000 });
  });

  it('reads severity from properties or from the YARA-L meta in any case; rejects and counts alerts of rules without one', async () => {
    const rules = {
      ru_a: { name: 'Props', severity: 'CRITICAL', text: 'rule props {}' },
      ru_b: { name: 'Meta', text: 'rule meta {}', metadata: { SEVERITY: 'informational' } },
      ru_c: { name: 'Silent', text: 'rule silent {}', metadata: { author: 'x' } },
      ru_d: { name: 'Odd', severity: 'P2' },
    };
    const alerts = [
      { ruleId: 'ru_a', id: 'de_a', at: at(1) },
      { ruleId: 'ru_b', id: 'de_b', at: at(2) },
      { ruleId: 'ru_c', id: 'de_c1', at: at(3) },
      { ruleId: 'ru_c', id: 'de_c2', at: at(4) },
      { ruleId: 'ru_d', id: 'de_d', at: at(5) },
    ];
    const { out, summary } = await readInMemory('secops-siem', fakeSiem({ rules, alerts }), window);
    expect(out.alerts!.map((a) => [a.id, a.rule, a.severity, a.createdAt])).toEqual([
      ['de_a', 'Props', 'critical', at(1)],
      ['de_b', 'Meta', 'info', at(2)],
    ]);
    expect(summary.rejects.count).toBe(3);
    expect(summary.rejects.samples.map((s) => s.reason)).toEqual([
      'rule "Silent" names no severity',
      'rule "Silent" names no severity',
      'rule "Odd" has severity "P2", not one socpulse knows',
    ]);
    expect(summary.notes.join('\n')).toMatch(/2 alert\(s\) of 1 rule\(s\) without a severity \(Silent\) not collected/);
    expect(summary.notes.join('\n')).toMatch(/curated detections may be missing/);
  });

  it('with options.siem.defaultSeverity, alerts of rules without one are counted so, and the record says how many', async () => {
    const rules = { ru_c: { name: 'Silent', metadata: {} } };
    const alerts = [
      { ruleId: 'ru_c', id: 'de_1', at: at(1) },
      { ruleId: 'ru_c', id: 'de_2', at: at(2) },
    ];
    const { out, summary } = await readInMemory('secops-siem', fakeSiem({ rules, alerts }), window, {
      siem: { defaultSeverity: 'low' },
    });
    expect(out.alerts!.map((a) => a.severity)).toEqual(['low', 'low']);
    expect(summary.notes.join('\n')).toMatch(
      /2 alert\(s\) of 1 rule\(s\) without a severity \(Silent\) counted as low/,
    );
  });

  it('fails loudly when every alert the server gave is rejected', async () => {
    const rules = { ru_c: { name: 'Silent' } };
    await expect(
      readInMemory('secops-siem', fakeSiem({ rules, alerts: [{ ruleId: 'ru_c', id: 'de_1', at: at(1) }] }), window),
    ).rejects.toThrow(/search_rule_alerts: the server answered 1 item\(s\) and none could be read/);
  });

  it('fails loudly when one minute holds more alerts than it may ask for, also in a window of odd length', async () => {
    const rules = { ru_1: { name: 'Storm', severity: 'HIGH' } };
    const alerts = Array.from({ length: 5 }, (_, i) => ({
      ruleId: 'ru_1',
      id: `de_${i}`,
      at: `2026-11-01T00:00:${10 + i}Z`,
    }));
    await expect(
      readInMemory(
        'secops-siem',
        fakeSiem({ rules, alerts }),
        { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-01T00:01:30Z') },
        { siem: { maxAlerts: 2 } },
      ),
    ).rejects.toThrow(/search_rule_alerts has more than 2 alerts in one minute at 2026-11-01T00:00:00.000Z/);
  });

  it('throws away a cut (tooManyAlerts) answer and splits until every alert is read once', async () => {
    const calls: Raw[] = [];
    const rules = { ru_1: { name: 'Noisy', severity: 'Medium' } };
    const alerts = Array.from({ length: 200 }, (_, i) => ({ ruleId: 'ru_1', id: `de_${i}`, at: at((i * 24) / 200) }));
    const { out } = await readInMemory('secops-siem', fakeSiem({ rules, alerts, calls }), window, {
      siem: { maxAlerts: 50 },
    });
    expect(out.alerts).toHaveLength(200);
    expect(new Set(out.alerts!.map((a) => a.id)).size).toBe(200);
    expect(calls.length).toBeGreaterThan(4);
  });
});

// --- AWS billing -------------------------------------------------------------------------------------------------

describe('AWS billing cost-explorer in its public shape', () => {
  const window = { from: new Date('2026-09-15T00:00:00Z'), to: new Date('2026-11-20T09:00:00Z') };
  const lines = [
    { month: '2026-09', service: 'Amazon GuardDuty', amount: '1200.0049' },
    { month: '2026-09', service: 'AWS Security Hub', amount: '300.0049' },
    { month: '2026-09', service: 'AmazonCloudWatch', amount: '99.1' },
    { month: '2026-11', service: 'Amazon GuardDuty', amount: '610.5', estimated: true },
    { month: '2026-11', service: 'Amazon Security Lake', amount: '0.0000001' },
  ];

  it('asks one whole month at a time with JSON-string arguments; a month without rows is not written', async () => {
    const calls: Raw[] = [];
    const { out, summary } = await readInMemory('cost', fakeAwsBilling({ lines, calls }), window);
    expect(calls.map((c) => [c.start_date, c.end_date])).toEqual([
      ['2026-09-01', '2026-10-01'],
      ['2026-10-01', '2026-11-01'],
      ['2026-11-01', '2026-11-21'],
    ]);
    for (const c of calls)
      expect(c).toMatchObject({
        operation: 'getCostAndUsage',
        granularity: 'MONTHLY',
        metrics: '["UnblendedCost"]',
        group_by: '[{"Type":"DIMENSION","Key":"SERVICE"}]',
      });
    // September read whole (the window starts on the 15th), summed exactly and rounded once; October has no rows.
    expect(out.costs!.map((c) => [c.month, c.category, c.amount, c.description])).toEqual([
      ['2026-09', 'cloud', '99.10', undefined],
      ['2026-09', 'tooling', '1500.01', undefined],
      ['2026-11', 'siem_ingest', '0.00', 'estimated by AWS Cost Explorer'],
      ['2026-11', 'tooling', '610.50', 'estimated by AWS Cost Explorer'],
    ]);
    expect(summary.notes).toContain('AWS Cost Explorer marks 2026-11 as estimated: its figures may still change');
    expect(summary.notes).toContain('no cost rows for 2026-10: nothing written for it (no data, not a zero)');
  });

  it('the fake refuses metrics and group_by given as lists, as the real tool validation does', async () => {
    const result = await rawCall(fakeAwsBilling({ lines }), 'cost-explorer', {
      operation: 'getCostAndUsage',
      start_date: '2026-09-01',
      end_date: '2026-10-01',
      granularity: 'MONTHLY',
      metrics: ['UnblendedCost'],
      group_by: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/metrics/);
  });

  it('an answer stored in SQLite (data_stored) fails the read, never reads as zero', async () => {
    await expect(readInMemory('cost', fakeAwsBilling({ lines, storeAboveBytes: 200 }), window)).rejects.toThrow(
      /cost: cost-explorer kept the answer for 2026-09 in its SQLite session \(table cost_explorer_get_cost_and_usage_5e6f7a8b\)/,
    );
  });

  it('reads every page the server gathers with max_pages; fails when it says there are more', async () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ month: '2026-10', service: `Service ${i}`, amount: '1.01' }));
    const { out } = await readInMemory('cost', fakeAwsBilling({ lines: many, groupsPerPage: 2 }), window);
    expect(out.costs).toEqual([expect.objectContaining({ month: '2026-10', category: 'cloud', amount: '9.09' })]);
    const lots = Array.from({ length: 102 }, (_, i) => ({ month: '2026-10', service: `S${i}`, amount: '1' }));
    await expect(
      readInMemory('cost', fakeAwsBilling({ lines: lots, groupsPerPage: 2, storeAboveBytes: 1e9 }), window),
    ).rejects.toThrow(/cost-explorer has more than 50 pages for 2026-10/);
  });

  it('an error answer ({"status": "error"}) fails the read with its message', async () => {
    await expect(readInMemory('cost', fakeAwsBilling({ lines, failMonths: ['2026-10'] }), window)).rejects.toThrow(
      /cost-explorer failed after 4 attempts: error in payload: User is not authorized/,
    );
  });

  it('a month with a row it cannot read is not written, and the record says so', async () => {
    const bad = [...lines, { month: '2026-09', service: 'Mystery', amount: 'n/a' }];
    const { out, summary } = await readInMemory('cost', fakeAwsBilling({ lines: bad }), window);
    expect(out.costs!.map((c) => c.month)).toEqual(['2026-11', '2026-11']);
    expect(summary.rejects.count).toBe(1);
    expect(summary.notes).toContain(
      '2026-09 not collected: 1 cost row(s) could not be read, so its total would be short',
    );
  });
});

// --- Vantage -----------------------------------------------------------------------------------------------------

describe('Vantage query-costs in its public shape', () => {
  const window = { from: new Date('2026-10-10T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') };
  const rows = [
    { accrued_at: '2026-10-02', provider: 'aws', service: 'AmazonGuardDuty', region: 'eu-west-2', amount: '100.005' },
    { accrued_at: '2026-10-20', provider: 'aws', service: 'AmazonGuardDuty', region: 'us-east-1', amount: '100' },
    { accrued_at: '2026-10-21', provider: 'aws', service: 'AWSSecurityHub', region: 'eu-west-2', amount: '12.5' },
    { accrued_at: '2026-10-21', provider: 'aws', service: 'AmazonEC2', region: 'eu-west-2', amount: '40' },
    { accrued_at: '2026-11-03', provider: 'aws', service: 'AmazonEC2', region: 'eu-west-2', amount: '41.25' },
    { accrued_at: '2026-11-04', provider: 'aws', service: 'AWSSupportBusiness', region: 'global', amount: '100' },
    { accrued_at: '2026-11-05', provider: 'aws', service: 'AmazonSecurityLake', region: 'eu-west-2', amount: '7' },
    { accrued_at: '2026-11-05', provider: 'azure', service: 'Microsoft Sentinel', region: 'uksouth', amount: '999' },
  ];

  it('reads every page from the first of the month, with the filter, workspace and groupings array from the config', async () => {
    const calls: Raw[] = [];
    const { out } = await drain(
      await openInMemory(
        'cost',
        fakeVantage({ rows, pageSize: 2, calls }),
        { vantage: { workspaceToken: '${secret:vantage-ws}' } },
        { SOCPULSE_SECRET_VANTAGE_WS: 'wrkspc_abc123' },
      ),
      window,
    );
    expect(calls.map((c) => c.page)).toEqual([1, 2, 3]);
    for (const c of calls)
      expect(c).toMatchObject({
        filter: "(costs.provider = 'aws')",
        workspace_token: 'wrkspc_abc123',
        start_date: '2026-10-01',
        end_date: '2026-11-19',
        date_bin: 'month',
        groupings: ['provider', 'service'],
      });
    expect(out.costs!.map((c) => [c.month, c.category, c.amount])).toEqual([
      ['2026-10', 'cloud', '40.00'],
      ['2026-10', 'tooling', '212.51'],
      ['2026-11', 'cloud', '41.25'],
      ['2026-11', 'services', '100.00'],
      ['2026-11', 'siem_ingest', '7.00'],
    ]);
  });

  it('a configured filter and category mapping are used', async () => {
    const { out } = await readInMemory('cost', fakeVantage({ rows }), window, {
      vantage: { workspaceToken: 'wrkspc_1', filter: "(costs.provider = 'azure')" },
      cost: { categories: { 'Microsoft Sentinel': 'siem_ingest' } },
    });
    expect(out.costs).toEqual([
      expect.objectContaining({
        month: '2026-11',
        category: 'siem_ingest',
        amount: '999.00',
        vendor: 'Microsoft Sentinel',
      }),
    ]);
  });

  it('without a workspace the source is refused at open, naming the option', async () => {
    await expect(openInMemory('cost', fakeVantage({ rows }))).rejects.toThrow(
      /cost: query-costs needs a Vantage workspace: set options.vantage.workspaceToken/,
    );
  });

  it('the fake refuses groupings given as a string and a filter without a provider, as the real server does', async () => {
    const base = { filter: "(costs.provider = 'aws')", workspace_token: 'wrkspc_1' };
    expect((await rawCall(fakeVantage({ rows }), 'query-costs', { ...base, groupings: 'service' })).isError).toBe(true);
    expect(
      (await rawCall(fakeVantage({ rows }), 'query-costs', { ...base, filter: 'costs.service = 1' })).isError,
    ).toBe(true);
  });

  it('a page of rows none of which can be read fails loudly', async () => {
    const broken = [{ accrued_at: '2026-11-01', provider: 'aws', service: 'AmazonEC2', amount: '5', currency: 'usd' }];
    await expect(
      readInMemory('cost', fakeVantage({ rows: broken }), window, { vantage: { workspaceToken: 'wrkspc_1' } }),
    ).rejects.toThrow(/query-costs: the server answered 1 item\(s\) and none could be read \(first: currency "usd"/);
  });
});

// --- Over Streamable HTTP, through collection into the table -------------------------------------------------------

describe('collection from the on-call and cost servers over Streamable HTTP', () => {
  let env: Awaited<ReturnType<typeof localTable>>;
  beforeAll(async () => {
    env = await localTable();
  });
  afterAll(async () => env.stop());
  const NOW = ms('2026-11-23T06:00:00Z');
  const deps = () => ({
    snapshots: new DynamoSnapshotStore(env.table),
    runs: new DynamoCollectionRunStore(env.table),
    now: () => new Date(NOW),
  });

  it('pagerduty: every shift of the window stored once, per start day', async () => {
    const http = await serveHttp(() => fakePagerDuty(roster('2026-11-01T00:00:00Z', 30)));
    try {
      const run = await collectSource(deps(), {
        source: 'oncall',
        kind: 'pagerduty',
        open: () => openSource('oncall', { kind: 'pagerduty', url: http.url }, { secrets: new EnvSecretResolver({}) }),
        tz: 'UTC',
        windowDays: 7,
        aheadDays: 0, // the window alone: the roster ahead has its own test (forecast)
      });
      expect(run.status).toBe('ok');
      // 2026-11-16 00:00 → 06:00 on the 23rd: 7 days × 3 level-1 shifts, the 23rd's first one clipped, 2 weeks at level 2.
      expect(run.counts.shifts).toBe(7 * 3 + 1 + 2);
      const stored = await new DynamoSnapshotStore(env.table).list(
        'shifts',
        '2026-11-16',
        '2026-11-23',
        SnapshotPayloadSchemas.shifts,
      );
      const mine = stored.filter((s) => s.source === 'oncall');
      expect(mine).toHaveLength(8);
      expect(mine.reduce((n, s) => n + s.payload.shifts.length, 0)).toBe(run.counts.shifts);
    } finally {
      await http.close();
    }
  });

  it('AWS billing and Vantage: every month of the window written once, a failing server writes nothing', async () => {
    const aws = await serveHttp(() =>
      fakeAwsBilling({
        lines: [
          { month: '2026-10', service: 'Amazon GuardDuty', amount: '10' },
          { month: '2026-11', service: 'Amazon GuardDuty', amount: '11', estimated: true },
        ],
      }),
    );
    const vantage = await serveHttp(() =>
      fakeVantage({
        rows: [
          { accrued_at: '2026-10-05', provider: 'aws', service: 'AmazonGuardDuty', amount: '20' },
          { accrued_at: '2026-11-05', provider: 'aws', service: 'AmazonGuardDuty', amount: '21' },
        ],
        pageSize: 1,
      }),
    );
    const broken = await serveHttp(() =>
      fakeAwsBilling({ lines: [{ month: '2026-10', service: 'x', amount: '1' }], failMonths: ['2026-11'] }),
    );
    try {
      const collect = (source: string, server: McpServerConfig) =>
        collectSource(deps(), {
          source,
          kind: 'cost',
          open: () => openSource(source, server, { secrets: new EnvSecretResolver({}), limits: { backoffMs: 1 } }),
          tz: 'UTC',
          windowDays: 35,
        });
      const a = await collect('aws-bill', { kind: 'cost', url: aws.url });
      const v = await collect('vantage', {
        kind: 'cost',
        url: vantage.url,
        options: { vantage: { workspaceToken: 'wrkspc_9' } },
      });
      const b = await collect('aws-broken', { kind: 'cost', url: broken.url });
      expect([a.status, v.status, b.status]).toEqual(['ok', 'ok', 'failed']);
      expect(a.notes).toContain('AWS Cost Explorer marks 2026-11 as estimated: its figures may still change');
      const stored = await new DynamoSnapshotStore(env.table).list(
        'costs',
        '2026-09',
        '2026-12',
        SnapshotPayloadSchemas.costs,
      );
      const by = (source: string) =>
        stored.filter((s) => s.source === source).map((s) => [s.periodKey, s.payload.costs.map((c) => c.amount)]);
      expect(by('aws-bill')).toEqual([
        ['2026-10', ['10.00']],
        ['2026-11', ['11.00']],
      ]);
      expect(by('vantage')).toEqual([
        ['2026-10', ['20.00']],
        ['2026-11', ['21.00']],
      ]);
      expect(by('aws-broken')).toEqual([]);
    } finally {
      await Promise.all([aws.close(), vantage.close(), broken.close()]);
    }
  });
});
