// An independent stand-in for the Google-hosted SecOps MCP server ("remote" form) over the v1alpha Chronicle API:
// tools list_cases, get_case, list_case_alerts (google/mcp-security extensions/google-secops/TOOL_MAPPING.md), tenant
// arguments required on every call (Google's MCP tools reference: project_id, customer_id, region, case_id, page_size,
// page_token — or the camelCase spelling of its newer examples), v1alpha bodies as in the public fixtures of
// demisto/content GoogleSecOpsCases (case_list_success_response.json, case_alert_list_raw_response.json): resource
// names, epoch-ms strings, PRIORITY_X, OPENED/CLOSED/MERGED, closureDetails/sla only where the REST API gives them.
// The data is ours, in those shapes; no file was copied.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import type { FakeCalls } from './secops-soar-local.js';

type Raw = Record<string, unknown>;
const ms = (iso: string) => String(Date.parse(iso));
const INSTANCE = 'projects/socpulse-test/locations/eu/instances/11111111-2222-4333-8444-555555555555';
export const TENANT = {
  project_id: 'socpulse-test',
  customer_id: '11111111-2222-4333-8444-555555555555',
  region: 'eu',
};

const kase = (id: number, c: Raw): Raw => ({
  name: `${INSTANCE}/cases/${id}`,
  lastModifyingUserId: '00000000-0000-4000-8000-00000000000a',
  stage: 'Triage',
  important: false,
  incident: false,
  type: 'EXTERNAL',
  overflowCase: false,
  environment: 'Default Environment',
  workflowStatus: 'NONE',
  source: 'Server',
  involvedSuspiciousEntity: false,
  ...c,
});

/** Remote-form cases as the v1alpha API holds them (closureDetails/sla present; list_cases drops them unexpanded). */
export const REMOTE_CASES: Raw[] = [
  kase(1207, {
    displayName: 'Ransomware precursor on LAP-2231',
    createTime: ms('2026-11-06T08:00:00Z'),
    updateTime: ms('2026-11-06T12:00:00Z'),
    alertCount: 2,
    priority: 'PRIORITY_CRITICAL',
    status: 'CLOSED',
    assignee: 'n.adeyemi@example.com',
    sla: { expirationTime: ms('2026-11-06T12:00:00Z'), expirationStatus: 'OPEN_SLA' },
    closureDetails: { reason: 'MALICIOUS', rootCause: 'Malware', caseClosedAction: 'MANUALLY', comment: 'Contained.' },
  }),
  kase(1206, {
    displayName: 'Duplicate of 1207',
    createTime: ms('2026-11-06T08:05:00Z'),
    updateTime: ms('2026-11-06T08:30:00Z'),
    alertCount: 0,
    priority: 'PRIORITY_HIGH',
    status: 'MERGED',
    assignee: '@Tier1',
  }),
  kase(1205, {
    displayName: 'Cloud bucket made public',
    createTime: ms('2026-11-05T15:00:00Z'),
    updateTime: ms('2026-11-05T18:00:00Z'),
    alertCount: 1,
    priority: 'PRIORITY_HIGH',
    status: 'CLOSED',
    assignee: 'l.rossi@example.com',
    sla: { expirationStatus: 'NO_SLA' },
    closureDetails: { reason: 'NOT_MALICIOUS', rootCause: 'Approved change', caseClosedAction: 'MANUALLY' },
  }),
  kase(1204, {
    displayName: 'Suspicious PowerShell EncodedCommand',
    createTime: ms('2026-11-04T10:00:00Z'),
    updateTime: ms('2026-11-04T10:20:00Z'),
    alertCount: 1,
    priority: 'PRIORITY_MEDIUM',
    status: 'OPENED',
    assignee: '@Tier1',
    sla: { expirationTime: ms('2026-11-05T10:00:00Z'), expirationStatus: 'OPEN_SLA' },
  }),
  kase(1203, {
    displayName: 'Case still being created',
    createTime: ms('2026-11-04T09:00:00Z'),
    updateTime: ms('2026-11-04T09:00:01Z'),
    alertCount: 1,
    priority: 'PRIORITY_LOW',
    status: 'CREATION_PENDING',
  }),
  kase(1202, {
    displayName: 'Patch window noise',
    createTime: ms('2026-11-03T01:00:00Z'),
    updateTime: ms('2026-11-03T02:00:00Z'),
    alertCount: 1,
    priority: 'PRIORITY_INFO',
    status: 'CLOSED',
    assignee: 'b.lindqvist@example.com',
    closureDetails: { reason: 'MAINTENANCE', rootCause: 'Patching', caseClosedAction: 'MANUALLY' },
  }),
  kase(1201, {
    displayName: 'DNS query to known bad domain',
    createTime: ms('2026-11-02T20:00:00Z'),
    updateTime: ms('2026-11-02T23:00:00Z'),
    alertCount: 1,
    priority: 'PRIORITY_MEDIUM',
    status: 'CLOSED',
    assignee: 'c.tanaka@example.com',
    closureDetails: { reason: 'INCONCLUSIVE', rootCause: 'Not enough data', caseClosedAction: 'MANUALLY' },
  }),
];

const caseAlert = (caseId: number, n: number, a: Raw): Raw => ({
  name: `${INSTANCE}/cases/${caseId}/caseAlerts/${caseId * 1000 + n}`,
  identifier: `${String(a.displayName).toUpperCase()}_${caseId}-${n}`,
  caseId,
  sourceGroupingIdentifier: '10.0.0.1',
  vendor: 'Example Vendor',
  environment: 'Default Environment',
  ticketId: `${caseId}-${n}`,
  sourceSystemName: 'Chronicle',
  playbookStatus: 'COMPLETED',
  eventCount: 1,
  ...a,
});

/** Remote-form alerts per case id. */
export const REMOTE_ALERTS: Record<string, Raw[]> = {
  '1207': [
    caseAlert(1207, 1, {
      displayName: 'SHADOW COPY DELETION',
      ruleGenerator: 'Shadow copy deletion',
      product: 'CrowdStrike Falcon',
      priority: 'CRITICAL',
      status: 'CLOSE',
      createTime: ms('2026-11-06T07:59:00Z'),
      updateTime: ms('2026-11-06T11:50:00Z'),
      closureDetails: { reason: 'MALICIOUS', rootCause: 'Malware', closingTimeMs: ms('2026-11-06T11:40:00Z') },
      sla: { expirationTime: ms('2026-11-06T09:00:00Z'), expirationStatus: 'OPEN_SLA' },
    }),
    caseAlert(1207, 2, {
      // Moved here from the merged case 1206: counted once, under 1207.
      displayName: 'MASS FILE RENAME',
      ruleGenerator: 'Mass file encryption pattern',
      product: 'CrowdStrike Falcon',
      priority: 'HIGH',
      status: 'CLOSE',
      createTime: ms('2026-11-06T08:04:00Z'),
      updateTime: ms('2026-11-06T11:55:00Z'),
      closureDetails: { reason: 'MALICIOUS', rootCause: 'Malware', closingTimeMs: ms('2026-11-06T11:45:00Z') },
    }),
  ],
  '1205': [
    caseAlert(1205, 1, {
      displayName: 'PUBLIC BUCKET',
      ruleGenerator: 'Cloud storage made public',
      product: 'Security Command Center',
      priority: 'HIGH',
      status: 'CLOSE',
      createTime: ms('2026-11-05T14:58:00Z'),
      closureDetails: {
        reason: 'NOT_MALICIOUS',
        rootCause: 'Approved change',
        closingTimeMs: ms('2026-11-05T17:30:00Z'),
      },
    }),
  ],
  '1204': [
    caseAlert(1204, 1, {
      displayName: 'ENCODED POWERSHELL',
      ruleGenerator: 'Suspicious PowerShell EncodedCommand',
      product: 'Defender for Endpoint',
      priority: 'MEDIUM',
      status: 'OPEN',
      createTime: ms('2026-11-04T09:59:00Z'),
    }),
  ],
  '1203': [
    caseAlert(1203, 1, {
      displayName: 'PORT SCAN',
      ruleGenerator: 'Internal port scan',
      product: 'Zeek',
      priority: 'LOW',
      status: 'OPEN',
      createTime: ms('2026-11-04T08:59:00Z'),
    }),
  ],
  '1202': [
    caseAlert(1202, 1, {
      displayName: 'SERVICE RESTART',
      ruleGenerator: 'Service restarted repeatedly',
      product: 'Windows Event Log',
      priority: 'INFORMATIVE',
      status: 'CLOSE',
      createTime: ms('2026-11-03T00:58:00Z'),
      closureDetails: { reason: 'MAINTENANCE', rootCause: 'Patching' },
    }),
  ],
  '1201': [
    caseAlert(1201, 1, {
      displayName: 'BAD DNS',
      ruleGenerator: 'Known bad IOC in DNS',
      product: 'Chronicle SIEM',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-11-02T19:58:00Z'),
      closureDetails: { reason: 'UNKNOWN', rootCause: 'Other', closingTimeMs: ms('2026-11-02T22:40:00Z') },
    }),
    caseAlert(1201, 2, {
      displayName: 'BAD DNS',
      ruleGenerator: 'Known bad IOC in DNS',
      product: 'Chronicle SIEM',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-11-02T20:30:00Z'),
      closureDetails: { reason: 'UNKNOWN', rootCause: 'Other', closingTimeMs: ms('2026-11-02T22:50:00Z') },
    }),
    caseAlert(1201, 3, {
      displayName: 'BAD DNS',
      ruleGenerator: 'Known bad IOC in DNS',
      product: 'Chronicle SIEM',
      priority: 'MEDIUM',
      status: 'CLOSE',
      createTime: ms('2026-11-02T20:40:00Z'),
      closureDetails: { reason: 'UNKNOWN', rootCause: 'Other', closingTimeMs: ms('2026-11-02T22:55:00Z') },
    }),
  ],
};

export interface RemoteSoarOptions {
  cases?: Raw[];
  alerts?: Record<string, Raw[]>;
  /** Argument spelling the tools declare: Google's reference shows both. */
  spelling?: 'snake' | 'camel';
  /** Largest page the server gives, whatever page size is asked (the API "may return fewer"). */
  maxPage?: number;
}

/** The remote-form (hosted, v1alpha) SecOps MCP server over `opts`; `calls` counts each tool's calls. */
export function fakeSoarRemote(opts: RemoteSoarOptions = {}, calls: FakeCalls = {}): McpServer {
  const cases = opts.cases ?? REMOTE_CASES;
  const alerts = opts.alerts ?? REMOTE_ALERTS;
  const camel = opts.spelling === 'camel';
  const n = (snake: string) => (camel ? snake.replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase()) : snake);
  const maxPage = opts.maxPage ?? 3;
  const count = (tool: string) => (calls[tool] = (calls[tool] ?? 0) + 1);
  const server = new McpServer({ name: 'chronicle.googleapis.com', version: 'v1alpha' });
  const tenant = { [n('project_id')]: z.string(), [n('customer_id')]: z.string(), region: z.string() };
  const paging = { [n('page_size')]: z.number().int().optional(), [n('page_token')]: z.string().optional() };
  const answer = (body: Raw) => ({
    structuredContent: body,
    content: [{ type: 'text' as const, text: JSON.stringify(body) }],
  });
  const checkTenant = (args: Raw) => {
    if (args[n('project_id')] !== TENANT.project_id || args[n('customer_id')] !== TENANT.customer_id)
      throw new Error('PERMISSION_DENIED: unknown project or customer');
  };
  const page = <T>(all: T[], args: Raw) => {
    const start = args[n('page_token')] ? Number(String(args[n('page_token')]).slice(1)) : 0;
    const size = Math.min(Number(args[n('page_size')] ?? 50), maxPage);
    const next = start + size < all.length ? `t${start + size}` : undefined;
    return { items: all.slice(start, start + size), next, total: all.length };
  };
  // Unexpanded v1alpha lists leave out closureDetails and sla (GoogleSecOpsCases.py CASES_EXPAND_FIELDS).
  const unexpanded = ({ closureDetails: _c, sla: _s, alertsSla: _a, ...rest }: Raw) => rest;
  const caseNo = (args: Raw) => String(args[n('case_id')]);
  server.registerTool(
    'list_cases',
    {
      description: 'Lists all cases for a given Chronicle instance.',
      inputSchema: { ...tenant, ...paging, filter: z.string().optional(), [n('order_by')]: z.string().optional() },
    },
    async (args) => {
      count('list_cases');
      checkTenant(args);
      const p = page(cases, args);
      return answer({
        cases: p.items.map(unexpanded),
        ...(p.next ? { nextPageToken: p.next } : {}),
        totalSize: p.total,
      });
    },
  );
  server.registerTool(
    'get_case',
    {
      description: 'Retrieves a single case by its resource name.',
      inputSchema: { ...tenant, [n('case_id')]: z.string() },
    },
    async (args) => {
      count('get_case');
      checkTenant(args);
      const c = cases.find((x) => String(x.name).endsWith(`/cases/${caseNo(args)}`));
      if (!c) throw new Error(`NOT_FOUND: case ${caseNo(args)}`);
      return answer(c);
    },
  );
  server.registerTool(
    'list_case_alerts',
    {
      description: 'Lists all alerts within a case.',
      inputSchema: { ...tenant, [n('case_id')]: z.string(), ...paging, filter: z.string().optional() },
    },
    async (args) => {
      count('list_case_alerts');
      checkTenant(args);
      const p = page(alerts[caseNo(args)] ?? [], args);
      return answer({ caseAlerts: p.items, ...(p.next ? { nextPageToken: p.next } : {}), totalSize: p.total });
    },
  );
  server.registerTool(
    'execute_bulk_close_case',
    { description: 'Closes one or more cases in bulk.', inputSchema: { ...tenant, casesIds: z.array(z.number()) } },
    async () => answer({}),
  );
  return server;
}
