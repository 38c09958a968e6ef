import type { SourceOptions } from '../../config/config.js';
import { ShiftSchema, type Shift } from '../../domain/records.js';
import { SourceError } from '../errors.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { failIfNothingMapped, listAt, toIso } from './util.js';

type Raw = Record<string, unknown>;

/** Records per call. The server's own query model bounds `limit` at 100 (MAXIMUM_PAGINATION_LIMIT). */
export const PAGERDUTY_LIMIT = 100;
/** First slice of the window; a slice that comes back full is halved down to MIN_SLICE_MS. */
const SLICE_MS = 7 * 86_400_000;
const MIN_SLICE_MS = 3_600_000;

/**
 * On-call roster from PagerDuty's MCP server (PagerDuty/pagerduty-mcp-server, read late 2026):
 * - `list_oncalls(since, until, earliest, limit, schedule_ids?, escalation_policy_ids?, …)`, flat arguments since
 *   v1.0.0 (CHANGELOG.md; before, they sat under `query_model`) — pagerduty_mcp/tools/oncalls.py;
 * - it answers a `ListResponseModel`: `{"response": [on-call…], "response_summary": "…"}` — models/base.py;
 * - an on-call is `{escalation_policy {id}, escalation_level, schedule {id, summary, type}|null, user {id, summary,
 *   type}, start, end}` (the policy's summary is excluded from the dump) and `start`/`end` are null for a permanent
 *   on-call — models/oncalls.py, models/references.py, models/escalation_policies.py;
 * - `earliest` defaults to true (only the earliest on-call per user and escalation policy): we ask `earliest: false`;
 * - `limit` caps the total the server gathers while it pages PagerDuty itself (utils.py `paginate`,
 *   `maximum_records=limit or 1000`); there is no offset. A slice that returns exactly `limit` records may have lost
 *   some, so it is halved and asked again, down to one hour; a full one-hour slice fails the read loudly.
 * Mapping: analyst = user.summary (else user.id); tier = `options.pagerduty.tiers[schedule id]`, else
 * `[escalation policy id]`, else escalation level 1 → 1, 2 → 2, 3 and above → 3. Shifts are clipped to the window (a
 * permanent on-call counts for the whole window, and the collection record says how many did). One analyst on call
 * in several policies for the same hours gives one shift, not several (staffing counts overlapping shifts once anyway).
 */
export async function pagerDutyReader(
  client: SourceClient,
  opts: { redact: (t: string) => string; options?: SourceOptions },
): Promise<SourceReader> {
  await client.requireTools(['list_oncalls']);
  const o = opts.options?.pagerduty ?? {};
  const validator = new RecordValidator();
  const notes = new Set<string>();

  async function slice(from: number, to: number): Promise<Raw[]> {
    const body = (await client.call('list_oncalls', {
      since: new Date(from).toISOString(),
      until: new Date(to).toISOString(),
      earliest: false,
      limit: PAGERDUTY_LIMIT,
      ...(o.scheduleIds ? { schedule_ids: o.scheduleIds } : {}),
      ...(o.escalationPolicyIds ? { escalation_policy_ids: o.escalationPolicyIds } : {}),
    })) as { response?: unknown };
    const response = listAt(client.source, 'list_oncalls', body, 'response') as Raw[];
    if (response.length < PAGERDUTY_LIMIT) return response;
    if (to - from <= MIN_SLICE_MS)
      throw new SourceError(
        client.source,
        `list_oncalls returned its limit of ${PAGERDUTY_LIMIT} on-calls for one hour from ${new Date(from).toISOString()}: some may be missing, so nothing is collected (narrow options.pagerduty.scheduleIds)`,
      );
    const mid = from + Math.max(MIN_SLICE_MS, Math.floor((to - from) / 2 / MIN_SLICE_MS) * MIN_SLICE_MS);
    return [...(await slice(from, mid)), ...(await slice(mid, to))];
  }

  const tierOf = (o2: Raw): number | undefined => {
    const schedule = (o2.schedule as Raw | null | undefined)?.id;
    const policy = (o2.escalation_policy as Raw | null | undefined)?.id;
    const mapped =
      (typeof schedule === 'string' ? o.tiers?.[schedule] : undefined) ??
      (typeof policy === 'string' ? o.tiers?.[policy] : undefined);
    if (mapped !== undefined) return mapped;
    const level = o2.escalation_level;
    return typeof level === 'number' && Number.isInteger(level) && level >= 1 ? Math.min(level, 3) : undefined;
  };

  return {
    kind: 'pagerduty',
    families: new Set(['shifts'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      const from = window.from.getTime();
      const to = window.to.getTime();
      const seen = new Set<string>();
      let answered = 0;
      let permanent = 0;
      const out: Shift[] = [];
      for (let a = from; a < to; a += SLICE_MS) {
        const items = await slice(a, Math.min(a + SLICE_MS, to));
        const mapped: unknown[] = [];
        for (const item of items) {
          const user = (item.user ?? {}) as Raw;
          const start = item.start == null ? undefined : toIso(item.start);
          const end = item.end == null ? undefined : toIso(item.end);
          if ((item.start != null && !start) || (item.end != null && !end)) {
            answered++;
            validator.reject('shifts', 'start/end is not a date', item, opts.redact);
            continue;
          }
          const s = Math.max(start ? Date.parse(start) : from, from);
          const e = Math.min(end ? Date.parse(end) : to, to);
          // An on-call that only touches the window's edge is not a shift in it (every slice asks overlapping hours).
          if (e <= s) continue;
          answered++;
          const tier = tierOf(item);
          if (tier === undefined) {
            validator.reject(
              'shifts',
              'no escalation_level and no options.pagerduty.tiers entry for its schedule or escalation policy',
              item,
              opts.redact,
            );
            continue;
          }
          const analyst = user.summary ?? user.id;
          const shift = {
            analyst: typeof analyst === 'string' ? analyst : '',
            tier,
            start: new Date(s).toISOString(),
            end: new Date(e).toISOString(),
            source: client.source,
          };
          // The same on-call comes back from every slice it overlaps, and from every policy the user is in.
          const key = `${String(user.id ?? analyst)}|${String(shift.tier)}|${s}|${e}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (item.start == null || item.end == null) permanent++;
          mapped.push(shift);
        }
        out.push(...validator.keep('shifts', ShiftSchema, mapped, opts.redact));
      }
      if (permanent > 0)
        notes.add(
          `${permanent} permanent on-call(s) (no start or end in PagerDuty) counted as on shift for the whole window ${window.from.toISOString()}–${window.to.toISOString()}`,
        );
      failIfNothingMapped(client.source, 'list_oncalls', answered, out.length, validator.rejects);
      yield { family: 'shifts', records: out };
    },
    summary: () => ({ rejects: validator.rejects, notes: [...notes] }),
    reads: {
      list_oncalls: { response: ['user', 'escalation_policy', 'escalation_level', 'schedule', 'start', 'end'] },
    },
    close: () => client.close(),
  };
}
