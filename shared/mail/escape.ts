/** Escape text for HTML element content and attribute values: every value from a source goes through here. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Neutralize a CSV cell: a cell a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
 * apostrophe. Numbers we produce ourselves (e.g. "-12.50") are passed with `numeric: true` and left as they are.
 */
export function csvCell(value: unknown, opts: { numeric?: boolean } = {}): string {
  const s = String(value ?? '');
  if (opts.numeric && /^-?\d+(\.\d+)?$/.test(s)) return s;
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** Text for a plain-text mail part: control characters removed so nothing can fake lines or headers. */
export function plainText(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(value ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}
