import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { BudgetCsvError } from '../../shared/config/budget-plan-csv.js';
import { summarizeCanonicalDir } from '../../shared/usecases/summarize-files.js';
import { renderReport } from '../../shared/mail/render.js';
import { runCli } from '../cli-run.js';

/**
 * `socpulse summarize` against METRICS.md exactly: pointInTime = min(end, asOf), and covered/missing budget months.
 * Every expected figure is computed by hand in the comments.
 */
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const run = (...args: string[]) => runCli(['summarize', ...args]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'socpulse-summarize-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const c = (id: string, severity: string, createdAt: string, closedAt?: string) => ({
  id,
  source: 'soar',
  title: id,
  severity,
  createdAt,
  ...(closedAt ? { closedAt, disposition: 'true_positive' } : {}),
});

// October 2026 in UTC, judged at asOf 2026-11-20T00:00Z: pointInTime = min(2026-11-01T00:00Z, asOf) = 1 Nov 00:00.
const CASES = [
  // A high, open at 1 Nov (closed on the 10th): age 2 d = 2880 min > 1440 resolve target → openBreached.
  c('A', 'high', '2026-10-30T00:00:00Z', '2026-11-10T00:00:00Z'),
  // B critical, never closed: age at 1 Nov 210 min ≥ 0.75 × 240 = 180 and ≤ 240 → atRisk (at asOf it is weeks late).
  c('B', 'critical', '2026-10-31T20:30:00Z'),
  // C created after pointInTime: open at asOf, but not in October's backlog.
  c('C', 'medium', '2026-11-05T00:00:00Z'),
  // D closed on 15 Oct: not open at 1 Nov.
  c('D', 'low', '2026-09-01T00:00:00Z', '2026-10-15T00:00:00Z'),
  // E closed exactly at pointInTime: closedAt ≥ pointInTime, so open; age 31 d = 44640 min → gt30d, > 4320 → openBreached.
  c('E', 'medium', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'),
  // F info (no target), open: age exactly 7 d = 10080 min → d7to30 (lower bounds inclusive).
  c('F', 'info', '2026-10-25T00:00:00Z'),
];

describe('summarize: pointInTime (METRICS.md "Periods and time")', () => {
  it("judges October's backlog, ages, buckets, openBreached and atRisk at the end of October, not at asOf", async () => {
    const d = join(dir, 'pit');
    await import('node:fs/promises').then((fs) => fs.mkdir(d));
    await writeFile(join(d, 'cases.jsonl'), jsonl(CASES));
    const r = await run(
      '--input',
      d,
      '--period',
      '2026-10',
      '--tz',
      'UTC',
      '--as-of',
      '2026-11-20T00:00:00Z',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.period).toEqual({
      label: '2026-10',
      start: '2026-10-01T00:00:00+00:00',
      end: '2026-11-01T00:00:00+00:00',
      tz: 'UTC',
      asOf: '2026-11-20T00:00:00+00:00',
      pointInTime: '2026-11-01T00:00:00+00:00',
    });
    // Open at 1 Nov: A, B, E, F = 4 (at asOf it would be B, C, F = 3).
    expect(out.kpi.cases.openAtAsOf).toBe(4);
    // Ages sorted 210, 2880, 10080, 44640: p50 = x[ceil(0.5·4) = 2] = 2880, p90 = x[ceil(3.6) = 4] = 44640,
    // mean = 57810 / 4 = 14452.5
    expect(out.kpi.backlog).toEqual({
      open: 4,
      age: { n: 4, p50: 2880, p90: 44640, mean: 14452.5, lowN: true },
      buckets: { lt1d: 1, d1to7: 1, d7to30: 1, gt30d: 1 },
    });
    expect(out.kpi.sla).toMatchObject({ openBreached: 2, atRisk: 1 });
    // Durations still use everything known at asOf: created in October: A, B, E, F (4); closed in October: D only.
    expect(out.kpi.cases).toMatchObject({ created: 4, closed: 1 });
  }, 30_000);

  it('uses asOf as pointInTime when the data ends before the period does', async () => {
    const summary = await summarizeCanonicalDir(join(dir, 'pit'), {
      period: parsePeriod('2026-10', { tz: 'UTC', fiscalYearStartMonth: 1 }),
      asOf: Date.parse('2026-10-31T00:00:00Z'),
      settings: MetricSettingsSchema.parse({}),
    });
    expect(summary.period.pointInTime).toBe('2026-10-31T00:00:00+00:00');
    // At 31 Oct 00:00: A (1 d = 1440 min: d1to7; not > 1440 but ≥ 0.75 × 1440 = 1080 → atRisk), E (30 d = 43200 min:
    // gt30d; > 4320 → breached), F (6 d: d1to7) are open; B (created 20:30 that day) and C do not exist yet.
    if ('missing' in summary.kpi) throw new Error('kpi missing');
    expect(summary.kpi.backlog.open).toBe(3);
    expect(summary.kpi.backlog.buckets).toEqual({ lt1d: 0, d1to7: 2, d7to30: 0, gt30d: 1 });
    expect(summary.kpi.sla).toMatchObject({ openBreached: 1, atRisk: 1 });
  });
});

const PLAN_HEADER = 'fiscalYear,month,category,amount,currency';
const FY2027 = [
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
  '2026-11',
  '2026-12',
  '2027-01',
  '2027-02',
  '2027-03',
];
const config = { sender: 'socpulse@example.com', timezone: 'UTC', fiscalYearStartMonth: 4, currency: 'EUR' };
const settings = MetricSettingsSchema.parse({ timezone: 'UTC', fiscalYearStartMonth: 4, currency: 'EUR' });

describe('summarize: covered and missing budget months (METRICS.md "Budget")', () => {
  it('reports October 2026 with May, July and October missing, YTD over the covered months, and the forecast estimating the rest', async () => {
    const d = join(dir, 'budget');
    await import('node:fs/promises').then((fs) => fs.mkdir(d));
    // Plan: 15000.00 a month (tooling 10000, personnel 5000), written with the plain year "2027" for half of it.
    await writeFile(
      join(d, 'budget.csv'),
      [
        PLAN_HEADER,
        ...FY2027.flatMap((m, i) => [
          `${i % 2 ? '2027' : 'FY2027'},${m},tooling,10000.00,EUR`,
          `FY2027,${m},personnel,5000.00,EUR`,
        ]),
      ].join('\n') + '\n',
    );
    // Actuals: April 12000; June 9000 + 6000; August 10000; September 11000 + 5000. No cost for May, July, October.
    const cost = (month: string, category: string, amount: string) => ({ month, category, amount, currency: 'EUR' });
    await writeFile(
      join(d, 'costs.jsonl'),
      jsonl([
        cost('2026-04', 'tooling', '12000.00'),
        cost('2026-06', 'tooling', '9000.00'),
        cost('2026-06', 'personnel', '6000.00'),
        cost('2026-08', 'tooling', '10000.00'),
        cost('2026-09', 'tooling', '11000.00'),
        cost('2026-09', 'personnel', '5000.00'),
      ]),
    );
    await writeFile(join(d, 'config.json'), JSON.stringify(config));
    const r = await run('--input', d, '--period', '2026-10', '--config', join(d, 'config.json'), '--json');
    expect(r.stderr).toBe('');
    const b = JSON.parse(r.stdout).budget;
    expect(b.fiscalYear).toBe('FY2027');
    expect(b.coveredMonths).toEqual(['2026-04', '2026-06', '2026-08', '2026-09']);
    expect(b.missingMonths).toEqual(['2026-05', '2026-07', '2026-10']);
    // October unknown: null, not "0.00 −100% flagged".
    expect(b.month).toMatchObject({
      plan: '15000.00',
      actual: null,
      variance: null,
      variancePct: null,
      flagged: false,
    });
    for (const f of Object.values(b.byCategory) as { actual: unknown; flagged: boolean }[]) {
      expect(f.actual).toBeNull();
      expect(f.flagged).toBe(false);
    }
    // YTD: 4 covered months; plan 60000, actual 12000 + 15000 + 10000 + 16000 = 53000; 3 months missing.
    expect(b.ytd).toMatchObject({ plan: '60000.00', actual: '53000.00', variance: '-7000.00', missingMonths: 3 });
    // Burn (15000 + 10000 + 16000) / 3 = 13666.67; 12 − 4 = 8 months estimated; 53000 + 8 × 13666.67 = 162333.36.
    expect(b.burnRate).toBe('13666.67');
    expect(b.forecastEstimatedMonths).toBe(8);
    expect(b.forecast).toBe('162333.36');
    expect(b.annualPlan).toBe('180000.00');
    expect(b.forecastVariance).toBe('-17666.64');
  }, 30_000);
});

describe('summarize: a category nothing reports is null, never an amount (issue 23)', () => {
  // FY2027, report month 2026-10. Plan: tooling 10000.00 + personnel 5000.00 every month. Costs: tooling only, in
  // August 9000, September 11000, October 12000. No personnel cost, no shifts.jsonl (an hourly rate alone is no source).
  const write = async (name: string, shifts?: object[]) => {
    const d = join(dir, name);
    await import('node:fs/promises').then((fs) => fs.mkdir(d));
    await writeFile(
      join(d, 'budget.csv'),
      [
        PLAN_HEADER,
        ...FY2027.flatMap((m) => [`FY2027,${m},tooling,10000.00,EUR`, `FY2027,${m},personnel,5000.00,EUR`]),
      ].join('\n') + '\n',
    );
    const cost = (month: string, amount: string) => ({ month, category: 'tooling', amount, currency: 'EUR' });
    await writeFile(
      join(d, 'costs.jsonl'),
      jsonl([cost('2026-08', '9000.00'), cost('2026-09', '11000.00'), cost('2026-10', '12000.00')]),
    );
    if (shifts) await writeFile(join(d, 'shifts.jsonl'), jsonl(shifts));
    await writeFile(join(d, 'config.json'), JSON.stringify({ ...config, hourlyRate: { '1': '50.00' } }));
    return d;
  };
  const summarizeJson = async (d: string) => {
    const r = await run('--input', d, '--period', '2026-10', '--config', join(d, 'config.json'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).budget;
  };

  it('prints personnel as null (not "0.00" −100% flagged) and totals over the categories with a source', async () => {
    const b = await summarizeJson(await write('no-personnel'));
    expect(b.byCategory.personnel).toEqual({
      plan: '5000.00',
      actual: null,
      variance: null,
      variancePct: null,
      flagged: false,
      ytdActual: null,
      forecast: null,
      annualPlan: '60000.00',
    });
    // Tooling: 12000 − 10000 = 2000 = +20%: ≥ 10% but under 5000.00 → not flagged.
    expect(b.byCategory.tooling).toMatchObject({
      plan: '10000.00',
      actual: '12000.00',
      variance: '2000.00',
      variancePct: 20,
      flagged: false,
      ytdActual: '32000.00',
    });
    // Planned nowhere, reported nowhere: null too, with its (zero) plan.
    expect(b.byCategory.cloud).toMatchObject({ plan: '0.00', actual: null, variance: null, flagged: false });
    expect(b.categoriesWithoutSource).toEqual(['personnel', 'siem_ingest', 'cloud', 'services', 'training', 'other']);
    expect(b.personnelEstimated).toBe(false);
    // The month's total is tooling's alone, plan and actual: 12000 against 10000 (not against 15000, −20%).
    expect(b.month).toEqual({
      label: '2026-10',
      plan: '10000.00',
      actual: '12000.00',
      variance: '2000.00',
      variancePct: 20,
      flagged: false,
    });
    // YTD over August–October: plan 3 × 10000 = 30000; actual 9000 + 11000 + 12000 = 32000; +2000 = 6.67 %.
    expect(b.ytd).toEqual({
      plan: '30000.00',
      actual: '32000.00',
      variance: '2000.00',
      variancePct: (100 * 2000) / 30000,
      missingMonths: 4,
      months: ['2026-08', '2026-09', '2026-10'],
    });
    // Burn 32000 / 3 = 10666.67; 9 months estimated; forecast 32000 + 9 × 10666.67 = 128000.03; annual plan (tooling)
    // 12 × 10000 = 120000; forecast variance 8000.03 (6.67 %): not flagged.
    expect(b.burnRate).toBe('10666.67');
    expect(b.forecastEstimatedMonths).toBe(9);
    expect(b.forecast).toBe('128000.03');
    expect(b.annualPlan).toBe('120000.00');
    expect(b.forecastVariance).toBe('8000.03');
    expect(b.forecastFlagged).toBe(false);
    expect(b.months.slice(3)).toEqual([
      { month: '2026-07', plan: '10000.00', actual: null },
      { month: '2026-08', plan: '10000.00', actual: '9000.00' },
      { month: '2026-09', plan: '10000.00', actual: '11000.00' },
      { month: '2026-10', plan: '10000.00', actual: '12000.00' },
    ]);
  }, 30_000);

  it('a shifts file with no shift in the fiscal year through the month is no source either', async () => {
    const shift = { analyst: 'a', tier: 1, start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' }; // FY2026
    const b = await summarizeJson(await write('shifts-outside', [shift]));
    expect(b.byCategory.personnel).toMatchObject({ actual: null, variance: null, flagged: false });
    expect(b.categoriesWithoutSource).toContain('personnel');
    expect(b.month).toMatchObject({ plan: '10000.00', actual: '12000.00' });
  }, 30_000);

  it('shifts in the fiscal year make personnel a source, estimated; the totals then include its plan', async () => {
    // One 8-hour tier-1 shift on 7 September at 50.00/h = 400.00. October has no shift: 0.00 estimated (the roster
    // of a covered month is read as it is).
    const shift = { analyst: 'a', tier: 1, start: '2026-09-07T08:00:00Z', end: '2026-09-07T16:00:00Z' };
    const b = await summarizeJson(await write('shifts-september', [shift]));
    expect(b.byCategory.personnel).toMatchObject({
      plan: '5000.00',
      actual: '0.00',
      variance: '-5000.00',
      variancePct: -100,
      estimated: true,
      ytdActual: '400.00',
    });
    expect(b.personnelEstimated).toBe(true);
    expect(b.categoriesWithoutSource).not.toContain('personnel');
    // October: plan 10000 + 5000 = 15000; actual 12000 + 0 = 12000; −3000 = −20 %.
    expect(b.month).toMatchObject({ plan: '15000.00', actual: '12000.00', variance: '-3000.00', variancePct: -20 });
    // YTD August–October: plan 3 × 15000 = 45000; actual 32000 + 400 = 32400.
    expect(b.ytd).toMatchObject({ plan: '45000.00', actual: '32400.00' });
  }, 30_000);

  it('the email says "no data" for personnel and why, never 0.00', async () => {
    const d = await write('no-personnel-email');
    const summary = await summarizeCanonicalDir(d, {
      period: parsePeriod('2026-10', { tz: 'UTC', fiscalYearStartMonth: 4 }),
      asOf: Date.parse('2026-11-20T00:00:00Z'),
      settings,
    });
    const { text, html } = renderReport({
      runbook: { id: 'monthly-budget', title: 'SOC monthly budget report', sections: ['budget'] },
      summary,
      sources: [],
      generatedAt: '2026-11-20T08:00:00+00:00',
      settings,
    });
    const flat = text.replace(/\s+/g, ' ');
    // The plain-text table's rows (aligned columns: category, plan, actual, variance, flag).
    expect(text).toMatch(/^Personnel +EUR 5,000\.00 +no data +— \(—\) +—$/m);
    // The total is tooling's: 12000 against 10000 (the variance's percentage wraps under it).
    expect(text).toMatch(/^Total +EUR 10,000\.00 +EUR 12,000\.00 +EUR 2,000\.00 +—\n +\(\+20\.0%\)$/m);
    expect(flat).toContain(
      'Personnel: nothing reports its costs (no cost record, and no shifts to estimate personnel from), so its actual is unknown, not zero, and the totals leave out its plan.',
    );
    expect(flat).not.toMatch(/Personnel[^.]*EUR 0\.00/);
    expect(html).toContain('no data');
  }, 30_000);
});

describe('summarize reads budget.csv strictly (issue 14)', () => {
  const lines = (...rows: string[]) => [PLAN_HEADER, ...rows].join('\n') + '\n';
  const read = async (name: string, csv: string) => {
    const d = join(dir, `csv-${name}`);
    await import('node:fs/promises').then((fs) => fs.mkdir(d));
    await writeFile(join(d, 'budget.csv'), csv);
    return summarizeCanonicalDir(d, {
      period: parsePeriod('2026-10', { tz: 'UTC', fiscalYearStartMonth: 4 }),
      asOf: Date.parse('2026-11-01T00:00:00Z'),
      settings,
    });
  };
  const problems = async (name: string, csv: string) => {
    const e = await read(name, csv).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(BudgetCsvError);
    return (e as BudgetCsvError).problems.map((p) => ({ line: p.line, field: p.field, message: p.message }));
  };

  it.each([
    [
      'an amount beyond the bound',
      lines('FY2027,2026-04,tooling,99999999999999999999999.00,EUR'),
      { line: 2, field: 'amount', message: expect.stringMatching(/over the bound of 10000000000\.00/) },
    ],
    [
      'an amount one cent beyond the bound',
      lines('FY2027,2026-04,tooling,10000000000.00,EUR', 'FY2027,2026-05,tooling,10000000000.01,EUR'),
      { line: 3, field: 'amount', message: expect.stringMatching(/over the bound/) },
    ],
    [
      "a currency other than the config's",
      lines('FY2027,2026-04,tooling,100.00,USD'),
      { line: 2, field: 'currency', message: 'USD differs from the configured currency EUR' },
    ],
    [
      'a duplicate (month, category) line',
      lines(
        'FY2027,2026-04,tooling,100.00,EUR',
        '',
        'FY2027,2026-05,tooling,1.00,EUR',
        '2027,2026-04,tooling,200.00,EUR',
      ),
      // Line numbers count the blank line 3: the repeat is on line 5, its first on line 2.
      { line: 5, field: 'month,category', message: '2026-04 tooling is planned twice: line 2 and line 5' },
    ],
    [
      'a negative amount',
      lines('FY2027,2026-04,tooling,-5.00,EUR'),
      { line: 2, field: 'amount', message: '-5.00 is negative; a plan amount is 0 or more' },
    ],
    [
      'a month outside the named fiscal year',
      lines('FY2027,2027-04,tooling,100.00,EUR'),
      { line: 2, field: 'month', message: '2027-04 is outside FY2027 (2026-04 to 2027-03)' },
    ],
    [
      'an unknown category',
      lines('FY2027,2026-04,coffee,100.00,EUR'),
      { line: 2, field: 'category', message: expect.stringMatching(/^unknown category "coffee"/) },
    ],
    [
      'a fiscal year in neither form',
      lines('F2027,2026-04,tooling,100.00,EUR'),
      { line: 2, field: 'fiscalYear', message: expect.stringMatching(/FY2027 or 2027/) },
    ],
  ])('refuses %s, naming the line and the field', async (name, csv, problem) => {
    expect(await problems(name.replace(/\W+/g, '-'), csv)).toEqual([problem]);
  });

  it('accepts FY2027 and 2027 alike, as FY2027', async () => {
    const s = await read('both-forms', lines('FY2027,2026-10,tooling,100.00,EUR', '2027,2026-10,cloud,50.00,EUR'));
    if ('missing' in s.budget) throw new Error(s.budget.reason);
    expect(s.budget.fiscalYear).toBe('FY2027');
    // 100.00 + 50.00 planned for October; no cost source, so October is missing (actual null).
    expect(s.budget.month).toMatchObject({ plan: '150.00', actual: null });
  });

  it('exits 2 naming file, line and field, with nothing on stdout', async () => {
    const d = join(dir, 'csv-cli');
    await import('node:fs/promises').then((fs) => fs.mkdir(d));
    await writeFile(join(d, 'budget.csv'), lines('FY2027,2026-04,tooling,100.00,USD'));
    await writeFile(join(d, 'config.json'), JSON.stringify(config));
    const r = await run('--input', d, '--period', '2026-10', '--config', join(d, 'config.json'), '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/budget\.csv: line 2: currency: USD differs from the configured currency EUR/);
  }, 30_000);
});
