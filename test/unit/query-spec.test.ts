// A query source's mapping is checked when the config is loaded: every JSONata expression compiles, every mapped
// field is a canonical field, every enum maps to a value socpulse knows, every required field is mapped; the error
// names the field's path. The shipped mappings pass.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../shared/config/config.js';
import { querySpecOf, SHIPPED_MAPPINGS } from '../../shared/config/query-spec.js';
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
