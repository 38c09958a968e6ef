import { describe, expect, it } from 'vitest';
import { HISTORY_PERIODS } from '../../shared/domain/changes.js';
import type { CaseFacts } from '../../shared/domain/facts.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { MetricSettingsSchema } from '../../shared/domain/settings.js';
import { summarize } from '../../shared/domain/summary.js';

// Like for like through the engine the emails use (docs/what-changed.md): on data whose every week is the same, the
// previous week judged at the same age reads exactly what the current week reads, however late the summary runs.

const settings = MetricSettingsSchema.parse({});
const H = 3_600_000;
const opts = { tz: 'UTC', fiscalYearStartMonth: 1 };
const current = parsePeriod('2026-W48', opts);

/**
 * HISTORY_PERIODS + 2 identical weeks up to and including 2026-W48: each week 84 medium cases, one every 2 h from Monday 00:00,
 * acknowledged after 1 h; the even ones resolved 2 days after creation (met: medium target 3 days), the odd ones
 * 4 days after (breached).
 */
function weeks(): CaseFacts[] {
  const out: CaseFacts[] = [];
  for (let w = HISTORY_PERIODS + 1; w >= 0; w--) {
    const start = current.start - w * 7 * 24 * H;
    for (let i = 0; i < 84; i++) {
      const created = start + i * 2 * H;
      out.push({
        id: `w${w}-${i}`,
        sev: 'medium',
        created,
        ack: created + H,
        closed: created + (i % 2 ? 96 : 48) * H,
        disp: 'true_positive',
      });
    }
  }
  return out;
}

const kpiAt = (asOf: number): KpiSummary => {
  const k = summarize({ cases: weeks() }, { period: current, asOf, settings }).kpi;
  if ('missing' in k) throw new Error('kpi missing');
  return k;
};

describe('the comparable previous period, through summarize', () => {
  for (const hours of [6, 72]) {
    it(`judges the previous week at the same age: ${hours} h after the week, the same SLA figures`, () => {
      const k = kpiAt(current.end + hours * H);
      const m = k.trend!.metrics!;
      // Every resolve judgement is the same in both weeks: the same cases, the same clocks.
      expect(m['sla.resolve.compliance']!.previous).toBe(m['sla.resolve.compliance']!.current);
      expect(m['cases.created']!.previous).toBe(84);
      expect(k.trend!.previous.asOf).toBe(new Date(current.start + hours * H).toISOString().replace('.000Z', '+00:00'));
      expect(k.changes!.filter((c) => c.verdict === 'changed')).toEqual([]);
      expect(HISTORY_PERIODS).toBe(15);
      expect(k.changesBasis).toMatchObject({ method: 'history', periods: 15, from: '2026-W33', to: '2026-W47' });
    });
  }

  it('72 h after the week: 42 met, and 42 breached of which the last ones are not yet closed', () => {
    const k = kpiAt(current.end + 72 * H);
    // Even cases met (42). Odd cases closed at +96 h: all breached, closed or not (their clock passed 72 h).
    expect(k.sla.resolve).toMatchObject({ met: 42, breached: 42 });
    expect(k.trend!.metrics!['sla.resolve.compliance']!.previous).toBe(0.5);
  });

  it('compares a to-date week with the same part of each previous week', () => {
    // Wednesday 12:00: 30 cases created so far (0 h, 2 h … 58 h).
    const asOf = current.start + 60 * H;
    const k = kpiAt(asOf);
    expect(k.cases.created).toBe(30);
    expect(k.trend!.metrics!['cases.created']!.previous).toBe(30);
    const c = k.changes!.find((x) => x.metric === 'cases.created')!;
    expect(c.exposure).toMatchObject({ current: 60 * H, previous: 60 * H, baseline: 15 * 60 * H });
    expect(c.baseline).toBeCloseTo(30, 9);
    expect(c.verdict).toBe('no-change');
  });

  it('leaves out weeks before the data begins (plain files), never counting them as zeros', () => {
    // Only the last 5 weeks: the previous 4 are usable, too few for the history method.
    const cases = weeks().filter((c) => c.created >= current.start - 4 * 7 * 24 * H);
    const k = summarize({ cases }, { period: current, asOf: current.end, settings }).kpi as KpiSummary;
    expect(k.changesBasis).toMatchObject({ method: 'previous', periods: 1 });
    expect(k.changesBasis!.caveat).toMatch(/^only 4 comparable previous periods with data/);
  });
});
