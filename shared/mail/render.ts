import type { BudgetSummary } from '../domain/budget.js';
import type { KpiSummary, TrendMetric } from '../domain/kpi.js';
import type { CoverageNote } from '../domain/coverage.js';
import type { StaffingSummary } from '../domain/staffing.js';
import { isMissing, type Summary, type SummarySection } from '../domain/summary.js';
import { SEVERITIES } from '../domain/records.js';
import { escapeHtml as h, plainText } from './escape.js';
import { formatCount, formatMinutes, formatMoney, formatPct, formatRate } from './format.js';

export type Section = SummarySection;

/** What a source looked like when the report was made; anything but `ok` gets a banner. */
export interface SourceLine {
  name: string;
  kind: string;
  status: 'ok' | 'degraded' | 'stale' | 'missing' | 'failed';
  lastCollectedAt?: string;
  detail?: string;
}

/** Everything one email shows. */
export interface ReportModel {
  runbook: { id: string; title: string; sections: Section[] };
  summary: Summary;
  sources: SourceLine[];
  generatedAt: string;
  /** Inline chart images, already rendered, keyed by content id. */
  charts?: { cid: string; alt: string; png: Buffer; section: Section }[];
}

export interface RenderedReport {
  subject: string;
  html: string;
  text: string;
}

const C = {
  ink: '#1d2433',
  muted: '#5b6477',
  line: '#dfe3ea',
  bg: '#f4f6f9',
  better: '#0f7a3d',
  worse: '#b42318',
  neutral: '#5b6477',
  brand: '#17324d',
  warnBg: '#fff4e5',
  warnLine: '#f0a43a',
};
const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;';
const cell = `padding:6px 8px;border-bottom:1px solid ${C.line};${FONT}font-size:13px;color:${C.ink};`;
const head = `padding:6px 8px;border-bottom:2px solid ${C.line};${FONT}font-size:12px;color:${C.muted};text-align:left;font-weight:600;`;
const num = 'text-align:right;white-space:nowrap;';

function table(headers: string[], rows: string[][], numericFrom = 1): string {
  const th = headers
    .map((x, i) => `<th style="${head}${i >= numericFrom ? 'text-align:right;' : ''}">${h(x)}</th>`)
    .join('');
  const tr = rows
    .map((r) => `<tr>${r.map((x, i) => `<td style="${cell}${i >= numericFrom ? num : ''}">${x}</td>`).join('')}</tr>`)
    .join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px 0;"><tr>${th}</tr>${tr}</table>`;
}

function sectionTitle(title: string): string {
  return `<h2 style="${FONT}font-size:17px;color:${C.brand};margin:24px 0 4px 0;">${h(title)}</h2>`;
}

function note(text: string): string {
  return `<p style="${FONT}font-size:12px;color:${C.muted};margin:4px 0 8px 0;">${text}</p>`;
}

/** A headline tile: value, change against the previous period coloured by whether it is better or worse. */
function tile(
  label: string,
  value: string,
  shown: TrendMetric | string | undefined,
  lowN: boolean,
  format: (n: number) => string,
): string {
  // A string stands in for the change when there is no fair previous figure (e.g. "previous week incomplete").
  const trend = typeof shown === 'string' ? undefined : shown;
  const color =
    !trend?.direction || trend.direction === 'same' ? C.neutral : trend.direction === 'better' ? C.better : C.worse;
  const arrow = trend?.change ? (trend.change > 0 ? '▲' : '▼') : '';
  const change =
    trend && trend.change !== null
      ? `${arrow} ${trend.changePct !== null ? formatPct(trend.changePct) : format(Math.abs(trend.change))} vs ${trend.previous === null ? '—' : format(trend.previous)}`
      : typeof shown === 'string'
        ? shown
        : 'no previous figure';
  const valueColor = lowN ? '#9aa3b2' : C.ink;
  return `<td class="tile" width="33%" valign="top" style="padding:6px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#ffffff;border:1px solid ${C.line};border-radius:6px;"><tr><td style="padding:12px;">
<div style="${FONT}font-size:12px;color:${C.muted};">${h(label)}${lowN ? ' <span style="color:#9aa3b2;">(low n)</span>' : ''}</div>
<div style="${FONT}font-size:24px;font-weight:700;color:${valueColor};margin:4px 0;">${h(value)}</div>
<div style="${FONT}font-size:12px;font-weight:600;color:${color};" data-direction="${h(trend?.direction ?? 'none')}">${h(change)}</div>
</td></tr></table></td>`;
}

function tiles(cells: string[]): string {
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += 3) rows.push(`<tr>${cells.slice(i, i + 3).join('')}</tr>`);
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0">${rows.join('')}</table>`;
}

function chartImg(model: ReportModel, section: Section): string {
  return (model.charts ?? [])
    .filter((c) => c.section === section)
    .map(
      (c) =>
        `<img src="cid:${h(c.cid)}" alt="${h(c.alt)}" width="600" style="display:block;width:100%;max-width:600px;height:auto;border:0;margin:8px 0;">`,
    )
    .join('');
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

function kpiHtml(k: KpiSummary, model: ReportModel): string {
  // Against a previous period that was not fully collected no change is shown, only why ("previous week incomplete").
  const m = (name: string): TrendMetric | string | undefined =>
    k.trend?.missing ? (k.trend.reason ?? '').split(':')[0] : k.trend?.metrics?.[name];
  const noTta = notGiven(k, 'tta');
  const noAck = notGiven(k, 'sla.acknowledge');
  const missingLine = unavailableLine(k);
  const minutes = (n: number) => formatMinutes(n);
  const rate = (n: number) => formatRate(n);
  const count = (n: number) => formatCount(n);
  const alerts = 'created' in k.alerts ? k.alerts.created : null;
  const out = [
    sectionTitle('Headline figures'),
    tiles([
      tile('Cases created', formatCount(k.cases.created), m('cases.created'), false, count),
      tile(
        'Alerts created',
        alerts === null ? 'no alert source' : formatCount(alerts),
        m('alerts.created'),
        false,
        count,
      ),
      tile('Open backlog', formatCount(k.backlog.open), m('backlog.open'), false, count),
      tile(
        'Time to acknowledge (median)',
        noTta ?? formatMinutes(k.tta.p50),
        m('tta.p50'),
        !noTta && k.tta.lowN,
        minutes,
      ),
      tile('Time to resolve (median)', formatMinutes(k.ttr.p50), m('ttr.p50'), k.ttr.lowN, minutes),
      tile(
        'Resolve SLA compliance',
        formatRate(k.sla.resolve.compliance),
        m('sla.resolve.compliance'),
        k.sla.resolve.met + k.sla.resolve.breached < 10,
        rate,
      ),
      tile(
        'Acknowledge SLA compliance',
        noAck ?? formatRate(k.sla.acknowledge.compliance),
        m('sla.acknowledge.compliance'),
        !noAck && k.sla.acknowledge.met + k.sla.acknowledge.breached < 10,
        rate,
      ),
      tile('False positive rate', formatRate(k.falsePositiveRate), m('falsePositiveRate'), false, rate),
      tile('Open past resolve SLA', formatCount(k.sla.openBreached), m('sla.openBreached'), false, count),
    ]),
    missingLine ? note(h(missingLine)) : '',
    chartImg(model, 'kpi'),
    sectionTitle('Response times'),
    table(
      ['Measure', 'Median', 'p90', 'Mean', 'Cases'],
      (
        [
          ['Time to detect', k.ttd],
          ['Time to acknowledge', k.tta],
          ['Time to contain', k.ttc],
          ['Time to resolve', k.ttr],
        ] as const
      ).map(([name, s]) =>
        name === 'Time to acknowledge' && noTta
          ? [h(name), h(noTta), '', '', '']
          : [
              h(name),
              formatMinutes(s.p50),
              formatMinutes(s.p90),
              formatMinutes(s.mean),
              `${formatCount(s.n)}${s.lowN ? ' <span style="color:#9aa3b2;">(low n)</span>' : ''}`,
            ],
      ),
    ),
    note(
      k.ttrCohort.median !== null
        ? `Half of the cases opened this period were resolved within ${h(formatMinutes(k.ttrCohort.median))} (Kaplan–Meier, open cases counted).`
        : `Fewer than half of the cases opened this period are resolved; the median is more than ${h(formatMinutes(k.ttrCohort.moreThan))}.`,
    ),
    sectionTitle('SLA by severity'),
    table(
      [
        'Severity',
        'Ack met',
        'Ack breached',
        'Ack compliance',
        'Resolve met',
        'Resolve breached',
        'Resolve compliance',
      ],
      SEVERITIES.filter((s) => k.bySeverity[s].sla.acknowledge || k.bySeverity[s].sla.resolve).map((s) => {
        const a = k.bySeverity[s].sla.acknowledge;
        const r = k.bySeverity[s].sla.resolve;
        return [
          h(s),
          noAck ? '' : formatCount(a?.met),
          noAck ? '' : formatCount(a?.breached),
          noAck ? h(noAck) : formatRate(a?.compliance),
          formatCount(r?.met),
          formatCount(r?.breached),
          formatRate(r?.compliance),
        ];
      }),
    ),
    note(
      `${formatCount(k.sla.openBreached)} open cases are past their resolve target; ${formatCount(k.sla.atRisk)} more have used 75% of it.`,
    ),
    sectionTitle(`Backlog as of ${backlogInstant(model.summary.period)}`),
    table(
      ['Open cases', 'Under 1 day', '1–7 days', '7–30 days', 'Over 30 days', 'Median age', 'p90 age'],
      [
        [
          formatCount(k.backlog.open),
          formatCount(k.backlog.buckets.lt1d),
          formatCount(k.backlog.buckets.d1to7),
          formatCount(k.backlog.buckets.d7to30),
          formatCount(k.backlog.buckets.gt30d),
          formatMinutes(k.backlog.age.p50),
          formatMinutes(k.backlog.age.p90),
        ],
      ],
      0,
    ),
    sectionTitle('Quality'),
    table(
      ['False positive rate', 'Precision', 'Escalation rate', 'Cases per alert'],
      [
        [
          formatRate(k.falsePositiveRate),
          formatRate(k.precision),
          formatRate(k.escalationRate),
          k.alertToCaseRatio === null ? '—' : k.alertToCaseRatio.toFixed(3),
        ],
      ],
      0,
    ),
  ];
  if (k.rules.length)
    out.push(
      sectionTitle('Top detection rules'),
      table(
        ['Rule', 'Alerts', 'Closed cases', 'False positive share'],
        k.rules.map((r) => [
          h(r.rule),
          formatCount(r.alerts),
          formatCount(r.closedCases),
          formatRate(r.falsePositiveRate),
        ]),
      ),
    );
  if (k.runbooks.length)
    out.push(
      sectionTitle('Runbook effectiveness'),
      table(
        ['Runbook', 'Closed', 'Median resolve', 'False positive rate', 'Resolve SLA'],
        k.runbooks.map((r) => [
          h(r.runbook),
          formatCount(r.closed),
          formatMinutes(r.ttr.p50),
          formatRate(r.falsePositiveRate),
          formatRate(r.resolveCompliance),
        ]),
      ),
    );
  return out.join('\n');
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function staffingHtml(s: StaffingSummary, model: ReportModel): string {
  // A 7×24 grid readable without images: each cell shows scheduled/required, red where short.
  const grid = DAYS.map((d, day) => {
    const cells = Array.from({ length: 24 }, (_, hour) => {
      const i = day * 24 + hour;
      const short = s.scheduled[i]! < s.required[i]!;
      // Kept terse: 168 cells, and Gmail clips mail over 102 KB.
      return `<td style="background:${short ? '#f8d7d3' : '#dcefe3'};text-align:center;padding:2px 0;border:1px solid #fff">${short ? `-${Math.ceil(s.required[i]! - s.scheduled[i]!)}` : ''}</td>`;
    }).join('');
    return `<tr><td style="${FONT}font-size:10px;color:${C.muted};padding-right:4px;">${d}</td>${cells}</tr>`;
  }).join('');
  const hours = Array.from(
    { length: 24 },
    (_, i) => `<td style="${FONT}font-size:9px;color:${C.muted};text-align:center;">${i}</td>`,
  ).join('');
  return [
    sectionTitle('Staffing'),
    table(
      [
        'Required FTE',
        'Scheduled FTE',
        'Hours short',
        'Analyst-hours short',
        'Mean occupancy',
        'Hours above 85%',
        'Utilization',
      ],
      [
        [
          s.requiredFte.toFixed(1),
          s.scheduledFte.toFixed(1),
          formatCount(s.coverageGap.hours),
          s.coverageGap.analystHours.toFixed(1),
          formatRate(s.occupancy.mean),
          formatCount(s.occupancy.bucketsAbove85),
          formatRate(s.utilization),
        ],
      ],
      0,
    ),
    table(
      ['Tier', 'Analysts on shift', 'Cases closed per analyst-hour'],
      (['1', '2', '3'] as const).map((t) => [
        `Tier ${t}`,
        formatCount(s.headcount[t]),
        s.casesPerAnalystHour[t] === null ? '—' : s.casesPerAnalystHour[t]!.toFixed(2),
      ]),
    ),
    `<p style="${FONT}font-size:12px;color:${C.muted};margin:8px 0 2px 0;">Coverage by hour of week over ${h(s.weeks.join(', '))}: green = enough analysts scheduled, red = short by the number shown.</p>`,
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;table-layout:fixed;${FONT}font-size:9px;color:${C.ink};"><tr><td style="width:28px;"></td>${hours}</tr>${grid}</table>`,
    chartImg(model, 'staffing'),
  ].join('\n');
}

function budgetHtml(b: BudgetSummary, model: ReportModel): string {
  const money = (a: string | null) => formatMoney(a, b.currency);
  const flag = (f: boolean) => (f ? `<span style="color:${C.worse};font-weight:700;">● flagged</span>` : '');
  // A missing month's actual is unknown: shown as "no data", never as a zero (METRICS.md "Budget").
  const noData = `<span style="color:${C.muted};">no data</span>`;
  const actual = (a: string | null) => (a === null ? noData : money(a));
  const text = budgetCoverageText(b);
  return [
    sectionTitle(`Budget — ${b.month.label} (${b.fiscalYear})`),
    b.month.actual === null
      ? note(`<b>No cost data for ${h(b.month.label)}.</b> Its actual is unknown, not zero.`)
      : '',
    table(
      ['Category', 'Plan', 'Actual', 'Variance', 'Variance %', ''],
      [
        ...Object.entries(b.byCategory)
          .filter(([, f]) => (f.actual !== null && f.actual !== '0.00') || (f.plan !== null && f.plan !== '0.00'))
          .map(([c, f]) => [
            h(c.replace('_', ' ')) +
              (f.estimated ? ' <span style="color:#9aa3b2;">(estimated from shifts)</span>' : ''),
            money(f.plan),
            actual(f.actual),
            money(f.variance),
            formatPct(f.variancePct),
            flag(f.flagged),
          ]),
        [
          '<b>Total</b>',
          `<b>${money(b.month.plan)}</b>`,
          `<b>${actual(b.month.actual)}</b>`,
          `<b>${money(b.month.variance)}</b>`,
          `<b>${formatPct(b.month.variancePct)}</b>`,
          flag(b.month.flagged),
        ],
      ],
    ),
    table(
      ['Year to date plan', 'Year to date actual', 'Burn rate'],
      [[money(b.ytd.plan), actual(b.ytd.actual), actual(b.burnRate)]],
      0,
    ),
    note(h(`${text.ytd} ${text.burn}`)),
    table(
      ['Forecast to year end', 'Annual plan', 'Forecast variance'],
      [[actual(b.forecast), money(b.annualPlan), `${money(b.forecastVariance)} ${flag(b.forecastFlagged)}`]],
      0,
    ),
    note(h(text.forecast)),
    table(
      ['Month', 'Plan', 'Actual'],
      b.months.map((m) => [h(m.month), money(m.plan), actual(m.actual)]),
    ),
    table(
      ['Cost per alert', 'Cost per case', 'Cost per true positive'],
      [[money(b.unitCosts.costPerAlert), money(b.unitCosts.costPerCase), money(b.unitCosts.costPerTruePositive)]],
      0,
    ),
    chartImg(model, 'budget'),
  ].join('\n');
}

const DEFINITIONS: Record<Section, string[]> = {
  kpi: [
    'Time to acknowledge: first assignment or move to in-progress minus case creation, cases created in the period.',
    'Time to resolve: close minus creation, cases closed in the period. Medians and p90s are nearest-rank; "low n" marks fewer than 10 cases.',
    'Resolve median (Kaplan–Meier): over cases created in the period, counting still-open cases as censored at the report time.',
    'SLA compliance: met / (met + breached), cases created in the period; cases still within target are pending and excluded.',
    'False positive rate: false positives / (true + benign + false positives) among cases closed in the period.',
    'Backlog: cases open at the end of the period (or at the data time, if earlier), any creation date. Change vs the previous period of the same kind, judged per metric.',
  ],
  staffing: [
    'Required analysts per hour of week: Erlang C at the configured service target, from average arrivals over the whole ISO weeks of the period and the average handle time.',
    'FTE: required analyst-hours / (hours per FTE × (1 − shrinkage)); scheduled analyst-hours / hours per FTE.',
    'Occupancy: offered load / scheduled analysts per hour. Utilization: handle minutes / on-shift minutes.',
  ],
  budget: [
    'Variance: actual − plan; variance % = variance / plan. Flagged when both the % and the absolute thresholds are reached.',
    'A month is covered when at least one actual exists for it; a month without any is "no data", never zero. Year to date compares plan and actual over the covered months only.',
    'Burn rate: mean monthly actual over the last (up to) 3 covered months. Forecast: actuals of the covered months + burn rate × the months not covered (missing ones and those still to come).',
    "Unit costs: the month's total actual divided by alerts created, cases created, or true positives closed that month.",
  ],
};

/** What part of the period a section's sources did not collect: "no data for …", so a partial figure never passes for whole. */
function gaps(part: object): string[] {
  const c = (part as { dataCoverage?: CoverageNote }).dataCoverage;
  if (!c || c.complete) return [];
  return c.missing.map((g) => `No ${g.family} data from ${g.from} to ${g.to} (source ${g.source}): ${g.reason}.`);
}

function gapsHtml(part: object): string {
  const lines = gaps(part);
  return lines.length
    ? note(`<b>Incomplete period.</b> Figures below leave these parts out:<br>${lines.map((l) => h(l)).join('<br>')}`)
    : '';
}

function sourcesBanner(sources: SourceLine[]): string {
  const bad = sources.filter((s) => s.status !== 'ok');
  if (!bad.length) return '';
  const items = bad
    .map(
      (s) =>
        `<li style="margin:2px 0;"><b>${h(s.name)}</b> (${h(s.kind)}): ${h(s.status)}${s.lastCollectedAt ? `, last collected ${h(s.lastCollectedAt)}` : ', never collected'}${s.detail ? ` — ${h(s.detail)}` : ''}</li>`,
    )
    .join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0;"><tr><td style="background:${C.warnBg};border-left:4px solid ${C.warnLine};padding:10px 12px;${FONT}font-size:13px;color:${C.ink};"><b>Some sources were not up to date for this report.</b> Figures that depend on them may be incomplete:<ul style="margin:6px 0 0 18px;padding:0;">${items}</ul></td></tr></table>`;
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

/** Render one report email: subject, HTML (tables, inline styles, images by cid) and the plain-text part. */
export function renderReport(model: ReportModel): RenderedReport {
  const { summary, runbook } = model;
  const subject = `${runbook.title} — ${summary.period.label} (${summary.period.tz})`.replace(/[\r\n]/g, ' ');
  const noData = hasNoData(model);
  const body: string[] = [sourcesBanner(model.sources)];
  if (noData)
    body.push(
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:12px 0;"><tr><td style="background:#eef2f7;padding:16px;${FONT}font-size:15px;color:${C.ink};"><b>No data this period.</b> socpulse has no activity to show for ${h(summary.period.label)} (any reason is given below). This email is sent so that silence never means "all is well".</td></tr></table>`,
    );
  for (const sec of runbook.sections) {
    const part = summary[sec];
    if (isMissing(part)) {
      body.push(
        sectionTitle(sec === 'kpi' ? 'KPIs' : sec === 'staffing' ? 'Staffing' : 'Budget'),
        note(`Not available: ${h(part.reason)}.`),
      );
      continue;
    }
    if (noData && sec === 'kpi') continue;
    body.push(gapsHtml(part));
    if (sec === 'kpi') body.push(kpiHtml(part as KpiSummary, model));
    if (sec === 'staffing') body.push(staffingHtml(part as StaffingSummary, model));
    if (sec === 'budget') body.push(budgetHtml(part as BudgetSummary, model));
  }
  const defs = runbook.sections
    .flatMap((s) => DEFINITIONS[s])
    .map((d) => `<li style="margin:2px 0;">${h(d)}</li>`)
    .join('');
  const preheader = noData ? `No data for ${summary.period.label}` : headline(model);
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><title>${h(subject)}</title></head>
<body style="margin:0;padding:0;background:${C.bg};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${h(preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${C.bg};"><tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="width:100%;max-width:640px;background:#ffffff;border:1px solid ${C.line};">
<tr><td style="background:${C.brand};padding:16px 20px;${FONT}color:#ffffff;"><div style="font-size:12px;opacity:.8;">socpulse</div><div style="font-size:20px;font-weight:700;">${h(runbook.title)}</div><div style="font-size:13px;">${h(summary.period.label)} · ${h(dateRange(summary.period))} (${h(summary.period.tz)}) · data as of ${h(summary.period.asOf)}</div></td></tr>
<tr><td style="padding:4px 20px 20px 20px;">
${body.join('\n')}
<hr style="border:0;border-top:1px solid ${C.line};margin:24px 0 8px 0;">
<div style="${FONT}font-size:11px;color:${C.muted};"><b>Definitions</b><ul style="margin:4px 0 0 16px;padding:0;">${defs}</ul>
<p style="margin:8px 0 0 0;">Generated by socpulse at ${h(model.generatedAt)} from ${model.sources.map((s) => h(s.name)).join(', ') || 'no sources'}. Figures are recomputable with <code>socpulse summarize</code>.</p></div>
</td></tr></table></td></tr></table></body></html>`;
  return { subject, html, text: renderText(model, noData) };
}

/**
 * The instant the backlog was judged at (`pointInTime`), in the SOC's zone: "31 Oct 2026 24:00 (Europe/London)" for
 * the end of October, read from the local date and time `formatInstant` wrote.
 */
function backlogInstant(p: Summary['period']): string {
  const local = p.pointInTime.slice(0, 16); // yyyy-mm-ddThh:mm, local
  const d = new Date(`${local.slice(0, 10)}T12:00:00Z`);
  let time = local.slice(11, 16);
  // A local midnight is the end of the previous day: "31 Oct 24:00" reads as "all of 31 October".
  if (time === '00:00') {
    d.setUTCDate(d.getUTCDate() - 1);
    time = '24:00';
  }
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return `${day} ${time} (${p.tz})`;
}

/** Which months the year-to-date, burn rate and forecast figures rest on, in words (plain text; escape for HTML). */
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

/** "1 Oct 2026 – 31 Oct 2026": the period's first and last local day (its end is exclusive). */
function dateRange(p: { start: string; end: string }): string {
  const day = (ymd: string) => new Date(`${ymd}T12:00:00Z`);
  const fmt = (d: Date) =>
    d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const last = day(p.end.slice(0, 10));
  last.setUTCDate(last.getUTCDate() - 1);
  return `${fmt(day(p.start.slice(0, 10)))} – ${fmt(last)}`;
}

function headline(model: ReportModel): string {
  const k = model.summary.kpi;
  if (!isMissing(k))
    return `${k.cases.created} cases, median resolve ${formatMinutes(k.ttr.p50)}, resolve SLA ${formatRate(k.sla.resolve.compliance)}`;
  const b = model.summary.budget;
  if (!isMissing(b))
    return b.month.actual === null
      ? `No cost data for ${b.month.label}`
      : `Actual ${formatMoney(b.month.actual, b.currency)} against plan ${formatMoney(b.month.plan, b.currency)}`;
  return model.runbook.title;
}

function renderText(model: ReportModel, noData: boolean): string {
  const { summary } = model;
  const lines = [
    `${model.runbook.title} — ${summary.period.label}`,
    `${summary.period.start} to ${summary.period.end} (${summary.period.tz}), data as of ${summary.period.asOf}`,
    '',
  ];
  for (const s of model.sources.filter((x) => x.status !== 'ok'))
    lines.push(
      `! Source ${plainText(s.name)} (${s.kind}) ${s.status}${s.lastCollectedAt ? `, last collected ${s.lastCollectedAt}` : ', never collected'}${s.detail ? `: ${plainText(s.detail)}` : ''}`,
    );
  if (noData) lines.push('No data this period.', '');
  const trend = (name: string) => {
    const t = !isMissing(summary.kpi) ? (summary.kpi as KpiSummary).trend?.metrics?.[name] : undefined;
    return t && t.changePct !== null ? ` (${formatPct(t.changePct)} vs previous, ${t.direction ?? 'n/a'})` : '';
  };
  for (const sec of model.runbook.sections) {
    const part = summary[sec];
    if (isMissing(part)) {
      lines.push(`${sec.toUpperCase()}: not available (${part.reason})`, '');
      continue;
    }
    lines.push(...gaps(part).map((g) => `! ${plainText(g)}`));
    if (sec === 'kpi' && !noData) {
      const k = part as KpiSummary;
      if (k.trend?.missing) lines.push(`Trend not shown: ${plainText(k.trend.reason ?? '')}`);
      lines.push(
        'KPIs',
        `  Cases created: ${formatCount(k.cases.created)}${trend('cases.created')}`,
        `  Alerts created: ${'created' in k.alerts ? formatCount(k.alerts.created) : 'no alert source'}`,
        `  Open backlog as of ${backlogInstant(summary.period)}: ${formatCount(k.backlog.open)}${trend('backlog.open')}`,
        `  Time to acknowledge, median: ${notGiven(k, 'tta') ?? `${formatMinutes(k.tta.p50)}${k.tta.lowN ? ' (low n)' : ''}${trend('tta.p50')}`}`,
        `  Time to resolve, median: ${formatMinutes(k.ttr.p50)}, p90 ${formatMinutes(k.ttr.p90)}${k.ttr.lowN ? ' (low n)' : ''}${trend('ttr.p50')}`,
        `  Resolve SLA compliance: ${formatRate(k.sla.resolve.compliance)}${trend('sla.resolve.compliance')}`,
        `  Acknowledge SLA compliance: ${notGiven(k, 'sla.acknowledge') ?? formatRate(k.sla.acknowledge.compliance)}`,
        ...(unavailableLine(k) ? [`  ${unavailableLine(k)}`] : []),
        `  Open past resolve SLA: ${formatCount(k.sla.openBreached)}, at risk: ${formatCount(k.sla.atRisk)}`,
        `  False positive rate: ${formatRate(k.falsePositiveRate)}, escalation rate: ${formatRate(k.escalationRate)}`,
        ...k.rules
          .slice(0, 5)
          .map(
            (r) =>
              `  Rule ${plainText(r.rule)}: ${formatCount(r.alerts)} alerts, FP share ${formatRate(r.falsePositiveRate)}`,
          ),
        '',
      );
    }
    if (sec === 'staffing') {
      const s = part as StaffingSummary;
      lines.push(
        'Staffing',
        `  Required FTE ${s.requiredFte.toFixed(1)}, scheduled FTE ${s.scheduledFte.toFixed(1)}`,
        `  Hours short: ${s.coverageGap.hours} (${s.coverageGap.analystHours.toFixed(1)} analyst-hours)`,
        `  Utilization: ${formatRate(s.utilization)}, mean occupancy ${formatRate(s.occupancy.mean)}`,
        '',
      );
    }
    if (sec === 'budget') {
      const b = part as BudgetSummary;
      const m = (a: string | null) => formatMoney(a, b.currency);
      const a = (x: string | null) => (x === null ? 'no data' : m(x));
      const text = budgetCoverageText(b);
      lines.push(
        `Budget ${b.month.label} (${b.fiscalYear})`,
        ...Object.entries(b.byCategory)
          .filter(([, f]) => (f.actual !== null && f.actual !== '0.00') || (f.plan !== null && f.plan !== '0.00'))
          .map(
            ([c, f]) =>
              `  ${c}: actual ${a(f.actual)}, plan ${m(f.plan)}, variance ${m(f.variance)} ${formatPct(f.variancePct)}${f.flagged ? ' FLAGGED' : ''}${f.estimated ? ' (estimated)' : ''}`,
          ),
        `  Total: actual ${a(b.month.actual)}, plan ${m(b.month.plan)}${b.month.flagged ? ' FLAGGED' : ''}`,
        `  Year to date: actual ${a(b.ytd.actual)}, plan ${m(b.ytd.plan)}. ${text.ytd}`,
        `  Burn rate ${a(b.burnRate)}. ${text.burn}`,
        `  Forecast to year end ${a(b.forecast)} against plan ${m(b.annualPlan)}${b.forecastFlagged ? ' FLAGGED' : ''}. ${text.forecast}`,
        ...b.months.map((x) => `  ${x.month}: actual ${a(x.actual)}, plan ${m(x.plan)}`),
        '',
      );
    }
  }
  lines.push('Definitions:', ...model.runbook.sections.flatMap((s) => DEFINITIONS[s]).map((d) => `  - ${d}`));
  return lines.join('\n');
}
