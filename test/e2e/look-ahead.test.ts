import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casesForDay, DEFAULT_PROFILE, shiftsForDay } from '../../functions/soc-sim/generate.js';
import { parseConfig } from '../../shared/config/config.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { caseFacts, casesAsDay, shiftFacts } from '../../shared/domain/facts.js';
import {
  buildStaffingForecast,
  forecastAccuracy,
  forecastArrivals,
  historyWeeksFor,
  parseForecastWeek,
  shiftWeek,
  WeeklyArrivals,
  type StaffingLookAhead,
} from '../../shared/domain/forecast.js';
import { summarize } from '../../shared/domain/summary.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { inlineImages } from '../../shared/mail/inline-images.js';
import { renderReport, type ReportModel } from '../../shared/mail/render.js';
import { launchBrowser, type TestBrowser } from './browser.js';

const DAY = 86_400_000;
type DOMRectLike = { top: number; right: number; bottom: number; left: number };
const tz = 'Europe/London';
// A SOC that wants three analysts on at all times: the simulator's night rota, with its holes, falls short of that.
const config = parseConfig({ timezone: tz, sender: 'socpulse@example.com', minOnShift: 3 });

/** The Thursday look ahead for 2026-W45 (judged Thursday of W44), from simulator history and the published rota. */
function lookAheadFor(): { lookAhead: StaffingLookAhead; period: string } {
  const week = parseForecastWeek('2026-W45', tz);
  const thursday = shiftWeek(week, -1).start + 3 * DAY + 12 * 3_600_000;
  const { weeks, horizon } = historyWeeksFor(week, thursday);
  const last = weeks.at(-1)!;
  const review = historyWeeksFor(last, last.start).weeks;
  const acc = new WeeklyArrivals([...review, last], config, thursday);
  for (let d = review[0]!.start - DAY; d < thursday; d += DAY)
    acc.addCases(
      casesAsDay(casesForDay(DEFAULT_PROFILE, Math.floor(d / DAY) * DAY, thursday).map((c) => caseFacts(c))).columns(),
    );
  const counts = acc.result();
  const rota = [];
  for (let d = week.start - DAY; d < week.end; d += DAY)
    rota.push(...shiftsForDay(DEFAULT_PROFILE, Math.floor(d / DAY) * DAY).map(shiftFacts));
  const labels = new Set(weeks.map((w) => w.label));
  const forecast = buildStaffingForecast({
    week,
    history: counts.filter((c) => labels.has(c.label)),
    aht: acc.aht(),
    shifts: rota,
    settings: config,
    horizon,
  });
  const actual = counts.find((c) => c.label === last.label)!;
  const past = forecastArrivals(
    counts.filter((c) => review.some((w) => w.label === c.label)),
    actual.hours,
  );
  return {
    lookAhead: {
      forecast,
      review: { week: last.label, forecast: past, actual: actual.counts, accuracy: forecastAccuracy(past, actual) },
    },
    period: last.label,
  };
}

describe('the weekly staffing look ahead on a phone (Chromium from npm, 390 px)', () => {
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('shows next week’s short hours, the grid and the forecast band on the first screen, nothing wider than the phone', async () => {
    const { lookAhead, period } = lookAheadFor();
    const runbook = loadReportRunbooks('runbooks').find((r) => r.id === 'weekly-staffing')!;
    expect(runbook.lookAhead).toBe(true);
    expect(runbook.schedule).toBe('cron(0 12 ? * THU *)');
    const p = parseForecastWeek(period, tz);
    const model: ReportModel = {
      runbook: { id: runbook.id, title: runbook.title, sections: runbook.sections },
      // Last week's own staffing section is render.ts's (phone layout: issue 13); here it says "not available", so
      // the page's width is the look ahead's and the email shell's alone.
      summary: summarize({ cases: [] }, { period: { ...p, kind: 'week' }, asOf: p.end, settings: config }),
      sources: [{ name: 'sim', kind: 'socpulse', status: 'ok', lastCollectedAt: '2026-10-29T12:00:00Z' }],
      generatedAt: '2026-10-29T12:00:00+00:00',
      lookAhead,
    };
    model.charts = await reportCharts(model);
    expect(model.charts.map((c) => c.cid)).toContain('lookahead@socpulse');
    const rendered = renderReport(model);
    expect(rendered.text).toMatch(/Next week 2026-W45\n {2}Short: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:00/);
    const html = inlineImages(rendered.html, model.charts);
    const page = await browser.open(html, { width: 390, height: 844 });
    try {
      // Evaluated in the page (a string: the test's own types know no DOM).
      const seen = (await page.evaluate(`(() => {
        const box = (sel) => document.querySelector(sel)?.getBoundingClientRect().toJSON();
        const img = [...document.images].find((i) => i.alt.startsWith('Cases expected per hour next week'));
        return {
          scrollWidth: document.documentElement.scrollWidth,
          short: box('.la-short'),
          shortText: document.querySelector('.la-short')?.textContent ?? '',
          grid: box('.la-grid'),
          chart: img ? { ...img.getBoundingClientRect().toJSON(), natural: img.naturalWidth } : undefined,
          headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
        };
      })()`)) as {
        scrollWidth: number;
        short?: DOMRectLike;
        shortText: string;
        grid?: DOMRectLike;
        chart?: DOMRectLike & { natural: number };
        headings: string[];
      };
      // Nothing scrolls sideways on a 390 px phone.
      expect(seen.scrollWidth).toBeLessThanOrEqual(390);
      // The short list is the first thing read, on the first screen, and names hours the way a rota does.
      expect(seen.short!.top).toBeLessThan(400);
      expect(seen.shortText).toMatch(/^Short: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:00(–\d\d:00)? short \d/);
      expect(seen.grid!.right).toBeLessThanOrEqual(390);
      expect(seen.grid!.top).toBeLessThan(844);
      // The chart loaded (not a broken image) and is shrunk to the phone's width.
      expect(seen.chart!.natural).toBeGreaterThan(0);
      expect(seen.chart!.right).toBeLessThanOrEqual(390);
      // The look ahead comes before last week's staffing section.
      expect(seen.headings[0]).toMatch(/^Next week: 2026-W45/);
      expect(seen.headings.indexOf('Staffing')).toBeGreaterThan(0);
      // As pixels: the red "short" cells and the band's blue are drawn.
      mkdirSync(join('out', 'screenshots'), { recursive: true });
      const png = await page.screenshot({ path: join('out', 'screenshots', 'look-ahead-390.png'), fullPage: true });
      const { PNG } = await import('pngjs');
      const img = PNG.sync.read(Buffer.from(png));
      let red = 0;
      let band = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        const [r, g, b] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
        if (Math.abs(r - 0xf8) <= 4 && Math.abs(g - 0xd7) <= 4 && Math.abs(b - 0xd3) <= 4) red++;
        if (Math.abs(r - 0xc5) <= 30 && Math.abs(g - 0xdc) <= 30 && Math.abs(b - 0xf4) <= 20 && b > r + 20) band++;
      }
      expect(red).toBeGreaterThan(100);
      expect(band).toBeGreaterThan(500);
    } finally {
      await page.close();
    }
  });
});
