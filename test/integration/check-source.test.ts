// `socpulse check-source`: the verdict on the simulator in its three shapes and on fixtures in the vendors' shapes
// (wrapped FastMCP, a missing key, a capped answer), through the real MCP client and server, in memory and, for the
// command itself, over Streamable HTTP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../functions/cli/main.js';
import { createSocSimServer, createSocSimSoarServer, startSocSimHttp } from '../../functions/soc-sim/server.js';
import type { McpServerConfig } from '../../shared/config/config.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { checkSource, sourceCheckLines } from '../../shared/usecases/check-source.js';
import { fakePagerDuty, fakeSiem } from '../fakes/mcp-servers.js';
import { fakeSoarLocal, serveHttp } from '../fakes/secops-soar-local.js';

vi.setConfig({ testTimeout: 60_000 });
const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = { from: new Date('2026-11-19T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') };

async function check(server: McpServer, config: McpServerConfig, window = DAY) {
  const [client, srv] = InMemoryTransport.createLinkedPair();
  await server.connect(srv);
  return checkSource({
    name: 'src',
    server: config,
    secrets: new EnvSecretResolver({}),
    transport: client,
    ...window,
  });
}

describe('check-source verdicts', () => {
  it('the simulator, socpulse shape: ok, every family answered and mapped', async () => {
    const c = await check(createSocSimServer({ now: () => NOW }), { kind: 'socpulse', command: 'unused' });
    expect(c.verdict).toBe('ok');
    expect(c.reasons).toEqual([]);
    expect(new Set(c.calls.map((x) => x.tool))).toEqual(
      new Set(['list_cases', 'list_alerts', 'list_shifts', 'list_costs']),
    );
    expect(c.outcome.counts.cases).toBeGreaterThan(0);
    expect(c.outcome.counts.alerts).toBeGreaterThan(0);
    expect(c.calls.every((x) => x.form === 'structured')).toBe(true);
    expect(c.ignored).toEqual({});
  });

  for (const form of ['local', 'remote'] as const)
    it(`the simulator, secops-soar ${form} shape: ok, with the keys no one reads listed`, async () => {
      const c = await check(createSocSimSoarServer({ now: () => NOW, form }), {
        kind: 'secops-soar',
        command: 'unused',
      });
      expect(c.verdict).toBe('ok');
      expect(c.outcome.counts.cases).toBeGreaterThan(0);
      expect(c.outcome.counts.alerts).toBe(c.outcome.counts.cases); // the simulator gives each case one alert
      expect(c.calls[0]).toMatchObject({ tool: 'list_cases', form: 'text' });
      expect(c.ignored['list_cases cases[]']).toEqual(['environment', 'important', 'incident', 'stage', 'type']);
    });

  it('a FastMCP server wrapping its answers (SecOps SIEM, Dict[str, Any]): ok, and says it was unwrapped', async () => {
    const c = await check(
      fakeSiem({
        rules: { ru_1: { name: 'Brute force', severity: 'HIGH' } },
        alerts: [
          { ruleId: 'ru_1', id: 'de_1', at: '2026-11-19T09:00:00Z' },
          { ruleId: 'ru_1', id: 'de_2', at: '2026-11-19T15:00:00Z' },
        ],
      }),
      { kind: 'secops-siem', command: 'unused' },
    );
    expect(c.verdict).toBe('ok');
    expect(c.outcome.counts).toEqual({ alerts: 2 });
    const lines = sourceCheckLines(c);
    expect(lines[2]).toBe(
      '  search_rule_alerts {"start_time":"2026-11-19T00:00:00.000Z","end_time":"2026-11-20T00:00:00.000Z","max_alerts":1000} → structured content in FastMCP\'s {"result": …} wrapper (unwrapped); keys: ruleAlerts, tooManyAlerts; ruleAlerts: 1, ruleAlerts[].alerts: 2',
    );
    expect(lines).toContain('  search_rule_alerts ruleAlerts[].alerts[]: alertingType, ruleType, timeWindow');
    expect(lines.at(-1)).toBe('verdict: ok');
  });

  it('the SOAR server one annotation away (wrapped) reads as the plain one: ok, same counts', async () => {
    const week = { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-09T00:00:00Z') };
    const cfg = { kind: 'secops-soar', command: 'unused' } as const;
    const plain = await check(fakeSoarLocal(), cfg, week);
    const wrapped = await check(fakeSoarLocal({ returns: 'Dict[str, Any]' }), cfg, week);
    expect(wrapped.verdict).toBe('ok');
    expect(wrapped.outcome.counts).toEqual(plain.outcome.counts);
    expect(wrapped.outcome.counts.cases).toBe(6);
    expect(wrapped.calls.every((x) => x.form === 'wrapped')).toBe(true);
  });

  it('a missing list key: failing, naming the tool, the key and the keys found', async () => {
    const c = await check(
      fakePagerDuty([], undefined, ({ response, ...rest }) => ({ oncalls: response, ...rest })),
      { kind: 'pagerduty', command: 'unused' },
    );
    expect(c.verdict).toBe('failing');
    expect(c.reasons).toEqual([
      'src: list_oncalls answered without "response" (keys found: oncalls, response_summary)',
    ]);
  });

  it('a capped answer (exactly max_alerts in one minute, no tooManyAlerts): degraded, naming the minute', async () => {
    const c = await check(
      fakeSiem({
        rules: { ru_1: { name: 'Brute force', severity: 'HIGH' } },
        alerts: [
          { ruleId: 'ru_1', id: 'de_1', at: '2026-11-19T09:00:05Z' },
          { ruleId: 'ru_1', id: 'de_2', at: '2026-11-19T09:00:55Z' },
        ],
        rewrite: (b) => ({ ...b, tooManyAlerts: false }),
      }),
      { kind: 'secops-siem', command: 'unused', options: { siem: { maxAlerts: 2 } } },
    );
    expect(c.verdict).toBe('degraded');
    expect(c.reasons).toEqual([
      'search_rule_alerts answered exactly max_alerts (2) for 2026-11-19T09:00:00.000Z–2026-11-19T09:01:00.000Z without saying tooManyAlerts: alerts of that minute may be missing',
    ]);
  });

  it('records that do not map: degraded with the rejects, failing when none maps', async () => {
    const rules = { ru_1: { name: 'Brute force', severity: 'HIGH' }, ru_2: { name: 'No severity' } };
    const cfg = { kind: 'secops-siem', command: 'unused' } as const;
    const some = await check(
      fakeSiem({
        rules,
        alerts: [
          { ruleId: 'ru_1', id: 'de_1', at: '2026-11-19T09:00:00Z' },
          { ruleId: 'ru_2', id: 'de_2', at: '2026-11-19T10:00:00Z' },
        ],
      }),
      cfg,
    );
    expect(some.verdict).toBe('degraded');
    expect(some.reasons).toEqual(['1 record(s) rejected']);
    const none = await check(
      fakeSiem({ rules, alerts: [{ ruleId: 'ru_2', id: 'de_2', at: '2026-11-19T10:00:00Z' }] }),
      cfg,
    );
    expect(none.verdict).toBe('failing');
    expect(none.reasons[0]).toMatch(/search_rule_alerts: the server answered 1 item\(s\) and none could be read/);
  });
});

describe('socpulse check-source (the command, over Streamable HTTP)', () => {
  async function run(...argv: string[]) {
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    try {
      return { code: await main(argv), stdout };
    } finally {
      spy.mockRestore();
    }
  }

  it('exits 0 with "verdict: ok" on the simulator, 1 with "verdict: failing" on an answer it cannot read', async () => {
    const sim = await startSocSimHttp({ shape: 'secops-soar', now: () => NOW });
    const broken = await serveHttp(() =>
      fakePagerDuty([], undefined, ({ response, ...rest }) => ({ oncalls: response, ...rest })),
    );
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-check-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        timezone: 'UTC',
        fiscalYearStartMonth: 4,
        currency: 'EUR',
        mcpServers: { soar: { kind: 'secops-soar', url: sim.url }, oncall: { kind: 'pagerduty', url: broken.url } },
        sender: 'socpulse@example.com',
        audiences: { leadership: ['ciso@example.com'] },
      }),
    );
    try {
      const ok = await run('check-source', 'soar', '--from', '2026-11-19', '--to', '2026-11-19', '--config', config);
      expect(ok.stdout).toMatch(
        /^check-source soar \(secops-soar\) for 2026-11-19T00:00:00.000Z – 2026-11-20T00:00:00.000Z\n/,
      );
      expect(ok.stdout).toMatch(
        /\n {2}list_cases \{"next_page_token":"\d+:\d+"\} → text content \(JSON\); keys: cases/,
      );
      expect(ok.stdout).toMatch(/\nmapped: ok; \d+ cases, \d+ alerts; 0 rejected\n/);
      expect(ok.stdout.trim().split('\n').at(-1)).toBe('verdict: ok');
      expect(ok.code).toBe(0);
      const bad = await run('check-source', 'oncall', '--from', '2026-11-19', '--to', '2026-11-19', '--config', config);
      expect(bad.stdout.trim().split('\n').at(-1)).toBe(
        'verdict: failing — oncall: list_oncalls answered without "response" (keys found: oncalls, response_summary)',
      );
      expect(bad.code).toBe(1);
      const unknown = await run('check-source', 'nope', '--config', config);
      expect(unknown.code).toBe(2);
    } finally {
      await sim.close();
      await broken.close();
    }
  });
});
