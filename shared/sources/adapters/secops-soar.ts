// Google SecOps SOAR, in both of the forms an MCP server gives it. Every field read here, and where it was confirmed:
//
// Local form — google/mcp-security `server/secops-soar/secops_soar_mcp/` (the code, not its docs' examples):
//   - case_management.py `list_cases(next_page_token)`: GET /api/1p/external/v1/cases, no filters; later pages add
//     `$expand=tags&pageToken=…`. The body is the API's own list response `{"cases": [...], "nextPageToken": …}`
//     (consts.py Endpoints.BASE_CASE_URL). Paged through here and filtered to the window on this side.
//   - `get_case_full_details(case_id)` returns `{"case_details:": <case>, "case_alerts": <alert list>,
//     "case_comments": <comments>}` — the first key really ends in a colon — from three parallel GETs; each part is
//     `null` when its GET failed (http_client.py logs the error and returns None).
//   - `list_alerts_by_case(case_id, next_page_token)`: GET /api/1p/external/v1.0/cases/{id}/caseAlerts →
//     `{"caseAlerts": [...], "nextPageToken": …}` (consts.py BASE_ALERT_URL).
//   - A whole failed call returns None, which FastMCP sends as a result with no content (python-sdk
//     `func_metadata._convert_to_content(None) == []`); SourceClient retries that, and a partial
//     `get_case_full_details` (a null part) is retried the same way — never skipped.
//   - utils/models.py `CasePriority`: PriorityUnspecified|PriorityInfo|PriorityLow|PriorityMedium|PriorityHigh|
//     PriorityCritical. Status `Opened`/`Closed`, a numeric `id`, and `createTime`/`updateTime` as epoch-ms numbers
//     are from reference/secops-soar-shapes.md (TIPCommon samples), not confirmed in public code here.
// Remote form — the Google-hosted server (chronicle.googleapis.com/mcp) over the v1alpha Chronicle REST API:
//   - tools `list_cases`, `get_case`, `list_case_alerts`: google/mcp-security extensions/google-secops/TOOL_MAPPING.md
//     and skills/setup-antigravity/mcp_config.template.json. Argument names: Google's MCP tools reference lists
//     `project_id, customer_id, region, case_id, page_size, page_token, filter` (list_case_alerts "Args"), while its
//     newer "Example Usage" writes `projectId, region, customerId, caseId, filter, orderBy`. Which one a server wants is
//     read from its `tools/list` inputSchema; with no schema the snake_case names are used (inferred). The tenant
//     arguments come from the source's `toolArgs` in the config.
//   - Case fields, from demisto/content Packs/GoogleChronicleBackstory/Integrations/GoogleSecOpsCases/test_data
//     (case_list_success_response.json, fetch_cases_success_response.json, case_get_response.json) and
//     GoogleSecOpsCases.py: `name` (…/cases/1001 — the id is its last segment; a name without one is rejected, as in
//     fetch_cases_success_response.json's fourth case), `displayName`, `createTime`/`updateTime` (epoch-ms strings),
//     `priority` PRIORITY_UNSPECIFIED…PRIORITY_CRITICAL, `status` OPENED|CLOSED|MERGED|CREATION_PENDING
//     (VALID_CASE_STATUSES), `assignee`, `closureDetails.reason` MALICIOUS|NOT_MALICIOUS|MAINTENANCE|INCONCLUSIVE|
//     UNKNOWN|CLOSE_REASON_UNSPECIFIED (VALID_CASE_CLOSE_REASONS), `sla {expirationTime, expirationStatus}`.
//     closureDetails and sla come only with `expand` (CASES_EXPAND_FIELDS): sent when the tool declares `expand`.
//   - Alert fields, from test_data/case_alert_list_raw_response.json and the REST reference (caseAlerts resource):
//     `{"caseAlerts": [...], "nextPageToken", "totalSize"}`; `name` (…/caseAlerts/1000001), `identifier`, `caseId`,
//     `ruleGenerator`, `product`, `priority` INFORMATIVE|LOW|MEDIUM|HIGH|CRITICAL (VALID_CASE_ALERT_PRIORITIES; no
//     PRIORITY_ prefix; UNCHANGED and LEGACY_CASE_PRIORITY_UNSPECIFIED are not a severity), `status` OPEN|CLOSE,
//     `createTime` (epoch-ms string), `closureDetails` (AlertClosureDetails, with CASE_ALERT_EXPAND_FIELDS), `sla`.
//     `closureDetails.closingTimeMs` is from reference/secops-soar-shapes.md: no public fixture shows it.
//   - Local-form alerts are taken to have the same keys (inferred: no public sample of the 1P external alert list).
//
// Decisions (each said in the collection record where it applies):
//   - Close time: neither form has one on the case. closedAt is the case's latest closure: the latest alert
//     `closureDetails.closingTimeMs` where given, unless the case was updated more than RECLOSE_GRACE_MS after it
//     (alerts keep their first closing time when a case is reopened and closed again); then, or with no closingTimeMs,
//     the closed case's `updateTime` — an upper bound (any later edit moves it), counted in the notes. A reopened
//     case (open now) has no closedAt.
//   - MERGED: SOAR merges a case into another and moves its alerts there; the merged case is not closed, it is a
//     duplicate of the case it went into, which is read on its own. It is skipped (with its alerts) and counted.
//   - CREATION_PENDING: the case exists and nobody has closed it: read as open.
//   - Disposition only for a closed case or alert; CLOSE_REASON_UNSPECIFIED or no reason leaves it absent.
//   - Priority Unspecified (either spelling) or unknown, an unknown status, no id or no creation time: a reject with
//     a sample, never a guessed value. A read whose cases in the window have all failed so far fails at that page,
//     with the reason (never "ok, 0 cases").
//   - No acknowledgement time exists in either form (only the current `stage`/`assignee`): acknowledgedAt stays
//     absent and `tta`/`sla.acknowledge` are declared unavailable ("not available from SecOps SOAR"). Nor does either
//     form carry a first event time, a containment time, tiers or escalation, a playbook or handle time: every figure
//     made of them (domain/case-figures.ts) is declared unavailable the same way — never an escalation rate of 0 %.
import pLimit from 'p-limit';
import { figuresNotGiven } from '../../domain/case-figures.js';
import type { Family } from '../../domain/day-snapshot.js';
import { AlertSchema, CaseSchema, type Disposition, type Severity } from '../../domain/records.js';
import { SourceError } from '../errors.js';
import type { SourceClient } from '../mcp-client.js';
import { nothingMapped, RecordValidator, type RecordBatch, type SourceReader } from '../reader.js';
import { listAt, toIso } from './util.js';

type Raw = Record<string, unknown>;

/** What a reader of socpulse sees instead of a figure this source cannot give. */
export const NOT_FROM_SOAR = 'not available from SecOps SOAR';

/** The optional canonical case fields this mapping gives; the figures of every other one are not available. */
const OPTIONAL_FIELDS_MAPPED: ReadonlySet<string> = new Set(['rule', 'disposition', 'assignee']);

/** The keys of a case and of an alert that mapping reads (`check-source` lists the others as ignored). */
const CASE_KEYS = [
  'id',
  'name',
  'displayName',
  'createTime',
  'updateTime',
  'priority',
  'status',
  'assignee',
  'sla',
  'closureDetails',
  'alertCount',
];
const ALERT_KEYS = [
  'identifier',
  'id',
  'name',
  'ruleGenerator',
  'priority',
  'createTime',
  'product',
  'sla',
  'status',
  'closureDetails',
];

/** Items per page asked of the remote form (v1alpha's largest). */
const PAGE_SIZE = 1000;
/**
 * A closed case updated more than this after its alerts' last closing was closed again after that (reopened and
 * closed once more) or edited after closing: its latest closure lies between the two, so updateTime — an upper bound —
 * is taken rather than the first closing. Within it, the update is taken for the closing's own writes (comments,
 * playbooks), so a resolve time is understated by at most this much.
 */
const RECLOSE_GRACE_MS = 60 * 60_000;

const CASE_PRIORITY: Readonly<Record<string, Severity>> = {
  PriorityCritical: 'critical',
  PriorityHigh: 'high',
  PriorityMedium: 'medium',
  PriorityLow: 'low',
  PriorityInfo: 'info',
  PRIORITY_CRITICAL: 'critical',
  PRIORITY_HIGH: 'high',
  PRIORITY_MEDIUM: 'medium',
  PRIORITY_LOW: 'low',
  PRIORITY_INFO: 'info',
};
const ALERT_PRIORITY: Readonly<Record<string, Severity>> = {
  ...CASE_PRIORITY,
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIVE: 'info',
};
const CLOSE_REASON: Readonly<Record<string, Disposition>> = {
  MALICIOUS: 'true_positive',
  NOT_MALICIOUS: 'false_positive',
  MAINTENANCE: 'benign_positive',
  INCONCLUSIVE: 'undetermined',
  UNKNOWN: 'undetermined',
};
type CaseState = 'open' | 'closed' | 'merged';
const CASE_STATUS: Readonly<Record<string, CaseState>> = {
  Opened: 'open',
  Closed: 'closed',
  OPENED: 'open',
  CLOSED: 'closed',
  MERGED: 'merged',
  CREATION_PENDING: 'open',
};

/** `toolArgs`: arguments the configuration adds to every call (the hosted server's tenant). */
export async function secopsSoarReader(
  client: SourceClient,
  opts: { redact: (t: string) => string; toolArgs?: Readonly<Record<string, unknown>> },
): Promise<SourceReader> {
  const tools = await client.requireTools(['list_cases']);
  const form = tools.has('get_case_full_details') || !tools.has('list_case_alerts') ? 'local' : 'remote';
  await client.requireTools(
    form === 'local'
      ? ['list_cases', 'get_case_full_details', 'list_alerts_by_case']
      : ['list_cases', 'list_case_alerts'],
  );
  const tenant = opts.toolArgs ?? {};
  // The name a tool gives an argument: the first spelling its inputSchema declares, else the first one listed.
  const arg = (tool: string, ...names: string[]) => names.find((n) => client.inputsOf(tool)?.has(n)) ?? names[0]!;
  const validator = new RecordValidator();
  const notes = new Set<string>();
  const counted = { merged: 0, upperBound: 0, reclosed: 0, rejectedCases: 0, alertsOfRejected: 0, unknownAlerts: 0 };
  /**
   * A case that cannot be mapped takes its alerts with it: they are counted (`alerts` when read, else the case's own
   * `alertCount`) and said in the notes, never dropped unseen.
   */
  const rejectCase = (reason: string, raw: unknown, alerts?: unknown[]) => {
    validator.reject('cases', reason, raw, opts.redact);
    counted.rejectedCases++;
    const n = alerts?.length ?? (raw as Raw | null)?.alertCount;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) counted.alertsOfRejected += n;
    else counted.unknownAlerts++;
  };
  const rejectAlert = (reason: string, raw: unknown) => validator.reject('alerts', reason, raw, opts.redact);

  const incomplete = new Set<string>();
  let readWindow = '';
  /**
   * Reads one list page. Only an explicit list is read: an absent key is an error naming it, never "0 cases". With
   * `asked` (the page size asked of the remote form), a page that full with no nextPageToken may have been cut:
   * unless `totalSize` says everything was read, the listing is marked incomplete, naming the window.
   */
  const listItems = (key: 'cases' | 'caseAlerts', tool: string, where?: string, asked?: number) => {
    let read = 0;
    return (payload: unknown) => {
      const items = listAt(client.source, tool, payload, key, where);
      read += items.length;
      const p = payload as Raw;
      const next = typeof p.nextPageToken === 'string' && p.nextPageToken ? p.nextPageToken : undefined;
      if (
        asked !== undefined &&
        items.length >= asked &&
        !next &&
        !(typeof p.totalSize === 'number' && p.totalSize <= read)
      )
        incomplete.add(
          `${tool} answered a full page of ${items.length} ${key} (page size ${asked}) with no nextPageToken and no totalSize confirming the end, reading ${readWindow}: some may be missing`,
        );
      return { items, next };
    };
  };

  /** Every alert of a case, following nextPageToken from the first page on. */
  async function alertsOf(caseId: string, first?: Raw): Promise<unknown[]> {
    const out: unknown[] = [];
    let next: string | undefined;
    if (first) {
      const page = listItems('caseAlerts', `get_case_full_details(${caseId})`, 'case_alerts')(first);
      out.push(...page.items);
      if (!page.next) return out;
      next = page.next;
    }
    const tool = form === 'local' ? 'list_alerts_by_case' : 'list_case_alerts';
    const args: Record<string, unknown> =
      form === 'local'
        ? { case_id: caseId }
        : {
            ...tenant,
            [arg(tool, 'case_id', 'caseId')]: caseId,
            [arg(tool, 'page_size', 'pageSize')]: PAGE_SIZE,
            ...(client.inputsOf(tool)?.has('expand') ? { expand: 'closureDetails,sla' } : {}),
          };
    const cursor = form === 'local' ? 'next_page_token' : arg(tool, 'page_token', 'pageToken');
    // The client pages from the start; a first page already read (local details) is resumed from its token.
    const pages = client.paginate(
      tool,
      next ? { ...args, [cursor]: next } : args,
      listItems('caseAlerts', tool, undefined, form === 'remote' ? PAGE_SIZE : undefined),
      cursor,
    );
    for await (const items of pages) out.push(...items);
    return out;
  }

  /** The case as full as the server gives it, and its alerts. */
  async function detail(c: Raw, id: string): Promise<{ c: Raw; alerts: unknown[] }> {
    if (form === 'local') {
      const full = (await client.call('get_case_full_details', { case_id: id }, undefined, (p) => {
        const b = p as Raw;
        // Each part comes from its own GET and is null when that GET failed: retry, never read half a case.
        if (b['case_details:'] === null || b['case_details:'] === undefined) return 'case_details: is null';
        if (b.case_alerts === null || b.case_alerts === undefined) return 'case_alerts is null';
        return undefined;
      })) as Raw;
      const details = full['case_details:'];
      if (typeof details !== 'object' || Array.isArray(details))
        throw new SourceError(
          client.source,
          `get_case_full_details(${id}) answered case_details: that is not an object`,
        );
      if (typeof full.case_alerts !== 'object' || Array.isArray(full.case_alerts))
        throw new SourceError(
          client.source,
          `get_case_full_details(${id}) answered case_alerts that is not {"caseAlerts": [...]}`,
        );
      return { c: { ...c, ...(details as Raw) }, alerts: await alertsOf(id, full.case_alerts as Raw) };
    }
    let full = c;
    // closureDetails comes only with expand: a closed case listed without it is asked for once more, expanded.
    if (state(c) === 'closed' && c.closureDetails === undefined && tools.has('get_case')) {
      const got = (await client.call('get_case', {
        ...tenant,
        [arg('get_case', 'case_id', 'caseId')]: id,
        ...(client.inputsOf('get_case')?.has('expand') ? { expand: 'closureDetails,sla' } : {}),
      })) as Raw;
      full = { ...c, ...got };
    }
    return { c: full, alerts: await alertsOf(id) };
  }

  return {
    kind: 'secops-soar',
    families: new Set<Family>(['cases', 'alerts']),
    async *read(window): AsyncIterable<RecordBatch> {
      const [from, to] = [window.from.getTime(), window.to.getTime()];
      const listArgs: Record<string, unknown> =
        form === 'local'
          ? {}
          : {
              ...tenant,
              [arg('list_cases', 'page_size', 'pageSize')]: PAGE_SIZE,
              ...(client.inputsOf('list_cases')?.has('expand') ? { expand: 'closureDetails,sla,alertsSla' } : {}),
            };
      const cursor = form === 'local' ? 'next_page_token' : arg('list_cases', 'page_token', 'pageToken');
      let considered = 0;
      let kept = 0;
      let pageNo = 0;
      const seen = new Set<string>();
      readWindow = `${window.from.toISOString()}–${window.to.toISOString()}`;
      const pages = client.paginate(
        'list_cases',
        listArgs,
        listItems('cases', 'list_cases', undefined, form === 'remote' ? PAGE_SIZE : undefined),
        cursor,
      );
      for await (const page of pages) {
        pageNo++;
        const consideredBefore = considered;
        const inWindow: { c: Raw; id: string }[] = [];
        for (const item of page) {
          if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            rejectCase('a case that is not an object', item);
            considered++;
            continue;
          }
          const c = item as Raw;
          const created = epochMs(c.createTime);
          const updated = epochMs(c.updateTime) ?? created;
          // Overlap with the window: created before its end, changed at or after its start (a closure inside it
          // changes the case). Cases outside are not this read's business and are not counted as rejects.
          if (created !== undefined && updated !== undefined && (created >= to || updated < from)) continue;
          considered++;
          const id = caseIdOf(c);
          if (id === undefined) {
            rejectCase('no case id: neither "id" nor a "name" ending in /cases/<id>', c);
            continue;
          }
          if (created === undefined) {
            rejectCase(`case ${id}: createTime ${JSON.stringify(c.createTime)} is not epoch milliseconds`, c);
            continue;
          }
          if (state(c) === 'merged') {
            counted.merged++;
            considered--;
            continue;
          }
          // Pages are read as the server lists them; a case on two pages (the list moved while we paged) once.
          if (seen.has(id)) {
            considered--;
            continue;
          }
          seen.add(id);
          inWindow.push({ c, id });
        }
        const detailed = await pLimit(client.limits.maxInFlight).map(inWindow, ({ c, id }) => detail(c, id));
        const cases: unknown[] = [];
        const alerts: unknown[] = [];
        for (const [i, { c, alerts: raw }] of detailed.entries()) {
          const id = inWindow[i]!.id;
          if (state(c) === 'merged') {
            // Merged between the list and the details: skipped like any merged case.
            counted.merged++;
            considered--;
            continue;
          }
          const mapped = mapCase(c, id, raw);
          if (typeof mapped === 'string') {
            rejectCase(mapped, c, raw);
            continue;
          }
          cases.push(mapped.record);
          alerts.push(...mapped.alerts);
        }
        const goodCases = validator.keep('cases', CaseSchema, cases, opts.redact);
        const onPage = considered - consideredBefore;
        kept += goodCases.length;
        // Nothing mapped so far and a page of cases in the window maps to nothing: the source speaks a shape this
        // adapter does not read. Fail now, naming why, instead of paging on to "ok, 0 cases". (A later page that maps
        // nothing after others did is rejects with samples: the run is degraded, not failed.)
        const unread = nothingMapped(
          { answered: onPage, kept, example: validator.lastReason },
          (e) =>
            `list_cases page ${pageNo}: none of its ${onPage} cases in the window could be read, nor any before it (e.g. ${e ?? 'unknown'})`,
        );
        if (unread) throw new SourceError(client.source, unread);
        yield { family: 'cases', records: goodCases };
        if (alerts.length)
          yield { family: 'alerts', records: validator.keep('alerts', AlertSchema, alerts, opts.redact) };
      }
      if (counted.merged)
        notes.add(
          `${counted.merged} merged cases skipped: each is a duplicate of the case it was merged into (which holds its alerts and is counted)`,
        );
      if (counted.upperBound)
        notes.add(
          `closedAt of ${counted.upperBound} closed cases is their updateTime (no alert closingTimeMs): an upper bound`,
        );
      if (counted.reclosed)
        notes.add(
          `closedAt of ${counted.reclosed} closed cases is their updateTime, more than ${RECLOSE_GRACE_MS / 60_000} min after their alerts' last closing (reopened and closed again, or edited after closing): an upper bound of their latest closure`,
        );
      if (counted.rejectedCases)
        notes.add(
          `${counted.rejectedCases} rejected case(s) took ${counted.alertsOfRejected} alert(s) with them${counted.unknownAlerts ? ` (and the alerts of ${counted.unknownAlerts} case(s) that did not say how many)` : ''}: not collected`,
        );
    },
    summary: () => ({
      rejects: validator.rejects,
      notes: [...notes],
      unavailable: figuresNotGiven(OPTIONAL_FIELDS_MAPPED, NOT_FROM_SOAR),
      incomplete: [...incomplete],
    }),
    reads:
      form === 'local'
        ? {
            list_cases: { cases: CASE_KEYS },
            get_case_full_details: { 'case_alerts.caseAlerts': ALERT_KEYS },
            list_alerts_by_case: { caseAlerts: ALERT_KEYS },
          }
        : { list_cases: { cases: CASE_KEYS }, list_case_alerts: { caseAlerts: ALERT_KEYS } },
    close: () => client.close(),
  };

  /** A case and its alerts in canonical shape, or why it cannot be. */
  function mapCase(c: Raw, id: string, rawAlerts: unknown[]): { record: Raw; alerts: Raw[] } | string {
    const st = state(c);
    if (st === undefined) return `case ${id}: status ${JSON.stringify(c.status)} is not one SecOps SOAR defines`;
    const severity = CASE_PRIORITY[String(c.priority)];
    if (!severity) return `case ${id}: priority ${JSON.stringify(c.priority)} has no severity`;
    const createdAt = toIso(epochMs(c.createTime));
    const record: Raw = {
      id,
      source: client.source,
      title: typeof c.displayName === 'string' ? c.displayName : '',
      severity,
      createdAt,
    };
    if (typeof c.assignee === 'string' && c.assignee) record.assignee = c.assignee;
    const sla = slaOf(c.sla);
    if (sla) record.sla = sla;
    const alerts: Raw[] = [];
    let latestClose: number | undefined;
    let firstAlert: { at: number; rule: string } | undefined;
    for (const a of rawAlerts) {
      const m = mapAlert(a, id);
      if (typeof m === 'string') {
        rejectAlert(m, a);
        continue;
      }
      alerts.push(m.record);
      if (m.closedAt !== undefined) latestClose = Math.max(latestClose ?? 0, m.closedAt);
      const at = Date.parse(m.record.createdAt as string);
      if (!firstAlert || at < firstAlert.at) firstAlert = { at, rule: m.record.rule as string };
    }
    // The alert that opened the case names the rule it came from.
    if (firstAlert) record.rule = firstAlert.rule;
    // closedAt is the case's latest closure; a reopened case (open now) has none, whatever its alerts say.
    if (st === 'closed') {
      let closed = latestClose;
      const updated = epochMs(c.updateTime);
      if (closed === undefined) {
        closed = updated;
        counted.upperBound++;
      } else if (updated !== undefined && updated - closed > RECLOSE_GRACE_MS) {
        // Alerts keep the time they were first closed; a case closed again later was updated then.
        closed = updated;
        counted.reclosed++;
      }
      if (closed === undefined) return `case ${id}: closed, with neither an alert closingTimeMs nor an updateTime`;
      record.closedAt = toIso(Math.max(closed, epochMs(c.createTime)!));
      const disposition = CLOSE_REASON[String((c.closureDetails as Raw | undefined)?.reason)];
      if (disposition) record.disposition = disposition;
    }
    return { record, alerts };
  }

  /** An alert in canonical shape with its closing time, or why it cannot be. */
  function mapAlert(raw: unknown, caseId: string): { record: Raw; closedAt?: number } | string {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return `case ${caseId}: an alert that is not an object`;
    const a = raw as Raw;
    const id = nonEmpty(a.identifier) ?? idOf(a.id) ?? lastSegment(a.name, 'caseAlerts');
    if (!id) return `case ${caseId}: an alert with no identifier, id or name`;
    const rule = nonEmpty(a.ruleGenerator);
    if (!rule) return `alert ${id}: no ruleGenerator`;
    const severity = ALERT_PRIORITY[String(a.priority)];
    if (!severity) return `alert ${id}: priority ${JSON.stringify(a.priority)} has no severity`;
    const created = epochMs(a.createTime);
    if (created === undefined)
      return `alert ${id}: createTime ${JSON.stringify(a.createTime)} is not epoch milliseconds`;
    const record: Raw = { id, source: client.source, rule, severity, createdAt: toIso(created), caseId };
    const product = nonEmpty(a.product);
    if (product) record.product = product;
    const sla = slaOf(a.sla);
    if (sla) record.sla = sla;
    const closure = (a.closureDetails ?? undefined) as Raw | undefined;
    let closedAt: number | undefined;
    if (a.status === 'CLOSE' || (a.status === undefined && closure?.closingTimeMs !== undefined)) {
      const disposition = CLOSE_REASON[String(closure?.reason)];
      if (disposition) record.disposition = disposition;
      closedAt = epochMs(closure?.closingTimeMs);
    }
    return closedAt === undefined ? { record } : { record, closedAt };
  }
}

/** The case's state, or undefined for a status SOAR does not define. */
function state(c: Raw): CaseState | undefined {
  return CASE_STATUS[String(c.status)];
}

/** The case id: `id` (a number in the local form) or the last segment of `name` (…/cases/1001). */
function caseIdOf(c: Raw): string | undefined {
  return idOf(c.id) ?? lastSegment(c.name, 'cases');
}

function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return nonEmpty(v);
}

/** The id after `…/<collection>/` at the end of a resource name; undefined when the name ends elsewhere. */
function lastSegment(name: unknown, collection: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  const m = new RegExp(`/${collection}/([^/]+)$`).exec(name);
  return m?.[1];
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v : undefined;
}

/** Epoch milliseconds as SOAR sends them: a number (local form) or a digit string (v1alpha int64). */
function epochMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v) && Number(v) > 0) return Number(v);
  return undefined;
}

/** SOAR's own SLA clock `{expirationTime, expirationStatus}`, when it says anything. */
function slaOf(v: unknown): Raw | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as Raw;
  const out: Raw = {};
  const exp = epochMs(s.expirationTime);
  if (exp !== undefined) out.expirationTime = toIso(exp);
  if (nonEmpty(s.expirationStatus)) out.expirationStatus = s.expirationStatus;
  return Object.keys(out).length ? out : undefined;
}
