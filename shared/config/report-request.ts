import type { Config } from './config.js';
import type { RelativePeriod, ReportRunbook } from './runbook-schema.js';
import {
  formatInstant,
  lastCompletePeriod,
  parsePeriod,
  periodContaining,
  type Period,
  type PeriodKind,
} from '../domain/periods.js';

/** A report request that cannot be served as asked: names the field (runbook, period, recipients). */
export class ReportRequestError extends Error {
  override name = 'ReportRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const RELATIVE: Record<RelativePeriod, { kind: PeriodKind; toDate: boolean }> = {
  'previous-day': { kind: 'day', toDate: false },
  'previous-week': { kind: 'week', toDate: false },
  'previous-month': { kind: 'month', toDate: false },
  'previous-quarter': { kind: 'quarter', toDate: false },
  'previous-fiscal-year': { kind: 'fiscalYear', toDate: false },
  'week-to-date': { kind: 'week', toDate: true },
  'month-to-date': { kind: 'month', toDate: true },
};

const KIND_EXAMPLE: Record<PeriodKind, string> = {
  day: 'a day such as 2026-11-23',
  week: 'an ISO week such as 2026-W47',
  month: 'a month such as 2026-11',
  quarter: 'a quarter such as 2026-Q4',
  fiscalYear: 'a fiscal year such as FY2027',
};

/** Whether a runbook may report on a period still under way ("to date"). */
export const allowsToDate = (runbook: ReportRunbook): boolean => runbook.allowToDate || RELATIVE[runbook.period].toDate;

/**
 * The period a runbook reports on at `now`, in the SOC's time zone. A label must be of the kind the runbook is
 * written for (weekly-kpi takes weeks), must have started, and must have ended unless the runbook allows "to date".
 */
export function resolvePeriod(
  runbook: ReportRunbook,
  label: string | undefined,
  now: number,
  opts: { tz: string; fiscalYearStartMonth: number },
): Period {
  const r = RELATIVE[runbook.period];
  if (!label) return r.toDate ? periodContaining(r.kind, now, opts) : lastCompletePeriod(r.kind, now, opts);
  let period: Period;
  try {
    period = parsePeriod(label, opts);
  } catch (e) {
    throw new ReportRequestError('period', (e as Error).message);
  }
  if (period.kind !== r.kind)
    throw new ReportRequestError(
      'period',
      `${runbook.id} reports on ${KIND_EXAMPLE[r.kind]}; "${period.label}" is ${KIND_EXAMPLE[period.kind].replace(/ such as .*/, '')}`,
    );
  if (period.start > now)
    throw new ReportRequestError(
      'period',
      `${period.label} has not started yet (it starts ${formatInstant(period.start, opts.tz)})`,
    );
  if (period.end > now && !allowsToDate(runbook))
    throw new ReportRequestError(
      'period',
      `${period.label} has not ended yet (it ends ${formatInstant(period.end, opts.tz)}); ${runbook.id} reports on complete periods only (a runbook with "allowToDate: true" may report to date)`,
    );
  return period;
}

/** Every address of the runbook's audiences; a requested subset must lie within them. */
export function recipientsFor(runbook: ReportRunbook, config: Config, requested?: string[]): string[] {
  const allowed = [...new Set(runbook.audience.flatMap((a) => config.audiences[a] ?? []))];
  if (!requested?.length) return allowed;
  const outside = requested.filter((r) => !allowed.includes(r));
  if (outside.length)
    throw new ReportRequestError(
      'recipients',
      `not in the ${runbook.audience.join('/')} audience: ${outside.join(', ')}`,
    );
  return [...new Set(requested)];
}

/**
 * Resolve a report request against the configured runbooks: the runbook, its period at `now` in the SOC's zone, the
 * recipients (and whether they are the runbook's whole audience: the identity of the run), and whether the period is
 * still under way ("to date"). Every problem is a ReportRequestError naming its field (runbook, period, recipients).
 */
export function resolveReportRequest(
  config: Config,
  runbooks: ReportRunbook[],
  req: { runbook: string; period?: string; recipients?: string[] },
  now: number,
): { runbook: ReportRunbook; period: Period; recipients: string[]; wholeAudience: boolean; toDate: boolean } {
  const runbook = runbooks.find((r) => r.id === req.runbook);
  if (!runbook)
    throw new ReportRequestError(
      'runbook',
      `unknown runbook "${req.runbook}" (known: ${runbooks.map((r) => r.id).join(', ')})`,
    );
  const period = resolvePeriod(runbook, req.period, now, {
    tz: config.timezone,
    fiscalYearStartMonth: config.fiscalYearStartMonth,
  });
  const recipients = recipientsFor(runbook, config, req.recipients);
  if (recipients.length === 0)
    throw new ReportRequestError('recipients', `no addresses configured for audience ${runbook.audience.join(', ')}`);
  const everyone = recipientsFor(runbook, config);
  const wholeAudience = recipients.length === everyone.length && everyone.every((a) => recipients.includes(a));
  return { runbook, period, recipients, wholeAudience, toDate: period.end > now };
}
