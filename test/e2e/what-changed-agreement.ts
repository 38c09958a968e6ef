// The "what changed" agreement of one email's plain-text part (docs/what-changed.md "Words and signs follow the
// verdict"): the headline, the tiles and the "What changed and why" table say the same thing. Returns the problems.

/** Tile labels of tested figures, and the table's name of each figure. */
const TILE_FIGURE: [RegExp, string][] = [
  [/^Cases created$/, 'Cases created'],
  [/^Alerts created$/, 'Alerts created'],
  [/^Time to resolve \(median\)$/, 'Median time to resolve'],
  [/^Time to acknowledge \(median\)$/, 'Median time to acknowledge'],
  [/^Resolve SLA/, 'Resolve SLA compliance'],
  [/^Acknowledge SLA/, 'Acknowledge SLA compliance'],
  [/^False positive rate$/, 'False positive rate'],
];

/** The text part's logical lines: a wrapped line's continuation (4 spaces) joined to it. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line.startsWith('    ') && out.length) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line);
  }
  return out;
}

/** The lines of the section titled `title` (upper case, underlined), up to the next title. */
function section(lines: string[], title: RegExp): string[] {
  const at = lines.findIndex((l, i) => title.test(l) && /^-+$/.test(lines[i + 1] ?? ''));
  if (at < 0) return [];
  const out: string[] = [];
  for (let i = at + 2; i < lines.length; i++) {
    if (/^[A-Z][A-Z ()&,.'-]+$/.test(lines[i]!) && /^-+$/.test(lines[i + 1] ?? '')) break;
    out.push(lines[i]!);
  }
  return out;
}

/**
 * The rows of the plain-text table right under the section titled `title` (aligned columns, text.ts's tableText):
 * column spans from the dashes under the header; a row starts where column `key` has text, and its cells' wrapped
 * lines are joined. The table ends at the first line that is not spaces at every gap between columns.
 */
function tableRows(raw: string[], title: RegExp, key: number): string[][] {
  const at = raw.findIndex((l, i) => title.test(l) && /^-+$/.test(raw[i + 1] ?? ''));
  if (at < 0) return [];
  const dashes = raw.findIndex((l, i) => i > at + 1 && /^-+( +-+)+$/.test(l));
  if (dashes < 0) return [];
  const spans = [...raw[dashes]!.matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  const rows: string[][] = [];
  for (let i = dashes + 1; i < raw.length; i++) {
    const l = raw[i]!;
    if (!l.trim() || spans.slice(0, -1).some(([, end], j) => l.slice(end, spans[j + 1]![0]).trim())) break;
    const cells = spans.map(([from, to], j) => l.slice(from, j === spans.length - 1 ? undefined : to).trim());
    if (cells[key] || !rows.length) rows.push(cells);
    else rows.at(-1)!.forEach((c, j) => (rows.at(-1)![j] = [c, cells[j]].filter(Boolean).join(' ')));
  }
  return rows;
}

/**
 * The "What changed and why" table of a plain-text part: each figure's verdict as printed ("changed", "within noise",
 * "too few cases", "no data"), and the rows that show none.
 */
export function printedVerdicts(text: string): { verdictOf: Map<string, string>; without: string[] } {
  const raw = text.replace(/\r\n/g, '\n').split('\n');
  // Figure, previous, [usual], now, verdict, why: the verdict is the second to last column.
  const rows = tableRows(raw, /^WHAT CHANGED AND WHY$/, 1);
  const verdictOf = new Map<string, string>();
  const without: string[] = [];
  for (const r of rows) {
    const m = /^(changed|within noise|too few cases|no data)/.exec(r.at(-2) ?? '');
    if (!m) without.push(r.join(' | '));
    else verdictOf.set(r[0]!, m[1]!);
  }
  return { verdictOf, without };
}

export function whatChangedDisagreements(text: string): string[] {
  const lines = logicalLines(text);
  const { verdictOf, without } = printedVerdicts(text);
  const problems = without.map((r) => `table row without a verdict: ${r}`);
  const changed = new Set([...verdictOf].filter(([, v]) => v === 'changed').map(([k]) => k));
  // The headline: from the line after the date line to the first section title.
  const firstTitle = lines.findIndex((l, i) => /^-+$/.test(lines[i + 1] ?? '') && i > 1);
  const headline = lines.slice(2, firstTitle).join(' ');
  for (const m of headline.matchAll(/(?:^|\. )([A-Z][^.;]*?) (rose|fell)(?: by [\d.]+ pts)? to /g))
    if (!changed.has(m[1]!))
      problems.push(`headline names "${m[1]}" ${m[2]}, but the table says ${verdictOf.get(m[1]!) ?? 'nothing'}`);
  if (changed.size === 0 && verdictOf.size && !/Nothing changed beyond|No comparison:/.test(headline))
    problems.push('no figure changed, but the headline does not say so');
  if (changed.size > 0 && /Nothing changed beyond/.test(headline))
    problems.push(`the headline says nothing changed, but the table names ${[...changed].join(', ')}`);
  // The tiles: an arrow exactly on the tested figures the table calls changed, and on nothing else.
  const tileLines = [...section(lines, /^HEADLINE FIGURES$/), ...section(lines, /^EXECUTIVE SUMMARY/)].filter((l) =>
    l.startsWith('- '),
  );
  for (const t of tileLines) {
    const m = /^- (.+?): (.*) \((.*)\)$/.exec(t);
    if (!m) continue;
    const [, label, , sub] = m as unknown as [string, string, string, string];
    const figure = TILE_FIGURE.find(([re]) => re.test(label))?.[1];
    const arrow = /[▲▼]/.test(sub);
    if (figure && changed.has(figure) !== arrow)
      problems.push(
        `tile "${label}" ${arrow ? 'has' : 'has no'} arrow, but the table says ${verdictOf.get(figure) ?? 'nothing'}`,
      );
    if (!figure && arrow) problems.push(`tile "${label}" has an arrow but no change test`);
    if (figure && !arrow && verdictOf.get(figure) === 'within noise' && !/within noise/.test(sub))
      problems.push(`tile "${label}" does not say "within noise" as the table does`);
    if (/%/.test(sub) && arrow && !/pts/.test(sub) && /SLA|rate/i.test(label))
      problems.push(`tile "${label}" shows a rate's change in relative percent: ${sub}`);
  }
  return problems;
}
