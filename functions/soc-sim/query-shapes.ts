// The simulated SOC as a query-capable SIEM answers it: Microsoft Sentinel's data exploration MCP collection and the
// Splunk MCP Server app. Tool and argument names are the vendors' (public sources in the README's query section); the
// rows are the simulator's own records written in the vendors' columns. The simulator runs no KQL or SPL: it answers
// the shipped mappings' queries (shared/sources/mappings/), recognised by their table or index, reading the window
// and the page from the query text; any other query is refused as a real server refuses a query it cannot run.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import type { Alert, Case } from '../../shared/domain/records.js';
import { alertsForHour, casesForDay, DEFAULT_PROFILE, type SimProfile } from './generate.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const PER_DAY = 100_000;

/** Ways a query server cuts or stalls an answer, on purpose. */
export type QueryFault = 'none' | 'not-done' | 'short-total' | 'ignore-paging';

export interface QuerySimOptions extends Partial<SimProfile> {
  now?: () => number;
  fault?: QueryFault;
}

/**
 * Cases created in [a, b), plus older ones (up to the close lookback) acknowledged or closed in it, in their state as
 * of min(now, b): the simulator's one answer to "which cases changed in this window", whatever shape asks.
 */
export function casesTouched(profile: SimProfile, a: number, b: number, now: number): Case[] {
  const list: Case[] = [];
  for (let d = Math.floor(a / DAY) * DAY - profile.closeLookbackDays * DAY; d < b; d += DAY) {
    for (const c of casesForDay(profile, d, Math.min(now, b))) {
      const created = Date.parse(c.createdAt);
      const touched = [c.closedAt, c.acknowledgedAt].some(
        (x) => x !== undefined && Date.parse(x) >= a && Date.parse(x) < b,
      );
      if ((created >= a && created < b) || (created < a && touched)) list.push(c);
    }
  }
  return list;
}

/** Alerts created in [a, min(b, now)), oldest first. */
function alertsIn(profile: SimProfile, a: number, b: number, now: number): Alert[] {
  const end = Math.min(b, now);
  const out: Alert[] = [];
  for (let h = Math.floor(a / HOUR) * HOUR; h < end; h += HOUR) {
    const day = Math.floor(h / DAY) * DAY;
    for (const al of alertsForHour(profile, day, (h - day) / HOUR)) {
      const t = Date.parse(al.createdAt);
      if (t >= a && t < end) out.push(al);
    }
  }
  return out;
}

/** A simulated case's incident number: its day and index. */
const caseNumber = (c: Case) => {
  const [, day, i] = /^case-(\d+)-(\d+)$/.exec(c.id)!;
  return Number(day) * PER_DAY + Number(i);
};

const refuse = (text: string) => ({ isError: true, content: [{ type: 'text' as const, text }] });
const asText = (body: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(body) }] });

/** A small cache of whole answers per window, as the socpulse shape keeps (pages of one window are asked in turn). */
function cacheOf<T>() {
  const cache = new Map<string, T[]>();
  return (key: string, make: () => T[]): T[] => {
    let hit = cache.get(key);
    if (!hit) {
      if (cache.size > 8) cache.clear();
      cache.set(key, (hit = make()));
    }
    return hit;
  };
}

// Sentinel's vocabularies (Security Insights API): severity High/Medium/Low/Informational (no Critical: a critical
// case is High with a "Critical" label), classification TruePositive/BenignPositive/FalsePositive/Undetermined.
const SENTINEL_SEVERITY: Record<string, string> = {
  critical: 'High',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Informational',
};
const CLASSIFICATION: Record<string, string> = {
  true_positive: 'TruePositive',
  benign_positive: 'BenignPositive',
  false_positive: 'FalsePositive',
  undetermined: 'Undetermined',
};
const INCIDENT_COLUMNS: [string, string][] = [
  ['IncidentNumber', 'int'],
  ['Title', 'string'],
  ['Severity', 'string'],
  ['Status', 'string'],
  ['Classification', 'string'],
  ['CreatedTime', 'datetime'],
  ['FirstActivityTime', 'datetime'],
  ['ClosedTime', 'datetime'],
  ['AcknowledgedTime', 'datetime'],
  ['Owner', 'dynamic'],
  ['Labels', 'dynamic'],
  ['RuleName', 'string'],
  ['DetectedTime', 'datetime'],
];
const ALERT_COLUMNS: [string, string][] = [
  ['SystemAlertId', 'string'],
  ['AlertName', 'string'],
  ['AlertSeverity', 'string'],
  ['TimeGenerated', 'datetime'],
  ['StartTime', 'datetime'],
  ['ProductName', 'string'],
];

/**
 * Microsoft Sentinel's data exploration collection (learn.microsoft.com/azure/sentinel/datalake/
 * sentinel-mcp-data-exploration-tool): `query_lake(query, workspaceId?)` runs one KQL query and returns the raw result
 * set, here as the Log Analytics query API writes it — `{"tables": [{"name": "PrimaryResult", "columns": [{name,
 * type}], "rows": [[…]]}]}`, dynamic columns as JSON text — sent as text content (no outputSchema); `search_tables` and
 * `list_sentinel_workspaces` as listed there. The KQL itself pages (`serialize Row = row_number() | where Row > N |
 * take M`); the data lake's own cap is 500,000 rows per answer.
 */
export function createSocSimSentinelServer(options: QuerySimOptions = {}): McpServer {
  const profile: SimProfile = { ...DEFAULT_PROFILE, ...definedOnly(options) };
  const now = options.now ?? (() => Date.now());
  const server = new McpServer({ name: 'Microsoft Sentinel data exploration', version: '1.0.0' });
  const remember = cacheOf<unknown[]>();
  const workspace = { workspaceId: z.string().optional() };
  server.registerTool(
    'list_sentinel_workspaces',
    { description: 'Lists the Sentinel data lake workspaces (name and id) available to you.', inputSchema: {} },
    async () => asText([{ name: 'soc-sim', id: '00000000-0000-4000-8000-00000000c0de' }]),
  );
  server.registerTool(
    'search_tables',
    {
      description: 'Discovers data lake tables relevant to a natural language input and returns their schemas.',
      inputSchema: { query: z.string(), ...workspace },
    },
    async () =>
      asText([
        { table: 'SecurityIncident', columns: INCIDENT_COLUMNS.map(([name, type]) => ({ name, type })) },
        { table: 'SecurityAlert', columns: ALERT_COLUMNS.map(([name, type]) => ({ name, type })) },
      ]),
  );
  server.registerTool(
    'query_lake',
    {
      description: 'Runs a single KQL query against a Sentinel data lake workspace and returns the raw result set.',
      inputSchema: { query: z.string(), ...workspace },
    },
    async ({ query }) => {
      const table = /^\s*(?:let\s+\w+\s*=\s*)?(SecurityIncident|SecurityAlert)\b/.exec(query)?.[1];
      const times = [...query.matchAll(/datetime\(([^)]+)\)/g)].map((m) => Date.parse(m[1]!));
      const offset = /Row\s*>\s*(\d+)/.exec(query)?.[1];
      const limit = /\btake\s+(\d+)/.exec(query)?.[1];
      if (!table || times.length < 2 || times.some(Number.isNaN) || offset === undefined || limit === undefined)
        return refuse(
          "Semantic error: the simulated data lake answers the shipped queries only (SecurityIncident, SecurityAlert with datetime() bounds, 'Row > N' and 'take M')",
        );
      const [a, b] = [times[0]!, times[1]!];
      const t = now();
      const rows =
        table === 'SecurityIncident'
          ? remember(`si|${a}|${b}|${Math.floor(t / 60_000)}`, () =>
              casesTouched(profile, a, b, t)
                .map(incidentRow)
                .sort((x, y) => (x[0] as number) - (y[0] as number)),
            )
          : remember(`sa|${a}|${b}|${Math.floor(t / 60_000)}`, () => alertsIn(profile, a, b, t).map(alertRow));
      const start = Number(offset);
      const page = rows.slice(start, options.fault === 'ignore-paging' ? undefined : start + Number(limit));
      const columns = (table === 'SecurityIncident' ? INCIDENT_COLUMNS : ALERT_COLUMNS).map(([name, type]) => ({
        name,
        type,
      }));
      return asText({ tables: [{ name: 'PrimaryResult', columns, rows: page }] });
    },
  );
  return server;
}

function incidentRow(c: Case): unknown[] {
  const status = c.closedAt ? 'Closed' : c.acknowledgedAt ? 'Active' : 'New';
  return [
    caseNumber(c),
    c.title,
    SENTINEL_SEVERITY[c.severity],
    status,
    c.closedAt && c.disposition ? CLASSIFICATION[c.disposition] : '',
    c.createdAt,
    c.firstEventAt ?? null,
    c.closedAt ?? null,
    c.acknowledgedAt ?? null,
    JSON.stringify({ objectId: null, email: null, assignedTo: c.assignee ?? null, userPrincipalName: null }),
    JSON.stringify(c.severity === 'critical' ? [{ labelName: 'Critical', labelType: 'User' }] : []),
    c.rule ?? null,
    c.detectedAt ?? null,
  ];
}

function alertRow(a: Alert): unknown[] {
  return [a.id, a.rule, SENTINEL_SEVERITY[a.severity], a.createdAt, a.firstEventAt ?? null, 'soc-sim'];
}

// Splunk ES vocabularies: urgency critical…informational; review status 1 New, 2 In Progress, 5 Closed; dispositions
// disposition:0 Unassigned … disposition:6 Undetermined.
const URGENCY: Record<string, string> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
  info: 'informational',
};
const DISPOSITION: Record<string, string> = {
  true_positive: 'disposition:1',
  benign_positive: 'disposition:2',
  false_positive: 'disposition:3',
  undetermined: 'disposition:6',
};
const epoch = (iso: string | undefined) => (iso === undefined ? null : (Date.parse(iso) / 1000).toFixed(3));
/** `_time` as Splunk's JSON output writes it: ISO-8601 with milliseconds and a numeric offset. */
const splunkTime = (iso: string) => iso.replace(/Z$/, '+00:00');

function notableRow(c: Case): Record<string, unknown> {
  return {
    event_id: `soc-sim@@notable@@${c.id}`,
    rule_name: c.rule ?? 'Simulated detection',
    rule_title: c.title,
    urgency: URGENCY[c.severity],
    status: c.closedAt ? '5' : c.acknowledgedAt ? '2' : '1',
    owner: c.assignee ?? 'unassigned',
    disposition: c.closedAt && c.disposition ? DISPOSITION[c.disposition] : 'disposition:0',
    _time: splunkTime(c.createdAt),
    acknowledged_time: epoch(c.acknowledgedAt),
    closed_time: epoch(c.closedAt),
  };
}

/**
 * The Splunk MCP Server app (help.splunk.com, "MCP Server tools" and "Run long-running searches with Splunk MCP
 * Server"): `splunk_run_query(query, earliest_time, latest_time, row_limit)` answers `{"results": [...]}` in one call;
 * `splunk_submit_query(query, earliest_time, latest_time)` answers `{"sid"}`, and `splunk_get_query_results(sid, offset,
 * count)` a page `{"sid", "is_done", "dispatch_state", "result_count", "offset", "results"}`; results are Splunk's
 * JSON rows (every field a string, `_time` ISO with offset). The sid carries the job's window, so any request (the
 * HTTP form serves each with a fresh server) can page it.
 */
export function createSocSimSplunkServer(options: QuerySimOptions = {}): McpServer {
  const profile: SimProfile = { ...DEFAULT_PROFILE, ...definedOnly(options) };
  const now = options.now ?? (() => Date.now());
  const server = new McpServer({ name: 'Splunk MCP Server', version: '2.2.0' });
  const remember = cacheOf<Record<string, unknown>>();
  const notables = (query: string) => {
    if (!/\bindex=notable\b/.test(query)) return undefined;
    const since = /\bearliest=(\d+)/.exec(query)?.[1];
    const to = /\blatest=(\d+)/.exec(query)?.[1];
    const from = /_time\s*>=\s*(\d+)/.exec(query)?.[1];
    if (since === undefined || to === undefined || from === undefined) return undefined;
    const [a, b, s] = [Number(from) * 1000, Number(to) * 1000, Number(since) * 1000];
    const t = now();
    return remember(`n|${a}|${b}|${s}|${Math.floor(t / 60_000)}`, () =>
      casesTouched(profile, a, b, t)
        .filter((c) => Date.parse(c.createdAt) >= s)
        .sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt) || x.id.localeCompare(y.id))
        .map(notableRow),
    );
  };
  const cannot = () =>
    refuse('Error in search: the simulated Splunk answers the shipped notable search only (index=notable with times)');
  const searchArgs = {
    query: z.string(),
    earliest_time: z.string().optional(),
    latest_time: z.string().optional(),
  };
  server.registerTool(
    'splunk_run_query',
    {
      description: 'Execute a Splunk search query and return the results.',
      inputSchema: { ...searchArgs, row_limit: z.number().int().min(1).max(1000).optional() },
    },
    async ({ query, row_limit }) => {
      const rows = notables(query);
      return rows ? asText({ results: rows.slice(0, row_limit ?? 100) }) : cannot();
    },
  );
  server.registerTool(
    'splunk_submit_query',
    { description: 'Start a Splunk search and return its search ID (sid) without waiting.', inputSchema: searchArgs },
    async ({ query }) =>
      notables(query) ? asText({ sid: Buffer.from(query).toString('base64url'), status: 'submitted' }) : cannot(),
  );
  server.registerTool(
    'splunk_get_query_results',
    {
      description: 'Check a submitted search and retrieve its results in pages.',
      inputSchema: {
        sid: z.string(),
        offset: z.number().int().min(0).optional(),
        count: z.number().int().min(1).max(1000).optional(),
      },
    },
    async ({ sid, offset, count }) => {
      const rows = notables(Buffer.from(sid, 'base64url').toString());
      if (!rows) return refuse(`Unknown sid ${sid}`);
      const start = offset ?? 0;
      const done = options.fault !== 'not-done';
      const page = rows.slice(start, options.fault === 'ignore-paging' ? undefined : start + (count ?? 100));
      return asText({
        sid,
        is_done: done,
        dispatch_state: done ? 'DONE' : 'RUNNING',
        result_count: options.fault === 'short-total' ? rows.length + 1 : rows.length,
        offset: start,
        results: done ? page : [],
      });
    },
  );
  return server;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
