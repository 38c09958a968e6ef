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
  shiftsForDay,
  type SimProfile,
} from './generate.js';

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
      const all = remember(`cases|${a}|${b}|${Math.floor(t / 60_000)}`, () => {
        const list = [];
        for (let d = Math.floor(a / DAY) * DAY - profile.closeLookbackDays * DAY; d < b; d += DAY) {
          for (const c of casesForDay(profile, d, Math.min(t, b))) {
            const created = Date.parse(c.createdAt);
            const touched = [c.closedAt, c.acknowledgedAt].some(
              (x) => x !== undefined && Date.parse(x) >= a && Date.parse(x) < b,
            );
            if ((created >= a && created < b) || (created < a && touched)) list.push(c);
          }
        }
        return list;
      });
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
    { description: 'On-call shifts overlapping [from, to).', inputSchema: Range, outputSchema: out(ShiftSchema) },
    async ({ from, to, cursor, limit }) => {
      const [a, b] = [Date.parse(from), Date.parse(to)];
      const all = remember(`shifts|${a}|${b}`, () => {
        const list = [];
        for (let d = Math.floor(a / DAY) * DAY - DAY; d < b; d += DAY)
          for (const s of shiftsForDay(profile, d))
            if (Date.parse(s.start) < b && Date.parse(s.end) > a && Date.parse(s.start) < now()) list.push(s);
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

/** Serve the simulator over Streamable HTTP (stateless: one server and transport per request) on loopback. */
export async function startSocSimHttp(
  options: SocSimOptions & { port?: number; host?: string; shape?: 'socpulse' | 'secops-soar' } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  // Fault counters and page caches live across requests, like a real backend's; each request gets its own
  // stateless server and transport, so requests run concurrently.
  const state = simState();
  const http: HttpServer = createServer((req, res) => {
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const mcp = options.shape === 'secops-soar' ? createSocSimSoarServer(options) : createSocSimServer(options, state);
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

const PRIORITY_OF: Record<string, string> = {
  critical: 'PriorityCritical',
  high: 'PriorityHigh',
  medium: 'PriorityMedium',
  low: 'PriorityLow',
  info: 'PriorityInfo',
};

/**
 * The simulator in the shapes of google/mcp-security's SOAR server (local variant): `list_cases(next_page_token)` with
 * no filters over the last `historyDays` days, newest first; `get_case_full_details(case_id)` with the details under
 * the key `"case_details:"` (trailing colon, as that server sends it) and the case's alerts; `list_alerts_by_case`.
 * Times are epoch milliseconds, as the SOAR API gives them.
 */
export function createSocSimSoarServer(options: SocSimOptions & { historyDays?: number } = {}): McpServer {
  const profile: SimProfile = { ...DEFAULT_PROFILE, ...definedOnly(options) };
  const now = options.now ?? (() => Date.now());
  const history = options.historyDays ?? 40;
  const server = new McpServer({ name: 'soc-sim-soar', version: '1.0.0' }, { capabilities: { tools: {} } });
  const asText = (body: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(body) }] });
  const soarCase = (c: ReturnType<typeof casesForDay>[number]) => ({
    id: c.id,
    displayName: c.title,
    priority: PRIORITY_OF[c.severity],
    status: c.closedAt ? 'Closed' : 'Opened',
    assignedUser: c.assignee ?? '',
    creationTime: Date.parse(c.createdAt),
    // The last change: closure, acknowledgement or creation.
    modificationTime: Date.parse(c.closedAt ?? c.acknowledgedAt ?? c.createdAt),
  });
  const dayCases = (day: number) => casesForDay(profile, day * DAY, now());
  server.registerTool(
    'list_cases',
    { description: 'List cases (no filters), newest first.', inputSchema: { next_page_token: z.string().optional() } },
    async ({ next_page_token }) => {
      const today = Math.floor(now() / DAY);
      const [day, offset] = next_page_token ? (next_page_token.split(':').map(Number) as [number, number]) : [today, 0];
      const list = dayCases(day);
      const page = list.slice(offset, offset + 100).map(soarCase);
      const next = offset + 100 < list.length ? `${day}:${offset + 100}` : day > today - history ? `${day - 1}:0` : '';
      return asText({ cases: page, nextPageToken: next });
    },
  );
  server.registerTool(
    'get_case_full_details',
    { description: 'A case with its alerts and comments.', inputSchema: { case_id: z.string() } },
    async ({ case_id }) => {
      const m = /^case-(\d+)-(\d+)$/.exec(case_id);
      const c = m ? dayCases(Number(m[1])).find((x) => x.id === case_id) : undefined;
      if (!c) return { isError: true, content: [{ type: 'text' as const, text: `case ${case_id} not found` }] };
      return asText({
        'case_details:': { ...soarCase(c), ...(c.closedAt ? { closeTime: Date.parse(c.closedAt) } : {}) },
        case_alerts: [
          {
            identifier: `${c.id}-a1`,
            ruleGenerator: c.rule,
            priority: PRIORITY_OF[c.severity],
            creationTime: Date.parse(c.detectedAt ?? c.createdAt),
          },
        ],
        case_comments: [],
      });
    },
  );
  server.registerTool(
    'list_alerts_by_case',
    { description: 'Alerts of a case.', inputSchema: { case_id: z.string(), next_page_token: z.string().optional() } },
    async ({ case_id }) => asText({ alerts: [{ identifier: `${case_id}-a1` }], nextPageToken: '' }),
  );
  return server;
}
