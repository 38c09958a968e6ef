import * as z from 'zod';

// A report runbook's front matter: its schema, and the compiled form (`runbooks.json`) a deployed function reads at
// cold start. No YAML parser here: the markdown files are read by ./runbooks.ts, at synth time and locally.

/** Relative periods a runbook can ask for, resolved at run time in the runbook's time zone. */
export const RELATIVE_PERIODS = [
  'previous-day',
  'previous-week',
  'previous-month',
  'previous-quarter',
  'previous-fiscal-year',
  'week-to-date',
  'month-to-date',
] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

/** Front matter of a report runbook: the single source of its schedule (DESIGN.md "Reports and delivery"). */
export const ReportRunbookSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and -'),
    title: z
      .string()
      .min(1)
      .max(120)
      .refine((t) => !/[\r\n]/.test(t), 'no line breaks'),
    audience: z.array(z.string().min(1)).min(1),
    schedule: z
      .string()
      .regex(
        /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/,
        'an EventBridge Scheduler cron expression such as "cron(0 7 ? * MON *)"',
      ),
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
    period: z.enum(RELATIVE_PERIODS),
    sections: z.array(z.enum(['kpi', 'staffing', 'budget'])).min(1),
    attachBudgetCsv: z.boolean().default(false),
    /**
     * Whether a period that has not ended yet may be asked for (the email then says "to date"). Off by default: a
     * report about a week still under way would read as final. The `*-to-date` relative periods imply it.
     */
    allowToDate: z.boolean().default(false),
    /** Put next week's staffing look ahead (forecast, roster, hours short) first in the email (docs/forecast.md). */
    lookAhead: z.boolean().default(false),
    /** Alarm when no delivery is recorded this many hours after the scheduled time. */
    deadlineHours: z.number().positive().default(4),
  })
  .strict();
export type ReportRunbook = z.infer<typeof ReportRunbookSchema>;

/** A runbook whose front matter is missing or wrong: names the file and the field. */
export class RunbookError extends Error {
  override name = 'RunbookError';
}

/**
 * Runbooks compiled at synth time (`runbooks.json` beside a deployed handler: the front matter of every report
 * runbook, already read by `loadReportRunbooks`): validated again, without a YAML parser at cold start.
 */
export function parseCompiledRunbooks(text: string, file: string): ReportRunbook[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunbookError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = z.array(ReportRunbookSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RunbookError(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
