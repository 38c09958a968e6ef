import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerConfig } from '../config/config.js';
import { keysOf, type AnswerForm, type ToolAnswer } from '../sources/mcp-client.js';
import { openSource } from '../sources/open-source.js';
import {
  unmappedFamily,
  type MappingSample,
  type ReadSummary,
  type SourceReader,
  type ToolReads,
} from '../sources/reader.js';
import type { SecretResolver } from '../sources/secrets.js';
import { outcomeStatus, sourceStatusLines, type SourceOutcome } from './source-status.js';

export interface CheckSourceRequest {
  name: string;
  server: McpServerConfig;
  secrets: SecretResolver;
  from: Date;
  to: Date;
  /** An already linked transport (tests); otherwise the configured URL or command. */
  transport?: Transport;
}

/** One call as the check saw it: what was asked and what came back. */
export interface CheckedCall {
  tool: string;
  args: Record<string, unknown>;
  form: AnswerForm;
  /** The answer's top-level keys, or what it was instead of an object. */
  keys: string;
  /** Per list in the answer (top level, and the paths the adapter reads), how many items it held. */
  lists: Record<string, number>;
}

/** What `check-source` found: every call, what was mapped, rejected and ignored, and a verdict with its reasons. */
export interface SourceCheck {
  source: string;
  kind: string;
  window: { from: string; to: string };
  calls: CheckedCall[];
  outcome: SourceOutcome;
  /** Per `tool path[]`, the record keys the source sent that the adapter does not read. */
  ignored: Record<string, string[]>;
  verdict: 'ok' | 'degraded' | 'failing';
  reasons: string[];
  /** Query sources: a few rows of each family as answered, and the record (or the reject) the mapping made of each. */
  samples: MappingSample[];
}

/**
 * Check one configured source for a small window, as a manager connecting it would:
 * 1. open it (secrets, connection, tools check) and read the window through its kind's adapter, watching every call;
 * 2. for each answer, note how it came back (structured, FastMCP-wrapped or text), its keys and list sizes, and the
 *    record keys the adapter ignores;
 * 3. judge it: `failing` when the read failed or a family mapped nothing of what was answered, `degraded` with rejects
 *    or a possibly cut answer, else `ok`. Nothing is stored.
 */
export async function checkSource(req: CheckSourceRequest): Promise<SourceCheck> {
  const answers: ToolAnswer[] = [];
  const counts: Record<string, number> = {};
  const errors: string[] = [];
  let reader: SourceReader | undefined;
  let summary: ReadSummary = { rejects: { count: 0, samples: [] }, notes: [] };
  try {
    reader = await openSource(req.name, req.server, {
      secrets: req.secrets,
      ...(req.transport ? { transport: req.transport } : {}),
      observe: (a) => answers.push(a),
    });
    for await (const batch of reader.read({ from: req.from, to: req.to }))
      counts[batch.family] = (counts[batch.family] ?? 0) + batch.records.length;
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  } finally {
    if (reader) summary = reader.summary();
    await reader?.close().catch(() => undefined);
  }
  const reads: ToolReads = reader?.reads ?? {};
  const calls = answers.map((a) => describe(a, reads[a.tool] ?? {}));
  const ignored: Record<string, Set<string>> = {};
  for (const a of answers)
    for (const [path, known] of Object.entries(reads[a.tool] ?? {}))
      for (const record of recordsAt(a.payload, path))
        for (const key of Object.keys(record))
          if (!known.includes(key)) (ignored[`${a.tool} ${path}[]`] ??= new Set()).add(key);
  const unmapped = errors.length ? undefined : unmappedFamily(summary.rejects, counts);
  if (unmapped) errors.push(unmapped);
  const outcome: SourceOutcome = {
    source: req.name,
    status: outcomeStatus(errors, summary),
    counts,
    rejects: summary.rejects,
    notes: [...(summary.incomplete ?? []), ...summary.notes],
    errors,
  };
  const reasons = [
    ...errors,
    ...(summary.rejects.count ? [`${summary.rejects.count} record(s) rejected`] : []),
    ...(summary.incomplete ?? []),
  ];
  if (!errors.length && Object.values(counts).every((n) => n === 0))
    reasons.push('no records in the window: the source answered explicit empty lists');
  return {
    source: req.name,
    kind: req.server.kind,
    window: { from: req.from.toISOString(), to: req.to.toISOString() },
    calls,
    outcome,
    ignored: Object.fromEntries(Object.entries(ignored).map(([k, v]) => [k, [...v].sort()])),
    verdict: outcome.status === 'failed' ? 'failing' : outcome.status,
    reasons,
    samples: reader?.samples?.() ?? [],
  };
}

const CALLS_SHOWN_PER_TOOL = 3;

/** The report `check-source` prints: the calls, what was mapped, rejected and ignored, and the verdict. */
export function sourceCheckLines(c: SourceCheck): string[] {
  const out = [`check-source ${c.source} (${c.kind}) for ${c.window.from} – ${c.window.to}`];
  out.push(`asked and answered (${c.calls.length} call(s)):`);
  const shown: Record<string, number> = {};
  for (const call of c.calls) {
    shown[call.tool] = (shown[call.tool] ?? 0) + 1;
    if (shown[call.tool]! > CALLS_SHOWN_PER_TOOL) continue;
    const lists = Object.entries(call.lists)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
    out.push(
      `  ${call.tool} ${JSON.stringify(call.args)} → ${FORM_WORDS[call.form]}; keys: ${call.keys}${lists ? `; ${lists}` : ''}`,
    );
  }
  for (const [tool, n] of Object.entries(shown))
    if (n > CALLS_SHOWN_PER_TOOL) out.push(`  … and ${n - CALLS_SHOWN_PER_TOOL} more call(s) of ${tool}`);
  out.push(...sourceStatusLines(c.outcome, { label: 'mapped' }));
  const ignored = Object.entries(c.ignored);
  out.push(ignored.length ? 'ignored keys (sent by the source, read by no one):' : 'ignored keys: none');
  for (const [where, keys] of ignored) out.push(`  ${where}: ${keys.join(', ')}`);
  if (c.samples.length) out.push('the mapping on a sample of rows:');
  for (const s of c.samples) {
    out.push(`  ${s.family} row ${clip(s.row)}`);
    out.push(s.record ? `    → ${clip(s.record)}` : `    → rejected: ${s.reason}`);
  }
  out.push(`verdict: ${c.verdict}${c.reasons.length ? ` — ${c.reasons.join('; ')}` : ''}`);
  return out;
}

/** A row or record on one line, cut at 400 characters. */
const clip = (v: unknown) => {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 400 ? `${t.slice(0, 399)}…` : t;
};

const FORM_WORDS: Record<AnswerForm, string> = {
  structured: 'structured content',
  wrapped: 'structured content in FastMCP\'s {"result": …} wrapper (unwrapped)',
  text: 'text content (JSON)',
};

function describe(a: ToolAnswer, paths: Readonly<Record<string, readonly string[]>>): CheckedCall {
  const lists: Record<string, number> = {};
  if (typeof a.payload === 'object' && a.payload !== null && !Array.isArray(a.payload))
    for (const [k, v] of Object.entries(a.payload)) if (Array.isArray(v)) lists[k] = v.length;
  for (const path of Object.keys(paths)) if (!(path in lists)) lists[path] = recordsAt(a.payload, path).length;
  return { tool: a.tool, args: a.args, form: a.form, keys: keysOf(a.payload), lists };
}

/** The records at `path` in an answer (`a.b`, `a[].b`: every `b` list of every item of `a`). */
function recordsAt(payload: unknown, path: string): Record<string, unknown>[] {
  let here: unknown[] = [payload];
  for (const part of path.split('.')) {
    const each = part.endsWith('[]');
    const key = each ? part.slice(0, -2) : part;
    here = here.flatMap((v) => {
      const got = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
      return each ? (Array.isArray(got) ? got : []) : got === undefined ? [] : [got];
    });
  }
  return here
    .flatMap((v) => (Array.isArray(v) ? v : []))
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && !Array.isArray(r));
}
