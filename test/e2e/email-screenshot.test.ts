import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './browser.js';
import { parseConfig } from '../../shared/config/config.js';
import { DaySnapshotBuilder, mergeDaySnapshots } from '../../shared/domain/day-snapshot.js';
import { localDaysOf, parsePeriod } from '../../shared/domain/periods.js';
import { summarize, type SummaryInput } from '../../shared/domain/summary.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import {
  alertsForHour,
  casesForDay,
  costsForMonth,
  DEFAULT_PROFILE,
  shiftsForDay,
} from '../../functions/soc-sim/generate.js';
import { reportCharts } from '../../shared/mail/charts.js';
import { renderReport, type ReportModel } from '../../shared/mail/render.js';
import { demoBudgetPlan } from '../../shared/local/demo-plan.js';

/** Screenshot an email's HTML in the npm package's Chromium (browser.ts), the whole page, as a mail client's web view shows it. */
async function screenshot(browser: TestBrowser, html: string, name: string, width: number): Promise<PNG> {
  const page = await browser.open(html, { width, height: 844 });
  const out = join('out', 'screenshots');
  mkdirSync(out, { recursive: true });
  const png = join(out, `${name}-${width}.png`);
  await page.screenshot({ path: png, fullPage: true });
  await page.close();
  return PNG.sync.read(readFileSync(png));
}

/** Pixels close to an RGB colour. */
function count(img: PNG, [r, g, b]: [number, number, number], tolerance = 24): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4)
    if (
      Math.abs(img.data[i]! - r) <= tolerance &&
      Math.abs(img.data[i + 1]! - g) <= tolerance &&
      Math.abs(img.data[i + 2]! - b) <= tolerance
    )
      n++;
  return n;
}

const tz = 'Europe/London';
const config = parseConfig({
  timezone: tz,
  fiscalYearStartMonth: 4,
  sender: 'socpulse@example.com',
  hourlyRate: { '1': '55.00', '2': '70.00', '3': '90.00' },
});
const popts = { tz, fiscalYearStartMonth: 4 };
const runbooks = new Map(loadReportRunbooks('runbooks').map((r) => [r.id, r]));

/** Two months of simulated history (September and October 2026) with costs and the demo plan, as stored days give it. */
function history(): { input: SummaryInput; now: number } {
  const month = parsePeriod('2026-10', popts);
  const previous = parsePeriod('2026-09', popts);
  const days = [...localDaysOf(previous), ...localDaysOf(month)];
  const builder = new DaySnapshotBuilder(tz, days, new Set(['cases', 'alerts', 'shifts']));
  const now = month.end + 3 * 86_400_000;
  for (const d of days) {
    const dayStart = Date.parse(`${d}T00:00:00Z`);
    builder.add('cases', casesForDay(DEFAULT_PROFILE, dayStart, now));
    for (let h = 0; h < 24; h++) builder.add('alerts', alertsForHour(DEFAULT_PROFILE, dayStart, h));
    builder.add('shifts', shiftsForDay(DEFAULT_PROFILE, dayStart));
  }
  const input = mergeDaySnapshots(builder.snapshots());
  input.costs = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'].flatMap((m) =>
    costsForMonth(DEFAULT_PROFILE, m),
  );
  input.budget = demoBudgetPlan('FY2027', 4, 'EUR');
  return { input, now };
}

/** Render one runbook's email for a period and screenshot it, charts inlined as the mail client shows them. */
async function shoot(
  browser: TestBrowser,
  runbookId: string,
  label: string,
  data: { input: SummaryInput; now: number },
) {
  const runbook = runbooks.get(runbookId)!;
  const summary = summarize(data.input, { period: parsePeriod(label, popts), asOf: data.now, settings: config });
  const model: ReportModel = {
    runbook: { id: runbook.id, title: runbook.title, sections: runbook.sections },
    summary,
    sources: [
      {
        name: 'soar',
        kind: 'secops-soar',
        status: 'stale',
        lastCollectedAt: '2026-10-30T10:00:00+00:00',
        detail: 'data only up to 2026-10-30',
      },
    ],
    generatedAt: '2026-11-03T08:00:00+00:00',
  };
  model.charts = await reportCharts(model);
  const rendered = renderReport(model);
  const html = model.charts.reduce(
    (h, c) => h.split(`cid:${c.cid}`).join(`data:image/png;base64,${c.png.toString('base64')}`),
    rendered.html,
  );
  return {
    img: await screenshot(browser, html, runbookId, 760),
    bytes: Buffer.byteLength(rendered.html),
    charts: model.charts.length,
  };
}

const BRAND: [number, number, number] = [0x17, 0x32, 0x4d];
const CHART_BLUE: [number, number, number] = [0x3d, 0x8b, 0xd9];
const BANNER: [number, number, number] = [0xff, 0xf4, 0xe5];
const tileChanges = (img: PNG) => count(img, [0x0f, 0x7a, 0x3d], 40) + count(img, [0xb4, 0x23, 0x18], 40);
const coverageCells = (img: PNG) => count(img, [0xdc, 0xef, 0xe3], 4) + count(img, [0xf8, 0xd7, 0xd3], 4);

describe('each email as a person sees it (Chromium from npm)', () => {
  const data = history();
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  for (const [runbookId, label] of [
    ['weekly-kpi', '2026-W43'],
    ['weekly-staffing', '2026-W43'],
    ['monthly-budget', '2026-10'],
    ['monthly-executive', '2026-10'],
  ] as const) {
    it(`${runbookId} (${label}): not blank, under 102 KB, header, banner, its charts and its own section visible`, async () => {
      const { img, bytes, charts } = await shoot(browser, runbookId, label, data);
      const sections = runbooks.get(runbookId)!.sections;
      expect(bytes).toBeLessThan(102 * 1024);
      const total = img.width * img.height;
      expect(count(img, [255, 255, 255], 2) / total).toBeLessThan(0.9); // not blank
      expect(count(img, BRAND, 10)).toBeGreaterThan(30_000); // the header band (640 × ~80 px)
      expect(count(img, BANNER, 4)).toBeGreaterThan(2_000); // the stale-source banner
      expect(charts).toBeGreaterThan(0);
      expect(count(img, CHART_BLUE, 30)).toBeGreaterThan(300); // a chart's second series, drawn (not a broken image)
      if (sections.includes('kpi'))
        expect(tileChanges(img)).toBeGreaterThan(50); // tile changes in green or red
      else expect(tileChanges(img)).toBeLessThan(5_000);
      if (sections.includes('staffing'))
        expect(coverageCells(img)).toBeGreaterThan(2_000); // the coverage grid
      else expect(coverageCells(img)).toBeLessThan(300); // anti-aliased text may come close to the colours
    });
  }
});
