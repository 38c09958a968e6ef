import { describe, expect, it } from 'vitest';
import { chartSvg, rasterize } from '../../shared/mail/charts.js';

/** Dark pixels (text, lines) inside a rectangle of an RGBA image. */
function darkPixels(
  img: { pixels: Uint8Array; width: number },
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): number {
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * 4;
      if (img.pixels[i]! < 100 && img.pixels[i + 1]! < 100 && img.pixels[i + 2]! < 120) n++;
    }
  return n;
}

const option = (text: string) => ({
  title: { text, left: 8, top: 4 },
  xAxis: { type: 'category', data: ['a', 'b'] },
  yAxis: { type: 'value' },
  series: [{ type: 'bar', data: [1, 2] }],
});

// Renders charts to PNG with resvg (WebAssembly): seconds each on a busy machine: this block says how long its tests may take.
describe('charts', { timeout: 120_000 }, () => {
  it('draws text with the bundled Inter font (resvg drops text silently without one)', async () => {
    const withTitle = await rasterize(chartSvg(option('Alerts and cases per day')));
    const noTitle = await rasterize(chartSvg(option('')));
    // The title sits in the top-left 300×30 px (600×60 at 2×): dark pixels there only when text was drawn.
    expect(darkPixels(withTitle, 0, 0, 600, 60)).toBeGreaterThan(200);
    expect(darkPixels(noTitle, 0, 0, 600, 60)).toBe(0);
    // And the same SVG without fonts loses its text entirely: the reason this test exists.
    const fontless = await rasterize(chartSvg(option('Alerts and cases per day')), []);
    expect(darkPixels(fontless, 0, 0, 600, 60)).toBe(0);
    expect(withTitle.png.subarray(1, 4).toString()).toBe('PNG');
    expect(withTitle.width).toBe(760); // CHART_SIZE (380 px, a phone's width) at 2×
  });
});
