import { HISTORY_PERIODS } from '../../shared/domain/changes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport, type ReportDeps } from '../../shared/usecases/run-report.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { caseFacts } from '../../shared/domain/facts.js';
import { DaySnapshotBuilder } from '../../shared/domain/day-snapshot.js';
import { snapshotForStore } from '../../shared/store/formats/snapshot-payload.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { localDaysOf, parsePeriod } from '../../shared/domain/periods.js';
import type { Case, Cost } from '../../shared/domain/records.js';
import { summarize } from '../../shared/domain/summary.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';
import { DynamoBudgetStore } from '../../shared/store/budget-store.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoReportRunStore } from '../../shared/store/report-run-store.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { loadSummary } from '../../shared/usecases/summary-loader.js';
import { localTable } from './helpers.js';

/**
 * A report for a past month, read from stored day snapshots (with their open-count and tail shortcuts), shows the
 * backlog as it stood at the month's end — the same figures `summarize` computes from the same records — and says
 * so; its budget shows a month without costs as "no data".
 */
const tz = 'UTC';
const ASOF = new Date('2026-11-20T00:00:00Z'); // collected through 20 November; the report is about October
const config = parseConfig({
  timezone: tz,
  fiscalYearStartMonth: 4,
  currency: 'EUR',
  mcpServers: { sim: { kind: 'socpulse', command: 'unused' } },
  sender: 'socpulse@example.com',
  audiences: { leadership: ['ciso@example.com'], finance: ['fpa@example.com'], manager: ['soc-lead@example.com'] },
});

const c = (id: string, severity: Case['severity'], createdAt: string, closedAt?: string): Case => ({
  id,
  source: 'sim',
  title: id,
  severity,
  createdAt,
  ...(closedAt ? { closedAt, disposition: 'true_positive' as const } : {}),
});
// pointInTime = min(end of October, asOf) = 2026-11-01T00:00Z. Open then (created before, not closed before):
const CASES: Case[] = [
  c('A', 'high', '2026-10-30T00:00:00Z', '2026-11-10T00:00:00Z'), // open: 2 d old, past 1440 min → breached
  c('B', 'critical', '2026-10-31T20:30:00Z'), // open: 210 min ≥ 180 (75% of 240) → at risk
  c('C', 'medium', '2026-11-05T00:00:00Z'), // created after pointInTime: not in October's backlog
  c('D', 'low', '2026-09-01T00:00:00Z', '2026-10-15T00:00:00Z'), // closed before: not open
  c('E', 'medium', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'), // closed at pointInTime: open, 31 d → breached
  c('F', 'info', '2026-10-25T00:00:00Z'), // open, 7 d, no target
  // Older than the report's windows (before 1 Sep): the loader reads these days' tails or skips them by their headers.
  c('G', 'low', '2026-06-15T00:00:00Z', '2026-11-05T00:00:00Z'), // open at 1 Nov, 139 d → breached (> 7 d target)
  c('H', 'low', '2026-07-01T00:00:00Z', '2026-08-01T00:00:00Z'), // closed long before: skipped
  c('I', 'medium', '2026-06-20T00:00:00Z'), // still open: 134 d → breached
];
// Costs for April–September only: October (the report month) has none, so it is missing.
const COSTS: Cost[] = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'].map((month) => ({
  month,
  category: 'tooling',
  amount: '40000.00',
  currency: 'EUR',
}));

let env: Awaited<ReturnType<typeof localTable>>;
let deps: ReportDeps;
const archived = new Map<string, string>();

beforeAll(async () => {
  env = await localTable();
  const snapshots = new DynamoSnapshotStore(env.table);
  const collections = new DynamoCollectionRunStore(env.table);
  const budget = new DynamoBudgetStore(env.table);
  // Stored as a collection through 20 November stores them: binary columns, open counts, latest closes and tails.
  const window = {
    label: '',
    kind: 'day' as const,
    tz,
    start: Date.parse('2026-06-01T00:00:00Z'),
    end: ASOF.getTime(),
  };
  const builder = new DaySnapshotBuilder(tz, localDaysOf(window), new Set(['cases', 'costs']));
  builder.add('cases', CASES);
  builder.add('costs', COSTS);
  for (const s of builder.snapshots())
    await snapshots.put<unknown>({
      family: s.family,
      periodKey: s.periodKey,
      source: 'sim',
      collectedAt: ASOF.toISOString(),
      ...snapshotForStore(s.family, s.periodKey, s.payload, tz),
    });
  await collections.record({
    source: 'sim',
    kind: 'socpulse',
    startedAt: ASOF.toISOString(),
    finishedAt: ASOF.toISOString(),
    status: 'ok',
    window: { from: new Date(window.start).toISOString(), to: ASOF.toISOString() },
    counts: { cases: CASES.length, costs: COSTS.length },
    snapshots: { written: 1, unchanged: 0, superseded: 0 },
    rejects: { count: 0, samples: [] },
    errors: [],
    notes: [],
  });
  await budget.importPlan(demoBudgetPlan('FY2027', 4, 'EUR'), 'imp-test', ASOF.toISOString());
  deps = {
    config,
    runbooks: loadReportRunbooks('runbooks'),
    snapshots,
    budget,
    collections,
    runs: new DynamoReportRunStore(env.table),
    mailer: { send: async () => ({ messageId: 'unused' }) },
    archive: async (file, content) => void archived.set(file, String(content)),
    now: () => ASOF,
  };
}, 60_000);
afterAll(async () => env?.stop());

describe('a report for a past month', () => {
  const period = parsePeriod('2026-10', { tz, fiscalYearStartMonth: 4 });
  const asOf = ASOF.getTime();

  it('reads from stored days the same backlog summarize computes from the records, as it stood on 31 October', async () => {
    // Count what the loader chose per stored cases day: whole, tail only, or skipped by its header.
    const picked = { full: [] as string[], tail: [] as string[], skip: [] as string[] };
    const snapshots = Object.create(deps.snapshots) as DynamoSnapshotStore;
    snapshots.list = ((family, from, to, schema, opts = {}) =>
      deps.snapshots.list(family, from, to, schema, {
        ...opts,
        pick:
          opts.pick &&
          ((h) => {
            const choice = opts.pick!(h);
            picked[choice].push(h.periodKey);
            return choice;
          }),
      })) as DynamoSnapshotStore['list'];
    const stored = await loadSummary(
      { snapshots, budget: deps.budget },
      { period, asOf, settings: config, sections: ['kpi'] },
    );
    // June and July lie inside the comparable previous months the change tests read (HISTORY_PERIODS of them, from
    // July 2025): G's, I's and H's days are read whole, none by its tail; and no day after October is read at all:
    // nothing created after pointInTime can be in the backlog.
    expect(HISTORY_PERIODS).toBeGreaterThanOrEqual(5);
    expect(picked.full).toEqual(expect.arrayContaining(['2026-06-15', '2026-06-20', '2026-07-01']));
    expect(picked.tail).toEqual([]);
    expect(picked.skip.filter((d) => d < '2026-11-01')).toEqual([]);
    expect(picked.full.concat(picked.tail).filter((d) => d >= '2026-11-01')).toEqual([]);
    const records = summarize({ cases: CASES.map((c) => caseFacts(c)) }, { period, asOf, settings: config });
    const k = stored.kpi as KpiSummary;
    expect(k.backlog).toEqual((records.kpi as KpiSummary).backlog);
    expect(k.sla).toEqual((records.kpi as KpiSummary).sla);
    expect(k.cases).toEqual((records.kpi as KpiSummary).cases);
    expect(stored.period.pointInTime).toBe('2026-11-01T00:00:00+00:00');
    // By hand: open at 1 Nov are A, B, E, F, G, I = 6 (at asOf it would be B, C, F, I = 4); buckets: B < 1 d;
    // A 2 d; F 7 d (lower bound inclusive); E 31 d, G 139 d, I 134 d over 30 d.
    expect(k.backlog.open).toBe(6);
    expect(k.backlog.buckets).toEqual({ lt1d: 1, d1to7: 1, d7to30: 1, gt30d: 3 });
    // Past resolve target at 1 Nov: A (high, 2880 > 1440), E (medium, 44640 > 4320), G (low, > 10080), I (medium);
    // at risk: B (210 of 240 min).
    expect(k.sla).toMatchObject({ openBreached: 4, atRisk: 1 });
  }, 30_000);

  it('says in the email that the backlog is as of 31 Oct 24:00, and shows October without costs as "no data"', async () => {
    const result = await runReport(deps, {
      runbook: 'monthly-executive',
      period: '2026-10',
      trigger: 'on-demand',
      dryRun: true,
    });
    expect(result.errors).toEqual([]);
    // The text part wraps at 78 columns: sentences are compared with their line breaks as spaces.
    const text = archived.get('monthly-executive-2026-10.txt')!.replace(/\s+/g, ' ');
    const html = archived.get('monthly-executive-2026-10.html')!;
    expect(text).toContain('BACKLOG AS OF SAT 31 OCT 2026 24:00 (UTC)');
    // The plain-text part prints tables as aligned columns: the backlog row's first cell is the 6 open cases.
    expect(text).toMatch(/BACKLOG AS OF SAT 31 OCT 2026 24:00 \(UTC\) -+ Open .*? [- ]+ 6 1 1 1 3 /);
    expect(html).toContain('Backlog as of Sat 31 Oct 2026 24:00 (UTC)');
    // October's actual is unknown: "no data", never EUR 0.00; YTD says over which months; the forecast how many
    // months it estimates: 6 covered (April–September), so 12 − 6 = 6 estimated.
    expect(text).toMatch(/ Total EUR [\d,.]+ no data /);
    expect(text).toMatch(/ Oct 2026 EUR [\d,.]+ no data /);
    expect(text).not.toMatch(/Actual: EUR 0\.00/);
    expect(text).toContain(
      'Year to date is over the 6 months with data (2026-04, 2026-05, 2026-06, 2026-07, 2026-08, 2026-09); no data for 2026-10, not counted.',
    );
    expect(text).toContain('The forecast estimates 6 of 12 months at the burn rate');
    expect(html).toContain('No cost data for 2026-10.');
    // Year to date by hand: 6 × 40000.00 = 240000.00 actual; burn (3 × 40000) / 3 = 40000.00;
    // forecast 240000 + 6 × 40000 = 480000.00. Only tooling reports costs, so the plans are tooling's: YTD plan
    // 6 × 42000.00 = 252000.00, annual plan 12 × 42000.00 = 504000.00.
    expect(text).toMatch(
      /Year to date plan Year to date actual Burn rate [- ]+ EUR 252,000\.00 EUR 240,000\.00 EUR 40,000\.00 /,
    );
    expect(text).toMatch(/Forecast to year end Annual plan Forecast variance [- ]+ EUR 480,000\.00 EUR 504,000\.00 /);
  }, 60_000);
});
