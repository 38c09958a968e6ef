import { CaseSchema, AlertSchema, type Severity } from '../../domain/records.js';
import type { SourceClient } from '../mcp-client.js';
import { RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { mapLimit, toIso } from './util.js';

const PRIORITY: Record<string, Severity> = {
  PriorityCritical: 'critical',
  PriorityHigh: 'high',
  PriorityMedium: 'medium',
  PriorityLow: 'low',
  PriorityInfo: 'info',
  PriorityInformative: 'info',
};
type Raw = Record<string, unknown>;

/**
 * google/mcp-security's SOAR server. Local variant: `list_cases(next_page_token)` with no filters (paged through and
 * filtered here), `get_case_full_details(case_id)` whose details sit under the key `"case_details:"` (trailing colon,
 * as the server sends it). Remote (Google-hosted) variant: `list_cases`, `get_case`, `list_case_alerts`.
 * `list_cases` shows no close time: the full details' close time is used when given, else the `modificationTime` of a
 * Closed case — an upper bound, said so in the collection record.
 */
export async function secopsSoarReader(
  client: SourceClient,
  opts: { redact: (t: string) => string },
): Promise<SourceReader> {
  const tools = await client.requireTools(['list_cases']);
  const remote = tools.has('get_case') && !tools.has('get_case_full_details');
  if (!remote) await client.requireTools(['list_cases', 'get_case_full_details']);
  const validator = new RecordValidator();
  const notes = new Set<string>();
  return {
    kind: 'secops-soar',
    families: new Set(['cases', 'alerts'] as const),
    async *read(window): AsyncIterable<RecordBatch> {
      const [from, to] = [window.from.getTime(), window.to.getTime()];
      const pages = client.paginate(
        'list_cases',
        remote ? { page_size: 100 } : {},
        (p) => {
          const body = p as { cases?: unknown; nextPageToken?: unknown };
          return {
            items: Array.isArray(body.cases) ? (body.cases as Raw[]) : [],
            next: typeof body.nextPageToken === 'string' ? body.nextPageToken : undefined,
          };
        },
        remote ? 'page_token' : 'next_page_token',
      );
      for await (const page of pages) {
        const inWindow = page.filter((c) => {
          const created = Date.parse(toIso(c.creationTime) ?? '');
          const modified = Date.parse(toIso(c.modificationTime) ?? '');
          return (created >= from && created < to) || (modified >= from && modified < to);
        });
        const detailed = await mapLimit(inWindow, client.limits.maxInFlight, async (c) => {
          const details = (await client.call(
            remote ? 'get_case' : 'get_case_full_details',
            remote ? { case_id: c.id } : { case_id: String(c.id) },
          )) as Raw;
          return {
            c,
            details: ((details['case_details:'] ?? details.case_details ?? details) as Raw) ?? {},
            alerts: (details.case_alerts ?? []) as Raw[],
          };
        });
        const cases: unknown[] = [];
        const alerts: unknown[] = [];
        for (const { c, details, alerts: caseAlerts } of detailed) {
          const closed = String(c.status ?? details.status) === 'Closed';
          let closedAt = toIso(details.closeTime ?? details.closedTime);
          if (closed && !closedAt) {
            closedAt = toIso(c.modificationTime);
            notes.add(
              'closedAt of some cases is their last modification time (the server gives no close time): an upper bound',
            );
          }
          const record: Raw = {
            id: String(c.id),
            source: client.source,
            title: String(c.displayName ?? c.name ?? details.displayName ?? ''),
            severity: PRIORITY[String(c.priority)] ?? c.priority,
            createdAt: toIso(c.creationTime),
          };
          if (closed && closedAt) record.closedAt = closedAt;
          if (typeof c.assignedUser === 'string' && c.assignedUser) record.assignee = c.assignedUser;
          cases.push(record);
          for (const a of caseAlerts)
            alerts.push({
              id: String(a.identifier ?? a.id),
              source: client.source,
              rule: String(a.ruleGenerator ?? a.name ?? 'unknown rule'),
              severity: PRIORITY[String(a.priority ?? c.priority)] ?? 'medium',
              createdAt: toIso(a.creationTime ?? c.creationTime),
              caseId: String(c.id),
            });
        }
        yield { family: 'cases', records: validator.keep('cases', CaseSchema, cases, opts.redact) };
        if (alerts.length)
          yield { family: 'alerts', records: validator.keep('alerts', AlertSchema, alerts, opts.redact) };
      }
    },
    summary: () => ({ rejects: validator.rejects, notes: [...notes] }),
    close: () => client.close(),
  };
}
