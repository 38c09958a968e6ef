import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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
    /** Alarm when no delivery is recorded this many hours after the scheduled time. */
    deadlineHours: z.number().positive().default(4),
  })
  .strict();
export type ReportRunbook = z.infer<typeof ReportRunbookSchema>;

/** A runbook whose front matter is missing or wrong: names the file and the field. */
export class RunbookError extends Error {
  override name = 'RunbookError';
}

/** Parse one runbook file's front matter (between the leading `---` lines). */
export function parseRunbook(text: string, file: string): ReportRunbook {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) throw new RunbookError(`${file}: no YAML front matter (the file must start with a --- line)`);
  let raw: unknown;
  try {
    raw = parseYaml(m[1]!);
  } catch (e) {
    throw new RunbookError(`${file}: front matter is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = ReportRunbookSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown key ${i.keys.map((k) => `"${k}"`).join(', ')}`
        : `${i.path.join('.')}: ${i.message}`,
    );
    throw new RunbookError(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Every report runbook (`*.md` directly in the folder; operator runbooks live in a subfolder), ids unique. */
export function loadReportRunbooks(dir: string): ReportRunbook[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
  const runbooks = files.map((f) => parseRunbook(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  const seen = new Set<string>();
  for (const [i, r] of runbooks.entries()) {
    if (seen.has(r.id)) throw new RunbookError(`${join(dir, files[i]!)}: id "${r.id}" is used by another runbook`);
    seen.add(r.id);
  }
  return runbooks;
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
