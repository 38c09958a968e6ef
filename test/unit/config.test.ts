import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, requireSender } from '../../shared/config/config.js';

const minimal = { sender: 'socpulse@example.com' };

describe('config', () => {
  it('loads the shipped socpulse.config.json with the documented keys', () => {
    const config = loadConfig('socpulse.config.json');
    expect(config.timezone).toBe('Europe/London');
    expect(config.fiscalYearStartMonth).toBe(4);
    expect(config.mcpServers.sim?.kind).toBe('socpulse');
    expect(config.localTokens['dev-manager-token']).toBe('manager');
  });

  it('fills METRICS.md defaults for metric keys that are absent', () => {
    const config = parseConfig(minimal);
    expect(config.timezone).toBe('UTC');
    expect(config.fiscalYearStartMonth).toBe(1);
    expect(config.slaTarget).toBe(0.8);
    expect(config.slaWithinMinutes).toBe(15);
    expect(config.shrinkage).toBe(0.35);
    expect(config.hoursPerFte).toBe(40);
    expect(config.minOnShift).toBe(1);
    expect(config.varianceThresholdPct).toBe(10);
    expect(config.varianceThresholdAbs).toBe('5000.00');
  });

  it('accepts a config without sender or audiences; a part that sends refuses it, naming the key', () => {
    const config = parseConfig({ timezone: 'Europe/London' });
    expect(config.sender).toBeUndefined();
    expect(config.audiences).toEqual({});
    expect(() => requireSender(config, 'produce reports')).toThrow(
      new ConfigError('config: "sender" is required to produce reports (the address the emails are sent from)'),
    );
    expect(requireSender(parseConfig(minimal), 'produce reports')).toBe('socpulse@example.com');
    expect(() => parseConfig({ sender: 'not an address' })).toThrow(/sender: /);
  });

  it('rejects an unknown key and names it', () => {
    expect(() => parseConfig({ ...minimal, timezon: 'UTC' }, 'my.json')).toThrow(/my\.json: unknown key "timezon"/);
  });

  it('rejects an unknown key nested in a source and names where', () => {
    expect(() =>
      parseConfig({
        ...minimal,
        mcpServers: { soar: { kind: 'secops-soar', url: 'https://x.example/mcp', header: {} } },
      }),
    ).toThrow(ConfigError);
  });

  it('names the field of a bad value', () => {
    expect(() => parseConfig({ ...minimal, timezone: 'Mars/Olympus' })).toThrow(/timezone: unknown IANA time zone/);
    expect(() => parseConfig({ ...minimal, audiences: { leadership: ['not-an-email'] } })).toThrow(
      /audiences\.leadership\.0/,
    );
  });

  it('names the file when it cannot be read or parsed', () => {
    expect(() => loadConfig('does-not-exist.json')).toThrow(/does-not-exist\.json: cannot read config \(ENOENT\)/);
  });

  it('accepts per-source options of the source kind and names a misplaced or unknown one', () => {
    const config = parseConfig({
      ...minimal,
      mcpServers: {
        costs: {
          kind: 'cost',
          url: 'https://vantage.example/mcp',
          options: {
            vantage: { workspaceToken: '${secret:vantage-ws}', filter: "(costs.provider = 'aws')" },
            cost: { categories: { AmazonSecurityLake: 'siem_ingest' } },
          },
        },
        oncall: { kind: 'pagerduty', command: 'uvx', options: { pagerduty: { tiers: { PSCHED1: 2 } } } },
      },
    });
    expect(config.mcpServers.costs?.options?.vantage?.workspaceToken).toBe('${secret:vantage-ws}');
    expect(config.mcpServers.oncall?.options?.pagerduty?.tiers).toEqual({ PSCHED1: 2 });
    const bad = (server: unknown) => () => parseConfig({ ...minimal, mcpServers: { s: server } });
    expect(bad({ kind: 'cost', url: 'https://x.example/mcp', options: { pagerduty: {} } })).toThrow(
      /mcpServers\.s\.options\.pagerduty: option "pagerduty" is not read by kind "cost" \(it reads: vantage, aws, cost\)/,
    );
    expect(
      bad({ kind: 'cost', url: 'https://x.example/mcp', options: { vantage: { workspaceToken: 'w', filtr: 'x' } } }),
    ).toThrow(/unknown key "filtr" in mcpServers\.s\.options\.vantage/);
    expect(bad({ kind: 'cost', command: 'x', options: { vantage: {} } })).toThrow(
      /mcpServers\.s\.options\.vantage\.workspaceToken: Invalid input/,
    );
    expect(bad({ kind: 'pagerduty', command: 'x', options: { pagerduty: { tiers: { P1: 4 } } } })).toThrow(
      /mcpServers\.s\.options\.pagerduty\.tiers\.P1/,
    );
    expect(bad({ kind: 'secops-siem', command: 'x', options: { siem: { defaultSeverity: 'severe' } } })).toThrow(
      /mcpServers\.s\.options\.siem\.defaultSeverity/,
    );
  });
});
