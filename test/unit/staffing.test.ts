// Staffing figures of METRICS.md "Staffing" on small weeks computed by hand: which cases are arrivals (inside the
// period's whole ISO weeks, before asOf), which closed cases give the handle times and tiers, and which shifts count.
import { describe, expect, it } from 'vitest';
import type { CaseFacts, ShiftFacts } from '../../shared/domain/facts.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { buildStaffingSummary, type StaffingSummary } from '../../shared/domain/staffing.js';

const tz = 'Europe/London'; // UTC in November: local hours are the UTC hours below
const t = (iso: string) => Date.parse(iso);
const W47 = parsePeriod('2026-W47', { tz, fiscalYearStartMonth: 1 }); // Mon 2026-11-16 – Mon 2026-11-23
const settings = MetricSettingsSchema.parse({ ahtMinutes: { '1': 10, '2': 50 } });
let n = 0;
const kase = (c: Omit<CaseFacts, 'id' | 'sev'>): CaseFacts => ({ id: `c${++n}`, sev: 'high', ...c });
const shift = (analyst: string, tier: number, start: string, end: string): ShiftFacts => ({
  analyst,
  tier,
  start: t(start),
  end: t(end),
});

function staffing(input: { cases: CaseFacts[]; shifts: ShiftFacts[]; asOf: string; period?: string }) {
  const period = input.period ? parsePeriod(input.period, { tz, fiscalYearStartMonth: 1 }) : W47;
  const s = buildStaffingSummary({ ...input, period, asOf: t(input.asOf), settings });
  if ('missing' in s) throw new Error(s.reason);
  return s;
}

/** Buckets holding something other than `fill`, as { bucket: value }. */
function nonDefault(xs: number[], fill = 0): Record<number, number> {
  return Object.fromEntries(xs.flatMap((x, h) => (x === fill ? [] : [[h, x]])));
}

describe('staffing over one whole week, judged at its end', () => {
  const cases = [
    // Arrivals at Mon 09:10 and 09:50 (bucket 9); closed in the week: handle 30 (tier 1) and none (tier 2 → its
    // ahtMinutes 50), the second escalated to tier 3.
    kase({ created: t('2026-11-16T09:10:00Z'), closed: t('2026-11-16T09:40:00Z'), handle: 30, tier: 1 }),
    kase({ created: t('2026-11-16T09:50:00Z'), closed: t('2026-11-16T10:30:00Z'), tier: 2, esc: 3 }),
    // Created the Sunday before (no arrival), closed in the week: handle 20, no tier (tier 1).
    kase({ created: t('2026-11-15T23:00:00Z'), closed: t('2026-11-16T08:00:00Z'), handle: 20 }),
    // Arrival Sun 23:30 (bucket 6·24 + 23 = 167), closed exactly at the week's end: not in the closed cohort.
    kase({ created: t('2026-11-22T23:30:00Z'), closed: t('2026-11-23T00:00:00Z'), handle: 100, tier: 1 }),
    // Before the week altogether, and created exactly at its end: neither.
    kase({ created: t('2026-11-10T10:00:00Z'), closed: t('2026-11-15T10:00:00Z'), handle: 999, tier: 1 }),
    kase({ created: t('2026-11-23T00:00:00Z') }),
  ];
  const shifts = [
    shift('ann', 1, '2026-11-16T09:00:00Z', '2026-11-16T11:00:00Z'),
    shift('bob', 2, '2026-11-16T10:00:00Z', '2026-11-16T12:00:00Z'),
    // Straddles the week's start: only Mon 00:00–02:00 is inside.
    shift('dan', 3, '2026-11-15T20:00:00Z', '2026-11-16T02:00:00Z'),
    // After the week: no headcount, no minutes.
    shift('carl', 1, '2026-11-23T09:00:00Z', '2026-11-23T17:00:00Z'),
  ];
  let s: StaffingSummary;
  it('computes arrivals, AHT, tiers, schedule, gap, occupancy and rates as by hand', () => {
    s = staffing({ cases, shifts, asOf: '2026-11-23T00:00:00Z' });
    expect(s.weeks).toEqual(['2026-W47']);
    expect(nonDefault(s.arrivals)).toEqual({ 9: 2, 167: 1 });
    // Handle times 30, 50 (tier 2's AHT for a missing one) and 20.
    expect(s.aht).toBeCloseTo(100 / 3, 12);
    expect(s.tiers).toEqual({
      '1': { firstHandled: 2, escalatedTo: 0, onShiftHours: 2 },
      '2': { firstHandled: 1, escalatedTo: 0, onShiftHours: 2 },
      '3': { firstHandled: 0, escalatedTo: 1, onShiftHours: 2 },
    });
    expect(s.headcount).toEqual({ '1': 1, '2': 1, '3': 1 });
    expect(nonDefault(s.scheduled)).toEqual({ 0: 1, 1: 1, 9: 1, 10: 2, 11: 1 });
    expect(s.scheduledFte).toBeCloseTo(6 / 40, 12);
    // Erlang C by hand with AHT 100/3 min, 15 min at 80 %: bucket 9 (A = 10/9) needs 3 (2 gives SL 0.734, 3 gives
    // 0.950); bucket 167 (A = 5/9) needs 2 (1: 0.545, 2: 0.937); every other bucket minOnShift 1.
    expect(nonDefault(s.required, 1)).toEqual({ 9: 3, 167: 2 });
    expect(s.requiredFte).toBeCloseTo(171 / (40 * 0.65), 12);
    // Short everywhere but buckets 0, 1, 10 and 11: 162 buckets by 1, bucket 9 by 2, bucket 167 by 2.
    expect(s.coverageGap).toEqual({ hours: 164, analystHours: 166 });
    // Buckets with someone on shift: 0, 1, 9, 10, 11; only bucket 9 has arrivals: 2 · (100/3) / 60 / 1 = 10/9.
    expect(s.occupancy.mean).toBeCloseTo(10 / 9 / 5, 12);
    expect(s.occupancy.bucketsAbove85).toBe(1);
    // 100 handled minutes over 360 on-shift minutes; closed cases per on-shift hour per tier.
    expect(s.utilization).toBeCloseTo(100 / 360, 12);
    expect(s.casesPerAnalystHour).toEqual({ '1': 1, '2': 0.5, '3': 0 });
  });
});

describe('staffing judged part-way through the week', () => {
  it('counts nothing created, closed or rostered at or after asOf', () => {
    const s = staffing({
      asOf: '2026-11-18T11:00:00Z', // Wednesday 11:00
      cases: [
        kase({ created: t('2026-11-16T09:00:00Z'), closed: t('2026-11-18T10:00:00Z'), handle: 40, tier: 1 }),
        kase({ created: t('2026-11-18T10:30:00Z') }), // bucket 2·24 + 10 = 58
        kase({ created: t('2026-11-18T11:00:00Z') }), // at asOf: not yet known
        kase({ created: t('2026-11-18T12:00:00Z'), closed: t('2026-11-18T12:30:00Z'), handle: 5, tier: 2 }),
      ],
      shifts: [
        shift('ann', 1, '2026-11-18T10:00:00Z', '2026-11-18T14:00:00Z'), // on shift 10:00–11:00 by asOf
        shift('bob', 2, '2026-11-18T12:00:00Z', '2026-11-18T14:00:00Z'), // not begun at asOf
      ],
    });
    expect(nonDefault(s.arrivals)).toEqual({ 9: 1, 58: 1 });
    expect(s.aht).toBe(40);
    expect(s.tiers['1'].firstHandled).toBe(1);
    expect(s.tiers['2']).toEqual({ firstHandled: 0, escalatedTo: 0, onShiftHours: 0 });
    expect(s.headcount).toEqual({ '1': 1, '2': 0, '3': 0 });
    expect(nonDefault(s.scheduled)).toEqual({ 58: 1 });
    expect(s.utilization).toBeCloseTo(40 / 60, 12);
    expect(s.casesPerAnalystHour).toEqual({ '1': 1, '2': null, '3': null });
  });

  it('uses tier 1 AHT when no case closed, and has no occupancy without anyone on shift', () => {
    const s = staffing({ asOf: '2026-11-23T00:00:00Z', cases: [], shifts: [] });
    expect(s.aht).toBe(10);
    expect(s.occupancy).toEqual({ mean: null, bucketsAbove85: 0 });
    expect(s.utilization).toBeNull();
    expect(s.coverageGap).toEqual({ hours: 168, analystHours: 168 });
  });
});

describe('staffing over a month', () => {
  it('counts arrivals only inside the whole ISO weeks of the month, averaged over them', () => {
    // November 2026: Sun 1st … Mon 30th; the whole weeks are Mon 2nd – Mon 30th (W45–W48).
    const s = staffing({
      period: '2026-11',
      asOf: '2026-12-01T00:00:00Z',
      cases: [
        kase({ created: t('2026-11-01T10:00:00Z') }), // in the month, before its first whole week
        kase({ created: t('2026-11-03T10:00:00Z') }), // Tuesday 10:00: bucket 34
        kase({ created: t('2026-11-30T10:00:00Z') }), // in the month, after its last whole week
      ],
      shifts: [shift('ann', 1, '2026-11-30T09:00:00Z', '2026-11-30T10:00:00Z')],
    });
    expect(s.weeks).toEqual(['2026-W45', '2026-W46', '2026-W47', '2026-W48']);
    expect(nonDefault(s.arrivals)).toEqual({ 34: 0.25 });
    // Ann's hour is in the month (headcount, on-shift hours) but after its whole weeks (no scheduled bucket).
    expect(s.headcount['1']).toBe(1);
    expect(s.tiers['1'].onShiftHours).toBe(1);
    expect(nonDefault(s.scheduled)).toEqual({});
  });
});

describe('missing inputs', () => {
  it('names the missing roster and the missing case source', () => {
    const base = { period: W47, asOf: t('2026-11-23T00:00:00Z'), settings };
    expect(buildStaffingSummary({ ...base, shifts: undefined, cases: [] })).toEqual({
      missing: true,
      reason: 'no roster source (shifts)',
    });
    expect(buildStaffingSummary({ ...base, shifts: [], cases: undefined })).toEqual({
      missing: true,
      reason: 'no case source',
    });
  });
});
