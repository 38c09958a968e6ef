import type { BudgetSummary } from '../domain/budget.js';
import type { StaffingLookAhead } from '../domain/forecast.js';
import { lookAheadHtml, lookAheadText } from './forecast-section.js';
import type { Change } from '../domain/changes.js';
import type { CoverageNote } from '../domain/coverage.js';
import type { KpiSummary, SignificantIncident, TrendMetric } from '../domain/kpi.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing, type Summary, type SummarySection } from '../domain/summary.js';
import { SEVERITIES } from '../domain/records.js';
import { MetricSettingsSchema, slaTargetsFor, type MetricSettings } from '../domain/settings.js';
import { escapeHtml as h, plainText } from './escape.js';
import {
  formatCount,
  formatDayTime,
  formatMinutes,
  formatMoney,
  formatPct,
  formatRate,
  formatYmd,
  humanName,
  wrapText,
} from './format.js';
import {
  CHANGE_LABELS,
  changeValue,
  contributionText,
  groupText,
  headlineSentences,
  subjectFigures,
  worstResolveSla,
} from './headline.js';

export type Section = SummarySection;

/** What a source looked like when the report was made; anything but `ok` gets a banner. */
export interface SourceLine {
  name: string;
  kind: string;
  status: 'ok' | 'degraded' | 'stale' | 'missing' | 'failed';
  lastCollectedAt?: string;
  detail?: string;
}

/** The settings an email states beside its figures (targets, thresholds); defaults when absent. */
export type EmailSettings = Pick<
  MetricSettings,
  | 'slaTargets'
  | 'slaComplianceTarget'
  | 'varianceThresholdPct'
  | 'varianceThresholdAbs'
  | 'shrinkage'
  | 'hoursPerFte'
  | 'minOnShift'
  | 'significantIncidents'
>;

/** Everything one email shows. */
export interface ReportModel {
  runbook: { id: string; title: string; sections: Section[] };
  summary: Summary;
  sources: SourceLine[];
  generatedAt: string;
  /** The period is still under way (a runbook with allowToDate): the email says "to date". */
  toDate?: boolean;
  /** Inline chart images, already rendered, keyed by content id. */
  charts?: { cid: string; alt: string; png: Buffer; section: Section | 'forecast' }[];
  /** Next week's staffing look ahead (runbooks with `lookAhead: true`), shown first. */
  lookAhead?: StaffingLookAhead;
  settings?: EmailSettings;
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
  /** Detail that did not fit the size limit (or the incident list's length), as an HTML attachment. */
  attachments: { filename: string; contentType: string; content: string }[];
}

/** Gmail clips an HTML part over 102 KB (and hides the rest behind a link): socpulse never sends one that large. */
export const HTML_LIMIT_BYTES = 102 * 1024;
/** Significant incidents listed in the email body; the rest go to the detail attachment. */
const INCIDENTS_SHOWN = 15;

const C = {
  ink: '#1d2433',
  muted: '#5b6477',
  faint: '#8a93a3',
  line: '#dfe3ea',
  bg: '#f4f6f9',
  better: '#0f7a3d',
  worse: '#b42318',
  neutral: '#5b6477',
  brand: '#17324d',
  warnBg: '#fff4e5',
  warnLine: '#f0a43a',
  tile: '#f8fafc',
};
const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;';
// Text is never under 13 px: the smallest a phone shows without zooming, and what Apple Mail would enlarge to.
// Cells carry only their box inline; the font comes from the table (every cell's style repeated would double the size).
const cell = `padding:6px 8px;border-bottom:1px solid ${C.line};vertical-align:top;`;
const head = `padding:6px 8px;border-bottom:2px solid ${C.line};font-size:13px;line-height:18px;color:${C.muted};text-align:left;font-weight:600;vertical-align:bottom;`;
const num = 'text-align:right;white-space:nowrap;';

/**
 * The responsive rules. Inline styles carry the desktop (and Outlook) look; these rules, which Gmail, Apple Mail,
 * iOS and Android mail apply, reflow it on small screens and in dark mode:
 * - tiles are inline-blocks 200 px wide (3 in a row) that become halves under 600 px and whole rows under 340 px;
 * - tables of class `rt` become one block per row under 600 px, each cell labelled by its column (hidden spans);
 * - dark mode darkens the page and card, lightens text; charts keep their own white card, legible in both.
 */
const CSS = `:root{color-scheme:light dark;supported-color-schemes:light dark}
body{margin:0;padding:0;-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%}
img{border:0;outline:none}
@media screen and (max-width:600px){
.wrap{padding:0!important}
.card{border-left:0!important;border-right:0!important}
.pad{padding-left:12px!important;padding-right:12px!important}
.tile{max-width:50%!important}
.rt,.rt tbody,.rt tr,.rt td{display:block!important;width:auto!important}
.rt .rh{display:none!important}
.rt tr{border-bottom:1px solid ${C.line};padding:6px 0}
.rt td{border:0!important;padding:1px 4px!important;text-align:left!important;white-space:normal!important}
.rt .l{display:inline!important;color:${C.muted}}
.rt td.k{font-weight:700}
.hdr-title{font-size:19px!important}
}
@media screen and (max-width:340px){.tile{max-width:100%!important}}
@media (prefers-color-scheme:dark){
.page{background:#0e131a!important}
.card{background:#151b23!important;border-color:#2a3340!important}
.ink,.ink td,.ink th,.rt td{color:#e4e8ee!important}
.muted,.rt th{color:#a7b0bd!important}
.tilebox{background:#1b232d!important;border-color:#2a3340!important}
.hl{background:#1b232d!important;color:#e4e8ee!important}
.better{color:#5cd49a!important}
.worse{color:#ff9b8f!important}
.lown{color:#8a93a3!important}
.banner{background:#3a2a12!important;color:#f7e3c5!important}
h2{color:#9cc3ea!important}
}`;

/** One table cell: its plain text (the text part and the stacked label) and, where it differs, its HTML. */
interface Cell {
  text: string;
  html?: string;
  lowN?: boolean;
}
const cellOf = (text: string, lowN = false): Cell => ({ text, lowN });

/**
 * A table that fits a phone: under 600 px each row becomes a block of "column: value" lines. `numericFrom` is
 * the first right-aligned column.
 */
function table(headers: string[], rows: Cell[][], numericFrom = 1, numericTo = headers.length): string {
  const isNum = (i: number) => i >= numericFrom && i < numericTo;
  const th = headers.map((x, i) => `<th style="${head}${isNum(i) ? 'text-align:right;' : ''}">${h(x)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r
          .map((c, i) => {
            const label =
              (i === 0 && numericFrom > 0) || !headers[i]
                ? ''
                : `<span class="l" style="display:none;mso-hide:all;">${h(headers[i])}: </span>`;
            const body = c.html ?? h(c.text);
            const lown = c.lowN ? ` <span class="lown" style="color:${C.faint};">(low n)</span>` : '';
            const cls = [i === 0 ? 'k' : '', c.lowN ? 'lown' : ''].filter(Boolean).join(' ');
            return `<td${cls ? ` class="${cls}"` : ''} style="${cell}${isNum(i) ? num : ''}${c.lowN ? `color:${C.faint};` : ''}">${label}${body}${lown}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<table class="rt ink" role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px 0;${FONT}font-size:14px;line-height:20px;color:${C.ink};overflow-wrap:break-word;"><tr class="rh">${th}</tr>${tr}</table>`;
}

/** The same table as plain-text lines: one block per row, "column: value", wrapped at 78 columns. */
function tableText(headers: string[], rows: Cell[][], numericFrom = 1): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const parts = r.map((c, i) => {
      const v = `${plainText(c.text)}${c.lowN ? ' (low n)' : ''}`;
      return (i === 0 && numericFrom > 0) || !headers[i] ? v : `${headers[i]}: ${v}`;
    });
    out.push(...wrapText(`- ${parts.join('; ')}`, 78, '    '));
  }
  return out;
}

/** A section of the email: its HTML and its plain-text lines, built from the same figures. */
interface Part {
  html: string;
  text: string[];
  /** Detail that may move to the attachment when the email is too large. */
  detail?: boolean;
}

const title = (t: string): Part => ({
  html: `<h2 style="${FONT}font-size:18px;line-height:24px;color:${C.brand};margin:24px 0 4px 0;">${h(t)}</h2>`,
  text: ['', t.toUpperCase(), '-'.repeat(Math.min(78, t.length))],
});
const note = (t: string, html?: string): Part => ({
  html: `<p class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};margin:4px 0 10px 0;">${html ?? h(t)}</p>`,
  text: wrapText(plainText(t)),
});
const tablePart = (headers: string[], rows: Cell[][], numericFrom = 1, detail = false, numericTo?: number): Part => ({
  html: table(headers, rows, numericFrom, numericTo),
  text: tableText(headers, rows, numericFrom),
  detail,
});

/** A headline tile: value and its change against the previous period, coloured by whether that is better or worse. */
interface Tile {
  label: string;
  value: string;
  /** Second line: the change, a target, or what the figure is made of. */
  sub: string;
  tone?: 'better' | 'worse' | 'neutral';
  lowN?: boolean;
}

/**
 * A KPI's change against the previous period; against one that was not fully collected, no change but why
 * ("previous week incomplete").
 */
function trendOf(k: KpiSummary): (name: string) => TrendMetric | string | undefined {
  return (name) => (k.trend?.missing ? (k.trend.reason ?? '').split(':')[0] : k.trend?.metrics?.[name]);
}

function trendSub(
  shown: TrendMetric | string | undefined,
  format: (n: number) => string,
  _prevLabel: string,
): Pick<Tile, 'sub' | 'tone'> {
  if (typeof shown === 'string') return { sub: shown, tone: 'neutral' };
  const trend = shown;
  if (!trend || trend.change === null || trend.previous === null) return { sub: 'no previous figure', tone: 'neutral' };
  const arrow = trend.change > 0 ? '▲' : trend.change < 0 ? '▼' : '';
  const by = trend.changePct !== null ? formatPct(trend.changePct) : format(Math.abs(trend.change));
  return {
    sub: `${arrow} ${by} vs ${format(trend.previous)}`.trim(),
    tone: !trend.direction || trend.direction === 'same' ? 'neutral' : trend.direction,
  };
}

function tiles(list: Tile[]): Part {
  const color = (t?: Tile['tone']) => (t === 'better' ? C.better : t === 'worse' ? C.worse : C.neutral);
  const box = (t: Tile) =>
    `<div class="tile" style="display:inline-block;width:100%;max-width:200px;vertical-align:top;font-size:14px;${FONT}"><div style="padding:4px;"><div class="tilebox" style="background:${C.tile};border:1px solid ${C.line};border-radius:6px;padding:10px 12px;">
<div class="muted" style="font-size:13px;line-height:18px;color:${C.muted};">${h(t.label)}${t.lowN ? ` <span class="lown" style="color:${C.faint};">(low n)</span>` : ''}</div>
<div class="ink${t.lowN ? ' lown' : ''}" style="font-size:22px;line-height:28px;font-weight:700;color:${t.lowN ? C.faint : C.ink};">${h(t.value)}</div>
<div class="${t.tone === 'better' || t.tone === 'worse' ? t.tone : 'muted'}" style="font-size:13px;line-height:18px;font-weight:600;color:${color(t.tone)};" data-direction="${h(t.tone ?? 'none')}">${h(t.sub)}</div>
</div></div></div>`;
  // Hybrid layout: Outlook (Word) ignores max-width and inline-block, so conditional tables give it fixed columns.
  const cells = list
    .map(
      (t, i) =>
        `${i % 3 === 0 && i > 0 ? '<!--[if mso]></tr><tr><![endif]-->' : ''}<!--[if mso]><td width="200" valign="top"><![endif]-->${box(t)}<!--[if mso]></td><![endif]-->`,
    )
    .join('');
  return {
    html: `<div class="tiles" style="font-size:0;line-height:0;margin:4px -4px 8px -4px;"><!--[if mso]><table role="presentation" cellpadding="0" cellspacing="0" width="600"><tr><![endif]-->${cells}<!--[if mso]></tr></table><![endif]--></div>`,
    text: list.flatMap((t) =>
      wrapText(`- ${t.label}: ${plainText(t.value)}${t.lowN ? ' (low n)' : ''} (${t.sub})`, 78, '    '),
    ),
  };
}

function chartImg(model: ReportModel, section: Section): Part {
  const charts = (model.charts ?? []).filter((c) => c.section === section);
  return {
    // The chart keeps a white card in dark mode too: its colours and text are drawn for a light background.
    html: charts
      .map(
        (c) =>
          `<div style="background:#ffffff;border:1px solid ${C.line};border-radius:6px;padding:4px;margin:8px 0;"><img src="cid:${h(c.cid)}" alt="${h(c.alt)}" width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0;"></div>`,
      )
      .join(''),
    text: charts.map((c) => `[Chart: ${c.alt}; the same figures are in the table beside it]`),
  };
}

const severityName = (s: string) => humanName(s);
const lowNRate = (met: number, breached: number) => met + breached < 10;

/** The targets in force, as the email states them ("15 min / 4 h"). */
function targetText(t: { acknowledge?: number; resolve?: number }): string {
  return `${t.acknowledge !== undefined ? formatMinutes(t.acknowledge) : '—'} / ${t.resolve !== undefined ? formatMinutes(t.resolve) : '—'}`;
}

/**
 * What the report says instead of a figure no case of the period could give (its source cannot, e.g. SecOps SOAR has
 * no acknowledgement time): the source's words, never a 0 or a blank. Undefined when the figure stands.
 */
function notGiven(k: KpiSummary, key: 'tta' | 'sla.acknowledge'): string | undefined {
  return k.tta.n === 0 ? k.unavailable?.[key] : undefined;
}

/** One line naming every figure some source of the period cannot give, and why; undefined when there is none. */
function unavailableLine(k: KpiSummary): string | undefined {
  const names: Record<string, string> = { tta: 'time to acknowledge', 'sla.acknowledge': 'acknowledge SLA' };
  const parts = Object.entries(k.unavailable ?? {}).map(([key, why]) => `${names[key] ?? key}: ${why}`);
  return parts.length ? `Not every source gives every figure: ${parts.join('; ')}.` : undefined;
}

/**
 * The instant the backlog is judged at (pointInTime), as a reader says it: "Sat 31 Oct 2026 24:00 (Europe/London)"
 * — a local midnight is the end of the previous day, "all of 31 October".
 */
function backlogInstant(p: Summary['period']): string {
  const local = p.pointInTime.slice(0, 16);
  const d = new Date(`${local.slice(0, 10)}T12:00:00Z`);
  let time = local.slice(11, 16);
  if (time === '00:00') {
    d.setUTCDate(d.getUTCDate() - 1);
    time = '24:00';
  }
  return `${formatYmd(d.toISOString().slice(0, 10), true)} ${time} (${p.tz})`;
}

/** Which months the year-to-date, burn rate and forecast figures rest on, in words. */
function budgetCoverageText(b: BudgetSummary): { ytd: string; burn: string; forecast: string } {
  const list = (ms: string[]) => ms.join(', ');
  const months = (n: number) => `${n} month${n === 1 ? '' : 's'}`;
  const covered = b.coveredMonths;
  const ytd = covered.length
    ? `Year to date is over the ${months(covered.length)} with data (${list(covered)})${b.missingMonths.length ? `; no data for ${list(b.missingMonths)}, not counted` : ''}.`
    : `No month of ${b.fiscalYear} through ${b.month.label} has cost data: year to date is unknown.`;
  const burn = b.burnRateMonths.length
    ? `Burn rate is the mean of ${list(b.burnRateMonths)}.`
    : 'No burn rate without a month of data.';
  const forecast =
    b.forecast === null
      ? 'No forecast without a month of data.'
      : `The forecast estimates ${b.forecastEstimatedMonths} of 12 months at the burn rate${b.missingMonths.length ? ` (${list(b.missingMonths)} without data, and the months after ${b.month.label})` : ` (the months after ${b.month.label})`}.`;
  return { ytd, burn, forecast };
}

function kpiTiles(k: KpiSummary, s: EmailSettings): Tile[] {
  const noTta = notGiven(k, 'tta');
  const noAck = notGiven(k, 'sla.acknowledge');
  const m = trendOf(k);
  const prev = k.trend?.previous.label ?? 'previous';
  const count = (n: number) => formatCount(n);
  const target = formatRate(s.slaComplianceTarget);
  const alerts = 'created' in k.alerts ? k.alerts.created : null;
  return [
    { label: 'Cases created', value: formatCount(k.cases.created), ...trendSub(m('cases.created'), count, prev) },
    {
      label: 'Alerts created',
      value: alerts === null ? 'no alert source' : formatCount(alerts),
      ...trendSub(m('alerts.created'), count, prev),
    },
    { label: 'Open backlog', value: formatCount(k.backlog.open), ...trendSub(m('backlog.open'), count, prev) },
    {
      label: 'Time to acknowledge (median)',
      value: noTta ?? formatMinutes(k.tta.p50),
      lowN: !noTta && k.tta.lowN,
      ...trendSub(m('tta.p50'), formatMinutes, prev),
    },
    {
      label: 'Time to resolve (median)',
      value: formatMinutes(k.ttr.p50),
      lowN: k.ttr.lowN,
      ...trendSub(m('ttr.p50'), formatMinutes, prev),
    },
    {
      label: `Resolve SLA (target ${target})`,
      value: formatRate(k.sla.resolve.compliance),
      lowN: lowNRate(k.sla.resolve.met, k.sla.resolve.breached),
      ...trendSub(m('sla.resolve.compliance'), formatRate, prev),
    },
    {
      label: `Acknowledge SLA (target ${target})`,
      value: noAck ?? formatRate(k.sla.acknowledge.compliance),
      lowN: !noAck && lowNRate(k.sla.acknowledge.met, k.sla.acknowledge.breached),
      ...trendSub(m('sla.acknowledge.compliance'), formatRate, prev),
    },
    {
      label: 'False positive rate',
      value: formatRate(k.falsePositiveRate),
      ...trendSub(m('falsePositiveRate'), formatRate, prev),
    },
    {
      label: 'Open past resolve SLA',
      value: formatCount(k.sla.openBreached),
      ...trendSub(m('sla.openBreached'), count, prev),
    },
  ];
}

/** "What changed and why": the tested figures, their verdict, the test and the largest contributions. */
function changesPart(k: KpiSummary): Part[] {
  const changes = k.changes ?? [];
  if (!changes.length) return [];
  const prev = k.trend?.previous.label ?? 'previous';
  const verdict = (c: Change) =>
    c.verdict === 'changed'
      ? `changed (p ${c.p !== null && c.p < 0.001 ? '< 0.001' : `= ${c.p?.toFixed(3)}`})`
      : c.verdict === 'low-n'
        ? 'too few cases'
        : `within noise (p = ${c.p === null ? '—' : c.p.toFixed(2)})`;
  const rows = changes.map((c) => [
    cellOf(CHANGE_LABELS[c.metric]),
    cellOf(changeValue(c, c.previous)),
    cellOf(changeValue(c, c.current), c.verdict === 'low-n'),
    cellOf(verdict(c)),
    cellOf(
      c.verdict === 'changed' && c.contributions.length
        ? c.contributions
            .filter((x) => Math.sign(x.contribution) === c.sign)
            .slice(0, 2)
            .map((x) => `${groupText(c, x.group)} ${contributionText(c, x.contribution)}`)
            .join(', ') + ` of ${contributionText(c, c.total)}`
        : '—',
    ),
  ]);
  return [
    title('What changed and why'),
    tablePart(['Figure', prev, 'Now', 'Verdict', 'Largest contributions'], rows, 1, false, 3),
    note(
      'A change is named only beyond chance (p < 0.01): counts against Poisson variation, rates by a two-proportion test, medians by Mood’s median test. Contributions split the change exactly by severity or rule (counts in cases allowing for the periods’ lengths; rates and medians in percentage points).',
    ),
  ];
}

/** The period's significant incidents with their timeline, titles escaped; the rest go to the attachment. */
function incidentsPart(k: KpiSummary, tz: string, s: EmailSettings, all = false): Part[] {
  const list = k.significant ?? [];
  const rule = `${s.significantIncidents.severities.map(severityName).join(', ')} cases, and escalated ${s.significantIncidents.escalatedSeverities.map(severityName).join(', ')} cases`;
  if (!list.length)
    return [title('Significant incidents'), note(`None this period (${rule}, created or closed in it).`)];
  const shown = all ? list : list.slice(0, INCIDENTS_SHOWN);
  const when = (t: number | undefined) => (t === undefined ? 'not yet' : formatDayTime(t, tz));
  const rows = shown.map((x: SignificantIncident) => [
    {
      text: `${severityName(x.severity)}${x.escalatedToTier ? ` (escalated to Tier ${x.escalatedToTier})` : ''}: ${x.title ?? `case ${x.id}`}`,
      html: `<b>${h(severityName(x.severity))}</b>${x.escalatedToTier ? ` <span class="muted" style="color:${C.muted};">(escalated to Tier ${x.escalatedToTier})</span>` : ''}<br>${h(x.title ?? `case ${x.id}`)}`,
    },
    cellOf(when(x.created)),
    cellOf(when(x.acknowledged)),
    cellOf(when(x.contained)),
    cellOf(
      x.closed === undefined ? 'open' : `${when(x.closed)}${x.disposition ? ` (${humanName(x.disposition)})` : ''}`,
    ),
  ]);
  const parts = [
    title('Significant incidents'),
    tablePart(['Incident', 'Created', 'Acknowledged', 'Contained', 'Closed'], rows, 5),
  ];
  const total = k.significantTotal ?? list.length;
  if (total > shown.length)
    parts.push(
      note(
        list.length < total
          ? `${formatCount(total)} significant incidents in all: the attached detail lists the ${formatCount(list.length)} most severe; the rest are in the case source.`
          : `${formatCount(list.length - shown.length)} more significant incidents are listed in the attached detail.`,
      ),
    );
  return parts;
}

function kpiParts(k: KpiSummary, model: ReportModel, s: EmailSettings, full: boolean): Part[] {
  const tz = model.summary.period.tz;
  const targets = slaTargetsFor(s);
  const target = formatRate(s.slaComplianceTarget);
  // The executive summary has its own six tiles: the KPI tiles would repeat them.
  const out: Part[] =
    model.runbook.sections.length > 1
      ? [title('Cases and alerts'), chartImg(model, 'kpi')]
      : [
          title('Headline figures'),
          note(
            k.trend?.missing
              ? `No changes shown: ${k.trend.previous.label} was not fully collected.`
              : `Changes against ${k.trend?.previous.label ?? 'the previous period'}.`,
          ),
          tiles(kpiTiles(k, s)),
          chartImg(model, 'kpi'),
        ];
  out.push(
    title('Response times'),
    tablePart(
      ['Measure', 'Median', 'p90', 'Mean', 'Cases'],
      (
        [
          ['Time to detect', k.ttd],
          ['Time to acknowledge', k.tta],
          ['Time to contain', k.ttc],
          ['Time to resolve', k.ttr],
        ] as const
      ).map(([name, d]) =>
        name === 'Time to acknowledge' && notGiven(k, 'tta')
          ? [cellOf(name), cellOf(notGiven(k, 'tta')!), cellOf(''), cellOf(''), cellOf('')]
          : [
              cellOf(name),
              cellOf(formatMinutes(d.p50), d.lowN),
              cellOf(formatMinutes(d.p90), d.lowN),
              cellOf(formatMinutes(d.mean), d.lowN),
              cellOf(formatCount(d.n)),
            ],
      ),
    ),
    ...(unavailableLine(k) ? [note(unavailableLine(k)!)] : []),
    note(
      k.ttrCohort.median !== null
        ? `Half of the cases opened this period were resolved within ${formatMinutes(k.ttrCohort.median)} (Kaplan–Meier, open cases counted).`
        : `Fewer than half of the cases opened this period are resolved; the median is more than ${formatMinutes(k.ttrCohort.moreThan)}.`,
    ),
    title(`SLA by severity (compliance target ${target})`),
    tablePart(
      ['Severity', 'Targets (ack / resolve)', 'Acknowledge', 'Resolve'],
      SEVERITIES.filter((sev) => k.bySeverity[sev].sla.acknowledge || k.bySeverity[sev].sla.resolve).map((sev) => {
        const a = k.bySeverity[sev].sla.acknowledge;
        const r = k.bySeverity[sev].sla.resolve;
        const one = (x: typeof a): Cell => {
          if (!x) return cellOf('—');
          const below = x.compliance !== null && x.compliance < s.slaComplianceTarget;
          const text = `${formatRate(x.compliance)} (${formatCount(x.met)} met, ${formatCount(x.breached)} breached)`;
          const low = lowNRate(x.met, x.breached);
          return {
            text,
            lowN: low,
            html: `<span class="${below && !low ? 'worse' : ''}" style="${below && !low ? `color:${C.worse};font-weight:700;` : ''}">${h(formatRate(x.compliance))}</span> <span class="muted" style="color:${C.muted};">(${formatCount(x.met)} met, ${formatCount(x.breached)} breached)</span>`,
          };
        };
        const noAck = notGiven(k, 'sla.acknowledge');
        return [cellOf(severityName(sev)), cellOf(targetText(targets[sev]!)), noAck ? cellOf(noAck) : one(a), one(r)];
      }),
      2,
    ),
    note(
      `Below the ${target} target in red. ${formatCount(k.sla.openBreached)} open cases are past their resolve target; ${formatCount(k.sla.atRisk)} more have used 75% of it.`,
    ),
  );
  out.push(...incidentsPart(k, tz, s, full));
  out.push(
    title(`Backlog as of ${backlogInstant(model.summary.period)}`),
    tablePart(
      ['Open cases', 'Under 1 day', '1–7 days', '7–30 days', 'Over 30 days', 'Median age', 'p90 age'],
      [
        [
          cellOf(formatCount(k.backlog.open)),
          cellOf(formatCount(k.backlog.buckets.lt1d)),
          cellOf(formatCount(k.backlog.buckets.d1to7)),
          cellOf(formatCount(k.backlog.buckets.d7to30)),
          cellOf(formatCount(k.backlog.buckets.gt30d)),
          cellOf(formatMinutes(k.backlog.age.p50), k.backlog.age.lowN),
          cellOf(formatMinutes(k.backlog.age.p90), k.backlog.age.lowN),
        ],
      ],
      0,
    ),
    title('Quality'),
    tablePart(
      ['False positive rate', 'Precision', 'Escalation rate', 'Cases per alert'],
      [
        [
          cellOf(formatRate(k.falsePositiveRate)),
          cellOf(formatRate(k.precision)),
          cellOf(formatRate(k.escalationRate)),
          cellOf(k.alertToCaseRatio === null ? '—' : k.alertToCaseRatio.toFixed(3)),
        ],
      ],
      0,
    ),
  );
  if (k.rules.length)
    out.push(
      { ...title('Top detection rules'), detail: true },
      tablePart(
        ['Rule', 'Alerts', 'Closed cases', 'False positive share'],
        k.rules.map((r) => [
          cellOf(r.rule),
          cellOf(formatCount(r.alerts)),
          cellOf(formatCount(r.closedCases)),
          cellOf(formatRate(r.falsePositiveRate), r.closedCases < 10),
        ]),
        1,
        true,
      ),
    );
  if (k.runbooks.length)
    out.push(
      { ...title('Runbook effectiveness'), detail: true },
      tablePart(
        ['Runbook', 'Closed', 'Median resolve', 'False positive rate', 'Resolve SLA'],
        k.runbooks.map((r) => [
          cellOf(humanName(r.runbook)),
          cellOf(formatCount(r.closed)),
          cellOf(formatMinutes(r.ttr.p50), r.ttr.lowN),
          cellOf(formatRate(r.falsePositiveRate), r.closed < 10),
          cellOf(formatRate(r.resolveCompliance), r.closed < 10),
        ]),
        1,
        true,
      ),
    );
  return out;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Runs of short hours per day: "Mon 02:00–06:00 short by up to 2". */
function shortRuns(s: StaffingSummary): string[] {
  const out: string[] = [];
  for (let d = 0; d < 7; d++) {
    let h = 0;
    while (h < 24) {
      const i = d * 24 + h;
      if (s.scheduled[i]! >= s.required[i]!) {
        h++;
        continue;
      }
      let end = h;
      let worst = 0;
      while (end < 24 && s.scheduled[d * 24 + end]! < s.required[d * 24 + end]!) {
        worst = Math.max(worst, s.required[d * 24 + end]! - s.scheduled[d * 24 + end]!);
        end++;
      }
      const hh = (x: number) => `${String(x).padStart(2, '0')}:00`;
      out.push(`${DAYS[d]} ${hh(h)}–${hh(end)} (short by up to ${Math.ceil(worst)})`);
      h = end;
    }
  }
  return out;
}

function staffingParts(s: StaffingSummary, model: ReportModel, set: EmailSettings): Part[] {
  const grid = DAYS.map((d, day) => {
    const cells = Array.from({ length: 24 }, (_, hour) => {
      const i = day * 24 + hour;
      const short = s.scheduled[i]! < s.required[i]!;
      // Colour only (168 cells; Gmail clips mail over 102 KB): the runs of short hours are listed in words below.
      return `<td bgcolor="${short ? '#f8d7d3' : '#dcefe3'}"></td>`;
    }).join('');
    return `<tr style="height:14px;"><td class="muted" style="font-size:13px;color:${C.muted};padding-right:4px;">${d}</td>${cells}</tr>`;
  }).join('');
  const hours = [0, 6, 12, 18]
    .map(
      (x) =>
        `<td colspan="6" class="muted" style="${FONT}font-size:13px;color:${C.muted};">${String(x).padStart(2, '0')}:00</td>`,
    )
    .join('');
  const runs = shortRuns(s);
  const tierRows = (['1', '2', '3'] as const).map((t) => {
    const x = s.tiers?.[t];
    return [
      cellOf(`Tier ${t}`),
      cellOf(formatCount(s.headcount[t])),
      cellOf(x ? formatCount(x.onShiftHours) : '—'),
      cellOf(x ? formatCount(x.firstHandled) : '—'),
      cellOf(x ? formatCount(x.escalatedTo) : '—'),
      cellOf(
        s.casesPerAnalystHour[t] === null ? '—' : s.casesPerAnalystHour[t]!.toFixed(2),
        (x?.firstHandled ?? 0) < 10,
      ),
    ];
  });
  const occ = s.occupancy.mean;
  return [
    title('Staffing'),
    tiles([
      {
        label: 'Scheduled FTE',
        value: s.scheduledFte.toFixed(1),
        sub: `required ${s.requiredFte.toFixed(1)}`,
        tone: s.scheduledFte >= s.requiredFte ? 'better' : 'worse',
      },
      {
        label: 'Hours short (of 168)',
        value: formatCount(s.coverageGap.hours),
        sub: `${s.coverageGap.analystHours.toFixed(1)} analyst-hours short`,
        tone: s.coverageGap.hours ? 'worse' : 'better',
      },
      {
        label: 'Mean occupancy',
        value: formatRate(occ),
        sub: `${formatCount(s.occupancy.bucketsAbove85)} hours above 85%`,
        tone: 'neutral',
      },
    ]),
    tablePart(
      [
        'Tier',
        'Analysts',
        'On-shift hours',
        'Closed, first handled',
        'Closed, escalated to tier',
        'Cases per analyst-hour',
      ],
      tierRows,
    ),
    note(
      `How these fit: required FTE (${s.requiredFte.toFixed(1)}) is the Erlang C need per hour of week with at least ${set.minOnShift} analyst on every hour, grossed up for ${Math.round(set.shrinkage * 100)}% shrinkage; scheduled FTE (${s.scheduledFte.toFixed(1)}) counts rostered hours without shrinkage. Mean occupancy (${formatRate(occ)}) is the case workload over the analysts scheduled: a low figure with enough FTE means the roster is sized for round-the-clock cover, not for the case load. Cases per analyst-hour counts each closed case once, for the tier that first handled it; cases escalated to Tier 2 or 3 are shown beside it and are not in the rate. Utilization: ${formatRate(s.utilization)} of on-shift time was spent handling cases.`,
    ),
    {
      html: `<p class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};margin:8px 0 2px 0;">Coverage by hour of week (${h(s.weeks.join(', '))}): green = enough analysts scheduled, red = short.</p><table role="presentation" cellpadding="0" cellspacing="1" style="width:100%;table-layout:fixed;${FONT}"><tr><td style="width:36px;"></td>${hours}</tr>${grid}</table>`,
      text: [],
    },
    note(runs.length ? `Short hours: ${runs.join('; ')}.` : 'No hour of the week was short.'),
    chartImg(model, 'staffing'),
  ];
}

function budgetParts(b: BudgetSummary, model: ReportModel, s: EmailSettings): Part[] {
  const money = (a: string | null) => formatMoney(a, b.currency);
  // A missing month's actual is unknown: "no data", never a zero (METRICS.md "Budget").
  const actual = (a: string | null) => (a === null ? 'no data' : money(a));
  const coverage = budgetCoverageText(b);
  const threshold = `±${s.varianceThresholdPct}% and ±${money(s.varianceThresholdAbs)}`;
  const flag = (f: boolean): Cell =>
    f
      ? { text: 'flagged', html: `<span class="worse" style="color:${C.worse};font-weight:700;">● flagged</span>` }
      : cellOf('—');
  const rows: Cell[][] = [
    ...Object.entries(b.byCategory)
      .filter(([, f]) => (f.actual !== null && f.actual !== '0.00') || (f.plan !== null && f.plan !== '0.00'))
      .map(([c, f]) => [
        cellOf(`${humanName(c)}${f.estimated ? ' (estimated from shifts)' : ''}`),
        cellOf(money(f.plan)),
        cellOf(actual(f.actual)),
        cellOf(`${money(f.variance)} (${formatPct(f.variancePct)})`),
        flag(f.flagged),
      ]),
    [
      { text: 'Total', html: '<b>Total</b>' },
      { text: money(b.month.plan), html: `<b>${h(money(b.month.plan))}</b>` },
      { text: actual(b.month.actual), html: `<b>${h(actual(b.month.actual))}</b>` },
      {
        text: `${money(b.month.variance)} (${formatPct(b.month.variancePct)})`,
        html: `<b>${h(money(b.month.variance))} (${h(formatPct(b.month.variancePct))})</b>`,
      },
      flag(b.month.flagged),
    ],
  ];
  return [
    title(
      `Budget — ${formatYmd(`${b.month.label}-01`).split(' ').slice(2).join(' ')} ${b.month.label.slice(0, 4)} (${b.fiscalYear})`,
    ),
    ...(b.month.actual === null ? [note(`No cost data for ${b.month.label}. Its actual is unknown, not zero.`)] : []),
    tablePart(['Category', 'Plan', 'Actual', 'Variance', `Flag (${threshold})`], rows),
    tablePart(
      ['Year to date plan', 'Year to date actual', 'Burn rate'],
      [[cellOf(money(b.ytd.plan)), cellOf(actual(b.ytd.actual)), cellOf(actual(b.burnRate))]],
      0,
    ),
    note(`${coverage.ytd} ${coverage.burn}`),
    tablePart(
      ['Forecast to year end', 'Annual plan', 'Forecast variance'],
      [
        [
          cellOf(actual(b.forecast)),
          cellOf(money(b.annualPlan)),
          {
            text: `${money(b.forecastVariance)}${b.forecastFlagged ? ' flagged' : ''}`,
            html: `${h(money(b.forecastVariance))}${b.forecastFlagged ? ` <span class="worse" style="color:${C.worse};font-weight:700;">● flagged</span>` : ''}`,
          },
        ],
      ],
      0,
    ),
    note(coverage.forecast),
    tablePart(
      ['Month', 'Plan', 'Actual'],
      b.months.map((m) => [
        cellOf(`${formatYmd(`${m.month}-01`).split(' ')[2]} ${m.month.slice(0, 4)}`),
        cellOf(money(m.plan)),
        cellOf(actual(m.actual)),
      ]),
      1,
      true,
    ),
    tablePart(
      ['Cost per alert', 'Cost per case', 'Cost per true positive'],
      [
        [
          cellOf(money(b.unitCosts.costPerAlert)),
          cellOf(money(b.unitCosts.costPerCase)),
          cellOf(money(b.unitCosts.costPerTruePositive)),
        ],
      ],
      0,
    ),
    note(`Flagged: the variance reaches both ${threshold} (varianceThresholdPct, varianceThresholdAbs).`),
    chartImg(model, 'budget'),
  ];
}

/** The executive summary's six tiles: KPI, SLA, budget and staffing on one phone screen. */
function executiveTiles(summary: Summary, s: EmailSettings): Tile[] {
  const target = s.slaComplianceTarget;
  const out: Tile[] = [];
  const k = summary.kpi;
  const nodata = (label: string, why: string): Tile => ({ label, value: 'no data', sub: why, tone: 'neutral' });
  if (!isMissing(k)) {
    const m = trendOf(k);
    const prev = k.trend?.previous.label ?? 'previous';
    const worst = worstResolveSla(k, target);
    const crit =
      worst ??
      (() => {
        const r = k.bySeverity.critical.sla.resolve;
        return r ? { severity: 'critical', compliance: r.compliance, met: r.met, breached: r.breached } : null;
      })();
    out.push(
      {
        label: 'Cases created',
        value: formatCount(k.cases.created),
        ...trendSub(m('cases.created'), formatCount, prev),
      },
      {
        label: 'Time to resolve (median)',
        value: formatMinutes(k.ttr.p50),
        lowN: k.ttr.lowN,
        ...trendSub(m('ttr.p50'), formatMinutes, prev),
      },
      {
        label: `Resolve SLA, all`,
        value: formatRate(k.sla.resolve.compliance),
        lowN: lowNRate(k.sla.resolve.met, k.sla.resolve.breached),
        ...trendSub(m('sla.resolve.compliance'), formatRate, prev),
      },
      crit
        ? {
            label: `${severityName(crit.severity)} resolve SLA`,
            value: formatRate(crit.compliance),
            sub: `target ${Math.round(target * 100)}%; ${formatCount(crit.met)} met, ${formatCount(crit.breached)} breached`,
            tone: crit.compliance !== null && crit.compliance < target ? 'worse' : 'better',
            lowN: lowNRate(crit.met, crit.breached),
          }
        : nodata('Critical resolve SLA', 'no critical target'),
    );
  } else
    out.push(
      nodata('Cases created', k.reason),
      nodata('Time to resolve', k.reason),
      nodata('Resolve SLA', k.reason),
      nodata('Critical resolve SLA', k.reason),
    );
  const b = summary.budget;
  if (!isMissing(b) && b.month.actual === null) out.push(nodata('Budget vs plan', `no cost data for ${b.month.label}`));
  else if (!isMissing(b))
    out.push({
      label: `Budget vs plan`,
      value: formatPct(b.month.variancePct),
      sub: `${formatMoney(b.month.actual, b.currency).replace(/\.\d\d$/, '')} of ${formatMoney(b.month.plan, b.currency)
        .replace(/^[A-Z]{3} /, '')
        .replace(/\.\d\d$/, '')}`,
      tone: b.month.flagged ? 'worse' : 'neutral',
    });
  else out.push(nodata('Budget vs plan', b.reason));
  const st = summary.staffing;
  if (!isMissing(st))
    out.push({
      label: 'Scheduled FTE',
      value: st.scheduledFte.toFixed(1),
      sub: `required ${st.requiredFte.toFixed(1)}; ${formatCount(st.coverageGap.hours)} h short`,
      tone: st.coverageGap.hours ? 'worse' : 'better',
    });
  else out.push(nodata('Scheduled FTE', st.reason));
  return out;
}

/** Every figure the email shows, defined (METRICS.md, shortened), per section shown. */
function definitions(sections: readonly Section[], s: EmailSettings): string[] {
  const out = [
    `Low n: a figure from fewer than 10 cases is greyed and marked "low n"; it is shown, never called a change.`,
    'What changed: each figure against the previous period of the same kind; named a change only when p < 0.01 (counts: Poisson; rates: two-proportion z; medians: Mood’s median test). Contributions split the change exactly by severity or rule. Method: docs/what-changed.md.',
  ];
  if (sections.includes('kpi'))
    out.push(
      'Cases and alerts created: created in the period (local time). Open backlog: cases open at the period end (or the report time, if earlier), any creation date; buckets by age.',
      'Time to detect: detection minus first event. Time to acknowledge: first assignment or move to in-progress minus creation; time to contain likewise; cases created in the period.',
      'Time to resolve: close minus creation, cases closed in the period. Medians and p90s are nearest-rank; the mean is secondary.',
      'Resolve median (Kaplan–Meier): over cases created in the period, counting still-open cases as censored at the report time.',
      `SLA compliance: met / (met + breached), cases created in the period, per severity against its targets (acknowledge / resolve); pending cases excluded. Compliance target: ${formatRate(s.slaComplianceTarget)} (slaComplianceTarget). Open past resolve SLA: open cases past their resolve target; at risk: 75% of it used.`,
      'False positive rate: false positives / (true + benign + false positives), closed in the period; precision: true positives / the same. Escalation rate: closed cases escalated / closed cases. Cases per alert: cases created / alerts created.',
      'Top rules: alerts created per rule (top 10), its closed cases and their false positive share. Runbooks: closed cases per runbook, their median time to resolve, false positive rate and resolve SLA compliance.',
      `Significant incidents: ${s.significantIncidents.severities.join(', ')} cases and escalated ${s.significantIncidents.escalatedSeverities.join(', ')} cases created or closed in the period; times in the SOC's zone.`,
    );
  if (sections.includes('staffing'))
    out.push(
      'Required analysts per hour of week: Erlang C at the configured service target, from average arrivals over the whole ISO weeks of the period and the average handle time, at least minOnShift.',
      `Required FTE: required analyst-hours / (hours per FTE × (1 − shrinkage ${Math.round(s.shrinkage * 100)}%)); scheduled FTE: scheduled analyst-hours / ${s.hoursPerFte} hours per FTE. Hours short: hours of the week scheduled below required; analyst-hours short: the sum of the shortfalls.`,
      'Occupancy: offered load / scheduled analysts per hour, mean over staffed hours, and the hours above 85%. Utilization: handle minutes / on-shift minutes.',
      'Analysts: distinct analysts on shift in the period per tier. Cases per analyst-hour: closed cases first handled by the tier / its on-shift hours; escalated cases are counted apart.',
    );
  if (sections.includes('budget'))
    out.push(
      `Variance: actual − plan; variance % = variance / plan. Flagged when both ±${s.varianceThresholdPct}% and ±${s.varianceThresholdAbs} are reached, for months and the forecast.`,
      'Year to date: the fiscal year’s months through the report month that have actuals. Burn rate: mean monthly actual over the last 3 such months. Forecast: year-to-date actual + burn rate × remaining months.',
      "Unit costs: the month's total actual divided by alerts created, cases created, or true positives closed that month.",
    );
  return out;
}

/** What part of the period a section's sources did not collect: "no data for …", so a partial figure never passes for whole. */
function gapsPart(part: object, tz: string): Part[] {
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

function sourcesBanner(sources: SourceLine[], tz: string): Part {
  const bad = sources.filter((s) => s.status !== 'ok');
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

/** "Mon 19 Oct – Sun 25 Oct 2026": the period's first and last local day (its end is exclusive). */
function dateRange(p: { start: string; end: string }): string {
  const last = new Date(`${p.end.slice(0, 10)}T12:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  return `${formatYmd(p.start.slice(0, 10))} – ${formatYmd(last.toISOString().slice(0, 10), true)}`;
}

/** The parts of the body, in order: headline, executive tiles, each section, with detail marked. */
function bodyParts(model: ReportModel, s: EmailSettings, noData: boolean, full: boolean): Part[] {
  const { summary, runbook } = model;
  // The source banner follows the headline and the executive tiles, so those fit the first phone screen; a
  // stale source is flagged in the header band too.
  const banner = sourcesBanner(model.sources, summary.period.tz);
  const parts: Part[] = [];
  if (noData)
    parts.push({
      html: `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0;"><tr><td class="hl" style="background:#eef2f7;padding:16px;${FONT}font-size:15px;color:${C.ink};"><b>No data this period.</b> socpulse has no activity to show for ${h(summary.period.label)} (any reason is given below). This email is sent so that silence never means "all is well".</td></tr></table>`,
      text: ['No data this period.'],
    });
  else {
    const sentences = headlineSentences(summary, runbook.sections, s.slaComplianceTarget);
    if (sentences.length)
      parts.push({
        html: `<div class="hl ink" id="headline" style="background:#eef3f9;border-radius:6px;padding:10px 12px;margin:10px 0 4px 0;${FONT}font-size:15px;line-height:21px;color:${C.ink};">${sentences.map(h).join(' ')}</div>`,
        text: ['', ...wrapText(sentences.join(' '))],
      });
    if (runbook.sections.length > 1)
      parts.push(
        title(
          `Executive summary${!isMissing(summary.kpi) && summary.kpi.trend && !summary.kpi.trend.missing ? ` (changes vs ${summary.kpi.trend.previous.label})` : ''}`,
        ),
        tiles(executiveTiles(summary, s)),
      );
  }
  parts.push(banner);
  if (model.lookAhead)
    parts.push({ html: lookAheadHtml(model.lookAhead, model.charts), text: lookAheadText(model.lookAhead) });
  const k = summary.kpi;
  if (runbook.sections.includes('kpi') && !isMissing(k) && !noData) parts.push(...changesPart(k));
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
    if (sec === 'kpi') parts.push(...kpiParts(part as KpiSummary, model, s, full));
    if (sec === 'staffing') parts.push(...staffingParts(part as StaffingSummary, model, s));
    if (sec === 'budget') parts.push(...budgetParts(part as BudgetSummary, model, s));
  }
  return parts;
}

function htmlDocument(
  model: ReportModel,
  subject: string,
  preheader: string,
  parts: Part[],
  defs: string[],
  extra = '',
): string {
  const { summary, runbook } = model;
  const tz = summary.period.tz;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="x-apple-disable-message-reformatting"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${h(subject)}</title><style>${CSS}</style></head>
<body class="page" style="margin:0;padding:0;background:${C.bg};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${h(preheader)}</div>
<table class="page" role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${C.bg};"><tr><td class="wrap" align="center" style="padding:16px 8px;">
<!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0"><tr><td><![endif]-->
<div class="card" style="max-width:640px;margin:0 auto;background:#ffffff;border:1px solid ${C.line};text-align:left;">
<div class="pad" style="background:${C.brand};padding:14px 20px;${FONT}color:#ffffff;"><div style="font-size:13px;line-height:18px;opacity:.85;">socpulse · ${h(summary.period.label)}</div><div class="hdr-title" style="font-size:21px;line-height:27px;font-weight:700;">${h(runbook.title)}</div><div style="font-size:14px;line-height:20px;">${h(dateRange(summary.period))} (${h(tz)}) · data as of ${h(formatDayTime(summary.period.asOf, tz, true))}${model.sources.some((x) => x.status !== 'ok') ? ' · <b>⚠ a source is not up to date (see below)</b>' : ''}</div></div>
<div class="pad ink" style="padding:4px 20px 20px 20px;color:${C.ink};">
${parts.map((p) => p.html).join('\n')}
${extra}
<hr style="border:0;border-top:1px solid ${C.line};margin:24px 0 8px 0;">
<div class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};"><b>Definitions</b><ul style="margin:4px 0 0 16px;padding:0;">${defs.map((d) => `<li style="margin:2px 0;">${h(d)}</li>`).join('')}</ul>
<p style="margin:8px 0 0 0;">Generated by socpulse on ${h(formatDayTime(model.generatedAt, tz, true))} from ${model.sources.map((s) => h(s.name)).join(', ') || 'no sources'}. Figures are recomputable with <code>socpulse summarize</code>.</p></div>
</div></div>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr></table></body></html>`;
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
  const text = [
    `${runbook.title} — ${label}`,
    `${dateRange(summary.period)} (${summary.period.tz}), data as of ${formatDayTime(summary.period.asOf, summary.period.tz, true)}`,
    ...shownParts.flatMap((p) => p.text),
    '',
    'DEFINITIONS',
    '-----------',
    ...defs.flatMap((d) => wrapText(`- ${d}`, 78, '  ')),
    '',
    ...wrapText(
      `Generated by socpulse on ${formatDayTime(model.generatedAt, summary.period.tz, true)}. Figures are recomputable with socpulse summarize.`,
    ),
  ].join('\n');
  return { subject, html, text, attachments };
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
