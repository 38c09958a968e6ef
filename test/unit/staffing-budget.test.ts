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
    const budget = [
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
    ].map((m) => plan(m, 'tooling', '10000.00'));
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
    expect(b.ytd).toEqual({ plan: '30000.00', actual: '37500.00', variance: '7500.00', variancePct: 25 });
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
          const sum = Object.values(b.byCategory).reduce((s, f) => s + toCents(f.actual), 0);
          return sum === toCents(b.month.actual);
        },
      ),
    );
  });
});
