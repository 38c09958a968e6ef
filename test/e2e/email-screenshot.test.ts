/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './browser.js';
import { build, runbooks, history } from './email-fixtures.js';

/** Screenshot an email's HTML at one width in the npm package's Chromium (browser.ts): the whole page, and what the page measures. */
async function screenshot(browser: TestBrowser, html: string, name: string, width: number) {
  const page = await browser.open(html, { width, height: 844 });
  const out = join('out', 'screenshots');
  mkdirSync(out, { recursive: true });
  const png = join(out, `${name}-${width}.png`);
  await page.screenshot({ path: png, fullPage: true });
  const measured = await page.evaluate(() => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return {
        left: r.left,
        right: r.right,
        top: r.top + window.scrollY,
        bottom: r.bottom + window.scrollY,
        width: r.width,
        height: r.height,
      };
    };
    const visible = (e: Element) => {
      const st = getComputedStyle(e);
      return st.display !== 'none' && st.visibility !== 'hidden';
    };
    // Every element that shows text of its own, and its computed font size.
    const sizes: { text: string; px: number }[] = [];
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      const own = Array.from(e.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim());
      if (own && visible(e) && e.getBoundingClientRect().width > 0)
        sizes.push({ text: e.textContent!.trim().slice(0, 40), px: parseFloat(getComputedStyle(e).fontSize) });
    }
    const tileSets = Array.from(document.querySelectorAll('.tiles')).map((t) =>
      Array.from(t.querySelectorAll('.tile')).map(box),
    );
    const headline = document.getElementById('headline');
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      tileSets,
      headline: headline ? box(headline) : null,
      smallest: sizes.sort((a, b) => a.px - b.px).slice(0, 3),
    };
  });
  await page.close();
  return { img: PNG.sync.read(readFileSync(png)), measured };
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
    for (const width of [390, 1280])
      it(`${runbookId} (${label}) at ${width} px: fits the width, every tile visible, text ≥ 12 px, header, banner, charts and its own section`, async () => {
        const built = await build(runbookId, label, data);
        const { img, measured } = await screenshot(browser, built.html, runbookId, width);
        const sections = runbooks.get(runbookId)!.sections;
        expect(Buffer.byteLength(built.rendered.html)).toBeLessThan(102 * 1024);
        // No horizontal scrolling: nothing is off-screen to the right.
        expect(measured.scrollWidth).toBeLessThanOrEqual(measured.innerWidth);
        const tilesAll = measured.tileSets.flat();
        if (sections.includes('kpi') || sections.length > 1) expect(tilesAll.length).toBeGreaterThanOrEqual(6);
        for (const t of tilesAll) {
          expect(t.width).toBeGreaterThan(100);
          expect(t.height).toBeGreaterThan(40);
          expect(t.left).toBeGreaterThanOrEqual(0);
          expect(t.right).toBeLessThanOrEqual(width);
        }
        // Tiles per row: 3 on a desktop, 2 on a phone.
        const first = measured.tileSets[0] ?? [];
        if (first.length >= 3) {
          const perRow = first.filter((t) => Math.abs(t.top - first[0]!.top) < 2).length;
          expect(perRow).toBe(width >= 640 ? 3 : 2);
        }
        expect(measured.smallest[0]?.px, JSON.stringify(measured.smallest)).toBeGreaterThanOrEqual(12);
        if (runbookId === 'monthly-executive' && width === 390) {
          // One phone screen: the headline and the executive summary's six tiles inside the first 844 px.
          expect(measured.headline).not.toBeNull();
          expect(measured.headline!.bottom).toBeLessThanOrEqual(844);
          expect(first).toHaveLength(6);
          for (const t of first) expect(t.bottom).toBeLessThanOrEqual(844);
        }
        const total = img.width * img.height;
        expect(count(img, [255, 255, 255], 2) / total).toBeLessThan(0.9); // not blank
        expect(count(img, BRAND, 10)).toBeGreaterThan(width < 640 ? 20_000 : 30_000); // the header band
        expect(count(img, BANNER, 4)).toBeGreaterThan(2_000); // the stale-source banner
        expect(built.model.charts!.length).toBeGreaterThan(0);
        expect(count(img, CHART_BLUE, 30)).toBeGreaterThan(width < 640 ? 150 : 300); // a chart's second series, drawn
        if (sections.includes('kpi')) expect(tileChanges(img)).toBeGreaterThan(50); // tile changes in green or red
        if (sections.includes('staffing'))
          expect(coverageCells(img)).toBeGreaterThan(2_000); // the coverage grid
        else expect(coverageCells(img)).toBeLessThan(300); // anti-aliased text may come close to the colours
      });
  }
});
