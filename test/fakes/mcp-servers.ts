// Small MCP servers that speak exactly the shapes of the real SOC servers socpulse reads (DESIGN.md "Sources"),
// for adapter tests: the real SDK server, with canned upstream data.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';

const text = (body: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(body) }] });

// google/mcp-security SOAR: test/fakes/secops-soar-local.ts and secops-soar-remote.ts.

/** Chronicle SIEM: search_rule_alerts with tooManyAlerts when a window holds more than `max` alerts. */
export function fakeSiem(opts: { alerts: { rule: string; severity?: string; at: string; id: string }[]; max: number }) {
  const server = new McpServer({ name: 'secops-siem', version: '0' });
  server.registerTool(
    'search_rule_alerts',
    { inputSchema: { start_time: z.string(), end_time: z.string(), max_alerts: z.number().optional() } },
    async ({ start_time, end_time }) => {
      const inside = opts.alerts.filter((a) => a.at >= start_time && a.at < end_time);
      if (inside.length > opts.max) return text({ ruleAlerts: [], tooManyAlerts: true });
      const byRule = new Map<string, typeof inside>();
      for (const a of inside) byRule.set(a.rule, [...(byRule.get(a.rule) ?? []), a]);
      return text({
        ruleAlerts: [...byRule].map(([rule, list]) => ({
          ruleMetadata: { properties: { name: rule, ...(list[0]!.severity ? { severity: list[0]!.severity } : {}) } },
          alerts: list.map((a) => ({ id: a.id, detectionTimestamp: a.at })),
        })),
        tooManyAlerts: false,
      });
    },
  );
  server.registerTool(
    'list_security_rules',
    { inputSchema: { page_size: z.number().optional(), page_token: z.string().optional() } },
    async () => text({ rules: [] }),
  );
  return server;
}

/** PagerDuty: list_oncalls with offset/more paging. */
export function fakePagerDuty(oncalls: Record<string, unknown>[]) {
  const server = new McpServer({ name: 'pagerduty', version: '0' });
  server.registerTool(
    'list_oncalls',
    {
      inputSchema: {
        since: z.string(),
        until: z.string(),
        limit: z.number().optional(),
        offset: z.string().optional(),
        schedule_ids: z.array(z.string()).optional(),
      },
    },
    async ({ offset }) => {
      const start = offset ? Number(offset) : 0;
      return text({ oncalls: oncalls.slice(start, start + 2), offset: start, more: start + 2 < oncalls.length });
    },
  );
  return server;
}

/** Vantage (query-costs) or AWS billing (cost-explorer). */
export function fakeCosts(kind: 'vantage' | 'aws') {
  const server = new McpServer({ name: kind, version: '0' });
  if (kind === 'vantage')
    server.registerTool(
      'query-costs',
      {
        inputSchema: {
          start_date: z.string(),
          end_date: z.string(),
          date_bin: z.string().optional(),
          groupings: z.string().optional(),
        },
      },
      async () =>
        text({
          costs: [
            { accrued_at: '2026-10-01', service: 'Amazon GuardDuty', amount: '1200.504', currency: 'USD' },
            { accrued_at: '2026-10-01', service: 'Security Hub', amount: '300.10', currency: 'USD' },
            { accrued_at: '2026-10-01', service: 'Chronicle SIEM', amount: '5000', currency: 'USD' },
            { accrued_at: '2026-10-01', service: 'Amazon S3', amount: '45.555', currency: 'USD' },
          ],
          total_cost: { amount: '6546.16', currency: 'USD' },
        }),
    );
  else
    server.registerTool(
      'cost-explorer',
      {
        inputSchema: {
          operation: z.string(),
          start_date: z.string(),
          end_date: z.string(),
          granularity: z.string().optional(),
          group_by: z.string().optional(),
          metrics: z.array(z.string()).optional(),
        },
      },
      async () =>
        text({
          ResultsByTime: [
            {
              TimePeriod: { Start: '2026-09-01', End: '2026-10-01' },
              Groups: [
                {
                  Keys: ['Amazon Elastic Compute Cloud - Compute'],
                  Metrics: { UnblendedCost: { Amount: '812.3456', Unit: 'USD' } },
                },
                { Keys: ['AmazonCloudWatch Logs'], Metrics: { UnblendedCost: { Amount: '99.994', Unit: 'USD' } } },
              ],
            },
          ],
        }),
    );
  return server;
}
