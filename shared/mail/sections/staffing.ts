import type { StaffingSummary } from '../../domain/staffing.js';
import { escapeHtml as h } from '../escape.js';
import { formatCount, formatRate, WEEKDAYS } from '../format.js';
import { C, chartImg, FONT, hourGridText, note, title, type Part } from '../layout.js';
import type { EmailSettings, ReportModel } from '../report-model.js';
import { cellOf, tablePart } from '../table.js';
import { tiles } from '../tiles.js';

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
      out.push(`${WEEKDAYS[d]} ${hh(h)}–${hh(end)} (short by up to ${Math.ceil(worst)})`);
      h = end;
    }
  }
  return out;
}

/** The staffing section: FTE tiles, tiers, how the figures fit, the hour-of-week grid, short hours, the chart. */
export function staffingParts(s: StaffingSummary, model: ReportModel, set: EmailSettings): Part[] {
  const grid = WEEKDAYS.map((d, day) => {
    const cells = Array.from({ length: 24 }, (_, hour) => {
      const i = day * 24 + hour;
      const short = s.scheduled[i]! < s.required[i]!;
      // Colour only (168 cells; Gmail clips mail over 102 KB): the runs of short hours are listed in words below.
      return `<td bgcolor="${short ? C.short : C.enough}"></td>`;
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
      cellOf(x && x.firstHandled !== null ? formatCount(x.firstHandled) : '—'),
      cellOf(x && x.escalatedTo !== null ? formatCount(x.escalatedTo) : '—'),
      s.casesPerAnalystHour[t] === null && s.unavailable?.casesPerAnalystHour
        ? cellOf(s.unavailable.casesPerAnalystHour)
        : cellOf(
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
      `How these fit: required FTE (${s.requiredFte.toFixed(1)}) is the Erlang C need per hour of week with at least ${set.minOnShift} analyst on every hour, grossed up for ${Math.round(set.shrinkage * 100)}% shrinkage; scheduled FTE (${s.scheduledFte.toFixed(1)}) counts rostered hours without shrinkage. Mean occupancy (${formatRate(occ)}) is the case workload over the analysts scheduled: a low figure with enough FTE means the roster is sized for round-the-clock cover, not for the case load. Cases per analyst-hour counts each closed case once, for the tier that first handled it; cases escalated to Tier 2 or 3 are shown beside it and are not in the rate. Utilization: ${s.utilization === null && s.unavailable?.utilization ? `${s.unavailable.utilization} (no handle times)` : `${formatRate(s.utilization)} of on-shift time was spent handling cases`}.`,
    ),
    ...(s.unavailable?.aht
      ? [note(`Handle time ${s.unavailable.aht}: required FTE and occupancy use the configured handle time per tier.`)]
      : []),
    {
      html: `<p class="muted" style="${FONT}font-size:13px;line-height:19px;color:${C.muted};margin:8px 0 2px 0;">Coverage by hour of week (${h(s.weeks.join(', '))}): green = enough analysts scheduled, red = short.</p><table role="presentation" cellpadding="0" cellspacing="1" style="width:100%;table-layout:fixed;${FONT}"><tr><td style="width:36px;"></td>${hours}</tr>${grid}</table>`,
      text: [],
    },
    note(runs.length ? `Short hours: ${runs.join('; ')}.` : 'No hour of the week was short.'),
    chartImg(model, 'staffing', 'in the grid above and, hour by hour, in the plain-text part of this email'),
    {
      html: '',
      text: [
        '',
        ...hourGridText('Analysts required per hour of week (local time):', s.required),
        '',
        ...hourGridText('Analysts scheduled per hour of week (mean over the weeks):', s.scheduled, 1),
      ],
    },
  ];
}
