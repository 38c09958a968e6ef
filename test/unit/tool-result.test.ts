// The one rule for reading a tool result (shared/sources/mcp-client.ts readToolResult), against the output schemas the
// MCP Python SDK's FastMCP publishes (src/mcp/server/fastmcp/utilities/func_metadata.py and its
// tests/server/fastmcp/test_func_metadata.py: a wrapped return is `{"type": "object", "properties": {"result": …},
// "required": ["result"], "title": "<func>Output"}`, a `dict[str, T]` RootModel is titled `<func>DictOutput`, a model
// keeps its class name) and the standalone fastmcp package's `"x-fastmcp-wrap-result": true` marker.
import { describe, expect, it } from 'vitest';
import { readToolResult, wrapsResult } from '../../shared/sources/mcp-client.js';

const wrappedSchema = (title: string) => ({
  type: 'object',
  properties: { result: { additionalProperties: true, title: 'Result', type: 'object' } },
  required: ['result'],
  title,
});
const json = (v: unknown) => [{ type: 'text', text: JSON.stringify(v, null, 2) }];
const alerts = { ruleAlerts: [{ alerts: [{ id: 'de_1' }] }], tooManyAlerts: false };

describe('wrapsResult: when FastMCP wrapped a tool answer in {"result": …}', () => {
  it('says yes for the SDK wrapper model and for the fastmcp marker, no for an object model or a dict RootModel', () => {
    expect(wrapsResult('search_rule_alerts', wrappedSchema('search_rule_alertsOutput'))).toBe(true);
    expect(
      wrapsResult('add', {
        type: 'object',
        properties: { result: { type: 'integer' } },
        required: ['result'],
        'x-fastmcp-wrap-result': true,
      }),
    ).toBe(true);
    // A pydantic model whose one field happens to be called result keeps its class name as title.
    expect(wrapsResult('lookup', wrappedSchema('LookupAnswer'))).toBe(false);
    expect(wrapsResult('lookup', { type: 'object', additionalProperties: true, title: 'lookupDictOutput' })).toBe(
      false,
    );
    // Another tool's wrapper title is not this tool's.
    expect(wrapsResult('lookup', wrappedSchema('search_rule_alertsOutput'))).toBe(false);
    expect(wrapsResult('lookup', undefined)).toBe(false);
  });
});

describe('readToolResult: structured as is, FastMCP wrapper off, else the text JSON; disagreement is an error', () => {
  it('unwraps a Dict[str, Any] answer of the SecOps SIEM server', () => {
    const read = readToolResult(
      'siem',
      'search_rule_alerts',
      { structuredContent: { result: alerts }, content: json(alerts) },
      wrappedSchema('search_rule_alertsOutput'),
    );
    expect(read).toEqual({ payload: alerts, form: 'wrapped' });
  });

  it('keeps a legitimate answer whose only key is "result" as it is', () => {
    const legit = { result: { status: 'done', count: 3 } };
    // Its schema is a model's (own title), and the text agrees with the whole object.
    expect(
      readToolResult('s', 'lookup', { structuredContent: legit, content: json(legit) }, wrappedSchema('LookupAnswer')),
    ).toEqual({ payload: legit, form: 'structured' });
    // No schema, the text is the whole object: as is.
    expect(readToolResult('s', 'lookup', { structuredContent: legit, content: json(legit) }, undefined)).toEqual({
      payload: legit,
      form: 'structured',
    });
    // No schema and no text: nothing says it is wrapped.
    expect(readToolResult('s', 'lookup', { structuredContent: legit }, undefined)).toEqual({
      payload: legit,
      form: 'structured',
    });
  });

  it('unwraps with no schema when the text is the JSON of the inner value (FastMCP sends the value unwrapped as text)', () => {
    expect(
      readToolResult('s', 'list_cases', { structuredContent: { result: alerts }, content: json(alerts) }, undefined),
    ).toEqual({ payload: alerts, form: 'wrapped' });
  });

  it('refuses structured content and text that disagree, naming the tool', () => {
    const text = { cases: [{ id: 1 }, { id: 2 }] };
    expect(() =>
      readToolResult(
        'soar',
        'list_cases',
        { structuredContent: { cases: [{ id: 1 }] }, content: json(text) },
        undefined,
      ),
    ).toThrow(/soar: list_cases answered structured content and text that disagree/);
    // The wrapper schema says wrapped but the text is the wrapped object: which is meant cannot be known.
    expect(() =>
      readToolResult(
        'siem',
        'search_rule_alerts',
        { structuredContent: { result: alerts }, content: json({ result: alerts }) },
        wrappedSchema('search_rule_alertsOutput'),
      ),
    ).toThrow(/search_rule_alerts answered structured content and text that disagree/);
    expect(() =>
      readToolResult(
        'siem',
        'search_rule_alerts',
        { structuredContent: alerts },
        wrappedSchema('search_rule_alertsOutput'),
      ),
    ).toThrow(
      /wraps the answer in \{"result": …\} but structuredContent has no "result" \(keys found: ruleAlerts, tooManyAlerts\)/,
    );
  });

  it('reads text JSON when there is no structured content; several blocks (a FastMCP list) as a list', () => {
    expect(readToolResult('s', 't', { content: json({ cases: [] }) }, undefined)).toEqual({
      payload: { cases: [] },
      form: 'text',
    });
    expect(readToolResult('s', 't', { content: [...json({ id: 1 }), ...json({ id: 2 })] }, undefined)).toEqual({
      payload: [{ id: 1 }, { id: 2 }],
      form: 'text',
    });
    expect(readToolResult('s', 't', { content: [] }, undefined)).toBeUndefined();
    expect(() => readToolResult('s', 't', { content: [{ type: 'text', text: 'Found 3 cases' }] }, undefined)).toThrow(
      /t answered with text that is not JSON/,
    );
  });
});
