import type { CoverageNote } from '../domain/coverage.js';
import { escapeHtml as h, plainText } from './escape.js';
import { formatDayTime, wrapText } from './format.js';
import { C, FONT, note, type Part } from './layout.js';
import type { SourceLine } from './report-model.js';

// What the email says about its own data: sources not up to date, parts of the period not collected.

/** What part of the period a section's sources did not collect: "no data for …", so a partial figure never passes for whole. */
export function gapsPart(part: object, tz: string): Part[] {
  const c = (part as { dataCoverage?: CoverageNote }).dataCoverage;
  if (!c || c.complete) return [];
  const lines = c.missing.map(
    (g) =>
      `No ${g.family} data from ${formatDayTime(g.from, tz)} to ${formatDayTime(g.to, tz)} (source ${g.source}): ${g.reason}.`,
  );
  return [
    note(
      `Incomplete period. Figures below leave these parts out: ${lines.join(' ')}`,
      `<b>Incomplete period.</b> Figures below leave these parts out:<br>${lines.map((l) => h(l)).join('<br>')}`,
    ),
  ];
}

/** The sources that were not up to date for this report (anything but `ok`): the banner lists them, the header flags them. */
export const notUpToDate = (sources: SourceLine[]) => sources.filter((s) => s.status !== 'ok');

/** The banner under the headline naming each source that was not up to date, and what that means for the figures. */
export function sourcesBanner(sources: SourceLine[], tz: string): Part {
  const bad = notUpToDate(sources);
  if (!bad.length) return { html: '', text: [] };
  const line = (s: SourceLine) =>
    `${s.name} (${s.kind}): ${s.status}${s.lastCollectedAt ? `, last collected ${formatDayTime(s.lastCollectedAt, tz)}` : ', never collected'}${s.detail ? ` — ${s.detail}` : ''}`;
  return {
    html: `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0 4px 0;"><tr><td class="banner" style="background:${C.warnBg};border-left:4px solid ${C.warnLine};padding:8px 12px;${FONT}font-size:13px;line-height:19px;color:${C.ink};"><b>Not up to date:</b> ${bad.map((x) => h(line(x))).join('; ')}. Figures that depend on ${bad.length > 1 ? 'them' : 'it'} may be incomplete.</td></tr></table>`,
    text: [
      ...wrapText('! Some sources were not up to date for this report; figures that depend on them may be incomplete:'),
      ...bad.flatMap((s) => wrapText(`! ${plainText(line(s))}`, 78, '    ')),
    ],
  };
}

/** The notice a copy sent after an unconfirmed send opens with: it may be the second copy, and which run it belongs to. */
export function possibleDuplicatePart(d: { sendingAt: string; runId: string }, tz: string): Part {
  const t = `Possibly a second copy. socpulse began sending you this report at ${formatDayTime(d.sendingAt, tz)} but could not confirm that the email service accepted it, so it sent it again. If you already have a copy (run ${d.runId}), the two are the same report.`;
  return {
    html: `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0 4px 0;"><tr><td class="banner" style="background:${C.warnBg};border-left:4px solid ${C.warnLine};padding:8px 12px;${FONT}font-size:13px;line-height:19px;color:${C.ink};">${h(t).replace('Possibly a second copy.', '<b>Possibly a second copy.</b>')}</td></tr></table>`,
    text: [...wrapText(`! ${t}`, 78, '  '), ''],
  };
}
