import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { BudgetSummary } from '../domain/budget.js';
import type { KpiSummary } from '../domain/kpi.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing } from '../domain/summary.js';
import { formatYmd, WEEKDAYS } from './format.js';
import type { ReportModel } from './report-model.js';
import { LOOK_AHEAD_CID, lookAheadChartOption } from './sections/look-ahead.js';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

const ASSETS = { wasm: 'index_bg.wasm', regular: 'Inter_400Regular.ttf', bold: 'Inter_700Bold.ttf' } as const;

/**
 * The .wasm and fonts: beside the bundle in Lambda (the CDK copies them there), else from node_modules.
 * Without fonts resvg silently draws no text at all, so a missing font is an error, not a blank chart.
 */
function assetPath(name: keyof typeof ASSETS): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), ASSETS[name]);
  if (existsSync(beside)) return beside;
  const require = createRequire(import.meta.url);
  if (name === 'wasm') return require.resolve('@resvg/resvg-wasm/index_bg.wasm');
  return require.resolve(`@expo-google-fonts/inter/${name === 'regular' ? '400Regular' : '700Bold'}/${ASSETS[name]}`);
}

let ready: Promise<Uint8Array[]> | undefined;

/** Name of the performance measure of the warm-up (the cold-start benchmark reports it apart from INIT). */
export const WARM_CHARTS_MEASURE = 'socpulse:warm-charts';

/** Load the wasm and the fonts once; call during Lambda INIT so the first report pays nothing. */
export function warmCharts(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    const start = performance.now();
    await initWasm(readFileSync(assetPath('wasm')));
    const fonts = [readFileSync(assetPath('regular')), readFileSync(assetPath('bold'))];
    performance.measure(WARM_CHARTS_MEASURE, { start });
    return fonts;
  })();
  return ready;
}

/**
 * Charts are drawn at a phone's width and shown at 100% of the column (at most 600 px): a 390 px phone shows them at
 * about 356 px, so text drawn at CHART_MIN_FONT_PX is 12 px or more there, and larger on a desktop.
 */
export const CHART_SIZE = { width: 380, height: 260 };
/** The smallest text a chart draws, in chart px (axis labels and names, legend). */
export const CHART_MIN_FONT_PX = 13;

const COLORS = ['#17324d', '#3d8bd9', '#f0a43a', '#b42318', '#0f7a3d'];

/** An ECharts option as an SVG string (server-side rendering, no DOM). */
export function chartSvg(option: echarts.EChartsCoreOption, size = CHART_SIZE): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  chart.setOption(
    legible({
      animation: false,
      color: COLORS,
      textStyle: { fontFamily: 'Inter', color: '#1d2433', fontSize: CHART_MIN_FONT_PX },
      backgroundColor: '#ffffff',
      ...option,
    }),
  );
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

type Opt = Record<string, unknown>;
const withFont = (o: unknown, key: string): Opt => {
  const x = (o ?? {}) as Opt;
  const style = (x[key] ?? {}) as Opt;
  return { ...x, [key]: { ...style, fontSize: Math.max(Number(style.fontSize ?? 0), CHART_MIN_FONT_PX) } };
};
/** Every axis label, axis name and legend entry at CHART_MIN_FONT_PX or more (ECharts' own default is 12). */
function legible(option: Opt): Opt {
  const axes = (a: unknown) =>
    a === undefined
      ? undefined
      : Array.isArray(a)
        ? a.map((x) => withFont(withFont(x, 'axisLabel'), 'nameTextStyle'))
        : withFont(withFont(a, 'axisLabel'), 'nameTextStyle');
  return {
    ...option,
    ...(option.xAxis ? { xAxis: axes(option.xAxis) } : {}),
    ...(option.yAxis ? { yAxis: axes(option.yAxis) } : {}),
    ...(option.legend ? { legend: withFont(option.legend, 'textStyle') } : {}),
  };
}

/** Rasterize an SVG at 2× with the given fonts: the PNG and its RGBA pixels. */
export async function rasterize(
  svg: string,
  fonts?: Uint8Array[],
): Promise<{ png: Buffer; pixels: Uint8Array; width: number; height: number }> {
  const loaded = await warmCharts();
  const resvg = new Resvg(svg, {
    font: { fontBuffers: fonts ?? loaded, defaultFontFamily: 'Inter', sansSerifFamily: 'Inter' },
    fitTo: { mode: 'zoom', value: 2 },
  });
  const image = resvg.render();
  const out = { png: Buffer.from(image.asPng()), pixels: image.pixels, width: image.width, height: image.height };
  image.free();
  resvg.free();
  return out;
}

/** Render an ECharts option to a PNG for a `cid:` inline image. */
export async function renderChart(option: echarts.EChartsCoreOption, size = CHART_SIZE): Promise<Buffer> {
  return (await rasterize(chartSvg(option, size))).png;
}

const title = (text: string) => ({ text, left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 'bold' as const } });
/** The legend under the title (beside it there is no room at a phone's width). */
const legend = (data: string[]) => ({ left: 8, top: 26, itemGap: 12, data });
const grid = { left: 52, right: 52, top: 66, bottom: 44 };
/** Axis titles in the chart's ink, small and beside the axis: every chart says what its axes count. */
const axisName = (name: string, where: 'middle' | 'end' = 'middle', gap = 40) => ({
  name,
  nameLocation: where,
  nameGap: gap,
  nameTextStyle: { fontSize: CHART_MIN_FONT_PX, color: '#5b6477' },
});

/** The charts of a report, one per section shown; every chart's figures are also in a table or the text part. */
export async function reportCharts(model: ReportModel): Promise<NonNullable<ReportModel['charts']>> {
  const out: NonNullable<ReportModel['charts']> = [];
  const { summary, runbook } = model;
  if (model.lookAhead && !isMissing(model.lookAhead.forecast))
    out.push({
      cid: LOOK_AHEAD_CID,
      alt: `Cases expected per hour next week (${model.lookAhead.forecast.week.label}) with the 80% band, and analysts required`,
      section: 'forecast',
      png: await renderChart(lookAheadChartOption(model.lookAhead.forecast)),
    });
  if (runbook.sections.includes('kpi') && !isMissing(summary.kpi)) {
    const k = summary.kpi as KpiSummary;
    const days = k.volume.days;
    out.push({
      cid: 'volume@socpulse',
      alt: 'Alerts and cases created per day',
      section: 'kpi',
      png: await renderChart({
        title: title('Alerts and cases per day'),
        legend: legend(['Alerts', 'Cases']),
        grid,
        xAxis: {
          type: 'category',
          data: days.map((d) => formatYmd(d.day)),
          ...axisName('Day (SOC time zone)', 'middle', 26),
        },
        yAxis: [
          { type: 'value', ...axisName('Alerts per day') },
          { type: 'value', splitLine: { show: false }, ...axisName('Cases per day') },
        ],
        series: [
          { name: 'Alerts', type: 'bar', data: days.map((d) => d.alerts), barMaxWidth: 28 },
          { name: 'Cases', type: 'line', yAxisIndex: 1, data: days.map((d) => d.cases), symbolSize: 6 },
        ],
      }),
    });
  }
  if (runbook.sections.includes('staffing') && !isMissing(summary.staffing)) {
    const s = summary.staffing as StaffingSummary;
    const labels = s.required.map((_, i) => (i % 24 === 0 ? WEEKDAYS[i / 24]! : ''));
    out.push({
      cid: 'coverage@socpulse',
      alt: 'Analysts scheduled and required by hour of week',
      section: 'staffing',
      png: await renderChart({
        title: title('Analysts scheduled vs required, per hour'),
        legend: legend(['Scheduled', 'Required']),
        grid,
        xAxis: {
          type: 'category',
          data: labels,
          axisLabel: { interval: 0 },
          ...axisName('Hour of week (Mon 00:00 first)', 'middle', 26),
        },
        yAxis: { type: 'value', ...axisName('Analysts') },
        series: [
          {
            name: 'Scheduled',
            type: 'line',
            step: 'start',
            data: s.scheduled.map((x) => Math.round(x * 10) / 10),
            symbol: 'none',
            areaStyle: { opacity: 0.15 },
          },
          {
            name: 'Required',
            type: 'line',
            step: 'start',
            data: s.required,
            symbol: 'none',
            lineStyle: { type: 'dashed' },
          },
        ],
      }),
    });
  }
  if (runbook.sections.includes('budget') && !isMissing(summary.budget)) {
    const b = summary.budget as BudgetSummary;
    out.push({
      cid: 'budget@socpulse',
      alt: `Plan and actual per month, ${b.fiscalYear}`,
      section: 'budget',
      png: await renderChart({
        title: title(`Plan vs actual per month (${b.currency}), ${b.fiscalYear}`),
        legend: legend(['Plan', 'Actual']),
        grid: { ...grid, left: 72 },
        // A month without data has no bar at all (echarts draws nothing for "-") and says "no data" under it.
        xAxis: {
          type: 'category',
          data: b.months.map((m) => {
            const name = formatYmd(`${m.month}-01`).split(' ')[2];
            return m.actual === null ? `${name}\nno data` : name;
          }),
          ...axisName('Month', 'middle', 26),
        },
        yAxis: { type: 'value', ...axisName(b.currency, 'middle', 56) },
        series: [
          {
            name: 'Plan',
            type: 'bar',
            data: b.months.map((m) => (m.plan === null ? '-' : Number(m.plan))),
            barGap: 0,
          },
          { name: 'Actual', type: 'bar', data: b.months.map((m) => (m.actual === null ? '-' : Number(m.actual))) },
        ],
      }),
    });
  }
  return out;
}
