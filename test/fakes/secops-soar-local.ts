// An independent stand-in for google/mcp-security's open-source SecOps SOAR server ("local" form), built from its
// code (server/secops-soar/secops_soar_mcp/case_management.py, http_client.py, utils/consts.py): the real MCP SDK
// server, tools named and shaped as there, answering with the SOAR 1P external API's own list bodies as JSON text
// (FastMCP sends a dict return as one text block and no structuredContent; a failed upstream GET as None → no content).
// The data below is ours, written in the shapes of reference/secops-soar-shapes.md; no file was copied.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import * as z from 'zod';
import { fastMcpAnswer, fastMcpOutputSchema, type FastMcpReturn } from './fastmcp.js';

type Raw = Record<string, unknown>;
const ms = (iso: string) => Date.parse(iso);
// What FastMCP sends when the tool returned None (its upstream GET failed).
const none = () => ({ content: [] });

/** Local-form cases (1P external API: numeric id, epoch-ms numbers, PriorityX, Opened/Closed), newest first. */
export const LOCAL_CASES: Raw[] = [
  {
    id: 4107,
    displayName: 'Phishing link clicked by finance user',
    createTime: ms('2026-11-06T14:05:00Z'),
    updateTime: ms('2026-11-06T16:40:00Z'),
    priority: 'PriorityHigh',
    status: 'Closed',
    stage: 'Incident',
    assignee: 'j.brennan@example.com',
    alertCount: 3,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: true,
    incident: true,
  },
  {
    id: 4106,
    displayName: 'Impossible travel sign-in',
    createTime: ms('2026-11-05T09:12:00Z'),
    updateTime: ms('2026-11-05T09:30:00Z'),
    priority: 'PriorityCritical',
    status: 'Opened',
    stage: 'Triage',
    assignee: '@Tier1',
    alertCount: 1,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
  {
    id: 4105,
    displayName: 'Outbound Tor traffic from build server',
    createTime: ms('2026-11-04T22:50:00Z'),
    updateTime: ms('2026-11-07T08:00:00Z'),
    priority: 'PriorityMedium',
    status: 'Closed',
    stage: 'Investigation',
    assignee: 'k.ivanova@example.com',
    alertCount: 1,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
  {
    id: 4104,
    displayName: 'Antivirus signature update failed',
    createTime: ms('2026-11-03T03:00:00Z'),
    updateTime: ms('2026-11-03T03:20:00Z'),
    priority: 'PriorityInfo',
    status: 'Opened',
    stage: 'Triage',
    assignee: '@Tier1',
    alertCount: 1,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
  {
    id: 4103,
    displayName: 'Brute force against VPN',
    createTime: ms('2026-11-02T11:00:00Z'),
    updateTime: ms('2026-11-02T13:00:00Z'),
    priority: 'PriorityLow',
    status: 'Closed',
    stage: 'Triage',
    assignee: 'a.okafor@example.com',
    alertCount: 2,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
  {
    // Created before the window, closed inside it: read as an older case whose closure falls in the window.
    id: 4090,
    displayName: 'New admin account created',
    createTime: ms('2026-10-28T10:00:00Z'),
    updateTime: ms('2026-11-03T10:00:00Z'),
    priority: 'PriorityMedium',
    status: 'Closed',
    stage: 'Investigation',
    assignee: 'm.chen@example.com',
    alertCount: 1,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
  {
    // Entirely before the window: not read.
    id: 4001,
    displayName: 'Old case, closed long ago',
    createTime: ms('2026-09-01T10:00:00Z'),
    updateTime: ms('2026-09-02T10:00:00Z'),
    priority: 'PriorityLow',
    status: 'Closed',
    stage: 'Triage',
    assignee: '@Tier1',
    alertCount: 1,
    type: 'EXTERNAL',
    environment: 'Default Environment',
    important: false,
    incident: false,
  },
];

const alert = (caseId: number, n: number, a: Raw): Raw => ({
  id: caseId * 100 + n,
  identifier: `${String(a.ruleGenerator).toUpperCase().replace(/\W+/g, '_')}_${caseId}-${n}`,
  caseId,
  displayName: a.ruleGenerator,
  vendor: 'Example Vendor',
  ticketId: `T-${caseId}-${n}`,
  sourceSystemName: 'Chronicle',
  environment: 'Default Environment',
  ...a,
});

/** Local-form alerts per case id (same keys as the v1alpha CaseAlert: inferred, no public 1P sample). */
export const LOCAL_ALERTS: Record<string, Raw[]> = {
  '4107': [
    alert(4107, 1, {
      ruleGenerator: 'Phishing URL clicked',
      product: 'Proofpoint TAP',
      priority: 'HIGH',
      status: 'CLOSE',
      createTime: ms('2026-11-06T14:04:00Z'),
      closureDetails: {
        reason: 'MALICIOUS',
        rootCause: 'Credential phishing',
        closingTimeMs: ms('2026-11-06T16:10:00Z'),
      },
    }),
    alert(4107, 2, {
      ruleGenerator: 'Credential submitted to lookalike domain',
      product: 'Chronicle SIEM',
      priority: 'CRITICAL',
      status: 'CLOSE',
      createTime: ms('2026-11-06T14:20:00Z'),
      closureDetails: {
        reason: 'MALICIOUS',
        rootCause: 'Credential phishing',
        closingTimeMs: ms('2026-11-06T16:25:00Z'),
      },
    }),
    alert(4107, 3, {
      ruleGenerator: 'Mailbox rule created',
      product: 'Microsoft 365',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-11-06T14:30:00Z'),
      closureDetails: {
        reason: 'MALICIOUS',
        rootCause: 'Credential phishing',
        closingTimeMs: ms('2026-11-06T16:30:00Z'),
      },
    }),
  ],
  '4106': [
    alert(4106, 1, {
      ruleGenerator: 'Impossible travel sign-in',
      product: 'Entra ID',
      priority: 'CRITICAL',
      status: 'OPEN',
      createTime: ms('2026-11-05T09:11:00Z'),
      sla: { expirationTime: ms('2026-11-05T09:41:00Z'), expirationStatus: 'PASSED_DUE' },
    }),
  ],
  '4105': [
    // Closed without a closingTimeMs: the case's close time is its updateTime, an upper bound.
    alert(4105, 1, {
      ruleGenerator: 'Outbound traffic to Tor',
      product: 'Palo Alto NGFW',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-11-04T22:49:00Z'),
      closureDetails: { reason: 'NOT_MALICIOUS', rootCause: 'Approved research proxy' },
    }),
  ],
  '4104': [
    alert(4104, 1, {
      ruleGenerator: 'AV update failure',
      product: 'Defender',
      priority: 'INFORMATIVE',
      status: 'OPEN',
      createTime: ms('2026-11-03T02:58:00Z'),
    }),
  ],
  '4103': [
    alert(4103, 1, {
      ruleGenerator: 'Brute force against VPN',
      product: 'Cisco ASA',
      priority: 'LOW',
      status: 'CLOSE',
      createTime: ms('2026-11-02T10:58:00Z'),
      closureDetails: { reason: 'MAINTENANCE', rootCause: 'Scanner', closingTimeMs: ms('2026-11-02T12:30:00Z') },
    }),
    alert(4103, 2, {
      ruleGenerator: 'Brute force against VPN',
      product: 'Cisco ASA',
      priority: 'LOW',
      status: 'CLOSE',
      createTime: ms('2026-11-02T11:05:00Z'),
      closureDetails: { reason: 'MAINTENANCE', rootCause: 'Scanner', closingTimeMs: ms('2026-11-02T12:45:00Z') },
    }),
  ],
  '4090': [
    alert(4090, 1, {
      ruleGenerator: 'New admin account created',
      product: 'Active Directory',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-10-28T09:59:00Z'),
      closureDetails: { reason: 'INCONCLUSIVE', rootCause: 'Unknown', closingTimeMs: ms('2026-11-03T09:55:00Z') },
    }),
  ],
  '4001': [
    alert(4001, 1, {
      ruleGenerator: 'Old rule',
      product: 'Legacy',
      priority: 'LOW',
      status: 'CLOSE',
      createTime: ms('2026-09-01T09:59:00Z'),
    }),
  ],
};

export interface LocalSoarOptions {
  cases?: Raw[];
  alerts?: Record<string, Raw[]>;
  /** Cases per list_cases page (the real API pages its own way; small pages exercise paging). */
  pageSize?: number;
  /** Alerts per caseAlerts page. */
  alertPageSize?: number;
  /** The first N list_cases calls fail upstream (the server answers with no content). */
  failListTimes?: number;
  /** The first N get_case_full_details calls lose their case_alerts GET (that part is null). */
  failAlertsPartTimes?: number;
  /**
   * The tools' return annotation: the server's own `-> dict` (text only) by default; `Dict[str, Any]` is the one
   * annotation away that makes FastMCP wrap every answer in `{"result": …}` (test/fakes/fastmcp.ts).
   */
  returns?: FastMcpReturn;
  /** Changes a tool's body before it is sent (answers in shapes the adapter must refuse). */
  rewrite?: (tool: string, body: Raw) => unknown;
}

/** Counters shared by every MCP server instance of one fake (HTTP makes one per request). */
export interface FakeCalls {
  [tool: string]: number;
}

/** The local-form SecOps SOAR MCP server over `opts`; `calls` counts each tool's calls. */
export function fakeSoarLocal(opts: LocalSoarOptions = {}, calls: FakeCalls = {}): McpServer {
  const cases = opts.cases ?? LOCAL_CASES;
  const alerts = opts.alerts ?? LOCAL_ALERTS;
  const pageSize = opts.pageSize ?? 3;
  const alertPageSize = opts.alertPageSize ?? 2;
  const count = (tool: string) => (calls[tool] = (calls[tool] ?? 0) + 1);
  const returns = opts.returns ?? 'dict';
  const answer = (tool: string, body: Raw) => fastMcpAnswer(opts.rewrite ? opts.rewrite(tool, body) : body, returns);
  const out = (tool: string) => fastMcpOutputSchema(tool, returns);
  const server = new McpServer({ name: 'SecOps SOAR', version: '0.1.1' });
  const alertPage = (caseId: string, token: string | undefined) => {
    const all = alerts[caseId] ?? [];
    const start = token ? Number(token.replace(/^a/, '')) : 0;
    const next = start + alertPageSize < all.length ? `a${start + alertPageSize}` : undefined;
    return { caseAlerts: all.slice(start, start + alertPageSize), ...(next ? { nextPageToken: next } : {}) };
  };
  server.registerTool(
    'list_cases',
    {
      description: 'List cases available in the SOAR platform.',
      inputSchema: { next_page_token: z.string().optional() },
      outputSchema: out('list_cases'),
    },
    async ({ next_page_token }) => {
      if (count('list_cases') <= (opts.failListTimes ?? 0)) return none();
      const start = next_page_token ? Number(next_page_token.replace(/^p/, '')) : 0;
      // Later pages come with $expand=tags (case_management.py), so tags appear from page 2 on.
      const page = cases
        .slice(start, start + pageSize)
        .map((c) => (next_page_token ? { ...c, tags: [{ displayName: 'reviewed', priority: 0 }] } : c));
      const next = start + pageSize < cases.length ? `p${start + pageSize}` : undefined;
      return answer('list_cases', { cases: page, ...(next ? { nextPageToken: next } : {}) });
    },
  );
  server.registerTool(
    'get_case_full_details',
    {
      description: 'A case, its alerts and its comments.',
      inputSchema: { case_id: z.string() },
      outputSchema: out('get_case_full_details'),
    },
    async ({ case_id }) => {
      const n = count('get_case_full_details');
      const c = cases.find((x) => String(x.id) === case_id) ?? null;
      return answer('get_case_full_details', {
        'case_details:': c,
        case_alerts: n <= (opts.failAlertsPartTimes ?? 0) ? null : alertPage(case_id, undefined),
        case_comments: { caseComments: [] },
      });
    },
  );
  server.registerTool(
    'list_alerts_by_case',
    {
      description: 'The alerts of a case.',
      inputSchema: { case_id: z.string(), next_page_token: z.string().optional() },
      outputSchema: out('list_alerts_by_case'),
    },
    async ({ case_id, next_page_token }) => {
      count('list_alerts_by_case');
      return answer('list_alerts_by_case', alertPage(case_id, next_page_token));
    },
  );
  server.registerTool(
    'post_case_comment',
    { description: 'Post a comment to a case.', inputSchema: { case_id: z.string(), comment: z.string() } },
    async () => answer('post_case_comment', {}),
  );
  return server;
}

/** Serve a fake over Streamable HTTP on a loopback ephemeral port (one stateless server per request). */
export async function serveHttp(make: () => McpServer): Promise<{ url: string; close(): Promise<void> }> {
  const http: HttpServer = createServer((req, res) => {
    const mcp = make();
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
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
