import { ShiftSchema } from '../../domain/records.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { toIso } from './util.js';

type Raw = Record<string, unknown>;

/**
 * On-call roster from a PagerDuty MCP server: `list_oncalls(since, until, …)` → on-call entries
 * `{user, schedule, escalation_level, start, end}`. Escalation level 1 is tier 1, 2 is tier 2, 3 and above tier 3
 * (document your own mapping by using escalation policies that follow the SOC's tiers).
 */
export async function pagerDutyReader(
  client: SourceClient,
  opts: { redact: (t: string) => string },
): Promise<SourceReader> {
  await client.requireTools(['list_oncalls']);
  const validator = new RecordValidator();
  return {
    kind: 'pagerduty',
    families: new Set(['shifts'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      let offset = 0;
      const pages = client.paginate(
        'list_oncalls',
        { since: window.from.toISOString(), until: window.to.toISOString(), limit: 100 },
        (p) => {
          const body = (Array.isArray(p) ? { oncalls: p } : p) as { oncalls?: Raw[]; more?: boolean; offset?: number };
          const items = body.oncalls ?? [];
          offset = (typeof body.offset === 'number' ? body.offset : offset) + items.length;
          return { items, next: body.more ? String(offset) : undefined };
        },
        'offset',
      );
      for await (const page of pages) {
        const shifts = page.map((o) => {
          const user = (o.user ?? {}) as Raw;
          const level = Number(o.escalation_level);
          return {
            analyst: String(user.summary ?? user.name ?? user.email ?? user.id ?? ''),
            tier: Number.isFinite(level) ? Math.min(Math.max(level, 1), 3) : undefined,
            start: toIso(o.start) ?? window.from.toISOString(),
            end: toIso(o.end) ?? window.to.toISOString(),
            source: client.source,
          };
        });
        yield { family: 'shifts', records: validator.keep('shifts', ShiftSchema, shifts, opts.redact) };
      }
    },
    summary: () => ({ rejects: validator.rejects, notes: [] }),
    close: () => client.close(),
  };
}
