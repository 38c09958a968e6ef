import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
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
 * One MCP server as a data source: checks its tools, calls them with a timeout, retries transient failures with
 * exponential backoff and jitter, bounds concurrency, and turns every failure into a SourceError with secrets redacted.
 */
export class SourceClient {
  /** At most `maxInFlight` calls at once (each with its retries); the others wait their turn, first come first served. */
  private readonly inFlight: LimitFunction;
  /** The argument names each tool declares in its inputSchema, as `tools/list` gave them. */
  private readonly inputs = new Map<string, ReadonlySet<string>>();

  private constructor(
    readonly source: string,
    private readonly client: Client,
    private readonly secrets: readonly string[],
    readonly limits: ClientLimits,
  ) {
    this.inFlight = pLimit(limits.maxInFlight);
  }

  /** Connect over Streamable HTTP (`url`) or stdio (`command`); a transport may be given directly (in-memory tests). */
  static async connect(
    source: string,
    server: McpServerConfig | { transport: Transport },
    opts: { secrets?: readonly string[]; limits?: Partial<ClientLimits> } = {},
  ): Promise<SourceClient> {
    const secrets = opts.secrets ?? [];
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    let transport: Transport;
    if ('transport' in server) transport = server.transport;
    else if ('url' in server)
      transport = new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: server.headers ?? {} },
      });
    else
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
    return new SourceClient(source, client, secrets, limits);
  }

  /** Fail with one clear error naming every tool the server lacks. */
  async requireTools(names: string[]): Promise<Set<string>> {
    const available = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined, { timeout: this.limits.timeoutMs });
      for (const t of page.tools) {
        available.add(t.name);
        this.inputs.set(t.name, new Set(Object.keys(t.inputSchema.properties ?? {})));
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
    const text = Array.isArray(result.content)
      ? (result.content.find((c) => c.type === 'text') as { text?: string } | undefined)?.text
      : undefined;
    // A tool failure is data (MCP): the server may recover, so it is retried a bounded number of times.
    if (result.isError) throw new TransientError(`isError: ${text ?? 'no message'}`);
    let payload: unknown = result.structuredContent;
    if (payload === undefined && text !== undefined) {
      try {
        payload = JSON.parse(text);
      } catch {
        if (!parseText)
          throw new ToolCallError(
            this.source,
            `${tool} answered with text that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
          );
        payload = parseText(text);
      }
    }
    // Some servers (secops-soar) return null when their upstream call failed: retry, never skip the page.
    if (payload === null || payload === undefined) throw new TransientError('empty (null) result');
    const err = errorInPayload(payload);
    if (err) throw new TransientError(`error in payload: ${err}`);
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

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
