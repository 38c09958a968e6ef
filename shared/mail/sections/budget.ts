import type { BudgetSummary } from '../../domain/budget.js';
import { escapeHtml as h } from '../escape.js';
import { formatMoney, formatPct, formatYmd, humanName, listMonths } from '../format.js';
import { C, chartImg, note, title, type Part } from '../layout.js';
import type { EmailSettings, ReportModel } from '../report-model.js';
import { cellOf, tablePart, type Cell } from '../table.js';

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

/**
 * The planned categories nothing reports (METRICS.md: a category with no source is null, never an amount), in words:
 * their actuals are unknown and the totals leave their plan out. Nothing to say when no category has a source at all
 * (the month and year-to-date notes say there is no cost data).
 */
function withoutSource(b: BudgetSummary): string[] {
  if (b.categoriesWithoutSource.length === Object.keys(b.byCategory).length) return [];
  const planned = b.categoriesWithoutSource.filter((c) => {
    const plan = b.byCategory[c]?.annualPlan;
    return plan !== null && plan !== undefined && plan !== '0.00';
  });
  if (!planned.length) return [];
  const names = planned.map(humanName);
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  const one = planned.length === 1;
  const personnel = planned.includes('personnel') ? ' (no cost record, and no shifts to estimate personnel from)' : '';
  return [
    `${list}: nothing reports ${one ? 'its' : 'their'} costs${personnel}, so ${one ? 'its actual is' : 'their actuals are'} unknown, not zero, and the totals leave out ${one ? 'its plan' : 'their plans'}.`,
  ];
}

/** The budget section: the month by category, year to date, forecast, months, unit costs and the chart. */
export function budgetParts(b: BudgetSummary, model: ReportModel, s: EmailSettings): Part[] {
  const money = (a: string | null) => formatMoney(a, b.currency);
  // A missing month's actual is unknown: "no data", never a zero (METRICS.md "Budget").
  const actual = (a: string | null) => (a === null ? 'no data' : money(a));
  const coverage = budgetCoverageText(b);
  // A forecast that counts no personnel for months without a roster is not judged against plan (the note says why).
  const forecastFlag = b.forecastFlagged && !b.personnelWithoutShifts.length;
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
    ...withoutSource(b).map((text) => note(text)),
    tablePart(
      ['Year to date plan', 'Year to date actual', 'Burn rate'],
      [[cellOf(money(b.ytd.plan)), cellOf(actual(b.ytd.actual)), cellOf(actual(b.burnRate))]],
      0,
    ),
    note(`${coverage.ytd} ${coverage.burn}`),
    ...(b.personnelWithoutShifts.length
      ? [
          note(
            `Personnel is estimated from rosters, and no roster was read for ${listMonths(b.personnelWithoutShifts)}: personnel counts nothing there, so ${b.personnelWithoutShifts.includes(b.month.label) ? `${b.month.label}'s total, ` : ''}year to date, the burn rate and the forecast leave it out and understate spend.`,
          ),
        ]
      : []),
    tablePart(
      ['Forecast to year end', 'Annual plan', 'Forecast variance'],
      [
        [
          cellOf(actual(b.forecast)),
          cellOf(money(b.annualPlan)),
          {
            text: `${money(b.forecastVariance)}${forecastFlag ? ' flagged' : ''}`,
            html: `${h(money(b.forecastVariance))}${forecastFlag ? ` <span class="worse" style="color:${C.worse};font-weight:700;">● flagged</span>` : ''}`,
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
    note(`Flagged: the variance reaches both ${threshold} (the configured thresholds).`),
    chartImg(model, 'budget', 'in the table by month above'),
  ];
}
