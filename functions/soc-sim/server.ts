import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import * as z from 'zod';
import { AlertSchema, CaseSchema, CostSchema, ShiftSchema } from '../../shared/domain/records.js';
import {
  alertCountForHour,
  alertsForHour,
  casesForDay,
  costsForMonth,
  DEFAULT_PROFILE,
  rotaPublishedUntil,
  shiftsForDay,
  type SimProfile,
} from './generate.js';
import { casesTouched, createSocSimSentinelServer, createSocSimSplunkServer } from './query-shapes.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Ways the simulator misbehaves on purpose, as real SOC tools do. */
export const FAULTS = [
  'none',
  'slow',
  'erroring',
  'isError',
  'malformed',
  'error-payload',
  'die-mid-page',
  'repeat-cursor',
  'null-result',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface SocSimOptions extends Partial<SimProfile> {
  /** The simulator's clock: nothing after it has happened yet. Defaults to the real time. */
  now?: () => number;
  fault?: Fault;
  /** Delay per call in `slow` mode. */
  slowMs?: number;
  /** Calls that fail before the server recovers, in `erroring` and `null-result` modes. */
  failTimes?: number;
  pageSize?: number;
}

const Range = {
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(5000).optional(),
};

/** Counters and page caches that outlive one MCP server instance (HTTP serves each request with a fresh one). */
export interface SimState {
  calls: number;
  pagesServed: number;
  cache: Map<string, unknown[]>;
}

/** Fresh simulator state. */
export const simState = (): SimState => ({ calls: 0, pagesServed: 0, cache: new Map() });

/** Create the simulator's MCP server serving the native `socpulse` contract. */
export function createSocSimServer(options: SocSimOptions = {}, state: SimState = simState()): McpServer {
  const profile: SimProfile = { ...DEFAULT_PROFILE, ...definedOnly(options) };
  const now = options.now ?? (() => Date.now());
  const fault: Fault = options.fault ?? 'none';
  const pageSize = options.pageSize ?? 1000;
  const server = new McpServer({ name: 'soc-sim', version: '1.0.0' }, { capabilities: { tools: {} } });
  const cache = state.cache;
  const remember = <T>(key: string, make: () => T[]): T[] => {
    let hit = cache.get(key) as T[] | undefined;
    if (!hit) {
      if (cache.size > 8) cache.clear();
      cache.set(key, (hit = make()));
    }
    return hit;
  };

  const page = async (items: unknown[], nextCursor: string | undefined, cursorIn: string | undefined) => {
    const calls = ++state.calls;
    if (fault === 'slow') await new Promise((r) => setTimeout(r, options.slowMs ?? 3000));
    if (fault === 'erroring' && calls <= (options.failTimes ?? 2))
      throw new Error('upstream SOAR returned 503 Service Unavailable');
    if (fault === 'isError') throw new Error('permission denied for this API key');
    if (fault === 'null-result' && calls <= (options.failTimes ?? 2))
      return { content: [{ type: 'text' as const, text: 'null' }] };
    if (fault === 'error-payload')
      return {
        content: [
          { type: 'text' as const, text: JSON.stringify({ error: 'backend search timed out', status: 'error' }) },
        ],
      };
    if (fault === 'die-mid-page' && ++state.pagesServed > 1) {
      setImmediate(() => void server.close());
      return new Promise<never>(() => {});
    }
    if (fault === 'malformed')
      items = items.map((r, i) => (i % 25 === 3 ? { ...(r as object), severity: 'urgent' } : r));
    if (fault === 'repeat-cursor') nextCursor = cursorIn ?? 'page-2';
    const body = nextCursor ? { items, nextCursor } : { items };
    return { structuredContent: body, content: [{ type: 'text' as const, text: JSON.stringify(body) }] };
  };

  // In modes that send non-canonical bodies the output schema is dropped, exactly as a sloppy server would.
  const strict = !['malformed', 'error-payload', 'null-result'].includes(fault);
  const out = (item: z.ZodType) => (strict ? { items: z.array(item), nextCursor: z.string().optional() } : undefined);

  server.registerTool(
    'list_cases',
    {
      description:
        'Cases created in [from, to), plus older cases acknowledged or closed in it, in their current state.',
      inputSchema: Range,
      outputSchema: out(CaseSchema),
    },
    async ({ from, to, cursor, limit }) => {
      const [a, b] = [Date.parse(from), Date.parse(to)];
      const t = now();
      const all = remember(`cases|${a}|${b}|${Math.floor(t / 60_000)}`, () => casesTouched(profile, a, b, t));
      return slice(all, cursor, limit ?? pageSize, page);
    },
  );

  server.registerTool(
    'list_alerts',
    { description: 'Alerts created in [from, to).', inputSchema: Range, outputSchema: out(AlertSchema) },
    async ({ from, to, cursor, limit }) => {
      const [a, b] = [Date.parse(from), Math.min(Date.parse(to), now())];
      const want = limit ?? pageSize;
      // Cursor: "<hour start ms>:<offset in hour>"; generation is per hour, so memory stays flat for any day size.
      let [hourStart, offset] = cursor
        ? (cursor.split(':').map(Number) as [number, number])
        : [Math.floor(a / HOUR) * HOUR, 0];
      const items: unknown[] = [];
      while (hourStart < b && items.length < want) {
        const dayStart = Math.floor(hourStart / DAY) * DAY;
        const hour = (hourStart - dayStart) / HOUR;
        const total = alertCountForHour(profile, dayStart, hour);
        if (offset < total) {
          const hourAlerts = remember(`alerts|${hourStart}`, () => alertsForHour(profile, dayStart, hour));
          for (; offset < total && items.length < want; offset++) {
            const al = hourAlerts[offset]!;
            const at = Date.parse(al.createdAt);
            if (at >= a && at < b) items.push(al);
          }
        }
        if (offset >= total) {
          hourStart += HOUR;
          offset = 0;
        }
      }
      return page(items, hourStart < b ? `${hourStart}:${offset}` : undefined, cursor);
    },
  );

  server.registerTool(
    'list_shifts',
    {
      description:
        'On-call shifts overlapping [from, to): worked shifts, and the published rota up to the end of next ISO week.',
      inputSchema: Range,
      outputSchema: out(ShiftSchema),
    },
    async ({ from, to, cursor, limit }) => {
      const [a, b] = [Date.parse(from), Date.parse(to)];
      const all = remember(`shifts|${a}|${b}`, () => {
        const list = [];
        for (let d = Math.floor(a / DAY) * DAY - DAY; d < b; d += DAY)
          for (const s of shiftsForDay(profile, d))
            if (Date.parse(s.start) < b && Date.parse(s.end) > a && Date.parse(s.start) < rotaPublishedUntil(now()))
              list.push(s);
        return list;
      });
      return slice(all, cursor, limit ?? pageSize, page);
    },
  );

  server.registerTool(
    'list_costs',
    {
      description: 'Monthly costs per category for months that ended within [from, to).',
      inputSchema: Range,
      outputSchema: out(CostSchema),
    },
    async ({ from, to, cursor, limit }) => {
      const [a, b] = [Date.parse(from), Math.min(Date.parse(to), now())];
      const all = remember(`costs|${a}|${b}`, () => {
        const list = [];
        const d = new Date(a);
        for (
          let y = d.getUTCFullYear(), m = d.getUTCMonth();
          Date.UTC(y, m + 1, 1) <= b;
          m === 11 ? (y++, (m = 0)) : m++
        ) {
          if (Date.UTC(y, m, 1) < a) continue;
          list.push(...costsForMonth(profile, `${y}-${String(m + 1).padStart(2, '0')}`));
        }
        return list;
      });
      return slice(all, cursor, limit ?? pageSize, page);
    },
  );
  return server;
}

function slice<R>(
  all: unknown[],
  cursor: string | undefined,
  limit: number,
  page: (items: unknown[], next: string | undefined, cursorIn: string | undefined) => R,
): R {
  const start = cursor ? Number(cursor) : 0;
  const end = start + limit;
  return page(all.slice(start, end), end < all.length ? String(end) : undefined, cursor);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The contracts the simulator speaks: socpulse's own, Google SecOps SOAR's local and remote forms, Microsoft
 * Sentinel's data exploration collection and the Splunk MCP Server app (query-shapes.ts).
 */
export const SIM_SHAPES = ['socpulse', 'secops-soar', 'secops-soar-remote', 'sentinel', 'splunk'] as const;
export type SimShape = (typeof SIM_SHAPES)[number];

/** The simulator's MCP server in one of its shapes. */
export function createSimServer(shape: SimShape, options: SocSimOptions = {}, state: SimState = simState()): McpServer {
  const { fault, ...rest } = options;
  if (shape === 'secops-soar' || shape === 'secops-soar-remote')
    return createSocSimSoarServer({ ...options, form: shape === 'secops-soar' ? 'local' : 'remote' });
  if (shape === 'sentinel') return createSocSimSentinelServer(rest);
  if (shape === 'splunk') return createSocSimSplunkServer(rest);
  return createSocSimServer({ ...rest, fault }, state);
}

/** Serve the simulator over Streamable HTTP (stateless: one server and transport per request) on loopback. */
export async function startSocSimHttp(
  options: SocSimOptions & { port?: number; host?: string; shape?: SimShape } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  // Fault counters and page caches live across requests, like a real backend's; each request gets its own
  // stateless server and transport, so requests run concurrently.
  const state = simState();
  const http: HttpServer = createServer((req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const mcp = createSimServer(options.shape ?? 'socpulse', options, state);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

type SimCase = ReturnType<typeof casesForDay>[number];

/** The two forms of google SecOps SOAR's MCP servers (adapters/secops-soar.ts names the public sources). */
export type SoarForm = 'local' | 'remote';

const CASE_PRIORITY: Record<SoarForm, Record<string, string>> = {
  // utils/models.py CasePriority of the open-source server.
  local: {
    critical: 'PriorityCritical',
    high: 'PriorityHigh',
    medium: 'PriorityMedium',
    low: 'PriorityLow',
    info: 'PriorityInfo',
  },
  // v1alpha case priority.
  remote: {
    critical: 'PRIORITY_CRITICAL',
    high: 'PRIORITY_HIGH',
    medium: 'PRIORITY_MEDIUM',
    low: 'PRIORITY_LOW',
    info: 'PRIORITY_INFO',
  },
};
// v1alpha alert priority (no prefix), used by both forms.
const ALERT_PRIORITY: Record<string, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIVE',
};
const CLOSE_REASON: Record<string, string> = {
  true_positive: 'MALICIOUS',
  false_positive: 'NOT_MALICIOUS',
  benign_positive: 'MAINTENANCE',
  undetermined: 'INCONCLUSIVE',
};
const SIM_INSTANCE = 'projects/soc-sim/locations/us/instances/00000000-0000-4000-8000-000000000000';
const PER_DAY = 100_000;
const CASE_PAGE = 100;

/** A simulated case's numeric SOAR id: its day and index, so any id leads back to the day that generates it. */
const soarId = (c: SimCase) => {
  const [, day, i] = /^case-(\d+)-(\d+)$/.exec(c.id)!;
  return Number(day) * PER_DAY + Number(i);
};

/**
 * The simulator in the shapes of Google SecOps SOAR's MCP servers, newest cases first over the last `historyDays` days:
 * - `local` (google/mcp-security's open-source server): `list_cases(next_page_token)` with no filters →
 *   `{"cases", "nextPageToken"}`; `get_case_full_details(case_id)` → `{"case_details:": case, "case_alerts":
 *   {"caseAlerts": [...]}, "case_comments": {...}}`; `list_alerts_by_case(case_id, next_page_token)`; numeric ids,
 *   epoch-ms numbers, `PriorityHigh`, `Opened`/`Closed`.
 * - `remote` (the hosted server, v1alpha): `list_cases`, `get_case`, `list_case_alerts` with the tenant and
 *   `page_size`/`page_token`; resource names, epoch-ms strings, `PRIORITY_HIGH`, `OPENED`/`CLOSED`, `closureDetails`.
 * Alerts carry `closureDetails {reason, closingTimeMs}` once closed. What SOAR does not record is not sent: no
 * acknowledgement time (only the assignee, and `updateTime` moving when the case changes).
 */
export function createSocSimSoarServer(
  options: SocSimOptions & { historyDays?: number; form?: SoarForm } = {},
): McpServer {
  const profile: SimProfile = { ...DEFAULT_PROFILE, ...definedOnly(options) };
  const now = options.now ?? (() => Date.now());
  const history = options.historyDays ?? 40;
  const form: SoarForm = options.form ?? 'local';
  const remote = form === 'remote';
  const server = new McpServer(
    remote ? { name: 'chronicle.googleapis.com', version: 'v1alpha' } : { name: 'SecOps SOAR', version: '0.1.1' },
    { capabilities: { tools: {} } },
  );
  const asText = (body: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(body) }] });
  const time = (iso: string) => (remote ? String(Date.parse(iso)) : Date.parse(iso));
  const soarCase = (c: SimCase) => {
    const id = soarId(c);
    const body: Record<string, unknown> = {
      ...(remote ? { name: `${SIM_INSTANCE}/cases/${id}` } : { id }),
      displayName: c.title,
      createTime: time(c.createdAt),
      // The last change SOAR would record: closure, assignment or creation.
      updateTime: time(c.closedAt ?? c.acknowledgedAt ?? c.createdAt),
      priority: CASE_PRIORITY[form][c.severity],
      status: c.closedAt ? (remote ? 'CLOSED' : 'Closed') : remote ? 'OPENED' : 'Opened',
      stage: c.closedAt ? 'Incident' : 'Triage',
      assignee: c.assignee ?? '@Tier1',
      alertCount: 1,
      type: 'EXTERNAL',
      environment: 'Default Environment',
      important: c.severity === 'critical',
      incident: c.disposition === 'true_positive',
    };
    if (remote && c.closedAt && c.disposition)
      body.closureDetails = {
        reason: CLOSE_REASON[c.disposition],
        rootCause: 'Simulated',
        caseClosedAction: 'MANUALLY',
      };
    return body;
  };
  const caseAlert = (c: SimCase) => {
    const id = soarId(c);
    const rule = c.rule ?? 'Simulated detection';
    const alert: Record<string, unknown> = {
      ...(remote ? { name: `${SIM_INSTANCE}/cases/${id}/caseAlerts/${id}1` } : { id: id * 10 + 1 }),
      identifier: `${rule.toUpperCase()}_${c.id}-a1`,
      caseId: id,
      displayName: rule.toUpperCase(),
      ruleGenerator: rule,
      product: 'soc-sim',
      vendor: 'soc-sim',
      priority: ALERT_PRIORITY[c.severity],
      status: c.closedAt ? 'CLOSE' : 'OPEN',
      createTime: time(c.detectedAt ?? c.createdAt),
    };
    if (c.closedAt)
      alert.closureDetails = {
        ...(c.disposition ? { reason: CLOSE_REASON[c.disposition] } : {}),
        rootCause: 'Simulated',
        closingTimeMs: time(c.closedAt),
      };
    return alert;
  };
  const dayCases = (day: number) => casesForDay(profile, day * DAY, now());
  const byId = (raw: string) => {
    if (!/^\d+$/.test(raw)) return undefined;
    const id = Number(raw);
    return dayCases(Math.floor(id / PER_DAY)).find((c) => soarId(c) === id);
  };
  const listPage = (token: string | undefined) => {
    const today = Math.floor(now() / DAY);
    const [day, offset] = token ? (token.split(':').map(Number) as [number, number]) : [today, 0];
    const list = dayCases(day);
    const next =
      offset + CASE_PAGE < list.length ? `${day}:${offset + CASE_PAGE}` : day > today - history ? `${day - 1}:0` : '';
    return { cases: list.slice(offset, offset + CASE_PAGE).map(soarCase), ...(next ? { nextPageToken: next } : {}) };
  };
  const alertList = (c: SimCase) => ({ caseAlerts: [caseAlert(c)] });
  const notFound = (id: string) => ({
    isError: true,
    content: [{ type: 'text' as const, text: `case ${id} not found` }],
  });

  if (!remote) {
    server.registerTool(
      'list_cases',
      {
        description: 'List cases (no filters), newest first.',
        inputSchema: { next_page_token: z.string().optional() },
      },
      async ({ next_page_token }) => asText(listPage(next_page_token)),
    );
    server.registerTool(
      'get_case_full_details',
      { description: 'A case with its alerts and comments.', inputSchema: { case_id: z.string() } },
      async ({ case_id }) => {
        const c = byId(case_id);
        if (!c) return notFound(case_id);
        return asText({ 'case_details:': soarCase(c), case_alerts: alertList(c), case_comments: { caseComments: [] } });
      },
    );
    server.registerTool(
      'list_alerts_by_case',
      {
        description: 'Alerts of a case.',
        inputSchema: { case_id: z.string(), next_page_token: z.string().optional() },
      },
      async ({ case_id }) => {
        const c = byId(case_id);
        return c ? asText(alertList(c)) : notFound(case_id);
      },
    );
    return server;
  }
  const tenant = {
    project_id: z.string().optional(),
    customer_id: z.string().optional(),
    region: z.string().optional(),
  };
  const paging = { page_size: z.number().int().optional(), page_token: z.string().optional() };
  server.registerTool(
    'list_cases',
    { description: 'Lists all cases for a given Chronicle instance.', inputSchema: { ...tenant, ...paging } },
    async ({ page_token }) => asText(listPage(page_token)),
  );
  server.registerTool(
    'get_case',
    { description: 'Retrieves a single case.', inputSchema: { ...tenant, case_id: z.string() } },
    async ({ case_id }) => {
      const c = byId(case_id);
      return c ? asText(soarCase(c)) : notFound(case_id);
    },
  );
  server.registerTool(
    'list_case_alerts',
    { description: 'Lists all alerts within a case.', inputSchema: { ...tenant, case_id: z.string(), ...paging } },
    async ({ case_id }) => {
      const c = byId(case_id);
      return c ? asText(alertList(c)) : notFound(case_id);
    },
  );
  return server;
}
