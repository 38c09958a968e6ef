import * as z from 'zod';

/** ISO-8601 instant that carries its UTC offset (`Z` or `±hh:mm`), as every source timestamp must. */
export const Instant = z.iso.datetime({ offset: true });

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const DISPOSITIONS = ['true_positive', 'benign_positive', 'false_positive', 'undetermined'] as const;
export const Disposition = z.enum(DISPOSITIONS);
export type Disposition = z.infer<typeof Disposition>;

export const Tier = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type Tier = z.infer<typeof Tier>;

/** Position of each severity and disposition in its list: the small integers compact stored forms use. */
export const SEVERITY_INDEX: ReadonlyMap<unknown, number> = new Map(SEVERITIES.map((s, i) => [s, i]));
export const DISPOSITION_INDEX: ReadonlyMap<unknown, number> = new Map(DISPOSITIONS.map((s, i) => [s, i]));

/** Plain checks matching `Tier` and an escalation tier (2 or 3), for the fast validation paths. */
export const isTier = (v: unknown): boolean => v === 1 || v === 2 || v === 3;
export const isEscalationTier = (v: unknown): boolean => v === 2 || v === 3;

export const BUDGET_CATEGORIES = [
  'personnel',
  'tooling',
  'siem_ingest',
  'cloud',
  'services',
  'training',
  'other',
] as const;
export const BudgetCategory = z.enum(BUDGET_CATEGORIES);
export type BudgetCategory = z.infer<typeof BudgetCategory>;

/** Decimal money string as sources and CSVs carry it: optional sign, digits, up to 2 decimals. */
export const DecimalString = z.string().regex(/^-?\d+(\.\d{1,2})?$/, 'expected a decimal amount such as "1234.56"');
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as "EUR"');
export const MonthLabel = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month such as "2026-11"');

/**
 * A SOAR's own SLA clock on a case or alert (Google SecOps `sla {expirationTime, expirationStatus}`), kept beside the
 * SLA socpulse computes from its own targets: the two can differ, and a reader may want to see both.
 */
export const SourceSla = z
  .object({ expirationTime: Instant.optional(), expirationStatus: z.string().min(1).optional() })
  .strict();
export type SourceSla = z.infer<typeof SourceSla>;

/** One SOAR case, normalized (METRICS.md "Canonical records"). Absent optional fields are never zero. */
export const CaseSchema = z
  .object({
    id: z.string().min(1),
    source: z.string().min(1),
    title: z.string(),
    severity: Severity,
    createdAt: Instant,
    firstEventAt: Instant.optional(),
    detectedAt: Instant.optional(),
    acknowledgedAt: Instant.optional(),
    containedAt: Instant.optional(),
    closedAt: Instant.optional(),
    disposition: Disposition.optional(),
    assignee: z.string().optional(),
    tier: Tier.optional(),
    escalatedToTier: z.union([z.literal(2), z.literal(3)]).optional(),
    runbook: z.string().optional(),
    rule: z.string().optional(),
    handleMinutes: z.number().nonnegative().optional(),
    sla: SourceSla.optional(),
  })
  .strict();
export type Case = z.infer<typeof CaseSchema>;

/** One SIEM alert, normalized. */
export const AlertSchema = z
  .object({
    id: z.string().min(1),
    source: z.string().min(1),
    rule: z.string().min(1),
    severity: Severity,
    createdAt: Instant,
    firstEventAt: Instant.optional(),
    caseId: z.string().optional(),
    disposition: Disposition.optional(),
    /** The product that raised the alert, as the source names it (e.g. SecOps SOAR's `product`). */
    product: z.string().min(1).optional(),
    sla: SourceSla.optional(),
  })
  .strict();
export type Alert = z.infer<typeof AlertSchema>;

/** One on-shift interval of one analyst. */
export const ShiftSchema = z
  .object({
    analyst: z.string().min(1),
    tier: Tier,
    start: Instant,
    end: Instant,
    source: z.string().optional(),
  })
  .strict()
  .refine((s) => Date.parse(s.end) > Date.parse(s.start), { message: 'end must be after start', path: ['end'] });
export type Shift = z.infer<typeof ShiftSchema>;

/** One month of actual spend in one category. */
export const CostSchema = z
  .object({
    month: MonthLabel,
    category: BudgetCategory,
    amount: DecimalString,
    currency: CurrencyCode,
    vendor: z.string().optional(),
    description: z.string().optional(),
    source: z.string().optional(),
  })
  .strict();
export type Cost = z.infer<typeof CostSchema>;

/** One line of the budget plan (`budget.csv`: fiscalYear,month,category,amount,currency). */
export const BudgetLineSchema = z
  .object({
    fiscalYear: z.string().regex(/^FY\d{4}$/, 'expected a fiscal year such as "FY2027"'),
    month: MonthLabel,
    category: BudgetCategory,
    amount: DecimalString,
    currency: CurrencyCode,
  })
  .strict();
export type BudgetLine = z.infer<typeof BudgetLineSchema>;
