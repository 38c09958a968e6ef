import type { Config } from './config.js';
import type { RelativePeriod, ReportRunbook } from './runbook-schema.js';
import { lastCompletePeriod, parsePeriod, periodContaining, type Period, type PeriodKind } from '../domain/periods.js';

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

/** The period a runbook reports on at `now`, in the SOC's time zone. */
export function resolvePeriod(
  runbook: ReportRunbook,
  label: string | undefined,
  now: number,
  opts: { tz: string; fiscalYearStartMonth: number },
): Period {
  if (label) {
    try {
      return parsePeriod(label, opts);
    } catch (e) {
      throw new ReportRequestError('period', (e as Error).message);
    }
  }
  const r = RELATIVE[runbook.period];
  return r.toDate ? periodContaining(r.kind, now, opts) : lastCompletePeriod(r.kind, now, opts);
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
 * Resolve a report request against the configured runbooks: the runbook, its period at `now` in the SOC's zone, and
 * the recipients. Every problem is a ReportRequestError naming its field (runbook, period, recipients).
 */
export function resolveReportRequest(
  config: Config,
  runbooks: ReportRunbook[],
  req: { runbook: string; period?: string; recipients?: string[] },
  now: number,
): { runbook: ReportRunbook; period: Period; recipients: string[] } {
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
  return { runbook, period, recipients };
}
