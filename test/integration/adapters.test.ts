import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import type { McpServerConfig } from '../../shared/config/config.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { fakeCosts, fakePagerDuty, fakeSiem } from '../fakes/mcp-servers.js';

async function readAll(
  kind: McpServerConfig['kind'],
  server: McpServer,
  window = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') },
) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  const reader = await openSource(
    kind,
    { kind, command: 'unused' },
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
    const alerts = Array.from({ length: 30 }, (_, i) => ({
      id: `a${i}`,
      rule: i % 2 ? 'Brute force' : 'Tor egress',
      severity: i % 2 ? 'HIGH' : undefined,
      at: new Date(ms('2026-11-01T00:00:00Z') + i * 5 * 3_600_000).toISOString(),
    }));
    const { out, summary } = await readAll('secops-siem', fakeSiem({ alerts, max: 4 }));
    expect(out.alerts).toHaveLength(30);
    expect(new Set((out.alerts as { id: string }[]).map((a) => a.id)).size).toBe(30);
    expect((out.alerts as { id: string }[]).find((a) => a.id === 'a1')).toMatchObject({
      rule: 'Brute force',
      severity: 'high',
    });
    expect((out.alerts as { id: string }[]).find((a) => a.id === 'a0')).toMatchObject({
      rule: 'Tor egress',
      severity: 'medium',
    });
    expect(summary.notes.join(' ')).toMatch(/no severity/);
  });

  it('pagerduty: turns on-call entries into shifts with tiers from escalation levels, across pages', async () => {
    const { out } = await readAll(
      'pagerduty',
      fakePagerDuty([
        {
          user: { summary: 'Ann' },
          schedule: { id: 'P1' },
          escalation_level: 1,
          start: '2026-11-02T00:00:00Z',
          end: '2026-11-02T08:00:00Z',
        },
        {
          user: { summary: 'Bo' },
          schedule: { id: 'P1' },
          escalation_level: 2,
          start: '2026-11-02T00:00:00Z',
          end: '2026-11-02T08:00:00Z',
        },
        {
          user: { summary: 'Cy' },
          schedule: { id: 'P2' },
          escalation_level: 5,
          start: '2026-11-02T08:00:00Z',
          end: '2026-11-02T16:00:00Z',
        },
      ]),
    );
    expect((out.shifts as { analyst: string; tier: number }[]).map((s) => [s.analyst, s.tier])).toEqual([
      ['Ann', 1],
      ['Bo', 2],
      ['Cy', 3],
    ]);
  });

  it('cost (Vantage): sums services per month and category, amounts as decimal strings', async () => {
    const { out } = await readAll('cost', fakeCosts('vantage'));
    const byCategory = Object.fromEntries(
      (out.costs as { category: string; amount: string; currency: string }[]).map((c) => [
        c.category,
        [c.amount, c.currency],
      ]),
    );
    // GuardDuty 1200.504 → 1200.50 plus Security Hub 300.10 = 1500.60 tooling; Chronicle 5000.00 SIEM; S3 45.555 → 45.56
    expect(byCategory).toEqual({
      tooling: ['1500.60', 'USD'],
      siem_ingest: ['5000.00', 'USD'],
      cloud: ['45.56', 'USD'],
    });
  });

  it('cost (AWS billing): reads ResultsByTime groups', async () => {
    const { out } = await readAll('cost', fakeCosts('aws'));
    expect(out.costs).toEqual([
      expect.objectContaining({ month: '2026-09', category: 'cloud', amount: '812.35', currency: 'USD' }),
      expect.objectContaining({ month: '2026-09', category: 'siem_ingest', amount: '99.99', currency: 'USD' }),
    ]);
  });

  it('names the missing tool when a server lacks what the adapter needs', async () => {
    await expect(readAll('pagerduty', fakeCosts('vantage'))).rejects.toThrow(
      /pagerduty: the server lacks tool "list_oncalls" \(it offers: query-costs\)/,
    );
  });
});
