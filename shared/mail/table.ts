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
 * Whether a column's cells repeat their header (the stacked label on a phone, "column: value" in the text part): all
 * but a leading key column, and not where the header is empty. One rule for both parts.
 */
const labelled = (headers: string[], i: number, numericFrom: number) => !((i === 0 && numericFrom > 0) || !headers[i]);

function table(headers: string[], rows: Cell[][], numericFrom = 1, numericTo = headers.length): string {
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
  return `<table class="rt ink" role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px 0;${FONT}font-size:14px;line-height:20px;color:${C.ink};overflow-wrap:anywhere;word-break:break-word;"><tr class="rh">${th}</tr>${tr}</table>`;
}

/** The same table as plain-text lines: one block per row, "column: value", wrapped at 78 columns. */
function tableText(headers: string[], rows: Cell[][], numericFrom = 1): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const parts = r.map((c, i) => {
      const v = `${plainText(c.text)}${c.lowN ? ' (low n)' : ''}`;
      return labelled(headers, i, numericFrom) ? `${headers[i]}: ${v}` : v;
    });
    out.push(...wrapText(`- ${parts.join('; ')}`, 78, '    '));
  }
  return out;
}

/** A table as a part of the email: the HTML table and its plain-text lines. `detail` may move to the attachment. */
export const tablePart = (
  headers: string[],
  rows: Cell[][],
  numericFrom = 1,
  detail = false,
  numericTo?: number,
): Part => ({
  html: table(headers, rows, numericFrom, numericTo),
  text: tableText(headers, rows, numericFrom),
  detail,
});
