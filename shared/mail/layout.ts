import { escapeHtml as h, plainText } from './escape.js';
import { wrapText } from './format.js';
import type { ReportModel, Section } from './report-model.js';

// The building blocks every section is made of: the palette, headings, notes and chart images. Each block carries
// its HTML and its plain-text lines together, so the two parts of an email can never tell different stories.

/** The email's colours (light mode; the dark-mode overrides are in the document's CSS). */
export const C = {
  ink: '#1d2433',
  muted: '#5b6477',
  /** Greyed figures (low n): lighter than muted, still 4.5:1 on the tiles' background. */
  faint: '#687083',
  line: '#dfe3ea',
  bg: '#f4f6f9',
  better: '#0f7a3d',
  worse: '#b42318',
  neutral: '#5b6477',
  brand: '#17324d',
  warnBg: '#fff4e5',
  warnLine: '#f0a43a',
  tile: '#f8fafc',
  /** Hour-of-week grids: an hour short of analysts, an hour with enough. */
  short: '#f8d7d3',
  enough: '#dcefe3',
  /** The headline's box, and quiet boxes (no data, a grid of unknown hours). */
  hl: '#eef3f9',
  soft: '#eef2f7',
  /** The look ahead's short line: short hours, none short. */
  shortBg: '#fdecea',
  okBg: '#eef7f1',
};

/**
 * The palette's dark-scheme twins, each at 4.5:1 or more against the dark backgrounds it sits on: text colours, then
 * backgrounds. The document's CSS maps every inline colour to its twin (html-document.ts), so no text keeps a light
 * scheme colour on a dark page. Charts keep their white card: their colours are drawn for it.
 */
export const DARK_TEXT: Record<string, string> = {
  [C.ink]: '#e4e8ee',
  [C.muted]: '#a7b0bd',
  [C.faint]: '#9aa3b2',
  [C.better]: '#5cd49a',
  [C.worse]: '#ff9b8f',
  [C.brand]: '#9cc3ea',
};
export const DARK_BG: Record<string, string> = {
  [C.bg]: '#0e131a',
  [C.tile]: '#1b232d',
  [C.hl]: '#1b232d',
  [C.soft]: '#1b232d',
  [C.warnBg]: '#3a2a12',
  [C.short]: '#5a2620',
  [C.enough]: '#1f3d2c',
  [C.shortBg]: '#4a1f1b',
  [C.okBg]: '#173424',
};
/** The font stack, inline on every block that shows text. Text is never under 13 px: the smallest a phone shows without
 * zooming, and what Apple Mail would enlarge to. */
export const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;';

/** A section of the email: its HTML and its plain-text lines, built from the same figures. */
export interface Part {
  html: string;
  text: string[];
  /** Detail that may move to the attachment when the email is too large. */
  detail?: boolean;
}

/** A section heading (in the text part: upper case, underlined). */
export const title = (t: string): Part => ({
  html: `<h2 style="${FONT}font-size:18px;line-height:24px;color:${C.brand};margin:24px 0 4px 0;">${h(t)}</h2>`,
  text: ['', t.toUpperCase(), '-'.repeat(Math.min(78, t.length))],
});
/** A short paragraph in muted type; `html` where it carries markup the text part must not. */
export const note = (t: string, html?: string): Part => ({
  html: `<p class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};margin:4px 0 10px 0;">${html ?? h(t)}</p>`,
  text: wrapText(plainText(t)),
});

/** The charts placed in one section (a report's charts are rendered ahead, each tagged with its section). */
export function chartsOf(
  charts: ReportModel['charts'],
  section: Section | 'forecast',
): NonNullable<ReportModel['charts']> {
  return (charts ?? []).filter((c) => c.section === section);
}

/**
 * A section's charts as images by `cid:`, each with a caption saying where its figures are (`where`: "in the table
 * below"); in the text part, the same line.
 */
export function chartImg(model: ReportModel, section: Section, where: string): Part {
  const charts = chartsOf(model.charts, section);
  return {
    // The chart keeps a white card in dark mode too: its colours and text are drawn for a light background.
    html: charts
      .map(
        (c) =>
          `<div style="background:#ffffff;border:1px solid ${C.line};border-radius:6px;padding:4px;margin:8px 0 2px 0;"><img src="cid:${h(c.cid)}" alt="${h(c.alt)}" width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0;"></div><p class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};margin:0 0 10px 0;">${h(`${c.alt}: the figures are ${where}.`)}</p>`,
      )
      .join(''),
    text: charts.flatMap((c) => wrapText(`[Chart: ${c.alt}; the figures are ${where}]`)),
  };
}

/**
 * An hour-of-week series in the text part: a line per day (Monday first), each hour's value in its column;
 * `digits` decimals. Two lines per day (00-11, 12-23) where 24 columns would pass 78 characters.
 */
export function hourGridText(caption: string, values: readonly number[], digits = 0): string[] {
  const cells = values.map((v) => v.toFixed(digits));
  const w = Math.max(2, ...cells.map((c) => c.length));
  const perLine = 5 + 24 * (w + 1) <= 78 ? 24 : 12;
  const out = [...wrapText(caption)];
  const hours = (from: number) =>
    Array.from({ length: perLine }, (_, i) =>
      String(from + i)
        .padStart(2, '0')
        .padStart(w),
    ).join(' ');
  for (let from = 0; from < 24; from += perLine) out.push(`     ${hours(from)}`);
  WEEKDAYS_TEXT.forEach((d, day) => {
    for (let from = 0; from < 24; from += perLine)
      out.push(
        `${from === 0 ? d : '   '}  ${cells
          .slice(day * 24 + from, day * 24 + from + perLine)
          .map((c) => c.padStart(w))
          .join(' ')}`,
      );
  });
  return out;
}
const WEEKDAYS_TEXT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
