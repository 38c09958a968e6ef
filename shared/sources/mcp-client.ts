import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isDeepStrictEqual } from 'node:util';
import pLimit, { type LimitFunction } from 'p-limit';
import type { McpServerConfig } from '../config/config.js';
import { MissingToolError, PaginationError, SourceError, SourceTimeoutError, ToolCallError } from './errors.js';
import { redact } from './secrets.js';

/** Limits of one source connection (DESIGN.md "Sources"): per-call timeout, bounded retries, ≤ 16 calls in flight. */
export interface ClientLimits {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxInFlight: number;
  maxPages: number;
}

export const DEFAULT_LIMITS: ClientLimits = {
  timeoutMs: 30_000,
  retries: 3,
  backoffMs: 250,
  maxInFlight: 16,
  maxPages: 100_000,
};

/** A failure worth trying again: the server or the network may answer next time. */
class TransientError extends Error {}

/**
 * How a tool's answer was read (`readToolResult`): its `structuredContent` as it is; FastMCP's `{"result": X}` wrapper
 * taken off; or the JSON of its text content.
 */
export type AnswerForm = 'structured' | 'wrapped' | 'text';

/** One tool call as the client saw it: what was asked, how the answer came back, and the payload read from it. */
export interface ToolAnswer {
  tool: string;
  /** The arguments sent, secrets redacted. */
  args: Record<string, unknown>;
  form: AnswerForm;
  payload: unknown;
}

/**
 * Whether a tool's published `outputSchema` says its structured answer is the value wrapped in `{"result": …}`:
 * - the standalone `fastmcp` package marks such a schema `"x-fastmcp-wrap-result": true`;
 * - the MCP Python SDK's FastMCP (src/mcp/server/fastmcp/utilities/func_metadata.py, `_try_create_model_and_schema`)
 *   wraps every return annotation that is not an object model — primitives, `None`, `list[…]`, unions, `typing.Dict[str,
 *   Any]` (a `typing._GenericAlias`, not the builtin `dict[str, T]`, which it passes through as a RootModel) — in a
 *   model built by `create_model(f"{func_name}Output", result=annotation)`: an object schema titled `<tool>Output` whose
 *   only property is the required `result`.
 * An object model that merely has one field named `result` has its own class name as title, and is read as it is.
 */
export function wrapsResult(tool: string, schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Record<string, unknown>;
  const props = s.properties as Record<string, unknown> | undefined;
  const onlyResult =
    s.type === 'object' &&
    typeof props === 'object' &&
    props !== null &&
    Object.keys(props).length === 1 &&
    'result' in props &&
    Array.isArray(s.required) &&
    s.required.includes('result');
  return onlyResult && (s['x-fastmcp-wrap-result'] === true || s.title === `${tool}Output`);
}

/** The value of a tool's text content: one block's JSON (or its raw text), several blocks' values as a list. */
function textValue(texts: string[]): { value: unknown; json: boolean } | undefined {
  if (texts.length === 0) return undefined;
  const parse = (t: string): { value: unknown; json: boolean } => {
    try {
      return { value: JSON.parse(t), json: true };
    } catch {
      return { value: t, json: false };
    }
  };
  if (texts.length === 1) return parse(texts[0]!);
  // FastMCP sends a list return as one text block per item (func_metadata `_convert_to_content`).
  const items = texts.map(parse);
  return { value: items.map((i) => i.value), json: items.every((i) => i.json) };
}

/**
 * The one way a tool result is read (DESIGN.md "Sources"):
 * 1. an object `structuredContent` as it is — unless the tool's `outputSchema` says FastMCP wrapped it (`wrapsResult`),
 *    or, with no schema saying either way, its only key is `result` and the text content is the JSON of that `result`
 *    (FastMCP's text is the unwrapped value): then `structuredContent.result`;
 * 2. otherwise the JSON of the text content (several blocks: the list of their values), else `parseText`;
 * 3. a text content in JSON that disagrees with the structured answer is an error naming the tool: which of the two
 *    is true cannot be known.
 * Returns undefined when the result carries nothing (the caller retries that, as a null).
 */
export function readToolResult(
  source: string,
  tool: string,
  result: { structuredContent?: unknown; content?: unknown },
  outputSchema: unknown,
  parseText?: (text: string) => unknown,
): { payload: unknown; form: AnswerForm } | undefined {
  const texts = Array.isArray(result.content)
    ? (result.content as { type?: string; text?: unknown }[])
        .filter((c) => c.type === 'text' && typeof c.text === 'string')
        .map((c) => c.text as string)
    : [];
  const text = textValue(texts);
  const structured = result.structuredContent;
  if (structured !== undefined && structured !== null) {
    if (typeof structured !== 'object' || Array.isArray(structured))
      throw new ToolCallError(source, `${tool} answered structuredContent that is not an object`);
    const s = structured as Record<string, unknown>;
    let form: AnswerForm = 'structured';
    if (wrapsResult(tool, outputSchema)) {
      if (!('result' in s))
        throw new ToolCallError(
          source,
          `${tool}: its outputSchema wraps the answer in {"result": …} but structuredContent has no "result" (keys found: ${keysOf(s)})`,
        );
      form = 'wrapped';
    } else if (
      outputSchema === undefined &&
      Object.keys(s).length === 1 &&
      'result' in s &&
      text?.json &&
      isDeepStrictEqual(text.value, s.result) &&
      !isDeepStrictEqual(text.value, s)
    )
      form = 'wrapped';
    const payload = form === 'wrapped' ? s.result : s;
    if (text?.json) {
      // A one-item list comes back from FastMCP as one block holding the item.
      const said = Array.isArray(payload) && !Array.isArray(text.value) ? [text.value] : text.value;
      if (!isDeepStrictEqual(said, payload))
        throw new ToolCallError(
          source,
          `${tool} answered structured content and text that disagree (structured keys: ${keysOf(payload)}; text keys: ${keysOf(said)}): cannot tell which is true`,
        );
    }
    return { payload, form };
  }
  if (!text) return undefined;
  if (text.json) return { payload: text.value, form: 'text' };
  if (!parseText)
    throw new ToolCallError(
      source,
      `${tool} answered with text that is not JSON: ${JSON.stringify(texts.join('\n').slice(0, 80))}`,
    );
  return { payload: parseText(texts.join('\n')), form: 'text' };
}

/** The keys of an answer, for an error that says what was found instead. */
export function keysOf(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v !== 'object' || v === null) return `none (${v === null ? 'null' : typeof v})`;
  const keys = Object.keys(v);
  return keys.length ? keys.join(', ') : 'none';
}

/**
 * One MCP server as a data source: checks its tools, calls them with a timeout, retries transient failures with
 * exponential backoff and jitter, bounds concurrency, and turns every failure into a SourceError with secrets redacted.
 */
export class SourceClient {
  /** At most `maxInFlight` calls at once (each with its retries); the others wait their turn, first come first served. */
  private readonly inFlight: LimitFunction;
  /** The argument names each tool declares in its inputSchema, as `tools/list` gave them. */
  private readonly inputs = new Map<string, ReadonlySet<string>>();
  /** Each tool's outputSchema, as `tools/list` gave it: tells a FastMCP-wrapped answer from a plain one. */
  private readonly outputs = new Map<string, unknown>();

  private constructor(
    readonly source: string,
    private readonly client: Client,
    private readonly secrets: readonly string[],
    readonly limits: ClientLimits,
    private readonly observe?: (answer: ToolAnswer) => void,
  ) {
    this.inFlight = pLimit(limits.maxInFlight);
  }

  /** Connect over Streamable HTTP (`url`) or stdio (`command`); a transport may be given directly (in-memory tests). */
  static async connect(
    source: string,
    server: McpServerConfig | { transport: Transport },
    opts: {
      secrets?: readonly string[];
      limits?: Partial<ClientLimits>;
      /** Told of every answer read (what `check-source` prints); arguments come with secrets redacted. */
      observe?: (answer: ToolAnswer) => void;
    } = {},
  ): Promise<SourceClient> {
    const secrets = opts.secrets ?? [];
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    let transport: Transport;
    if ('transport' in server) transport = server.transport;
    else if ('url' in server) {
      // URL's own error carries the whole text it was given (its `input`): never let it out.
      let url: URL;
      try {
        url = new URL(server.url);
      } catch {
        throw new SourceError(source, 'cannot connect: its url is not a valid URL');
      }
      transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: server.headers ?? {} } });
    } else
      transport = new StdioClientTransport({
        command: server.command,
        args: server.args ?? [],
        env: { ...getDefaultEnvironment(), ...server.env },
        stderr: 'ignore',
      });
    const client = new Client({ name: 'socpulse', version: '1.0.0' });
    try {
      await client.connect(transport, { timeout: limits.timeoutMs });
    } catch (e) {
      throw new SourceError(source, `cannot connect: ${redact(message(e), secrets)}`);
    }
    return new SourceClient(source, client, secrets, limits, opts.observe);
  }

  /** Fail with one clear error naming every tool the server lacks. */
  async requireTools(names: string[]): Promise<Set<string>> {
    const available = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      let page;
      try {
        page = await this.client.listTools(cursor ? { cursor } : undefined, { timeout: this.limits.timeoutMs });
      } catch (e) {
        // Redacted like every tool call's error: a server may echo the URL or the credentials it was sent.
        throw this.toSourceError('tools/list', e, 1);
      }
      for (const t of page.tools) {
        available.add(t.name);
        this.inputs.set(t.name, new Set(Object.keys(t.inputSchema.properties ?? {})));
        this.outputs.set(t.name, t.outputSchema);
      }
      cursor = page.nextCursor;
    } while (cursor && ++pages < 100);
    const missing = names.filter((n) => !available.has(n));
    if (missing.length)
      throw new MissingToolError(
        this.source,
        `the server lacks tool${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (it offers: ${[...available].sort().join(', ') || 'none'})`,
      );
    return available;
  }

  /** The argument names a tool declares (known after `requireTools`); undefined for a tool not listed. */
  inputsOf(tool: string): ReadonlySet<string> | undefined {
    return this.inputs.get(tool);
  }

  /**
   * Call a tool and return its payload: structuredContent, else JSON of the first text block, else `parseText`.
   * `incomplete` names what is missing from a payload that came back only partly (e.g. one of several upstream calls
   * failed): such a payload is retried like a null one.
   */
  async call(
    tool: string,
    args: Record<string, unknown>,
    parseText?: (text: string) => unknown,
    incomplete?: (payload: unknown) => string | undefined,
  ): Promise<unknown> {
    return this.inFlight(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const payload = await this.callOnce(tool, args, parseText);
          const missing = incomplete?.(payload);
          if (missing !== undefined) throw new TransientError(`incomplete result: ${missing}`);
          return payload;
        } catch (e) {
          const last = attempt >= this.limits.retries;
          if (!(e instanceof TransientError || isTransient(e)) || last) throw this.toSourceError(tool, e, attempt + 1);
          const delay = this.limits.backoffMs * 2 ** attempt * (0.5 + Math.random());
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    });
  }

  /**
   * Page through a list tool until it stops giving a cursor. A cursor seen before, or more than `maxPages` pages,
   * is an error: a buggy server must not keep a Lambda spinning until its timeout.
   */
  async *paginate<T>(
    tool: string,
    args: Record<string, unknown>,
    read: (payload: unknown) => { items: T[]; next: string | undefined },
    cursorArg = 'cursor',
  ): AsyncGenerator<T[]> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const payload = await this.call(tool, cursor === undefined ? args : { ...args, [cursorArg]: cursor });
      const { items, next } = read(payload);
      yield items;
      if (next === undefined || next === '') return;
      if (seen.has(next))
        throw new PaginationError(
          this.source,
          `${tool} returned cursor "${next.slice(0, 40)}" twice: stopping instead of looping`,
        );
      if (pages >= this.limits.maxPages)
        throw new PaginationError(this.source, `${tool} gave more than ${this.limits.maxPages} pages: stopping`);
      seen.add(next);
      cursor = next;
    }
  }

  /** Close the connection (and the stdio child). */
  async close(): Promise<void> {
    await this.client.close();
  }

  private async callOnce(
    tool: string,
    args: Record<string, unknown>,
    parseText?: (text: string) => unknown,
  ): Promise<unknown> {
    const result = await this.client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: this.limits.timeoutMs,
    });
    // A tool failure is data (MCP): the server may recover, so it is retried a bounded number of times.
    if (result.isError) {
      const text = Array.isArray(result.content)
        ? (result.content.find((c) => c.type === 'text') as { text?: string } | undefined)?.text
        : undefined;
      throw new TransientError(`isError: ${text ?? 'no message'}`);
    }
    const read = readToolResult(
      this.source,
      tool,
      result as { structuredContent?: unknown; content?: unknown },
      this.outputs.get(tool),
      parseText,
    );
    const payload = read?.payload;
    // Some servers (secops-soar) return null when their upstream call failed: retry, never skip the page.
    if (payload === null || payload === undefined) throw new TransientError('empty (null) result');
    const err = errorInPayload(payload);
    if (err) throw new TransientError(`error in payload: ${err}`);
    this.observe?.({
      tool,
      args: redactValues(args, this.secrets) as Record<string, unknown>,
      form: read!.form,
      payload,
    });
    return payload;
  }

  private toSourceError(tool: string, e: unknown, attempts: number): SourceError {
    if (e instanceof SourceError) return e;
    const what = redact(message(e), this.secrets);
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (e instanceof McpError && e.code === ErrorCode.RequestTimeout)
      return new SourceTimeoutError(this.source, `${tool} did not answer within ${this.limits.timeoutMs} ms${after}`);
    return new ToolCallError(this.source, `${tool} failed${after}: ${what}`);
  }
}

function isTransient(e: unknown): boolean {
  if (e instanceof McpError) return e.code === ErrorCode.RequestTimeout || e.code === ErrorCode.InternalError;
  if (e instanceof StreamableHTTPError) return e.code === undefined || e.code >= 500 || e.code === 429;
  // Network resets and refused connections surface as TypeError("fetch failed") with a cause.
  return e instanceof TypeError && /fetch failed/i.test(e.message);
}

/** The error message a payload carries instead of data (`{"error": …}` or `{"status": "error"}`), if any. */
export function errorInPayload(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (p.status === 'error' || (p.error !== undefined && p.error !== null && p.error !== false)) {
    const e = p.error ?? p.message ?? 'error';
    return typeof e === 'string' ? e : JSON.stringify(e).slice(0, 200);
  }
  return undefined;
}

/** Every string inside `v` with the secrets redacted. */
function redactValues(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return redact(v, secrets);
  if (Array.isArray(v)) return v.map((x) => redactValues(x, secrets));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValues(x, secrets)]));
  return v;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
