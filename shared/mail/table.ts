import { escapeHtml as h, plainText } from './escape.js';
import { wrapText } from './format.js';
import { C, FONT, type Part } from './layout.js';

// Text is never under 13 px (see FONT). Cells carry only their box inline; the font comes from the table (every cell's style repeated would double the size).
const cell = `padding:6px 8px;border-bottom:1px solid ${C.line};vertical-align:top;`;
const head = `padding:6px 8px;border-bottom:2px solid ${C.line};font-size:13px;line-height:18px;color:${C.muted};text-align:left;font-weight:600;vertical-align:bottom;`;
// Numbers may wrap (at the space after a currency, or anywhere as a last resort): a table never pushes past its card,
// with the <style> block or without it (Gmail for some accounts), where rows cannot stack.
const num = 'text-align:right;';

/** One table cell: its plain text (the text part and the stacked label) and, where it differs, its HTML. */
export interface Cell {
  text: string;
  html?: string;
  lowN?: boolean;
}
/** A cell whose HTML is its escaped text; `lowN` greys it and marks it "low n". */
export const cellOf = (text: string, lowN = false): Cell => ({ text, lowN });

/**
 * A table that fits a phone: under 600 px each row becomes a block of "column: value" lines. `numericFrom` is
 * the first right-aligned column.
 */
/**
 * Whether a column's cells repeat their header (the stacked label on a phone): all
 * but a leading key column, and not where the header is empty.
 */
const labelled = (headers: string[], i: number, numericFrom: number) => !((i === 0 && numericFrom > 0) || !headers[i]);

function table(
  headers: string[],
  rows: Cell[][],
  numericFrom = 1,
  numericTo = headers.length,
  compact = false,
): string {
  const isNum = (i: number) => i >= numericFrom && i < numericTo;
  const th = headers.map((x, i) => `<th style="${head}${isNum(i) ? 'text-align:right;' : ''}">${h(x)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            const label = labelled(headers, i, numericFrom)
              ? `<span class="l" style="display:none;mso-hide:all;">${h(headers[i]!)}: </span>`
              : '';
            const body = c.html ?? h(c.text);
            const lown = c.lowN ? ` <span class="lown" style="color:${C.faint};">(low n)</span>` : '';
            const cls = [i === 0 ? 'k' : '', c.lowN ? 'lown' : ''].filter(Boolean).join(' ');
            return `<td${cls ? ` class="${cls}"` : ''} style="${cell}${isNum(i) ? num : ''}${c.lowN ? `color:${C.faint};` : ''}">${label}${body}${lown}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  // A compact table (a few short columns) keeps its rows on a phone; class rt stacks them.
  return `<table class="${compact ? 'ink' : 'rt ink'}" role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px 0;${FONT}font-size:14px;line-height:20px;color:${C.ink};overflow-wrap:anywhere;word-break:break-word;"><tr class="rh">${th}</tr>${tr}</table>`;
}

/** The plain text part's width. */
const TEXT_WIDTH = 78;
const GAP = '  ';

/**
 * Column widths that fit `width`: each column as wide as its widest cell, then the widest column narrowed one
 * character at a time (its cells wrap) until the columns and the gaps between them fit, none under 4.
 */
export function fitColumns(natural: number[], width = TEXT_WIDTH, gap = GAP.length): number[] {
  const w = [...natural];
  const total = () => w.reduce((a, b) => a + b, 0) + gap * (w.length - 1);
  while (total() > width) {
    const i = w.indexOf(Math.max(...w));
    if (w[i]! <= 4) break;
    w[i]!--;
  }
  return w;
}

/**
 * The same table as plain-text lines: aligned columns within 78 characters (numbers right-aligned), the header
 * underlined; a cell wider than its column wraps onto more lines of its row.
 */
export function tableText(headers: string[], rows: Cell[][], numericFrom = 1, numericTo = headers.length): string[] {
  const isNum = (i: number) => i >= numericFrom && i < numericTo;
  const texts = rows.map((r) => r.map((c) => `${plainText(c.text)}${c.lowN ? ' (low n)' : ''}`));
  const natural = headers.map((hd, i) => Math.max(hd.length, ...texts.map((r) => (r[i] ?? '').length)));
  const widths = fitColumns(natural);
  const line = (cells: string[], numeric: boolean) => {
    const wrapped = cells.map((c, i) => (c ? wrapText(c, widths[i]!) : ['']));
    const height = Math.max(...wrapped.map((x) => x.length));
    return Array.from({ length: height }, (_, k) =>
      wrapped
        .map((x, i) => {
          const t = x[k] ?? '';
          return numeric && isNum(i) ? t.padStart(widths[i]!) : t.padEnd(widths[i]!);
        })
        .join(GAP)
        .trimEnd(),
    );
  };
  return [
    '',
    ...line(headers, true),
    widths.map((w) => '-'.repeat(w)).join(GAP),
    ...texts.flatMap((r) => line(r, true)),
  ];
}

/** A table as a part of the email: the HTML table and its plain-text lines. `detail` may move to the attachment. */
export const tablePart = (
  headers: string[],
  rows: Cell[][],
  numericFrom = 1,
  detail = false,
  numericTo?: number,
  compact = false,
): Part => ({
  html: table(headers, rows, numericFrom, numericTo, compact),
  text: tableText(headers, rows, numericFrom, numericTo),
  detail,
});
