import { describe, expect, it } from 'vitest';
import type { Change } from '../../shared/domain/changes.js';
import type { KpiSummary } from '../../shared/domain/kpi.js';
import { formatCount, formatRate } from '../../shared/mail/format.js';
import { changeSentence, moveText, pointsText } from '../../shared/mail/headline.js';
import { tileSub } from '../../shared/mail/tiles.js';

// Words and signs follow the verdict (docs/what-changed.md §5): hand-written entries, hand-written expected words.

const entry = (c: Partial<Change>): Change => ({
  metric: 'sla.resolve.compliance',
  test: 'two-proportion',
  method: 'history',
  periods: 15,
  current: 0.787,
  previous: 0.88,
  baseline: 0.883,
  n: { current: 500, previous: 480, baseline: 490 },
  z: -5,
  p: 1e-6,
  q: 1e-5,
  verdict: 'changed',
  sign: -1,
  dimension: 'severity',
  contributions: [],
  total: 0.787 - 0.883,
  driver: null,
  ...c,
});

const kpi = (changes: Change[]): KpiSummary =>
  ({
    trend: {
      previous: { label: '2026-W47', start: '', end: '' },
      metrics: {
        'sla.resolve.compliance': {
          current: 0.787,
          previous: 0.88,
          change: -0.093,
          changePct: -10.6,
          better: 'higher',
          direction: 'worse',
        },
        'cases.created': { current: 1300, previous: 1000, change: 300, changePct: 30, better: null, direction: null },
        'backlog.open': { current: 130, previous: 100, change: 30, changePct: 30, better: 'lower', direction: 'worse' },
      },
    },
    changes,
  }) as unknown as KpiSummary;

describe('the words and signs of a change', () => {
  it('shows a named rate change in points against its usual value, coloured by better/worse', () => {
    const k = kpi([entry({})]);
    expect(tileSub(k, 'sla.resolve.compliance', formatRate)).toEqual({
      sub: '▼ −9.6 pts vs usual 88.3%',
      tone: 'worse',
    });
    expect(pointsText(-0.096)).toBe('−9.6 pts');
    expect(pointsText(0.0004)).toBe('0.0 pts');
    expect(moveText(entry({}))).toBe('−9.6 pts');
  });

  it('gives no arrow and no colour to a figure within noise, and says so', () => {
    const k = kpi([entry({ verdict: 'no-change', z: -1, p: 0.3, q: 0.9 })]);
    expect(tileSub(k, 'sla.resolve.compliance', formatRate)).toEqual({
      sub: '88.0% in 2026-W47, within noise',
      tone: 'neutral',
    });
    expect(tileSub(kpi([entry({ verdict: 'low-n' })]), 'sla.resolve.compliance', formatRate).sub).toBe(
      '88.0% in 2026-W47, too few to judge',
    );
  });

  it('gives an untested figure the previous value plainly, never an arrow or a colour', () => {
    expect(tileSub(kpi([]), 'backlog.open', formatCount)).toEqual({ sub: '100 in 2026-W47', tone: 'neutral' });
  });

  it('gives a volume that changed an arrow but no colour: more alerts is neither better nor worse', () => {
    const c = entry({
      metric: 'cases.created',
      test: 'poisson',
      current: 1300,
      previous: 1000,
      baseline: 1010,
      sign: 1,
      total: 290,
    });
    expect(tileSub(kpi([c]), 'cases.created', formatCount)).toEqual({ sub: '▲ +290 vs usual 1,010', tone: 'neutral' });
  });

  it('reads a group’s own change, with the history it was judged against', () => {
    const c = entry({
      metric: 'alerts.created',
      group: 'Rule 17',
      dimension: 'rule',
      test: 'poisson',
      current: 380,
      previous: 200,
      baseline: 190,
      sign: 1,
      total: 190,
    });
    expect(changeSentence(c, '2026-W47')).toBe(
      'Alerts of rule Rule 17 rose to 380, against a usual 190 (the 15 weeks before, at the same age).',
    );
    // Judged against the previous month alone, over months of unequal length: at its rate.
    const month = entry({
      metric: 'cases.created',
      test: 'poisson',
      method: 'previous',
      periods: 1,
      current: 1088,
      previous: 1240,
      baseline: 1200,
      sign: -1,
      total: -112,
      exposure: { current: 30, previous: 31, baseline: 31 },
    });
    expect(changeSentence(month, '2026-10')).toBe(
      "Cases created fell to 1,088, against 1,200 at 2026-10's rate (1,240 in all).",
    );
  });

  it('says what a mix effect did, separately from the severities’ own rates', () => {
    const c = entry({
      driver: { group: 'high', contribution: -0.15, share: 1.5, changed: true },
      mix: 0.05,
      total: -0.1,
      current: 0.8,
      baseline: 0.9,
    });
    expect(changeSentence(c, '2026-W47')).toBe(
      "Resolve SLA compliance fell by 10.0 pts to 80.0%, against a usual 90.0% (the 15 weeks before, at the same age); most of it from high-severity cases' own rate (−15.0 pts); the mix of severities moved it +5.0 pts.",
    );
  });
});
