import { AlertSchema } from '../../domain/records.js';
import { SourceError } from '../errors.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { toIso } from './util.js';

const MAX_ALERTS = 1000;
const MIN_SLICE_MS = 60_000;
type Raw = Record<string, unknown>;

/**
 * google/mcp-security's SIEM server (Chronicle): `search_rule_alerts(start_time, end_time, max_alerts)` →
 * `{ruleAlerts: [{ruleMetadata: {properties: {name, severity}}, alerts: [...]}], tooManyAlerts}`. When the server says
 * tooManyAlerts the window is halved and asked again, down to one minute (then it is an error, never a silent cut).
 * `get_security_alerts` (double-encoded text) is not used.
 */
export async function secopsSiemReader(
  client: SourceClient,
  opts: { redact: (t: string) => string },
): Promise<SourceReader> {
  await client.requireTools(['search_rule_alerts']);
  const validator = new RecordValidator();
  const notes = new Set<string>();
  async function* slice(from: number, to: number): AsyncGenerator<unknown[]> {
    const body = (await client.call('search_rule_alerts', {
      start_time: new Date(from).toISOString(),
      end_time: new Date(to).toISOString(),
      max_alerts: MAX_ALERTS,
    })) as { ruleAlerts?: Raw[]; tooManyAlerts?: boolean };
    if (body.tooManyAlerts) {
      if (to - from <= MIN_SLICE_MS)
        throw new SourceError(
          client.source,
          `search_rule_alerts has more than ${MAX_ALERTS} alerts in one minute at ${new Date(from).toISOString()}`,
        );
      const mid = from + Math.floor((to - from) / 2 / MIN_SLICE_MS) * MIN_SLICE_MS || from + MIN_SLICE_MS;
      yield* slice(from, mid);
      yield* slice(mid, to);
      return;
    }
    const out: unknown[] = [];
    for (const group of body.ruleAlerts ?? []) {
      const props = ((group.ruleMetadata as Raw | undefined)?.properties ?? {}) as Raw;
      const severity = String(props.severity ?? '').toLowerCase();
      if (!severity) notes.add('some rules carry no severity: their alerts are counted as medium');
      for (const a of (group.alerts ?? []) as Raw[])
        out.push({
          id: String(a.id),
          source: client.source,
          rule: String(props.name ?? props.ruleName ?? 'unknown rule'),
          severity: severity || 'medium',
          createdAt: toIso(a.detectionTimestamp ?? a.createdTime ?? a.commitTimestamp),
        });
    }
    yield out;
  }
  return {
    kind: 'secops-siem',
    families: new Set(['alerts'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      for await (const records of slice(window.from.getTime(), window.to.getTime()))
        yield { family: 'alerts', records: validator.keep('alerts', AlertSchema, records, opts.redact) };
    },
    summary: () => ({ rejects: validator.rejects, notes: [...notes] }),
    close: () => client.close(),
  };
}
