import { describe, expect, it } from 'vitest';
import type { CaseFacts } from '../../shared/domain/facts.js';
import { buildKpiSummary, type SignificantIncident } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import {
  compareSignificant,
  containmentApplies,
  countByStanding,
  orderSignificant,
  standing,
} from '../../shared/domain/significant-incidents.js';

const T = Date.parse('2026-10-05T00:00:00Z');
const H = 3_600_000;
const inc = (
  id: string,
  severity: SignificantIncident['severity'],
  hour: number,
  more: Partial<SignificantIncident> = {},
) => ({ id, severity, created: T + hour * H, ...more }) as SignificantIncident;
const closed = (disposition?: string) => ({ closed: T + 100 * H, ...(disposition ? { disposition } : {}) });

describe('significant incidents: reading order and counts', () => {
  it('standing: open without a close time, else the disposition, else plain closed', () => {
    expect(standing({})).toBe('open');
    expect(standing({ disposition: 'true_positive' })).toBe('open'); // no close time: still open
    expect(standing(closed('false_positive'))).toBe('false_positive');
    expect(standing(closed())).toBe('closed');
  });

  it('orders open first, then true positives, undetermined, closed, benign and false positives; by severity, then oldest', () => {
    // Hand-ordered: the expected ids spell out the rule.
    const list = [
      inc('fp-crit', 'critical', 1, closed('false_positive')),
      inc('tp-high', 'high', 2, closed('true_positive')),
      inc('open-high-late', 'high', 9),
      inc('bp-crit', 'critical', 3, closed('benign_positive')),
      inc('open-crit', 'critical', 8),
      inc('tp-crit', 'critical', 7, closed('true_positive')),
      inc('und-high', 'high', 4, closed('undetermined')),
      inc('open-high-early', 'high', 5),
      inc('closed-crit', 'critical', 6, closed()),
    ];
    expect(orderSignificant(list).map((x) => x.id)).toEqual([
      'open-crit',
      'open-high-early',
      'open-high-late',
      'tp-crit',
      'tp-high',
      'und-high',
      'closed-crit',
      'bp-crit',
      'fp-crit',
    ]);
    expect(list[0]!.id).toBe('fp-crit'); // the input is left as it was
  });

  it('compares equal incidents as 0, and a critical false positive after a high open one', () => {
    expect(compareSignificant(inc('a', 'high', 1), inc('b', 'high', 1))).toBe(0);
    expect(compareSignificant(inc('a', 'critical', 0, closed('false_positive')), inc('b', 'high', 5))).toBeGreaterThan(
      0,
    );
  });

  it('counts each standing in reading order, leaving out those with none', () => {
    const list = [
      inc('1', 'critical', 1, closed('false_positive')),
      inc('2', 'high', 2, closed('false_positive')),
      inc('3', 'high', 3),
      inc('4', 'critical', 4, closed('true_positive')),
      inc('5', 'high', 5, closed('false_positive')),
    ];
    expect(countByStanding(list)).toEqual([
      { standing: 'open', n: 1 },
      { standing: 'true_positive', n: 1 },
      { standing: 'false_positive', n: 3 },
    ]);
    expect(countByStanding([])).toEqual([]);
  });

  it('containment applies to open and real incidents, not to false or benign positives', () => {
    expect(containmentApplies({})).toBe(true);
    expect(containmentApplies(closed('true_positive'))).toBe(true);
    expect(containmentApplies(closed('undetermined'))).toBe(true);
    expect(containmentApplies(closed())).toBe(true);
    expect(containmentApplies(closed('false_positive'))).toBe(false);
    expect(containmentApplies(closed('benign_positive'))).toBe(false);
  });
});

describe('the incidents the KPI engine keeps when there are more than it lists', () => {
  it('keeps an open critical created last over 150 older criticals closed as false positives', () => {
    const week = parsePeriod('2026-W47', { tz: 'UTC', fiscalYearStartMonth: 1 });
    const MIN = 60_000;
    // 150 criticals created one a minute from the week's start, each closed a false positive 10 minutes later; then
    // one critical created on the week's last day, still open at asOf. The engine lists 100 of the 151: the open one
    // comes first in reading order, so it is kept, with the 99 oldest false positives (c0 … c98).
    const cases: CaseFacts[] = Array.from({ length: 150 }, (_, i) => ({
      id: `c${i}`,
      sev: 'critical' as const,
      created: week.start + i * MIN,
      closed: week.start + i * MIN + 10 * MIN,
      disp: 'false_positive' as const,
    }));
    cases.push({ id: 'open-one', sev: 'critical', created: week.end - 60 * MIN });
    const kpi = buildKpiSummary({
      cases,
      alerts: undefined,
      period: week,
      asOf: week.end,
      settings: MetricSettingsSchema.parse({}),
    });
    expect(kpi.significantTotal).toBe(151);
    const ids = kpi.significant.map((x) => x.id);
    expect(ids).toHaveLength(100);
    expect(ids).toContain('open-one');
    // Listed oldest first: the 99 false positives kept are the oldest, and the open one is the newest.
    expect(ids).toEqual([...Array.from({ length: 99 }, (_, i) => `c${i}`), 'open-one']);
  });
});
