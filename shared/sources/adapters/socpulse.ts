import type { Family } from '../../domain/day-snapshot.js';
import { AlertSchema, CaseSchema, CostSchema, ShiftSchema } from '../../domain/records.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { listAt } from './util.js';

const TOOLS: Record<
  Family,
  { tool: string; schema: typeof CaseSchema | typeof AlertSchema | typeof ShiftSchema | typeof CostSchema }
> = {
  cases: { tool: 'list_cases', schema: CaseSchema },
  alerts: { tool: 'list_alerts', schema: AlertSchema },
  shifts: { tool: 'list_shifts', schema: ShiftSchema },
  costs: { tool: 'list_costs', schema: CostSchema },
};

/**
 * The native `socpulse` contract: `list_cases`, `list_alerts`, `list_shifts`, `list_costs`, each taking
 * `{from, to, cursor}` and answering `{items, nextCursor}` of canonical records. A server may offer a subset;
 * it must offer at least one, and the families it lacks are not collected (never written as zeros).
 */
export async function socpulseReader(
  client: SourceClient,
  opts: { redact: (t: string) => string },
): Promise<SourceReader> {
  const available = await client.requireTools([]);
  const families = new Set((Object.keys(TOOLS) as Family[]).filter((f) => available.has(TOOLS[f].tool)));
  if (families.size === 0) await client.requireTools(Object.values(TOOLS).map((t) => t.tool));
  const validator = new RecordValidator();
  return {
    kind: 'socpulse',
    families,
    async *read(window): AsyncIterable<RecordBatch> {
      for (const family of families) {
        if (window.families && !window.families.has(family)) continue;
        const { tool, schema } = TOOLS[family];
        const pages = client.paginate(
          tool,
          { from: window.from.toISOString(), to: window.to.toISOString() },
          (payload) => {
            const next = (payload as { nextCursor?: unknown }).nextCursor;
            return {
              items: listAt(client.source, tool, payload, 'items'),
              next: typeof next === 'string' ? next : undefined,
            };
          },
        );
        for await (const items of pages) yield { family, records: validator.keep(family, schema, items, opts.redact) };
      }
    },
    summary: () => ({ rejects: validator.rejects, notes: [] }),
    reads: Object.fromEntries([...families].map((f) => [TOOLS[f].tool, { items: Object.keys(TOOLS[f].schema.shape) }])),
    close: () => client.close(),
  };
}
