import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary, markUnavailable, unavailableOf } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';

const settings = MetricSettingsSchema.parse({});
const week = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 });
const asOf = Date.parse('2026-11-24T00:00:00Z');
const NOT = 'not available from SecOps SOAR';
const kase = (id: string, ack?: number): CaseFacts => {
  const created = Date.parse('2026-11-17T10:00:00Z');
  return {
    id,
    sev: 'critical',
    created,
    closed: created + 60 * 60_000,
    ...(ack ? { ack: created + ack * 60_000 } : {}),
  };
};

describe('figures a source cannot give', () => {
  it('merges what the sources declare, and is undefined when every source gives everything', () => {
    expect(unavailableOf([{}, { unavailable: {} }])).toBeUndefined();
    expect(
      unavailableOf([{ unavailable: { tta: NOT } }, {}, { unavailable: { tta: NOT, 'sla.acknowledge': NOT } }]),
    ).toEqual({
      tta: NOT,
      'sla.acknowledge': NOT,
    });
    expect(unavailableOf([{ unavailable: { tta: 'a' } }, { unavailable: { tta: 'b' } }])).toEqual({ tta: 'a; b' });
  });

  it('does not judge the acknowledge SLA from missing times when no case of the period has one', () => {
    const k = buildKpiSummary({
      cases: [kase('soar:1'), kase('soar:2')],
      alerts: undefined,
      period: week,
      asOf,
      settings,
    });
    // Without the declaration, missing acknowledgements count as breaches: the figure a reader must not see.
    expect(k.sla.acknowledge.breached).toBe(2);
    const marked = markUnavailable(k, { tta: NOT, 'sla.acknowledge': NOT });
    expect(marked.unavailable).toEqual({ tta: NOT, 'sla.acknowledge': NOT });
    expect(marked.sla.acknowledge).toEqual({ met: 0, breached: 0, pending: 0, compliance: null });
    expect(marked.bySeverity.critical.sla.acknowledge).toEqual({ met: 0, breached: 0, pending: 0, compliance: null });
    expect(marked.sla.resolve).toEqual(k.sla.resolve);
    expect(markUnavailable(k, undefined)).toBe(k);
  });

  it('keeps the figures other sources give, with the declaration beside them', () => {
    const k = buildKpiSummary({
      cases: [kase('sim:1', 5), kase('soar:2')],
      alerts: undefined,
      period: week,
      asOf,
      settings,
    });
    const marked = markUnavailable(k, { tta: NOT, 'sla.acknowledge': NOT });
    expect(marked.tta.n).toBe(1);
    expect(marked.sla.acknowledge).toEqual(k.sla.acknowledge);
    expect(marked.unavailable?.tta).toBe(NOT);
  });
});
