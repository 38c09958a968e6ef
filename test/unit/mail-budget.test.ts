import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/config.js';
import { parsePeriod } from '../../shared/domain/periods.js';
import { summarize } from '../../shared/domain/summary.js';
import { renderReport, type ReportModel } from '../../shared/mail/render.js';
import type { BudgetLine, Cost } from '../../shared/domain/records.js';

const tz = 'Europe/London';
const config = parseConfig({ timezone: tz, fiscalYearStartMonth: 4, sender: 'socpulse@example.com' });
const months = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'];
const plan: BudgetLine[] = [...months, '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03'].map(
  (month) => ({ fiscalYear: 'FY2027', month, category: 'tooling', amount: '10000.00', currency: 'EUR' }),
);
const cost = (month: string, amount: string): Cost => ({ month, category: 'tooling', amount, currency: 'EUR' });

/** One budget email for 2026-07: a plan of EUR 10,000.00 a month; actuals 14,000, 10,000, 10,000 and 10,958.00. */
function render(july = '10958.00', threshold = 10) {
  const settings = { ...config, varianceThresholdPct: threshold };
  const period = parsePeriod('2026-07', { tz, fiscalYearStartMonth: 4 });
  const costs = [
    cost('2026-04', '14000.00'),
    cost('2026-05', '10000.00'),
    cost('2026-06', '10000.00'),
    cost('2026-07', july),
  ];
  const summary = summarize({ costs, budget: plan }, { period, asOf: period.end + 86_400_000, settings });
  const model: ReportModel = {
    runbook: { id: 'monthly-budget', title: 'SOC monthly budget report', sections: ['budget'] },
    summary,
    sources: [],
    generatedAt: '2026-08-03T08:00:00+01:00',
    settings,
  };
  return renderReport(model);
}

describe('the budget email: figures rounded once, flagged figures in the headline, no config names', () => {
  it('says +9.6% for a 9.58% variance in the subject and the body alike, and flags it nowhere', () => {
    const { subject, html, text } = render();
    // 958 / 10,000 = 9.58 %: one decimal everywhere, never "+10%".
    expect(subject).toBe('SOC monthly budget report — 2026-07: budget +9.6%');
    expect(text).toContain('+9.6% against plan (EUR 958.00 over)');
    expect(html).toContain('+9.6%');
    expect(subject + html + text).not.toMatch(/\+10%(?! and)/); // "±10% and ±EUR 5,000.00" names the threshold
    expect(text).not.toMatch(/2026-07 spend[^.]*flagged/);
  });

  it('puts year to date and the year-end forecast in the headline', () => {
    const { text } = render();
    // Year to date: 44,958 against 40,000 = +12.395 % → +12.4 %. Burn rate: (10,000 + 10,000 + 10,958) / 3 =
    // 10,319.33; forecast: 44,958 + 8 × 10,319.33 = 127,512.6x against 120,000 → +6.26 % → +6.3 %.
    const headline = text.split('\n\n')[1]!.replace(/\n/g, ' ');
    expect(headline).toContain(
      'Year to date is +12.4% against plan; the year-end forecast is +6.3% against the annual plan.',
    );
  });

  it('flags only what reaches both thresholds, in the subject and the headline alike', () => {
    // At ±5 %: the month (+9.6 %, EUR 958) misses ±EUR 5,000; the forecast (+6.3 %, EUR 7,512) reaches both.
    const five = render('10958.00', 5);
    expect(five.subject).toBe('SOC monthly budget report — 2026-07: budget +9.6%');
    expect(five.text.split('\n\n')[1]!.replace(/\n/g, ' ')).toContain(
      'mostly Tooling (EUR 958.00). Year to date is +12.4% against plan; the year-end forecast is +6.3% against the annual plan, flagged.',
    );
    // A July of EUR 16,000.00: +60.0 % and EUR 6,000 over, flagged in the subject and the body.
    const over = render('16000.00');
    expect(over.subject).toBe('SOC monthly budget report — 2026-07: budget +60.0% (flagged)');
    expect(over.text.replace(/\n/g, ' ')).toMatch(
      /\+60\.0% against plan \(EUR 6,000\.00 over\), mostly Tooling \(EUR 6,000\.00\), flagged\./,
    );
  });

  it('names no configuration key in the email', () => {
    const { html, text } = render();
    for (const key of ['varianceThresholdPct', 'varianceThresholdAbs', 'slaComplianceTarget', 'minOnShift'])
      expect(html + text).not.toContain(key);
  });
});

describe('the budget email when personnel is estimated from rosters that were not read', () => {
  // Tooling costs for 2026-04 … 2026-07 as above; personnel estimated from shifts at EUR 50.00 an hour (tier 1), with a
  // roster read for 2026-06 and 2026-07 only: one 8-hour shift each, EUR 400.00.
  const settings = { ...config, hourlyRate: { '1': '50.00' } };
  const shift = (day: string) => ({
    analyst: 'ann',
    tier: 1,
    start: Date.parse(`${day}T08:00:00Z`),
    end: Date.parse(`${day}T16:00:00Z`),
  });
  function render(shifts: { analyst: string; tier: number; start: number; end: number }[], amount = '10000.00') {
    const period = parsePeriod('2026-07', { tz, fiscalYearStartMonth: 4 });
    const costs = ['2026-04', '2026-05', '2026-06', '2026-07'].map((m) => cost(m, amount));
    const summary = summarize({ costs, budget: plan, shifts }, { period, asOf: period.end + 86_400_000, settings });
    const model: ReportModel = {
      runbook: { id: 'monthly-budget', title: 'SOC monthly budget report', sections: ['budget'] },
      summary,
      sources: [],
      generatedAt: '2026-08-03T08:00:00+01:00',
      settings,
    };
    return { summary, ...renderReport(model) };
  }

  it('does not compare year to date or the forecast with plan, and names the months without a roster', () => {
    const { summary, text, html } = render([shift('2026-06-10'), shift('2026-07-10')]);
    expect(summary.budget).toMatchObject({ personnelWithoutShifts: ['2026-04', '2026-05'] });
    const headline = text.split('\n\n')[1]!.replace(/\n/g, ' ');
    // July: 10,400 against 10,000 = +4.0 %, stated; the year's figures are not.
    expect(headline).toContain('2026-07 spend was EUR 10,400.00, +4.0% against plan');
    expect(headline).toContain(
      'Year to date and the year-end forecast are not compared with plan: they count no personnel for 2026-04 and 2026-05, where no roster was read.',
    );
    expect(headline).not.toMatch(/year to date is|forecast is/i);
    expect(html.replace(/\s+/g, ' ')).toContain(
      'Personnel is estimated from rosters, and no roster was read for 2026-04 and 2026-05: personnel counts nothing there, so year to date, the burn rate and the forecast leave it out and understate spend.',
    );
  });

  it('does not flag the forecast in the body when it leaves out personnel for months without a roster', () => {
    // Tooling EUR 20,000.00 a month against a plan of 10,000.00: the forecast (about 2× the annual plan) would be
    // flagged, but it counts no personnel for 2026-04 and 2026-05.
    const { summary, html } = render([shift('2026-06-10'), shift('2026-07-10')], '20000.00');
    expect(summary.budget).toMatchObject({ forecastFlagged: true, personnelWithoutShifts: ['2026-04', '2026-05'] });
    expect(html).not.toMatch(/Forecast variance[\s\S]{0,600}● flagged/);
  });

  it('does not compare the month with plan when its own roster was not read, in the subject or the headline', () => {
    const { subject, text } = render([shift('2026-04-10'), shift('2026-05-10')]);
    expect(subject).toBe('SOC monthly budget report — 2026-07');
    const headline = text.split('\n\n')[1]!.replace(/\n/g, ' ');
    expect(headline).toContain(
      '2026-07 spend was EUR 10,000.00 without personnel: it is estimated from rosters, and no roster was read for 2026-07, so the month is not compared with plan.',
    );
    expect(headline).not.toContain('against plan (');
  });

  it('says three or more consecutive months as a range', () => {
    const { summary, text } = render([shift('2026-07-10')]);
    expect(summary.budget).toMatchObject({ personnelWithoutShifts: ['2026-04', '2026-05', '2026-06'] });
    expect(text.replace(/\n/g, ' ')).toContain(
      'count no personnel for 2026-04 to 2026-06 (3 months), where no roster was read.',
    );
  });
});
