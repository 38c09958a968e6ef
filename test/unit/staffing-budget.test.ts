import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBudgetSummary, MixedCurrencyError } from '../../shared/domain/budget.js';
import { erlangC, requiredAgents, serviceLevel } from '../../shared/domain/erlang.js';
import { divideCents, fromCents, toCents } from '../../shared/domain/money.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { buildStaffingSummary, hourOfWeek, mergeShifts } from '../../shared/domain/staffing.js';

const settings = MetricSettingsSchema.parse({});
const t = (iso: string) => Date.parse(iso);

/** FY2027 with fiscalYearStartMonth 4: 2026-04 … 2027-03. */
const FY2027_MONTHS = [
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

describe('Erlang C', () => {
  it('matches the hand computation for A = 2 erlangs', () => {
    // B(1)=2/3, B(2)=0.4, B(3)=0.8/3.8; C = 3·B(3)/(3 − 2·(1 − B(3))) = 4/9
    expect(erlangC(2, 3)).toBeCloseTo(4 / 9, 12);
    // SL(c=3) = 1 − 4/9·e^(−1·15/20) = 0.790 < 0.8, SL(c=4) = 1 − (4/23)·e^(−2·15/20) = 0.961 → 4 agents
    expect(serviceLevel(2, 3, 20, 15)).toBeCloseTo(1 - (4 / 9) * Math.exp(-0.75), 12);
    expect(requiredAgents(2, 20, 15, 0.8)).toBe(4);
  });

  it('stays finite for loads beyond 170 agents', () => {
    const c = requiredAgents(500, 20, 15, 0.8);
    expect(c).toBeGreaterThan(500);
    expect(c).toBeLessThan(560);
    expect(Number.isFinite(erlangC(500, c))).toBe(true);
  });

  it('property: required agents never fall as load grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 300, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (a, d) => requiredAgents(a, 20, 15, 0.8) <= requiredAgents(a + d, 20, 15, 0.8),
      ),
    );
  });
});

describe('staffing', () => {
  const tz = 'Europe/London';
  it('counts overlapping shifts of one analyst once and spreads minutes over hour-of-week buckets', () => {
    const merged = mergeShifts([
      { analyst: 'ann', tier: 1, start: t('2026-11-16T09:00:00Z'), end: t('2026-11-16T11:00:00Z') },
      { analyst: 'ann', tier: 1, start: t('2026-11-16T10:00:00Z'), end: t('2026-11-16T12:30:00Z') },
    ]);
    expect(merged).toHaveLength(1);
    const s = buildStaffingSummary({
      shifts: merged,
      cases: [],
      period: parsePeriod('2026-W47', { tz, fiscalYearStartMonth: 1 }),
      asOf: t('2026-11-23T00:00:00Z'),
      settings,
    });
    if ('missing' in s) throw new Error(s.reason);
    // Monday 09:00–12:30 local (London is UTC in November): buckets 9, 10, 11 full, 12 half.
    expect(s.scheduled.slice(8, 14)).toEqual([0, 1, 1, 1, 0.5, 0]);
    // 3.5 analyst-hours over one week / 40 h per FTE
    expect(s.scheduledFte).toBeCloseTo(3.5 / 40, 12);
    // No arrivals: every bucket needs minOnShift = 1 → 168 required analyst-hours / (40 · 0.65)
    expect(s.requiredFte).toBeCloseTo(168 / (40 * 0.65), 12);
    expect(s.coverageGap.hours).toBe(168 - 3);
    expect(s.headcount).toEqual({ '1': 1, '2': 0, '3': 0 });
  });

  it('maps the repeated hour of a 169-hour week into one wall-clock bucket', () => {
    // 2026-10-25 01:00–02:00 local happens twice in London (BST then GMT).
    expect(hourOfWeek(t('2026-10-25T00:30:00Z'), tz)).toBe(6 * 24 + 1);
    expect(hourOfWeek(t('2026-10-25T01:30:00Z'), tz)).toBe(6 * 24 + 1);
  });

  it('reports missing when the period holds no whole ISO week', () => {
    const s = buildStaffingSummary({
      shifts: [],
      cases: [],
      period: parsePeriod('2026-11-20', { tz, fiscalYearStartMonth: 1 }),
      asOf: t('2026-11-23T00:00:00Z'),
      settings,
    });
    expect(s).toEqual({ missing: true, reason: '2026-11-20 holds no whole ISO week' });
  });
});

describe('money and budget', () => {
  it('keeps money in integer cents and rounds half to even', () => {
    expect(toCents('1234.5')).toBe(123450);
    expect(toCents('-0.07')).toBe(-7);
    expect(fromCents(-7)).toBe('-0.07');
    expect(fromCents(123456789)).toBe('1234567.89');
    expect(divideCents(5, 2)).toBe(2); // 2.5 → 2 (even)
    expect(divideCents(7, 2)).toBe(4); // 3.5 → 4 (even)
    expect(() => toCents('12.345')).toThrow(/not a decimal amount/);
  });

  const fy = { ...settings, fiscalYearStartMonth: 4, currency: 'EUR' };
  const plan = (month: string, category: 'tooling' | 'personnel', amount: string) => ({
    fiscalYear: 'FY2027',
    month,
    category,
    amount,
    currency: 'EUR',
  });
  const cost = (month: string, category: 'tooling' | 'personnel', amount: string, currency = 'EUR') => ({
    month,
    category,
    amount,
    currency,
  });

  it('computes plan vs actual, YTD, burn rate, forecast and both-threshold flags', () => {
    const budget = FY2027_MONTHS.map((m) => plan(m, 'tooling', '10000.00'));
    const costs = [
      cost('2026-04', 'tooling', '10000.00'),
      cost('2026-05', 'tooling', '11000.00'),
      cost('2026-06', 'tooling', '16000.00'),
      cost('2026-06', 'personnel', '500.00'),
    ];
    const b = buildBudgetSummary({
      costs,
      budget,
      shifts: undefined,
      period: parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 }),
      asOf: t('2026-07-03T00:00:00Z'),
      settings: fy,
      counts: { alertsCreated: 1000, casesCreated: 0, truePositivesClosed: 3 },
    });
    if ('missing' in b) throw new Error(b.reason);
    expect(b.fiscalYear).toBe('FY2027');
    // June tooling: 16000 − 10000 = 6000 = 60%: ≥ 10% and ≥ 5000 → flagged
    expect(b.byCategory.tooling).toMatchObject({
      plan: '10000.00',
      actual: '16000.00',
      variance: '6000.00',
      variancePct: 60,
      flagged: true,
    });
    // Tooling year view: YTD 10000 + 11000 + 16000 = 37000; burn 37000 / 3 = 12333.33; forecast 37000 + 12333.33 × 9 = 147999.97
    expect(b.byCategory.tooling).toMatchObject({
      ytdActual: '37000.00',
      forecast: '147999.97',
      annualPlan: '120000.00',
    });
    // June personnel: no plan → variancePct null, not flagged
    expect(b.byCategory.personnel).toMatchObject({ plan: '0.00', actual: '500.00', variancePct: null, flagged: false });
    // YTD Apr–Jun: plan 30000, actual 10000 + 11000 + 16500 = 37500
    expect(b.ytd).toEqual({
      plan: '30000.00',
      actual: '37500.00',
      variance: '7500.00',
      variancePct: 25,
      missingMonths: 0,
      months: ['2026-04', '2026-05', '2026-06'],
    });
    expect(b.forecastEstimatedMonths).toBe(9);
    // burn = 37500 / 3 = 12500; forecast = 37500 + 12500 · 9 = 150000; annual plan 120000
    expect(b.burnRate).toBe('12500.00');
    expect(b.forecast).toBe('150000.00');
    expect(b.forecastVariance).toBe('30000.00');
    expect(b.forecastFlagged).toBe(true);
    // June total 16500 / 1000 alerts = 16.50; no cases → null; 16500 / 3 TPs = 5500.00
    expect(b.unitCosts).toEqual({ costPerAlert: '16.50', costPerCase: null, costPerTruePositive: '5500.00' });
  });

  it('does not flag a large percentage that is small in money', () => {
    const b = buildBudgetSummary({
      costs: [cost('2026-06', 'tooling', '150.00')],
      budget: [plan('2026-06', 'tooling', '100.00')],
      shifts: undefined,
      period: parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 }),
      asOf: t('2026-07-03T00:00:00Z'),
      settings: fy,
      counts: { alertsCreated: null, casesCreated: null, truePositivesClosed: null },
    });
    if ('missing' in b) throw new Error(b.reason);
    expect(b.byCategory.tooling!.variancePct).toBe(50);
    expect(b.byCategory.tooling!.flagged).toBe(false);
  });

  it('refuses to sum mixed currencies and names both', () => {
    expect(() =>
      buildBudgetSummary({
        costs: [cost('2026-06', 'tooling', '1.00'), cost('2026-06', 'tooling', '1.00', 'USD')],
        budget: undefined,
        shifts: undefined,
        period: parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 }),
        asOf: t('2026-07-03T00:00:00Z'),
        settings: fy,
        counts: { alertsCreated: null, casesCreated: null, truePositivesClosed: null },
      }),
    ).toThrow(MixedCurrencyError);
  });

  it('estimates personnel from shifts × hourly rate when no personnel cost exists', () => {
    const b = buildBudgetSummary({
      costs: [],
      budget: undefined,
      shifts: [{ analyst: 'a', tier: 2, start: t('2026-06-01T08:00:00Z'), end: t('2026-06-01T16:00:00Z') }],
      period: parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 }),
      asOf: t('2026-07-03T00:00:00Z'),
      settings: { ...fy, hourlyRate: { '2': '70.00' } },
      counts: { alertsCreated: null, casesCreated: null, truePositivesClosed: null },
    });
    if ('missing' in b) throw new Error(b.reason);
    // 8 h × 70.00 = 560.00
    expect(b.byCategory.personnel).toMatchObject({ actual: '560.00', estimated: true });
  });

  it('property: the month total equals the sum of its category lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('tooling', 'personnel' as const), fc.integer({ min: 0, max: 10_000_000 })), {
          maxLength: 20,
        }),
        (rows) => {
          const costs = rows.map(([c, cents]) => cost('2026-06', c as 'tooling', fromCents(cents)));
          const b = buildBudgetSummary({
            costs,
            budget: undefined,
            shifts: undefined,
            period: parsePeriod('2026-06', { tz: 'UTC', fiscalYearStartMonth: 4 }),
            asOf: t('2026-07-03T00:00:00Z'),
            settings: fy,
            counts: { alertsCreated: null, casesCreated: null, truePositivesClosed: null },
          });
          if ('missing' in b) return false;
          // No cost at all leaves June missing: then every actual is unknown (null), the total too.
          if (rows.length === 0)
            return b.month.actual === null && Object.values(b.byCategory).every((f) => f.actual === null);
          // A category no row names has no source: null, never 0.00; the total sums the others.
          const named = new Set<string>(rows.map(([c]) => c));
          for (const [c, f] of Object.entries(b.byCategory)) if ((f.actual === null) === named.has(c)) return false;
          const sum = Object.values(b.byCategory).reduce((s, f) => s + (f.actual === null ? 0 : toCents(f.actual)), 0);
          return sum === toCents(b.month.actual!);
        },
      ),
    );
  });

  describe('covered and missing months (METRICS.md "Budget")', () => {
    // FY2027 with fiscalYearStartMonth 4 = 2026-04 … 2027-03; report month 2026-10 (seven months through m).
    // Plan: tooling 10000.00 + personnel 5000.00 every month → 15000.00 a month, 180000.00 a year.
    const fyPlan = FY2027_MONTHS.flatMap((m) => [plan(m, 'tooling', '10000.00'), plan(m, 'personnel', '5000.00')]);
    // Actuals: April 12000; May none; June 9000 + 6000 = 15000; July none; August 10000 (no personnel line:
    // a covered month's absent category is 0); September 11000 + 5000 = 16000; October none.
    const costs = [
      cost('2026-04', 'tooling', '12000.00'),
      cost('2026-06', 'tooling', '9000.00'),
      cost('2026-06', 'personnel', '6000.00'),
      cost('2026-08', 'tooling', '10000.00'),
      cost('2026-09', 'tooling', '11000.00'),
      cost('2026-09', 'personnel', '5000.00'),
    ];
    const october = (c: typeof costs, shifts?: { analyst: string; tier: 1; start: number; end: number }[]) =>
      buildBudgetSummary({
        costs: c,
        budget: fyPlan,
        shifts,
        period: parsePeriod('2026-10', { tz: 'UTC', fiscalYearStartMonth: 4 }),
        asOf: t('2026-11-20T00:00:00Z'),
        settings: { ...fy, hourlyRate: shifts ? { '1': '50.00' } : {} },
        counts: { alertsCreated: 100, casesCreated: 10, truePositivesClosed: 2 },
      });

    it('lists covered and missing months; YTD, burn rate and forecast over the covered ones only', () => {
      const b = october(costs);
      if ('missing' in b) throw new Error(b.reason);
      expect(b.coveredMonths).toEqual(['2026-04', '2026-06', '2026-08', '2026-09']);
      expect(b.missingMonths).toEqual(['2026-05', '2026-07', '2026-10']);
      // YTD over the 4 covered months: plan 4 × 15000 = 60000; actual 12000 + 15000 + 10000 + 16000 = 53000;
      // variance −7000; −7000 / 60000 = −11.666…%. Not 7 months of plan against 4 of actuals.
      expect(b.ytd).toEqual({
        plan: '60000.00',
        actual: '53000.00',
        variance: '-7000.00',
        variancePct: (100 * -7000) / 60000,
        missingMonths: 3,
        months: ['2026-04', '2026-06', '2026-08', '2026-09'],
      });
      // Burn rate: the last 3 covered months, June, August, September: (15000 + 10000 + 16000) / 3 = 13666.666… → 13666.67
      expect(b.burnRate).toBe('13666.67');
      expect(b.burnRateMonths).toEqual(['2026-06', '2026-08', '2026-09']);
      // Estimated: 12 − 4 covered = 8 (May, July, October, and Nov–Mar); forecast 53000 + 13666.67 × 8 = 162333.36
      expect(b.forecastEstimatedMonths).toBe(8);
      expect(b.forecast).toBe('162333.36');
      // −17666.64 against 180000 is −9.81%: under the 10% threshold, not flagged
      expect(b.forecastVariance).toBe('-17666.64');
      expect(b.forecastFlagged).toBe(false);
      // October itself is missing: its actual is unknown, never 0.00, and nothing is flagged or divided by it.
      expect(b.month).toEqual({
        label: '2026-10',
        plan: '15000.00',
        actual: null,
        variance: null,
        variancePct: null,
        flagged: false,
      });
      expect(b.byCategory.tooling).toMatchObject({ plan: '10000.00', actual: null, variance: null, flagged: false });
      expect(b.unitCosts).toEqual({ costPerAlert: null, costPerCase: null, costPerTruePositive: null });
      // Per category: tooling YTD 12000 + 9000 + 10000 + 11000 = 42000, burn (9000 + 10000 + 11000) / 3 = 10000,
      // forecast 42000 + 8 × 10000 = 122000; personnel YTD 6000 + 5000 = 11000, burn (6000 + 0 + 5000) / 3 =
      // 3666.67, forecast 11000 + 8 × 3666.67 = 40333.36; together the total forecast 162333.36.
      expect(b.byCategory.tooling).toMatchObject({ ytdActual: '42000.00', forecast: '122000.00' });
      expect(b.byCategory.personnel).toMatchObject({ ytdActual: '11000.00', forecast: '40333.36' });
      // The chart's months: a missing month has no actual (no bar), a covered one its total.
      expect(b.months.map((m) => m.actual)).toEqual(['12000.00', null, '15000.00', null, '10000.00', '16000.00', null]);
    });

    it('counts a month covered by shifts alone where personnel is estimated', () => {
      // Shifts: one 8-hour tier-1 shift in May and one in October at 50.00/h = 400.00 each.
      const b = october(costs, [
        { analyst: 'a', tier: 1, start: t('2026-05-04T08:00:00Z'), end: t('2026-05-04T16:00:00Z') },
        { analyst: 'a', tier: 1, start: t('2026-10-05T08:00:00Z'), end: t('2026-10-05T16:00:00Z') },
      ]);
      if ('missing' in b) throw new Error(b.reason);
      // Personnel is in the costs (June, September), so it is not estimated and the shifts cover nothing.
      expect(b.personnelEstimated).toBe(false);
      expect(b.missingMonths).toEqual(['2026-05', '2026-07', '2026-10']);
      const est = october(
        costs.filter((c) => c.category !== 'personnel'),
        [
          { analyst: 'a', tier: 1, start: t('2026-05-04T08:00:00Z'), end: t('2026-05-04T16:00:00Z') },
          { analyst: 'a', tier: 1, start: t('2026-10-05T08:00:00Z'), end: t('2026-10-05T16:00:00Z') },
        ],
      );
      if ('missing' in est) throw new Error(est.reason);
      expect(est.personnelEstimated).toBe(true);
      expect(est.coveredMonths).toEqual(['2026-04', '2026-05', '2026-06', '2026-08', '2026-09', '2026-10']);
      expect(est.missingMonths).toEqual(['2026-07']);
      // October: personnel 8 h × 50.00 = 400.00 only; tooling 0 in a covered month. Total 400 against 15000.
      expect(est.month).toMatchObject({ actual: '400.00', variance: '-14600.00', flagged: true });
      // 400 / 100 alerts = 4.00; / 10 cases = 40.00; / 2 true positives = 200.00
      expect(est.unitCosts).toEqual({ costPerAlert: '4.00', costPerCase: '40.00', costPerTruePositive: '200.00' });
    });

    it('has no YTD, burn rate or forecast when no month is covered, and says so rather than zero', () => {
      const b = october([]);
      if ('missing' in b) throw new Error(b.reason);
      expect(b.coveredMonths).toEqual([]);
      expect(b.missingMonths).toHaveLength(7);
      expect(b.ytd).toMatchObject({ plan: null, actual: null, variance: null, missingMonths: 7 });
      expect(b.burnRate).toBeNull();
      expect(b.forecast).toBeNull();
      expect(b.forecastVariance).toBeNull();
      expect(b.forecastFlagged).toBe(false);
      expect(b.forecastEstimatedMonths).toBe(12);
      expect(b.annualPlan).toBe('180000.00');
    });

    it('carries unknown actuals as null into the snapshot and as empty cells into the finance CSV', async () => {
      const { buildBudgetSnapshot } = await import('../../shared/domain/budget-snapshot.js');
      const { budgetSnapshotCsv, BUDGET_CSV_COLUMNS } = await import('../../shared/mail/budget-csv.js');
      const b = october(costs);
      if ('missing' in b) throw new Error(b.reason);
      const snap = buildBudgetSnapshot(b, { asOf: 'x', periodStart: 'a', periodEnd: 'b' });
      expect(snap.totals).toMatchObject({ actual: null, ytdActual: '53000.00', forecast: '162333.36' });
      expect(snap.missingMonths).toEqual(['2026-05', '2026-07', '2026-10']);
      expect(snap.lines.every((l) => l.actual === null)).toBe(true);
      const [header, first] = budgetSnapshotCsv([{ ...snap, snapshotId: 'FY2027-2026-10-v1', version: 1 }])
        .trim()
        .split('\n');
      const cols = header!.split(',');
      const cells = first!.split(',');
      expect(cols).toEqual([...BUDGET_CSV_COLUMNS]);
      expect(cells[cols.indexOf('BilledCost')]).toBe('');
      expect(cells[cols.indexOf('x_NoData')]).toBe('true');
      expect(first).not.toContain('0.00,EUR');
    });
  });
});
