import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import type { McpServerConfig } from '../../shared/config/config.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { fakeAwsBilling, fakePagerDuty, fakeSiem, fakeVantage } from '../fakes/mcp-servers.js';

async function readAll(
  kind: McpServerConfig['kind'],
  server: McpServer,
  window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') },
  options?: McpServerConfig['options'],
) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  const reader = await openSource(
    kind,
    { kind, command: 'unused', ...(options ? { options } : {}) },
    { secrets: new EnvSecretResolver({}), transport: client, limits: { backoffMs: 1 } },
  );
  const out: Record<string, unknown[]> = {};
  for await (const b of reader.read(window)) (out[b.family] ??= []).push(...b.records);
  await reader.close();
  return { out, summary: reader.summary() };
}

const ms = (iso: string) => Date.parse(iso);

describe('source adapters against servers that speak the real shapes', () => {
  it('secops-siem: splits the window while the server says tooManyAlerts', async () => {
    // Severity in properties (the server's docs example) for one rule, in the YARA-L meta for the other.
    const rules = {
      ru_brute: { name: 'Brute force', severity: 'HIGH' },
      ru_tor: { name: 'Tor egress', metadata: { Severity: 'Medium', author: 'soc' } },
    };
    const alerts = Array.from({ length: 30 }, (_, i) => ({
      id: `de_${i}`,
      ruleId: i % 2 ? 'ru_brute' : 'ru_tor',
      at: new Date(ms('2026-11-01T00:00:00Z') + i * 5 * 3_600_000).toISOString(),
    }));
    const { out } = await readAll('secops-siem', fakeSiem({ rules, alerts }), undefined, { siem: { maxAlerts: 4 } });
    expect(out.alerts).toHaveLength(30);
    expect(new Set((out.alerts as { id: string }[]).map((a) => a.id)).size).toBe(30);
    expect((out.alerts as { id: string }[]).find((a) => a.id === 'de_1')).toMatchObject({
      rule: 'Brute force',
      severity: 'high',
    });
    expect((out.alerts as { id: string }[]).find((a) => a.id === 'de_0')).toMatchObject({
      rule: 'Tor egress',
      severity: 'medium',
    });
  });

  it('pagerduty: turns on-call entries into shifts with tiers from escalation levels', async () => {
    const oncall = (user: string, level: number, start: string, end: string) => ({
      escalation_policy: { id: 'PEP1' },
      escalation_level: level,
      schedule: { id: `PS${level}`, summary: `SOC L${level}`, type: 'schedule_reference' },
      user: { id: `PU${user}`, summary: user, type: 'user_reference' },
      start,
      end,
    });
    const { out } = await readAll(
      'pagerduty',
      fakePagerDuty([
        oncall('Ann', 1, '2026-11-02T00:00:00Z', '2026-11-02T08:00:00Z'),
        oncall('Bo', 2, '2026-11-02T00:00:00Z', '2026-11-02T08:00:00Z'),
        oncall('Cy', 5, '2026-11-02T08:00:00Z', '2026-11-02T16:00:00Z'),
      ]),
    );
    expect((out.shifts as { analyst: string; tier: number }[]).map((s) => [s.analyst, s.tier])).toEqual([
      ['Ann', 1],
      ['Bo', 2],
      ['Cy', 3],
    ]);
  });

  it('cost (Vantage): sums services per month and category, amounts as decimal strings', async () => {
    const row = (service: string, amount: string) => ({ accrued_at: '2026-11-03', provider: 'aws', service, amount });
    const { out } = await readAll(
      'cost',
      fakeVantage({
        rows: [
          row('AmazonGuardDuty', '1200.504'),
          row('AWSSecurityHub', '300.10'),
          row('AWSSecurityLake', '5000'),
          row('AmazonS3', '45.555'),
        ],
      }),
      undefined,
      { vantage: { workspaceToken: 'wrkspc_1234' } },
    );
    const byCategory = Object.fromEntries(
      (out.costs as { category: string; amount: string; currency: string }[]).map((c) => [
        c.category,
        [c.amount, c.currency],
      ]),
    );
    // GuardDuty 1200.504 plus Security Hub 300.10 = 1500.604 → 1500.60 tooling; Security Lake 5000.00 SIEM; S3 45.555 → 45.56
    expect(byCategory).toEqual({
      tooling: ['1500.60', 'USD'],
      siem_ingest: ['5000.00', 'USD'],
      cloud: ['45.56', 'USD'],
    });
  });

  it('cost (AWS billing): reads ResultsByTime groups inside the {status, data} answer', async () => {
    const { out } = await readAll(
      'cost',
      fakeAwsBilling({
        lines: [
          { month: '2026-11', service: 'Amazon Elastic Compute Cloud - Compute', amount: '812.3456' },
          { month: '2026-11', service: 'Amazon GuardDuty', amount: '99.994' },
        ],
      }),
    );
    expect(out.costs).toEqual([
      expect.objectContaining({ month: '2026-11', category: 'cloud', amount: '812.35', currency: 'USD' }),
      expect.objectContaining({ month: '2026-11', category: 'tooling', amount: '99.99', currency: 'USD' }),
    ]);
  });

  it('names the missing tool when a server lacks what the adapter needs', async () => {
    await expect(readAll('pagerduty', fakeVantage({ rows: [] }))).rejects.toThrow(
      /pagerduty: the server lacks tool "list_oncalls" \(it offers: query-costs\)/,
    );
  });
});
