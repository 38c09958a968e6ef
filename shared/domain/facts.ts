import * as z from 'zod';
import { type Alert, type Case, Disposition, Severity, type Shift } from './records.js';

/**
 * The facts of a case the engine computes with: instants as epoch milliseconds, absent stays absent.
 * Compact and JSON-safe, so daily snapshots store exactly this and recompute any period exactly.
 */
export const CaseFactsSchema = z.object({
  id: z.string(),
  sev: Severity,
  created: z.number(),
  firstEvent: z.number().optional(),
  detected: z.number().optional(),
  ack: z.number().optional(),
  contained: z.number().optional(),
  closed: z.number().optional(),
  disp: Disposition.optional(),
  tier: z.number().int().min(1).max(3).optional(),
  esc: z.number().int().min(2).max(3).optional(),
  runbook: z.string().optional(),
  rule: z.string().optional(),
  handle: z.number().optional(),
  assignee: z.string().optional(),
  title: z.string().optional(),
});
export type CaseFacts = z.infer<typeof CaseFactsSchema>;

/** The facts the metric engine reads from a case: all but the free text it never looks at (id, assignee, title). */
export type CaseMetrics = Omit<CaseFacts, 'id' | 'assignee' | 'title'>;

/** Alerts counted per (bucket instant, rule, severity): a day of a million alerts stays a few thousand rows. */
export const AlertCountSchema = z.object({
  at: z.number(),
  rule: z.string(),
  sev: Severity,
  count: z.number().int().positive(),
});
export type AlertCount = z.infer<typeof AlertCountSchema>;

/** An on-shift interval in epoch ms. */
export const ShiftFactsSchema = z.object({
  analyst: z.string(),
  tier: z.number().int().min(1).max(3),
  start: z.number(),
  end: z.number(),
});
export type ShiftFacts = z.infer<typeof ShiftFactsSchema>;

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/**
 * A canonical Case as engine facts. The free-text title is kept only when `keepTitle` says so (significant
 * incidents, settings.ts `significantRule`): snapshots hold no other case's title.
 */
export function caseFacts(c: Case, keepTitle?: (sev: string, esc: number | undefined) => boolean): CaseFacts {
  const f: CaseFacts = { id: `${c.source}:${c.id}`, sev: c.severity, created: Date.parse(c.createdAt) };
  if (c.firstEventAt !== undefined) f.firstEvent = ms(c.firstEventAt);
  if (c.detectedAt !== undefined) f.detected = ms(c.detectedAt);
  if (c.acknowledgedAt !== undefined) f.ack = ms(c.acknowledgedAt);
  if (c.containedAt !== undefined) f.contained = ms(c.containedAt);
  if (c.closedAt !== undefined) f.closed = ms(c.closedAt);
  if (c.disposition !== undefined) f.disp = c.disposition;
  if (c.tier !== undefined) f.tier = c.tier;
  if (c.escalatedToTier !== undefined) f.esc = c.escalatedToTier;
  if (c.runbook !== undefined) f.runbook = c.runbook;
  if (c.rule !== undefined) f.rule = c.rule;
  if (c.handleMinutes !== undefined) f.handle = c.handleMinutes;
  if (c.assignee !== undefined) f.assignee = c.assignee;
  if (keepTitle?.(c.severity, c.escalatedToTier)) f.title = c.title;
  return f;
}

/** A canonical Alert as a count of one at its exact creation instant. */
export function alertCount(a: Alert): AlertCount {
  return { at: Date.parse(a.createdAt), rule: a.rule, sev: a.severity, count: 1 };
}

/** A canonical Shift as engine facts. */
export function shiftFacts(s: Shift): ShiftFacts {
  return { analyst: s.analyst, tier: s.tier, start: Date.parse(s.start), end: Date.parse(s.end) };
}

/**
 * A stored day of cases read in place (the store's binary columns, shared/store/formats/case-batch.ts): each case's
 * metric facts without an object per case, in stored order, and a case's id and title by its position. The engine
 * depends on this shape, not on the stored format.
 */
export interface CaseDay {
  readonly length: number;
  forEach(fn: (c: CaseMetrics, i: number) => void): void;
  textAt(i: number): { id: string; title?: string };
}

/** A stored day of alert counts read in place (shared/store/formats/alert-batch.ts), without an object per count. */
export interface AlertDay {
  readonly length: number;
  forEach(fn: (a: AlertCount) => void): void;
}
