import type { Change } from '../../domain/changes.js';
import type { KpiSummary, SignificantIncident } from '../../domain/kpi.js';
import { SEVERITIES } from '../../domain/records.js';
import {
  containmentApplies,
  countByStanding,
  orderSignificant,
  standing,
  type Standing,
} from '../../domain/significant-incidents.js';
import { slaTargetsFor } from '../../domain/settings.js';
import type { Summary } from '../../domain/summary.js';
import { escapeHtml as h } from '../escape.js';
import { formatCount, formatDayTime, formatMinutes, formatRate, formatYmd, humanName } from '../format.js';
import {
  basisText,
  changeSubject,
  changeValue,
  contributionText,
  groupText,
  moveText,
  periodWord,
  pointsText,
  previousNotCollected,
} from '../headline.js';
import { C, chartImg, note, title, type Part } from '../layout.js';
import type { EmailSettings, ReportModel } from '../report-model.js';
import { cellOf, tablePart, type Cell } from '../table.js';
import { tiles, tileSub, type Tile } from '../tiles.js';

// The KPI section: headline tiles (single-section reports), response times, SLA, significant incidents, backlog,
// quality, and the detail tables (top rules, runbooks); and "what changed and why".

/** Significant incidents listed in the email body; the rest go to the detail attachment. */
export const INCIDENTS_SHOWN = 15;

/** A severity as the email names it ("Critical"). */
export const severityName = (s: string) => humanName(s);
/** A compliance rate judged on fewer than 10 cases is low n. */
export const lowNRate = (met: number, breached: number) => met + breached < 10;

/** The targets in force, as the email states them ("15 min / 4 h"). */
function targetText(t: { acknowledge?: number; resolve?: number }): string {
  return `${t.acknowledge !== undefined ? formatMinutes(t.acknowledge) : '—'} / ${t.resolve !== undefined ? formatMinutes(t.resolve) : '—'}`;
}

/**
 * What the report says instead of a figure no case of the period could give (its source cannot, e.g. SecOps SOAR has
 * no acknowledgement time): the source's words, never a 0 or a blank. Undefined when the figure stands.
 */
function notGiven(k: KpiSummary, key: 'ttd' | 'tta' | 'ttc' | 'sla.acknowledge'): string | undefined {
  return k[key === 'sla.acknowledge' ? 'tta' : key].n === 0 ? k.unavailable?.[key] : undefined;
}

/** One line naming every figure some source of the period cannot give, and why; undefined when there is none. */
function unavailableLine(k: KpiSummary): string | undefined {
  const names: Record<string, string> = {
    ttd: 'time to detect',
    tta: 'time to acknowledge',
    ttc: 'time to contain',
    'sla.acknowledge': 'acknowledge SLA',
    escalationRate: 'escalation rate',
    runbooks: 'runbook effectiveness',
  };
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

/**
 * The tiles the executive summary shares with the KPI report: cases created, median time to resolve and resolve SLA
 * compliance (its label says which target it is judged against).
 */
export function commonKpiTiles(k: KpiSummary, resolveSlaLabel: string): [Tile, Tile, Tile] {
  return [
    { label: 'Cases created', value: formatCount(k.cases.created), ...tileSub(k, 'cases.created', formatCount) },
    {
      label: 'Time to resolve (median)',
      value: formatMinutes(k.ttr.p50),
      lowN: k.ttr.lowN,
      ...tileSub(k, 'ttr.p50', formatMinutes),
    },
    {
      label: resolveSlaLabel,
      value: formatRate(k.sla.resolve.compliance),
      lowN: lowNRate(k.sla.resolve.met, k.sla.resolve.breached),
      ...tileSub(k, 'sla.resolve.compliance', formatRate),
    },
  ];
}

function kpiTiles(k: KpiSummary, s: EmailSettings): Tile[] {
  const noTta = notGiven(k, 'tta');
  const noAck = notGiven(k, 'sla.acknowledge');
  const count = (n: number) => formatCount(n);
  const target = formatRate(s.slaComplianceTarget);
  const alerts = 'created' in k.alerts ? k.alerts.created : null;
  const [cases, ttr, resolveSla] = commonKpiTiles(k, `Resolve SLA (target ${target})`);
  return [
    cases,
    {
      label: 'Alerts created',
      value: alerts === null ? 'no alert source' : formatCount(alerts),
      ...tileSub(k, 'alerts.created', count),
    },
    { label: 'Open backlog', value: formatCount(k.backlog.open), ...tileSub(k, 'backlog.open', count) },
    {
      label: 'Time to acknowledge (median)',
      value: noTta ?? formatMinutes(k.tta.p50),
      lowN: !noTta && k.tta.lowN,
      ...tileSub(k, 'tta.p50', formatMinutes),
    },
    ttr,
    resolveSla,
    {
      label: `Acknowledge SLA (target ${target})`,
      value: noAck ?? formatRate(k.sla.acknowledge.compliance),
      lowN: !noAck && lowNRate(k.sla.acknowledge.met, k.sla.acknowledge.breached),
      ...tileSub(k, 'sla.acknowledge.compliance', formatRate),
    },
    {
      label: 'False positive rate',
      value: formatRate(k.falsePositiveRate),
      ...tileSub(k, 'falsePositiveRate', formatRate),
    },
    {
      label: 'Open past resolve SLA',
      value: formatCount(k.sla.openBreached),
      ...tileSub(k, 'sla.openBreached', count),
    },
  ];
}

/** "What changed and why": the tested figures, their verdict, the test and the largest contributions. */
export function changesPart(k: KpiSummary): Part[] {
  const changes = k.changes ?? [];
  if (!changes.length) return [];
  const prev = k.trend?.previous.label ?? 'previous';
  const history = k.changesBasis?.method === 'history';
  const pText = (p: number | null) => (p === null ? '—' : p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);
  const verdict = (c: Change) =>
    c.verdict === 'changed'
      ? `changed (p ${pText(c.p)})`
      : c.verdict === 'low-n'
        ? 'too few cases'
        : c.verdict === 'no-data'
          ? `no data for ${prev}`
          : `within noise (p ${pText(c.p)})`;
  const why = (c: Change) => {
    if (c.verdict !== 'changed') return '—';
    if (c.group !== undefined) return `${moveText(c)} on its own`;
    const along = c.contributions.filter((x) => Math.sign(x.contribution) === c.sign).slice(0, 2);
    const parts = along.map((x) => `${groupText(c, x.group)} ${contributionText(c, x.contribution)}`);
    if (c.mix !== undefined && Math.abs(c.mix) >= 0.0005) parts.push(`mix ${pointsText(c.mix)}`);
    return parts.length ? `${parts.join(', ')} of ${moveText(c)}` : moveText(c);
  };
  const rows = changes.map((c) => [
    cellOf(changeSubject(c)),
    cellOf(changeValue(c, c.previous)),
    ...(history ? [cellOf(changeValue(c, c.baseline))] : []),
    cellOf(changeValue(c, c.current), c.verdict === 'low-n'),
    cellOf(verdict(c)),
    cellOf(why(c)),
  ]);
  const usual = `Usual (${k.changesBasis!.periods} ${periodWord(prev, true)})`;
  return [
    title('What changed and why'),
    tablePart(['Figure', prev, ...(history ? [usual] : []), 'Now', 'Verdict', 'Why'], rows, 1, false, history ? 4 : 3),
    note(
      `${basisText(k)} Counts are tested against their own week-to-week spread (quasi-Poisson), rates and the share above the median (Mood’s test) against theirs (quasi-binomial); a figure is named only when its change is beyond that spread and at least as large as the email can show. Rates move in percentage points; a rate’s change splits into each group’s own rate effect and the mix effect.`,
    ),
  ];
}

/** A standing as the count line and the closed column say it. */
const STANDING_WORDS: Record<Standing, [string, string]> = {
  open: ['open', 'open'],
  true_positive: ['true positive', 'true positives'],
  undetermined: ['undetermined', 'undetermined'],
  closed: ['closed without a disposition', 'closed without a disposition'],
  benign_positive: ['benign positive', 'benign positives'],
  false_positive: ['false positive', 'false positives'],
};

/**
 * The period's significant incidents with their timeline, titles escaped, in reading order (open, then true
 * positives, by severity: significant-incidents.ts), under a line counting each standing; "Contained" only where
 * containment applies. The rest go to the attachment.
 */
function incidentsPart(k: KpiSummary, tz: string, s: EmailSettings, all = false): Part[] {
  const list = orderSignificant(k.significant ?? []);
  const rule = `${s.significantIncidents.severities.map(severityName).join(', ')} cases, and escalated ${s.significantIncidents.escalatedSeverities.map(severityName).join(', ')} cases`;
  if (!list.length)
    return [title('Significant incidents'), note(`None this period (${rule}, created or closed in it).`)];
  const shown = all ? list : list.slice(0, INCIDENTS_SHOWN);
  const when = (t: number | undefined) => (t === undefined ? 'not yet' : formatDayTime(t, tz));
  const contained = (x: SignificantIncident) =>
    x.contained !== undefined
      ? formatDayTime(x.contained, tz)
      : !containmentApplies(x)
        ? 'nothing to contain'
        : x.closed === undefined
          ? 'not yet'
          : 'not recorded';
  const rows = shown.map((x: SignificantIncident) => [
    {
      text: `${severityName(x.severity)}${x.escalatedToTier ? ` (escalated to Tier ${x.escalatedToTier})` : ''}: ${x.title ?? `case ${x.id}`}`,
      html: `<b>${h(severityName(x.severity))}</b>${x.escalatedToTier ? ` <span class="muted" style="color:${C.muted};">(escalated to Tier ${x.escalatedToTier})</span>` : ''}<br>${h(x.title ?? `case ${x.id}`)}`,
    },
    cellOf(when(x.created)),
    cellOf(when(x.acknowledged)),
    cellOf(contained(x)),
    cellOf(x.closed === undefined ? 'open' : `${when(x.closed)} (${STANDING_WORDS[standing(x)][0]})`),
  ]);
  const total = k.significantTotal ?? list.length;
  const counts = countByStanding(list)
    .map(({ standing: st, n }) => `${formatCount(n)} ${STANDING_WORDS[st][n === 1 ? 0 : 1]}`)
    .join(', ');
  const parts = [
    title('Significant incidents'),
    note(
      list.length < total
        ? `${formatCount(total)} significant incidents in all; the first ${formatCount(list.length)} in reading order are listed: ${counts}. Open ones first, then true positives, each by severity.`
        : `${formatCount(total)} significant incidents in all: ${counts}. Open ones first, then true positives, each by severity.`,
    ),
    tablePart(['Incident', 'Created', 'Acknowledged', 'Contained', 'Closed'], rows, 5),
  ];
  if (total > shown.length)
    parts.push(
      note(
        list.length < total
          ? `The attached detail lists the first ${formatCount(list.length)} of the ${formatCount(total)} in that order; the rest are in the case source.`
          : `${formatCount(list.length - shown.length)} more significant incidents are listed in the attached detail.`,
      ),
    );
  return parts;
}

/** Alerts and cases created per day: the figures of the volume chart, in a table that needs no stacking on a phone. */
function volumeTable(k: KpiSummary): Part {
  const n = (x: number | null) => (x === null ? 'no data' : formatCount(x));
  return tablePart(
    ['Day', 'Alerts', 'Cases'],
    k.volume.days.map((d) => [cellOf(formatYmd(d.day)), cellOf(n(d.alerts)), cellOf(n(d.cases))]),
    1,
    true,
    undefined,
    true,
  );
}

/**
 * The KPI section's parts; `full` lists every significant incident (the detail attachment). In a KPI-only email the
 * section opens with its tiles, then `changes` ("What changed and why") and the chart.
 */
export function kpiParts(
  k: KpiSummary,
  model: ReportModel,
  s: EmailSettings,
  full: boolean,
  changes: Part[] = [],
): Part[] {
  const tz = model.summary.period.tz;
  const targets = slaTargetsFor(s);
  const target = formatRate(s.slaComplianceTarget);
  // The executive summary has its own six tiles: the KPI tiles would repeat them.
  const out: Part[] =
    model.runbook.sections.length > 1
      ? [title('Cases and alerts'), chartImg(model, 'kpi', 'in the table by day below'), volumeTable(k)]
      : [
          title('Headline figures'),
          note(
            k.trend?.missing
              ? `No changes shown: ${k.trend.previous.label} was not fully collected.`
              : `Changes against ${k.trend?.previous.label ?? 'the previous period'}.${previousNotCollected(k) ? ` ${previousNotCollected(k)}` : ''}`,
          ),
          tiles(kpiTiles(k, s)),
          ...changes,
          chartImg(model, 'kpi', 'in the table by day below'),
          volumeTable(k),
        ];
  out.push(
    title('Response times'),
    tablePart(
      ['Measure', 'Median', 'p90', 'Mean', 'Cases'],
      (
        [
          ['Time to detect', k.ttd, 'ttd'],
          ['Time to acknowledge', k.tta, 'tta'],
          ['Time to contain', k.ttc, 'ttc'],
          ['Time to resolve', k.ttr, undefined],
        ] as const
      ).map(([name, d, key]) =>
        key && notGiven(k, key)
          ? [cellOf(name), cellOf(notGiven(k, key)!), cellOf(''), cellOf(''), cellOf('')]
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
          cellOf(
            k.escalationRate === null
              ? (k.unavailable?.escalationRate ?? formatRate(null))
              : formatRate(k.escalationRate),
          ),
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
