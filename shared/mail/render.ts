import type { BudgetSummary } from '../domain/budget.js';
import type { KpiSummary } from '../domain/kpi.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing } from '../domain/summary.js';
import { MetricSettingsSchema } from '../domain/settings.js';
import { escapeHtml as h } from './escape.js';
import { wrapText } from './format.js';
import { headlineSentences, previousNotCollected, subjectFigures } from './headline.js';
import { definitions } from './definitions.js';
import { htmlDocument } from './html-document.js';
import { C, FONT, note, title, type Part } from './layout.js';
import { gapsPart, possibleDuplicatePart, sourcesBanner } from './notices.js';
import type { EmailSettings, RenderedReport, ReportModel } from './report-model.js';
import { budgetParts } from './sections/budget.js';
import { executiveTiles } from './sections/executive.js';
import { changesPart, INCIDENTS_SHOWN, kpiParts } from './sections/kpi.js';
import { lookAheadPart } from './sections/look-ahead.js';
import { staffingParts } from './sections/staffing.js';
import { textDocument } from './text-document.js';
import { tiles } from './tiles.js';

// The report renderer: it orders the sections, builds the HTML and text parts from the same parts, and keeps the HTML
// under the size mail clients clip at. What each part shows is in sections/; the building blocks in layout.ts,
// table.ts and tiles.ts; the HTML shell in html-document.ts, the plain-text part in text-document.ts.

export type { EmailSettings, RenderedReport, ReportModel, Section, SourceLine } from './report-model.js';

/** Gmail clips an HTML part over 102 KB (and hides the rest behind a link): socpulse never sends one that large. */
export const HTML_LIMIT_BYTES = 102 * 1024;

/** The parts of the body, in order: headline, executive tiles, each section, with detail marked. */
function bodyParts(model: ReportModel, s: EmailSettings, noData: boolean, full: boolean): Part[] {
  const { summary, runbook } = model;
  // The source banner follows the headline and the executive tiles, so those fit the first phone screen; a
  // stale source is flagged in the header band too.
  const banner = sourcesBanner(model.sources, summary.period.tz);
  const parts: Part[] = model.possibleDuplicate
    ? [possibleDuplicatePart(model.possibleDuplicate, summary.period.tz)]
    : [];
  if (noData)
    parts.push({
      html: `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0;"><tr><td class="hl" style="background:${C.soft};padding:16px;${FONT}font-size:15px;color:${C.ink};"><b>No data this period.</b> socpulse has no activity to show for ${h(summary.period.label)} (any reason is given below). This email is sent so that silence never means "all is well".</td></tr></table>`,
      text: ['No data this period.'],
    });
  else {
    const sentences = headlineSentences(summary, runbook.sections, s.slaComplianceTarget);
    if (sentences.length)
      parts.push({
        html: `<div class="hl ink" id="headline" style="background:${C.hl};border-radius:6px;padding:10px 12px;margin:10px 0 4px 0;${FONT}font-size:15px;line-height:21px;color:${C.ink};">${sentences.map(h).join(' ')}</div>`,
        text: ['', ...wrapText(sentences.join(' '))],
      });
    if (runbook.sections.length > 1)
      parts.push(
        title(
          `Executive summary${!isMissing(summary.kpi) && summary.kpi.trend && !summary.kpi.trend.missing ? ` (changes vs ${summary.kpi.trend.previous.label})` : ''}`,
        ),
        tiles(executiveTiles(summary, s)),
      );
    // Beside the trend: what the previous period's figures leave out.
    const gap = runbook.sections.length > 1 && !isMissing(summary.kpi) ? previousNotCollected(summary.kpi) : undefined;
    if (gap) parts.push(note(gap));
  }
  parts.push(banner);
  if (model.lookAhead) parts.push(lookAheadPart(model.lookAhead, model.charts, summary.period.asOf));
  const k = summary.kpi;
  // "What changed" follows the tiles it explains: in a KPI-only email they are the KPI section's own (kpiParts places
  // it after them, so they fit the first phone screen); with the executive tiles it comes here.
  const changes = runbook.sections.includes('kpi') && !isMissing(k) && !noData ? changesPart(k) : [];
  if (runbook.sections.length > 1) parts.push(...changes);
  for (const sec of runbook.sections) {
    const part = summary[sec];
    if (isMissing(part)) {
      parts.push(
        title(sec === 'kpi' ? 'KPIs' : sec === 'staffing' ? 'Staffing' : 'Budget'),
        note(`Not available: ${part.reason}.`),
      );
      continue;
    }
    if (noData && sec === 'kpi') continue;
    parts.push(...gapsPart(part, summary.period.tz));
    if (sec === 'kpi' && (part as KpiSummary).trend?.missing)
      parts.push(note(`Trend not shown: ${(part as KpiSummary).trend!.reason ?? ''}.`));
    if (sec === 'kpi') parts.push(...kpiParts(part as KpiSummary, model, s, full, changes));
    if (sec === 'staffing') parts.push(...staffingParts(part as StaffingSummary, model, s));
    if (sec === 'budget') parts.push(...budgetParts(part as BudgetSummary, model, s));
  }
  return parts;
}

/**
 * Render one report email: subject (with its headline figure), HTML (inline styles plus a responsive block, images
 * by cid) and the plain-text part (every section, 78 columns). An HTML part over `HTML_LIMIT_BYTES` is never sent:
 * detail tables move to an attached HTML file, and the email says so.
 */
export function renderReport(model: ReportModel, limitBytes = HTML_LIMIT_BYTES): RenderedReport {
  const { summary, runbook } = model;
  const s: EmailSettings = model.settings ?? MetricSettingsSchema.parse({});
  const noData = hasNoData(model);
  const figures = noData ? 'no data' : subjectFigures(summary, runbook.sections, s.slaComplianceTarget);
  const label = `${summary.period.label}${model.toDate ? ' to date' : ''}`;
  const subject = `${runbook.title} — ${label}${figures ? `: ${figures}` : ''}`.replace(/[\r\n]/g, ' ');
  const preheader = noData
    ? `No data for ${summary.period.label}`
    : headlineSentences(summary, runbook.sections, s.slaComplianceTarget).join(' ') || runbook.title;
  const defs = definitions(runbook.sections, s);
  const parts = bodyParts(model, s, noData, false);
  const attachments: RenderedReport['attachments'] = [];
  const detailName = `socpulse-${runbook.id}-${summary.period.label}-detail.html`;
  const k = summary.kpi;
  const moreIncidents = !isMissing(k) && (k.significant?.length ?? 0) > INCIDENTS_SHOWN;
  const full = () => htmlDocument(model, subject, preheader, bodyParts(model, s, noData, true), defs);
  let html = htmlDocument(model, subject, preheader, parts, defs);
  let shownParts = parts;
  if (Buffer.byteLength(html) > limitBytes) {
    // Too large for Gmail: keep the summary and the main tables, move the detail to the attachment.
    shownParts = parts.filter((p) => !p.detail);
    const moved = note(
      `Detail tables (top rules, runbooks) are in the attached ${detailName}: with them this email would be clipped by mail clients.`,
    );
    shownParts.push(moved);
    html = htmlDocument(model, subject, preheader, shownParts, defs);
    attachments.push({ filename: detailName, contentType: 'text/html; charset=utf-8', content: full() });
    if (Buffer.byteLength(html) > limitBytes)
      throw new Error(
        `${runbook.id} ${summary.period.label}: the email is ${Buffer.byteLength(html)} bytes without its detail, over the ${limitBytes}-byte limit`,
      );
  } else if (moreIncidents)
    attachments.push({ filename: detailName, contentType: 'text/html; charset=utf-8', content: full() });
  return { subject, html, text: textDocument(model, label, shownParts, defs), attachments };
}

/** True when the report has nothing to show: no section computed, or nothing happened in the period. */
export function hasNoData(model: ReportModel): boolean {
  const s = model.summary;
  return model.runbook.sections.every((sec) => {
    const part = s[sec];
    if (isMissing(part)) return true;
    if (sec === 'kpi') {
      const k = part as KpiSummary;
      return (
        k.cases.created === 0 &&
        k.cases.closed === 0 &&
        k.backlog.open === 0 &&
        (!('created' in k.alerts) || k.alerts.created === 0)
      );
    }
    return false;
  });
}
