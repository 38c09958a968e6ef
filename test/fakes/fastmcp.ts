// How a Python MCP server built with FastMCP (the MCP Python SDK) answers a tool call, by the tool's return annotation,
// as src/mcp/server/fastmcp/utilities/func_metadata.py decides it (modelcontextprotocol/python-sdk, v1.x):
// - `dict` (bare): no output schema (`get_type_hints(dict)` is empty), so the answer is text only: the value as JSON
//   (pydantic `to_json(indent=2)`, `_convert_to_content`); `None` is no content at all;
// - `Dict[str, Any]` (typing's alias, not a `types.GenericAlias`), lists, primitives, unions: wrapped, with the output
//   schema `create_model(f"{func_name}Output", result=annotation)` publishes (an object titled `<name>Output` whose one
//   required property is `result`); structuredContent is `{"result": value}` and the text is the *unwrapped* value;
// - `dict[str, Any]` (builtin): a RootModel, not wrapped, titled `<name>DictOutput`; structuredContent is the value;
// - a pydantic model: its own schema and title; structuredContent is the value.
// The standalone `fastmcp` package wraps the same way and marks the schema `"x-fastmcp-wrap-result": true`.
import * as z from 'zod';

export type FastMcpReturn = 'dict' | 'Dict[str, Any]' | 'dict[str, Any]' | 'fastmcp-wrapped';

/** The output schema FastMCP publishes for a tool returning `returns` (undefined: none, a text-only tool). */
export function fastMcpOutputSchema(tool: string, returns: FastMcpReturn) {
  const anyDict = z.record(z.string(), z.unknown());
  switch (returns) {
    case 'dict':
      return undefined;
    case 'Dict[str, Any]':
      return z.object({ result: anyDict.meta({ title: 'Result' }) }).meta({ title: `${tool}Output` });
    case 'fastmcp-wrapped':
      return z.object({ result: anyDict }).meta({ 'x-fastmcp-wrap-result': true });
    case 'dict[str, Any]':
      return z.looseObject({}).meta({ title: `${tool}DictOutput` });
  }
}

/** The CallToolResult FastMCP sends when a tool returning `returns` returned `value` (null: Python's None). */
export function fastMcpAnswer(value: unknown, returns: FastMcpReturn) {
  if (value === null || value === undefined) return { content: [] };
  const content = [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }];
  if (returns === 'dict') return { content };
  const wrapped = returns === 'Dict[str, Any]' || returns === 'fastmcp-wrapped';
  return { content, structuredContent: (wrapped ? { result: value } : value) as Record<string, unknown> };
}
