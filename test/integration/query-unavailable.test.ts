// Fail closed on what a query mapping does not give (issue 28): the simulated SOC collected as Microsoft Sentinel
// (query_lake over Streamable HTTP, the real client) into dynalite, with the roster from socpulse's own contract, and
// summarized as reports and the API do. Sentinel has no containment time, tiers, escalation, runbooks or handle time:
// every figure made of them is null with "not available from Microsoft Sentinel" in the summary, and the email says
// so — never 0, never 0 %. The figures Sentinel does give stand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSocSimHttp, type SimShape } from '../../functions/soc-sim/server.js';
import { parseConfig } from '../../shared/config/config.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import type { StaffingSummary } from '../../shared/domain/staffing.js';
import { isMissing } from '../../shared/domain/summary.js';
import { renderReport } from '../../shared/mail/render.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import type { Family } from '../../shared/domain/day-snapshot.js';
import { collectSource } from '../../shared/usecases/collect-source.js';
import { sourceStatusLines } from '../../shared/usecases/source-status.js';
import { summaryForLabel } from '../../shared/usecases/summary-loader.js';
import { localTable, summaryStores } from './helpers.js';

const NOW = Date.parse('2026-11-24T06:00:00Z');
const NOT = 'not available from Microsoft Sentinel';
const config = parseConfig({
  timezone: 'UTC',
  sender: 'socpulse@example.com',
  mcpServers: {
    sentinel: { kind: 'query', url: 'http://sim.invalid/mcp', options: { query: 'sentinel' } },
    roster: { kind: 'socpulse', url: 'http://sim.invalid/mcp' },
  },
});

let env: Awaited<ReturnType<typeof localTable>>;
beforeAll(async () => {
  env = await localTable();
}, 60_000);
afterAll(async () => env.stop());

const stores = () => summaryStores(env.table);

/** Collect one configured source from the simulator served in `shape` over Streamable HTTP. */
async function collect(name: 'sentinel' | 'roster', shape: SimShape, families?: Family[]) {
  const sim = await startSocSimHttp({ now: () => NOW, shape, casesPerDay: 12 });
  try {
    return await collectSource(
      { snapshots: stores().snapshots, runs: stores().collections, now: () => new Date(NOW) },
      {
        source: name,
        kind: config.mcpServers[name]!.kind,
        open: () =>
          openSource(name, { ...config.mcpServers[name]!, url: sim.url }, { secrets: new EnvSecretResolver({}) }),
        tz: 'UTC',
        windowDays: 15,
        ...(families ? { families } : {}),
      },
    );
  } finally {
    await sim.close();
  }
}

describe('figures a Sentinel mapping cannot give', () => {
  it('are null with the reason in the summary and "not available" in the email, never 0', async () => {
    const sentinel = await collect('sentinel', 'sentinel');
    expect(sentinel.status).toBe('ok');
    expect(sentinel.counts.cases).toBeGreaterThan(100);
    const roster = await collect('roster', 'socpulse', ['shifts']);
    expect(roster.status).toBe('ok');
    expect(roster.counts.shifts).toBeGreaterThan(0);

    // The roster source is read for its shifts only: the summary judges coverage by the case source.
    const summary = await summaryForLabel(stores(), {
      ...config,
      mcpServers: { sentinel: config.mcpServers.sentinel! },
    })('2026-W47');
    expect(summary.kpi).not.toHaveProperty('dataCoverage.complete', false);
    if (isMissing(summary.kpi) || isMissing(summary.staffing)) throw new Error('kpi or staffing missing');
    const kpi: KpiSummary = summary.kpi;
    const staffing: StaffingSummary = summary.staffing;
    // Cases were closed, so a rate over them would have been a real-looking 0 % had it been computed.
    expect(kpi.cases.closed).toBeGreaterThan(20);
    expect(kpi.escalationRate).toBeNull();
    expect(kpi.escalationRateByTier).toEqual({ '2': null, '3': null });
    expect(kpi.ttc).toMatchObject({ n: 0, p50: null, p90: null, mean: null });
    expect(kpi.bySeverity.high.ttc).toMatchObject({ n: 0, p50: null });
    expect(kpi.runbooks).toEqual([]);
    expect(kpi.unavailable).toEqual({ ttc: NOT, escalationRate: NOT, runbooks: NOT });
    // Staffing from the roster, but nothing made of case tiers or handle times.
    expect(staffing.casesPerAnalystHour).toEqual({ '1': null, '2': null, '3': null });
    for (const t of ['1', '2', '3'] as const) {
      expect(staffing.tiers[t]).toMatchObject({ firstHandled: null, escalatedTo: null });
      expect(staffing.tiers[t].onShiftHours).toBeGreaterThan(0); // the roster's, and it stands
    }
    expect(staffing.utilization).toBeNull();
    expect(staffing.aht).toBeNull();
    expect(staffing.unavailable).toEqual({ casesPerAnalystHour: NOT, aht: NOT, utilization: NOT });
    expect(staffing.headcount['1']).toBeGreaterThan(0);
    // What Sentinel does give stands: acknowledgement and resolution times, the acknowledge SLA, dispositions.
    expect(kpi.tta.n).toBeGreaterThan(20);
    expect(kpi.ttr.n).toBe(kpi.cases.closed);
    expect(kpi.sla.acknowledge.compliance).not.toBeNull();
    expect(kpi.falsePositiveRate).not.toBeNull();

    const { text: wrapped } = renderReport({
      runbook: { id: 'weekly', title: 'Weekly SOC report', sections: ['kpi', 'staffing'] },
      summary,
      sources: [],
      generatedAt: '2026-11-24 07:00',
    });
    const text = wrapped.replace(/\s+/g, ' ');
    // The plain-text part prints tables as aligned columns (issue 24): a row per figure, the reason in its cells.
    // (the cell wraps onto a second line)
    expect(text).toContain(`Time to contain ${NOT} Time to resolve`);
    expect(text).toContain(`time to contain: ${NOT}; escalation rate: ${NOT}; runbook effectiveness: ${NOT}.`);
    // The quality row: false positive rate and precision as figures, escalation rate as the reason — never 0.0%.
    expect(text).toMatch(
      /False positive rate Precision Escalation rate Cases per alert [- ]+ \d+\.\d% \d+\.\d% not available from Microsoft \d\.\d+ Sentinel/,
    );
    expect(text).toContain(`Utilization: ${NOT} (no handle times).`);
    expect(text).toContain(`Handle time ${NOT}: required FTE and occupancy use the configured handle time per tier.`);
    // Each tier: analysts and on-shift hours as figures, the closed-case counts as dashes, the rate as the reason.
    const tierRows = text.match(new RegExp(`Tier [123] \\d+ [\\d,]+ — — ${NOT}`, 'g'));
    expect(tierRows).toHaveLength(3);
  }, 120_000);

  it('families a query source does not map are said to be not mapped, not "ok; nothing"', async () => {
    const label = 'collect sentinel (query) costs and shifts from 2026-04-01';
    const none = await collect('sentinel', 'sentinel', ['costs', 'shifts']);
    expect(none.counts).toEqual({});
    expect(sourceStatusLines(none, { label, extra: '0 snapshots in 0.1 s' })).toEqual([
      `${label}: not mapped by this source (costs, shifts; it gives cases, alerts)`,
    ]);
    const some = await collect('sentinel', 'sentinel', ['cases', 'shifts']);
    const lines = sourceStatusLines(some, { label: 'collect sentinel (query) cases and shifts' });
    expect(lines[0]).toBe(`collect sentinel (query) cases and shifts: ok; ${some.counts.cases} cases; 0 rejected`);
    expect(lines).toContain('  note: shifts not mapped by this source');
  }, 60_000);
});
