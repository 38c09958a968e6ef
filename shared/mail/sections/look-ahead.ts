import { describeShortRun, shortRuns, type StaffingForecast, type StaffingLookAhead } from '../../domain/forecast.js';
import { isMissing } from '../../domain/summary.js';
import { escapeHtml as h } from '../escape.js';
import { WEEKDAYS } from '../format.js';
import { C, chartsOf, FONT, hourGridText, type Part } from '../layout.js';
import { wrapText } from '../format.js';
import type { ReportModel } from '../report-model.js';

// The weekly staffing email's look ahead (docs/forecast.md): next week's short hours, the hour-of-week grid with the
// forecast band, and how last week's forecast did. render.ts places it first in the email.

/** The short list stays short: the rest is counted, and the grid shows every hour. */
const MAX_RUNS = 8;

/** The content id of the look-ahead chart (charts.ts renders it, this section places it). */
export const LOOK_AHEAD_CID = 'lookahead@socpulse';

/** Definitions shown under the look ahead (the email's footnotes for these numbers). */
export const LOOK_AHEAD_DEFINITIONS = [
  'Forecast: cases expected per hour of next week (local time), from the same hours of recent weeks (trimmed mean, lowest and highest week left out) scaled by the trend of weekly totals; the band holds 80% of hours when the forecast is as good as it has been.',
  'Required: Erlang C at the configured service target for the forecast (and, cautious plan, for the top of the band), at least the configured minimum on shift. Short: required minus analysts on the published rota, rounded up.',
  'Last week: that week forecast from the weeks before it, against the cases that arrived; error = Σ|forecast − actual| / Σ actual over its hours.',
];

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(100 * x)}%`);
const round = (x: number) => Math.round(x).toLocaleString('en-GB');

/** "Tue 14:00–16:00 short 1, Thu 21:00 short 2" with at most MAX_RUNS runs, or what stands in its place. */
export function shortList(f: StaffingForecast): string {
  if (!f.scheduled) return `no rota published for ${f.week.label} yet: hours short cannot be judged`;
  const runs = shortRuns(f.required, f.scheduled);
  if (runs.length === 0) return 'the published rota covers every hour of the forecast';
  const shown = runs.slice(0, MAX_RUNS).map(describeShortRun).join(', ');
  const rest = runs.slice(MAX_RUNS).reduce((n, r) => n + (r.to - r.from), 0);
  return rest ? `${shown}, and ${rest} more hour${rest === 1 ? '' : 's'} (see the grid)` : shown;
}

/** How the cautious plan (the top of the band) changes the picture, in one sentence. */
function cautiousLine(f: StaffingForecast): string {
  if (!f.scheduled) return '';
  const hours = f.requiredHigh.filter((r, i) => f.scheduled![i]! < r).length;
  return `With the top of the band (cautious plan): ${hours} hour${hours === 1 ? '' : 's'} short.`;
}

/**
 * The hour-of-week grid, text 12 px (the smallest a phone shows): a cell holds the analysts short (or, with no rota,
 * required) that hour, the hours are labelled every third hour.
 */
function grid(f: StaffingForecast): string {
  const cell = `${FONT}font-size:12px;line-height:16px;text-align:center;padding:1px 0;border:1px solid #fff;`;
  const rows = WEEKDAYS.map((d, day) => {
    const cells = Array.from({ length: 24 }, (_, hour) => {
      const i = day * 24 + hour;
      if (!f.scheduled) return `<td style="background:${C.soft};${cell}">${f.required[i]}</td>`;
      const short = Math.ceil(f.required[i]! - f.scheduled[i]! - 1e-9);
      return `<td style="background:${short > 0 ? C.short : C.enough};${cell}">${short > 0 ? short : ''}</td>`;
    }).join('');
    return `<tr><td style="${FONT}font-size:12px;color:${C.muted};padding-right:4px;">${d}</td>${cells}</tr>`;
  }).join('');
  const hours = Array.from(
    { length: 8 },
    (_, i) =>
      `<td colspan="3" style="${FONT}font-size:12px;color:${C.muted};text-align:left;">${String(i * 3).padStart(2, '0')}</td>`,
  ).join('');
  return `<table role="presentation" class="la-grid" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;table-layout:fixed;${FONT}font-size:12px;color:${C.ink};"><tr><td style="width:34px;"></td>${hours}</tr>${rows}</table>`;
}

/** "30 Nov – 6 Dec" from the week's ISO instants (its end is exclusive). */
function days(week: StaffingForecast['week']): string {
  const day = (iso: string, minus = 0) => {
    const d = new Date(`${iso.slice(0, 10)}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() - minus);
    return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  };
  return `${day(week.start)} – ${day(week.end, 1)}`;
}

/**
 * The command that gives this look ahead's figures from the same data (`asOf`: the email's data-as-of instant): the
 * forecast is judged at that instant, from whole weeks before it.
 */
export function reproduceLine(week: string, asOf: string): string {
  return `Judged at the data-as-of time; the same figures: socpulse forecast --week ${week} --as-of ${asOf} --input DIR (the data exported with socpulse export).`;
}

/** The look-ahead section: first thing in the weekly staffing email. `asOf` is the instant it was judged at. */
export function lookAheadPart(la: StaffingLookAhead, charts: ReportModel['charts'], asOf: string): Part {
  return { html: lookAheadHtml(la, charts, asOf), text: lookAheadText(la, asOf) };
}

function lookAheadHtml(la: StaffingLookAhead, charts: ReportModel['charts'], asOf: string): string {
  const title = (t: string) => `<h2 style="${FONT}font-size:17px;color:${C.brand};margin:20px 0 4px 0;">${h(t)}</h2>`;
  // A class as well as the inline colour: clients whose dark mode reads classes only (Outlook for iOS and Mac take no
  // [style*=…] selector) still lighten it.
  const p = (t: string, size = 14, color = C.ink) =>
    `<p class="${color === C.muted ? 'muted' : 'ink'}" style="${FONT}font-size:${size}px;color:${color};margin:4px 0 8px 0;line-height:1.4;">${t}</p>`;
  const f = la.forecast;
  if (isMissing(f)) return [title('Next week'), p(`Not available: ${h(f.reason)}.`, 13, C.muted)].join('\n');
  const expected = f.arrivals.expected.reduce((a, b) => a + b, 0);
  // charts.ts renders one forecast chart (LOOK_AHEAD_CID) when there is a forecast.
  const chart = chartsOf(charts, 'forecast')[0];
  const review = la.review;
  const out = [
    title(`Next week: ${f.week.label} (${days(f.week)})`),
    `<div class="la-short" style="${FONT}font-size:15px;color:${C.ink};margin:6px 0;padding:10px 12px;background:${f.scheduled && f.gap && f.gap.hours > 0 ? C.shortBg : C.okBg};border-radius:4px;"><b>Short:</b> ${h(shortList(f))}</div>`,
    p(`${h(cautiousLine(f))} About ${round(expected)} cases expected over the week.`, 13, C.muted),
    p(
      f.scheduled
        ? 'Analysts short per hour (red, with how many), Monday first, local time:'
        : 'Analysts required per hour (no rota to compare with yet), Monday first, local time:',
      13,
      C.muted,
    ),
    grid(f),
    chart
      ? `<img src="cid:${h(chart.cid)}" alt="${h(chart.alt)}" width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0;margin:8px 0 2px 0;">${p(`${h(chart.alt)}: analysts in the grid above; cases expected, hour by hour, in the plain-text part of this email.`, 13, C.muted)}`
      : '',
    isMissing(review)
      ? p(`Last week: ${h(review.reason)}.`, 13, C.muted)
      : p(
          `<b>Last week (${h(review.week)})</b>: forecast ${round(review.accuracy.expectedTotal)} cases, ${round(review.accuracy.actualTotal)} arrived; hourly error ${pct(review.accuracy.wape)}, ${pct(review.accuracy.coverage)} of hours inside the 80% band.`,
          13,
        ),
    p(LOOK_AHEAD_DEFINITIONS.map(h).join(' '), 13, C.muted),
    p(h(reproduceLine(f.week.label, asOf)), 13, C.muted),
  ];
  return out.join('\n');
}

/** The look ahead in the plain-text part. */
function lookAheadText(la: StaffingLookAhead, asOf: string): string[] {
  const f = la.forecast;
  if (isMissing(f)) return ['NEXT WEEK: not available (' + f.reason + ')', ''];
  const review = la.review;
  return [
    `Next week ${f.week.label}`,
    `  Short: ${shortList(f)}`,
    `  ${cautiousLine(f)}`.trimEnd(),
    `  Cases expected: ${round(f.arrivals.expected.reduce((a, b) => a + b, 0))}`,
    isMissing(review)
      ? `  Last week: ${review.reason}`
      : `  Last week ${review.week}: forecast ${round(review.accuracy.expectedTotal)}, arrived ${round(review.accuracy.actualTotal)}, hourly error ${pct(review.accuracy.wape)}, ${pct(review.accuracy.coverage)} of hours inside the 80% band`,
    '',
    ...hourGridText(`Cases expected per hour of ${f.week.label} (forecast, local time):`, f.arrivals.expected, 1),
    '',
    ...hourGridText(
      f.scheduled
        ? `Analysts short per hour of ${f.week.label} (0: enough):`
        : `Analysts required per hour of ${f.week.label}:`,
      f.scheduled ? f.required.map((r, i) => Math.max(0, Math.ceil(r - f.scheduled![i]! - 1e-9))) : f.required,
    ),
    '',
    ...wrapText(reproduceLine(f.week.label, asOf)),
    '',
  ]
    .filter((l) => l !== '  ')
    .flatMap((l) => (l.length > 78 ? wrapText(l, 78, '    ') : [l]));
}

/** The ECharts option of the look-ahead chart: the forecast band and line per hour, with analysts required. */
export function lookAheadChartOption(f: StaffingForecast): Record<string, unknown> {
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const labels = f.arrivals.expected.map((_, i) => (i % 24 === 0 ? WEEKDAYS[i / 24]! : ''));
  return {
    title: {
      text: `Cases expected per hour, ${f.week.label}`,
      left: 8,
      top: 4,
      textStyle: { fontSize: 14, fontWeight: 'bold' },
    },
    legend: { left: 8, top: 26, itemGap: 12, data: ['80% band', 'Forecast', 'Required'] },
    grid: { left: 36, right: 36, top: 62, bottom: 28 },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0 }, boundaryGap: false },
    yAxis: [
      { type: 'value', name: '' },
      { type: 'value', name: '', splitLine: { show: false }, minInterval: 1 },
    ],
    series: [
      {
        name: 'low',
        type: 'line',
        stack: 'band',
        data: f.arrivals.low.map(r1),
        symbol: 'none',
        lineStyle: { opacity: 0 },
      },
      {
        name: '80% band',
        type: 'line',
        stack: 'band',
        data: f.arrivals.high.map((x, i) => r1(x - f.arrivals.low[i]!)),
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: '#3d8bd9', opacity: 0.25 },
        itemStyle: { color: '#9cc3ec' },
      },
      {
        name: 'Forecast',
        type: 'line',
        data: f.arrivals.expected.map(r1),
        symbol: 'none',
        itemStyle: { color: '#17324d' },
      },
      {
        name: 'Required',
        type: 'line',
        step: 'start',
        yAxisIndex: 1,
        data: f.required,
        symbol: 'none',
        lineStyle: { type: 'dashed' },
        itemStyle: { color: '#b42318' },
      },
    ],
  };
}
