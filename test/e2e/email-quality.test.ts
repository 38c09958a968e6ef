/// <reference lib="dom" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './browser.js';
import { BENCH_MONTHS, BENCH_PROFILE, build, EMAILS, history, type History } from './email-fixtures.js';
import { CHART_MIN_FONT_PX } from '../../shared/mail/charts.js';

// Every email `npm start` sends, and a month of a bench-sized SOC, as a phone and a desktop show them, in the npm
// Chromium (browser.ts): axe-core's color-contrast rule in the light and the dark scheme, the smallest text, what
// sticks out sideways (with the <style> block, and without it as Gmail shows some accounts), where the KPI email's
// tiles start, and the size chart text is shown at on a phone. SOCPULSE_SCREENS=dir saves 390 px screenshots there.

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [320, 390, 768, 1280];
const PHONE = { width: 390, height: 844 };

/** Contrast failures axe finds, one per text element, with their ratio (colors as axe reports them). */
async function contrast(page: Page, scheme: 'light' | 'dark') {
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const res = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<any> } }).axe; // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await axe.run({ runOnly: ['color-contrast'] });
    const nodes = (list: any[]) => list.flatMap((v: any) => v.nodes); // eslint-disable-line @typescript-eslint/no-explicit-any
    return {
      violations: nodes(r.violations).map((n: any) => `${n.any[0]?.data?.contrastRatio}:1 ${n.target}`), // eslint-disable-line @typescript-eslint/no-explicit-any
      incomplete: nodes(r.incomplete).length,
    };
  });
  return res;
}

/** What sticks out: the page's scroll width past the viewport, and any element past the card's right edge. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const card = document.querySelector('.card') ?? document.body;
    const edge = card.getBoundingClientRect().right;
    let out = 0;
    let what = '';
    for (const e of Array.from(card.querySelectorAll('*'))) {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.right - edge > out) {
        out = r.right - edge;
        what = `${e.tagName}.${(e as HTMLElement).className}`;
      }
    }
    return { page: document.documentElement.scrollWidth - window.innerWidth, card: Math.round(out), what };
  });
}

/** The smallest visible text of the page (elements with text of their own), and where the first tile starts. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const sizes: { text: string; px: number }[] = [];
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim());
      const st = getComputedStyle(e);
      if (own && st.display !== 'none' && st.visibility !== 'hidden' && e.getBoundingClientRect().width > 0)
        sizes.push({ text: e.textContent!.trim().slice(0, 30), px: parseFloat(st.fontSize) });
    }
    sizes.sort((a, b) => a.px - b.px);
    const tile = document.querySelector('.tile');
    // Tiles that show a change (an arrow, a colour): METRICS.md kpi.changes, only for a "changed" verdict.
    const arrows = Array.from(document.querySelectorAll('.tile [data-direction]'))
      .map((e) => e.textContent!.trim())
      .filter((t) => /^[▲▼]/.test(t));
    const headline = document.getElementById('headline');
    const imgs = Array.from(document.querySelectorAll('img')).map((i) => ({
      shown: i.getBoundingClientRect().width,
      natural: i.naturalWidth,
    }));
    return {
      minFont: sizes[0]?.px ?? 0,
      smallest: sizes.slice(0, 3),
      tileTop: tile ? tile.getBoundingClientRect().top + window.scrollY : null,
      tileBottom: tile ? tile.getBoundingClientRect().bottom + window.scrollY : null,
      headlineBottom: headline ? headline.getBoundingClientRect().bottom + window.scrollY : null,
      headline: headline?.textContent ?? '',
      arrows,
      imgs,
    };
  });
}

type Built = Awaited<ReturnType<typeof build>>;
const stripStyle = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '');

describe('every email: contrast in both schemes, text size, width, first screen (Chromium from npm, axe-core)', () => {
  let browser: TestBrowser;
  let data: History;
  const emails = new Map<string, Built>();
  const report: Record<string, unknown> = {};
  beforeAll(async () => {
    browser = await launchBrowser();
    data = history();
    for (const [id, label] of EMAILS) emails.set(id, await build(id, label, data));
    emails.set('bench-executive', await build('monthly-executive', '2026-10', history(BENCH_PROFILE, BENCH_MONTHS)));
  });
  afterAll(async () => {
    await browser?.close();
    if (process.env.SOCPULSE_SCREENS)
      writeFileSync(join(process.env.SOCPULSE_SCREENS, 'metrics.json'), JSON.stringify(report, null, 2));
  });

  for (const name of [...EMAILS.map(([id]) => id), 'bench-executive'])
    it(`${name}: axe color-contrast passes light and dark; text ≥ 12 px at 390; nothing overflows; charts ≥ 11 px on a phone`, async () => {
      const built = emails.get(name)!;
      const page = await browser.open(built.html, PHONE);
      const light = await contrast(page, 'light');
      const shots = process.env.SOCPULSE_SCREENS;
      if (shots) {
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, `${name}-390-light.png`), fullPage: true });
      }
      const dark = await contrast(page, 'dark');
      if (shots) await page.screenshot({ path: join(shots, `${name}-390-dark.png`), fullPage: true });
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
      const phone = await layout(page);
      const widths: Record<string, unknown> = {};
      for (const [styled, html] of [
        ['style', built.html],
        ['no-style', stripStyle(built.html)],
      ] as const) {
        if (styled === 'no-style') await page.setContent(html, { waitUntil: 'load' });
        for (const width of WIDTHS) {
          await page.setViewport({ width, height: 844, deviceScaleFactor: 1 });
          widths[`${styled}@${width}`] = await overflow(page);
        }
      }
      await page.close();
      const m = {
        contrastLight: light.violations.length,
        contrastDark: dark.violations.length,
        incomplete: [light.incomplete, dark.incomplete],
        darkSample: dark.violations.slice(0, 5),
        lightSample: light.violations.slice(0, 5),
        ...phone,
        widths,
      };
      report[name] = m;
      console.log(name, JSON.stringify(m));

      expect.soft(light.violations, 'light scheme').toEqual([]);
      expect.soft(dark.violations, 'dark scheme').toEqual([]);
      expect.soft(phone.minFont, JSON.stringify(phone.smallest)).toBeGreaterThanOrEqual(12);
      for (const [k, o] of Object.entries(widths) as [string, { page: number; card: number; what: string }][]) {
        expect.soft(o.page, `${k}: page wider than the screen`).toBeLessThanOrEqual(0);
        expect.soft(o.card, `${k}: ${o.what} past the card`).toBeLessThanOrEqual(0);
      }
      // Chart text: drawn at CHART_MIN_FONT_PX or more on a canvas of natural / 2 px (2× raster), shown at `shown` px.
      expect.soft(phone.imgs.length).toBeGreaterThan(0);
      for (const i of phone.imgs)
        expect
          .soft((CHART_MIN_FONT_PX * i.shown) / (i.natural / 2), 'chart text on a phone')
          .toBeGreaterThanOrEqual(11);
      // A headline that says nothing changed has no tile with an arrow beside it, and the reverse.
      if (phone.arrows.length) expect.soft(phone.headline).not.toMatch(/Nothing changed/);
      const changed = (built.model.summary.kpi as { changes?: { verdict: string; group?: string }[] }).changes ?? [];
      if (!changed.some((c) => c.verdict === 'changed' && c.group === undefined))
        expect.soft(phone.arrows, 'arrows without a changed verdict').toEqual([]);
      if (name === 'weekly-kpi') {
        expect.soft(phone.headlineBottom).not.toBeNull();
        expect.soft(phone.headlineBottom!).toBeLessThanOrEqual(844);
        expect.soft(phone.tileBottom!, 'first KPI tile inside the first screen').toBeLessThanOrEqual(844);
      }
    });
});
