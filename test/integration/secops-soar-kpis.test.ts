// End to end for a source that cannot give a figure: soc-sim in the SecOps SOAR shapes (no acknowledgement time in
// either form, nor a first event time, containment time, tier, escalation, playbook or handle time) → collection into
// dynalite → GET /kpis, the MCP get_kpis tool and the KPI email all say time to acknowledge, the acknowledge SLA and
// the escalation rate are "not available from SecOps SOAR" — not 0, not blank.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { startSocSimHttp, type SimShape } from '../../functions/soc-sim/server.js';
import { serveLocal } from '../../functions/cli/serve.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { isMissing } from '../../shared/domain/summary.js';
import { renderReport } from '../../shared/mail/render.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { DynamoIdempotencyStore } from '../../shared/store/idempotency-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { summaryForLabel } from '../../shared/usecases/summary-loader.js';
import { localTable, summaryStores } from './helpers.js';

const NOW = Date.parse('2026-11-24T06:00:00Z');
const NOT = 'not available from SecOps SOAR';
// The mapping gives rule, disposition and assignee of the optional case fields (METRICS.md "Case"); every figure
// made of the others is unavailable: firstEventAt → ttd, acknowledgedAt → tta and the acknowledge SLA, containedAt →
// ttc, escalatedToTier → the escalation rate, runbook → runbooks, tier → cases per analyst-hour, handleMinutes → aht
// and utilization.
const KPI_NOT = { ttd: NOT, tta: NOT, 'sla.acknowledge': NOT, ttc: NOT, escalationRate: NOT, runbooks: NOT };
const ALL_NOT = {
  ...KPI_NOT,
  'staffing.casesPerAnalystHour': NOT,
  'staffing.aht': NOT,
  'staffing.utilization': NOT,
};
const VIEWER = 'viewer-token-01234567890';
const config = parseConfig({
  timezone: 'UTC',
  sender: 'socpulse@example.com',
  localTokens: { [VIEWER]: 'viewer' },
});

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
}, 60_000);
afterAll(async () => env.stop());

const stores = () => summaryStores(env.table);

async function collect(shape: SimShape) {
  const sim = await startSocSimHttp({ now: () => NOW, shape, casesPerDay: 12 });
  try {
    return await collectSource(
      { snapshots: stores().snapshots, runs: stores().collections, now: () => new Date(NOW) },
      {
        source: 'soar',
        kind: 'secops-soar',
        open: () =>
          openSource(
            'soar',
            { kind: 'secops-soar', url: sim.url, toolArgs: { project_id: 'p', customer_id: 'c', region: 'us' } },
            { secrets: new EnvSecretResolver({}) },
          ),
        tz: 'UTC',
        windowDays: 8,
      },
    );
  } finally {
    await sim.close();
  }
}

describe('time to acknowledge from SecOps SOAR', () => {
  it('is declared unavailable by the collection and said so by the API, the MCP tool and the email', async () => {
    // Both forms of the simulator; the remote one last, so its run is the source's status.
    for (const shape of ['secops-soar', 'secops-soar-remote'] as const) {
      const run = await collect(shape);
      expect(run.status).toBe('ok');
      expect(run.counts.cases).toBeGreaterThan(40);
      expect(run.counts.alerts).toBe(run.counts.cases);
      expect(run.unavailable).toEqual(ALL_NOT);
    }
    expect((await stores().collections.status('soar'))?.unavailable).toEqual(ALL_NOT);

    const summary = await summaryForLabel(stores(), config)('2026-W47');
    expect(isMissing(summary.kpi)).toBe(false);
    const kpi = summary.kpi as KpiSummary;
    expect(kpi.cases.created).toBeGreaterThan(40);
    expect(kpi.cases.closed).toBeGreaterThan(20);
    // Nothing leaked an acknowledgement time: no case has one, so no acknowledge SLA is judged from missing times.
    expect(kpi.tta.n).toBe(0);
    expect(kpi.unavailable).toEqual(KPI_NOT);
    // No case says whether it was escalated: the rate is unknown, not 0 %.
    expect(kpi.escalationRate).toBeNull();
    expect(kpi.escalationRateByTier).toEqual({ '2': null, '3': null });
    expect(kpi.sla.acknowledge.compliance).toBeNull();
    expect(kpi.sla.acknowledge.breached).toBe(0);
    expect(kpi.bySeverity.critical.sla.acknowledge?.breached).toBe(0);
    expect(kpi.sla.resolve.met + kpi.sla.resolve.breached).toBeGreaterThan(0);

    const server = await serveLocal(
      {
        config,
        runbooks: loadReportRunbooks('runbooks'),
        runs: new DynamoReportRunStore(env.table),
        idempotency: new DynamoIdempotencyStore(env.table),
        budget: stores().budget,
        summaryFor: summaryForLabel(stores(), config),
        trigger: { start: async () => undefined },
        now: () => new Date(NOW),
      },
      0,
    );
    try {
      const res = await fetch(`${server.url}/kpis?period=2026-W47`, { headers: { authorization: `Bearer ${VIEWER}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { kpi: KpiSummary };
      expect(body.kpi.unavailable).toEqual(KPI_NOT);
      expect(body.kpi.escalationRate).toBeNull();
      expect(body.kpi.sla.acknowledge.compliance).toBeNull();

      const client = new Client({ name: 'test', version: '0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${VIEWER}` } },
        }),
      );
      const result = await client.callTool({ name: 'get_kpis', arguments: { period: '2026-W47' } });
      await client.close();
      expect(result.isError).toBeFalsy();
      const kpis = (result.structuredContent as { kpi: KpiSummary }).kpi;
      expect(kpis.unavailable).toEqual(KPI_NOT);
    } finally {
      await server.close();
    }

    const { html, text: wrapped } = renderReport({
      runbook: { id: 'weekly-kpi', title: 'Weekly SOC KPIs', sections: ['kpi'] },
      summary,
      sources: [],
      generatedAt: '2026-11-24 07:00',
    });
    // The text part wraps at 78 columns: compared with its line breaks as spaces.
    const text = wrapped.replace(/\s+/g, ' ');
    expect(text).toContain(`Time to acknowledge (median): ${NOT}`);
    expect(text).toContain(`Acknowledge SLA (target 90.0%): ${NOT}`);
    expect(text).toContain(`time to acknowledge: ${NOT}; acknowledge SLA: ${NOT}`);
    expect(text).toContain(`escalation rate: ${NOT}`);
    expect(text).not.toMatch(/Escalation rate[^.]*\b0\.0%/);
    const tile = /Time to acknowledge \(median\)[\s\S]{0,400}?not available from SecOps SOAR/;
    expect(html).toMatch(tile);
    expect(html).toMatch(/Acknowledge SLA \(target 90.0%\)[\s\S]{0,400}?not available from SecOps SOAR/);
  }, 120_000);
});
