import * as z from 'zod';
import { DecimalString, SEVERITIES, CurrencyCode } from './records.js';

const Minutes = z.number().positive();
const SlaTarget = z.object({ acknowledge: Minutes.optional(), resolve: Minutes.optional() }).strict();

/** Default SLA targets in minutes (METRICS.md "SLA"); info has none. */
export const DEFAULT_SLA_TARGETS: Record<string, { acknowledge?: number; resolve?: number }> = {
  critical: { acknowledge: 15, resolve: 240 },
  high: { acknowledge: 30, resolve: 1440 },
  medium: { acknowledge: 120, resolve: 4320 },
  low: { acknowledge: 480, resolve: 10080 },
  info: {},
};

const TierMap = <T extends z.ZodType>(value: T) =>
  z.object({ '1': value.optional(), '2': value.optional(), '3': value.optional() }).strict();

/**
 * Every metric key of METRICS.md "Configuration keys", with its default.
 * Strict: an unknown key is an error that names the key.
 */
export const MetricSettingsSchema = z
  .object({
    timezone: z.string().refine(isTimeZone, { message: 'unknown IANA time zone' }).default('UTC'),
    fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
    slaTargets: z.partialRecord(z.enum(SEVERITIES), SlaTarget).default({}),
    ahtMinutes: TierMap(Minutes).default({}),
    slaTarget: z.number().gt(0).lt(1).default(0.8),
    slaWithinMinutes: Minutes.default(15),
    shrinkage: z.number().min(0).lt(1).default(0.35),
    hoursPerFte: z.number().positive().default(40),
    minOnShift: z.number().int().min(0).default(1),
    hourlyRate: TierMap(DecimalString).default({}),
    currency: CurrencyCode.default('EUR'),
    varianceThresholdPct: z.number().nonnegative().default(10),
    varianceThresholdAbs: DecimalString.default('5000.00'),
    /** SLA compliance the SOC aims for (a fraction); emails state it next to every compliance figure. */
    slaComplianceTarget: z.number().gt(0).lte(1).default(0.9),
    /**
     * Which cases leadership sees by title as significant incidents: every case of `severities`, and cases of
     * `escalatedSeverities` that were escalated. Titles are stored for these cases only, never for the others.
     */
    significantIncidents: z
      .object({
        severities: z.array(z.enum(SEVERITIES)).default(['critical']),
        escalatedSeverities: z.array(z.enum(SEVERITIES)).default(['high']),
      })
      .strict()
      .default({ severities: ['critical'], escalatedSeverities: ['high'] }),
  })
  .strict();
export type MetricSettings = z.infer<typeof MetricSettingsSchema>;

/** The SLA targets in force: METRICS.md defaults overridden per severity and kind by config. */
export function slaTargetsFor(settings: Pick<MetricSettings, 'slaTargets'>) {
  const out: Record<string, { acknowledge?: number; resolve?: number }> = {};
  for (const sev of SEVERITIES) out[sev] = { ...DEFAULT_SLA_TARGETS[sev], ...settings.slaTargets[sev] };
  return out;
}

/** The significant-incident rule of the settings: true for a case leadership sees by title. */
export function significantRule(
  settings: Pick<MetricSettings, 'significantIncidents'> = MetricSettingsSchema.parse({}),
): (sev: string, escalatedToTier: number | undefined) => boolean {
  const all = new Set<string>(settings.significantIncidents.severities);
  const escalated = new Set<string>(settings.significantIncidents.escalatedSeverities);
  return (sev, esc) => all.has(sev) || (esc !== undefined && escalated.has(sev));
}

/** AHT in minutes for a tier, default 20 (METRICS.md "Staffing"). */
export function ahtFor(settings: Pick<MetricSettings, 'ahtMinutes'>, tier: 1 | 2 | 3): number {
  return settings.ahtMinutes[String(tier) as '1' | '2' | '3'] ?? 20;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
