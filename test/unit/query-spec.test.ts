// A query source's mapping is checked when the config is loaded: every JSONata expression compiles, every mapped
// field is a canonical field, every enum maps to a value socpulse knows, every required field is mapped; the error
// names the field's path. The shipped mappings pass.
import { readdirSync } from 'node:fs';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../shared/config/config.js';
import { querySpecOf, SHIPPED_MAPPINGS, unavailableFigures } from '../../shared/config/query-spec.js';
import { parseTime } from '../../shared/sources/adapters/query.js';

const load = (query: unknown) =>
  parseConfig({ mcpServers: { siem: { kind: 'query', url: 'http://x.invalid/mcp', options: { query } } } });
const refusal = (query: unknown) => {
  try {
    load(query);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
};
const AT = 'config: mcpServers.siem.options.query';
/** Each issue after the first is said without the origin. */
const PATH = 'mcpServers.siem.options.query';

describe('query source mappings at config load', () => {
  it('the shipped mappings load, by name', () => {
    expect(Object.keys(SHIPPED_MAPPINGS).sort()).toEqual(['sentinel', 'splunk-es']);
    for (const name of Object.keys(SHIPPED_MAPPINGS)) {
      expect((load(name).mcpServers.siem!.options as { query: string }).query).toBe(name);
      expect(Object.keys(querySpecOf(name).families).length).toBeGreaterThan(0);
    }
  });

  it('an expression that does not compile: named with its path and the character', () => {
    const spec = structuredClone(querySpecOf('splunk-es'));
    (spec.families.cases!.fields.severity as { expr: string }).expr = 'urgency ~> $lowercase(';
    expect(refusal(spec)).toBe(
      `${AT}.families.cases.fields.severity.expr: not a valid JSONata expression (Expected ")" before end of expression at character 22): "urgency ~> $lowercase("`,
    );
  });

  it('a field no canonical record has, an enum to an unknown value, an unmapped required field', () => {
    const spec = structuredClone(querySpecOf('sentinel'));
    const cases = spec.families.cases!;
    cases.fields.sevrity = 'Severity';
    (cases.fields.disposition as { enum: Record<string, string> }).enum.TruePositive = 'true positive';
    delete cases.fields.createdAt;
    const said = refusal(spec);
    expect(said).toContain(
      `${PATH}.families.cases.fields.sevrity: "sevrity" is not a field of a canonical cases record`,
    );
    expect(said).toContain(
      `${PATH}.families.cases.fields.disposition.enum.TruePositive: maps to "true positive", not a disposition socpulse knows (true_positive, benign_positive, false_positive, undetermined)`,
    );
    expect(said).toContain(
      `${PATH}.families.cases.fields: "createdAt" is required in a cases record and has no mapping`,
    );
  });

  it('offset paging without {offset} and {limit}, a submit without {sid}, an unknown key, a wrong name', () => {
    const sentinel = structuredClone(querySpecOf('sentinel'));
    sentinel.families.alerts!.query = 'SecurityAlert | take 10';
    expect(refusal(sentinel)).toBe(
      `${AT}.families.alerts.query: offset paging needs "{offset}" and "{limit}" in the query text or the arguments`,
    );
    const splunk = structuredClone(querySpecOf('splunk-es'));
    if (splunk.paging.mode === 'submit') splunk.paging.fetchArgs = { job: 'x' };
    expect(refusal(splunk)).toBe(`${AT}.paging.fetchArgs: must send the job in "{sid}"`);
    expect(refusal({ ...querySpecOf('sentinel'), colums: 'x' })).toMatch(new RegExp(`^${AT}: .*colums`));
    expect(refusal('sentinal')).toBe(
      `${AT}: not a shipped mapping (shipped: sentinel, splunk-es); or write the spec as an object`,
    );
    expect(() => parseConfig({ mcpServers: { siem: { kind: 'query', url: 'http://x.invalid/mcp' } } })).toThrow(
      'config: mcpServers.siem.options.query: a query source needs its query spec, or the name of a shipped mapping (sentinel, splunk-es)',
    );
  });

  it('time parsing: ISO needs an offset; epoch seconds and milliseconds', () => {
    expect(parseTime('2026-11-06T14:05:00Z', 'iso')).toBe('2026-11-06T14:05:00.000Z');
    expect(parseTime('2026-11-06T15:05:00.000+01:00', 'iso')).toBe('2026-11-06T14:05:00.000Z');
    expect(parseTime('2026-11-06T14:05:00', 'iso')).toBeUndefined();
    expect(parseTime('1762437900.123', 'epoch')).toBe('2025-11-06T14:05:00.123Z');
    expect(parseTime(1762437900123, 'epochMs')).toBe('2025-11-06T14:05:00.123Z');
    expect(parseTime('soon', 'epoch')).toBeUndefined();
  });
});

describe('what a mapping does not give is unavailable by itself', () => {
  const NOT = 'not available from Microsoft Sentinel';

  it("Sentinel: containment, tiers, escalation, runbooks and handle time, each figure in the spec's name", () => {
    expect(unavailableFigures(querySpecOf('sentinel'), 'siem')).toEqual({
      ttc: NOT,
      'staffing.casesPerAnalystHour': NOT,
      escalationRate: NOT,
      runbooks: NOT,
      'staffing.aht': NOT,
      'staffing.utilization': NOT,
    });
  });

  it('Splunk ES: first event too (time to detect); detectedAt alone makes nothing unavailable (it defaults)', () => {
    const said = unavailableFigures(querySpecOf('splunk-es'), 'siem')!;
    expect(Object.keys(said).sort()).toEqual([
      'escalationRate',
      'runbooks',
      'staffing.aht',
      'staffing.casesPerAnalystHour',
      'staffing.utilization',
      'ttc',
      'ttd',
    ]);
    expect(said.ttd).toBe('not available from Splunk ES notables');
  });

  it('absentMeansNone keeps a figure; a listed unavailable rewords or adds one; no name: the source is named', () => {
    const spec = structuredClone(querySpecOf('sentinel'));
    delete spec.name;
    spec.absentMeansNone = ['escalatedToTier', 'runbook'];
    spec.unavailable = { ttc: 'Sentinel keeps no containment time', rules: 'rules are kept apart' };
    expect(unavailableFigures(load(spec).mcpServers.siem!.options!.query as never, 'siem')).toEqual({
      ttc: 'Sentinel keeps no containment time',
      rules: 'rules are kept apart',
      'staffing.casesPerAnalystHour': 'not available from siem',
      'staffing.aht': 'not available from siem',
      'staffing.utilization': 'not available from siem',
    });
  });

  it('an alerts-only mapping makes no case figure unavailable', () => {
    const spec = structuredClone(querySpecOf('sentinel'));
    delete spec.families.cases;
    expect(unavailableFigures(spec, 'siem')).toBeUndefined();
  });

  it('refused at load: absentMeansNone naming a mapped or unknown field, a cases mapping without closedAt', () => {
    const spec = structuredClone(querySpecOf('sentinel'));
    spec.absentMeansNone = ['assignee', 'acknowledgedAt'];
    delete spec.families.cases!.fields.closedAt;
    const said = refusal(spec);
    expect(said).toContain(
      `${PATH}.absentMeansNone.0: "assignee" not an optional case field with figures (firstEventAt, acknowledgedAt, containedAt, disposition, rule, tier, escalatedToTier, runbook, handleMinutes)`,
    );
    expect(said).toContain(`${PATH}.absentMeansNone.1: "acknowledgedAt" is mapped: absent cannot mean none`);
    expect(said).toContain(
      `${PATH}.families.cases.fields: "closedAt" has no mapping: without it every case would look open`,
    );
  });
});

describe("Sentinel's dynamic columns (Owner, Labels) as JSON text or as objects", () => {
  // Shapes: Owner {objectId, email, assignedTo, userPrincipalName} and Labels [{labelName, labelType}], as the
  // SecurityInsights incident model has them (hashicorp/pandora, SecurityInsights v2022_08_01 IncidentOwnerInfo,
  // IncidentLabel); the SecurityIncident table keeps both as dynamic columns.
  const fields = querySpecOf('sentinel').families.cases!.fields;
  const expr = (f: string) => jsonata(typeof fields[f] === 'string' ? fields[f] : (fields[f] as { expr: string }).expr);
  const owner = { objectId: 'o-1', email: 'ana@example.com', assignedTo: 'Ana Diaz', userPrincipalName: 'ana@x' };
  const labels = [{ labelName: 'Critical', labelType: 'User' }];

  it('the assignee is Owner.assignedTo; absent when the incident has no owner', async () => {
    expect(await expr('assignee').evaluate({ Owner: JSON.stringify(owner) })).toBe('Ana Diaz');
    expect(await expr('assignee').evaluate({ Owner: owner })).toBe('Ana Diaz');
    expect(await expr('assignee').evaluate({ Owner: JSON.stringify({ ...owner, assignedTo: null }) })).toBeNull();
    expect(await expr('assignee').evaluate({ Owner: null })).toBeUndefined();
  });

  it('a "Critical" label makes the severity Critical; otherwise the Severity column', async () => {
    expect(await expr('severity').evaluate({ Labels: JSON.stringify(labels), Severity: 'High' })).toBe('Critical');
    expect(await expr('severity').evaluate({ Labels: labels, Severity: 'High' })).toBe('Critical');
    expect(await expr('severity').evaluate({ Labels: '[]', Severity: 'Low' })).toBe('Low');
    expect(await expr('severity').evaluate({ Labels: [{ labelName: 'VIP' }], Severity: 'Medium' })).toBe('Medium');
  });
});

describe('the shipped examples', () => {
  it('every examples/*.config.json loads through the config loader and names a shipped mapping', () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.config.json'));
    expect(files.sort()).toEqual(['sentinel.config.json', 'splunk.config.json']);
    const named = files.flatMap((f) =>
      Object.values(loadConfig(`examples/${f}`).mcpServers)
        .filter((s) => s.kind === 'query')
        .map((s) => (s.options as { query: unknown }).query),
    );
    expect(named.sort()).toEqual(['sentinel', 'splunk-es']);
    for (const name of named) expect(Object.keys(SHIPPED_MAPPINGS)).toContain(name);
  });
});
