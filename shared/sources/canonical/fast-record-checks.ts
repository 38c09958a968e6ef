import type { AlertCount, CaseFacts } from '../../domain/facts.js';
import { AlertSchema, CaseSchema, DISPOSITIONS, isEscalationTier, isTier, SEVERITIES } from '../../domain/records.js';
import { parseInstant } from './instant.js';

// Fast paths for the two big files (cases.jsonl, alerts.jsonl): plain checks that accept only what the zod schema
// accepts, and that read each instant once (validating and converting to epoch ms together). Anything they do not
// accept goes through zod — the definition — which either accepts it too or produces the error message naming the
// field. Proven by property tests (test/unit/cli-summarize.test.ts "fast record checks").
const SEV = new Set<unknown>(SEVERITIES);
const DISP = new Set<unknown>(DISPOSITIONS);
const ALERT_KEYS = new Set(Object.keys(AlertSchema.shape));
const CASE_KEYS = new Set(Object.keys(CaseSchema.shape));
const str = (x: unknown) => typeof x === 'string';
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || ok(v);
const isInstant = (v: unknown) => !Number.isNaN(parseInstant(v));
/** An optional instant: undefined when absent, NaN when present but not a plain instant. */
const optInstant = (v: unknown) => (v === undefined ? undefined : parseInstant(v));
const bad = (t: number | undefined) => t !== undefined && Number.isNaN(t);

/** True only for alerts the AlertSchema accepts (the schema may accept more; never less). */
export function isPlainAlert(r: Record<string, unknown>): boolean {
  return plainAlert(r) !== undefined;
}

/** An alert the AlertSchema accepts, as a count of one at its creation instant; undefined to let zod decide. */
export function plainAlert(r: Record<string, unknown>): AlertCount | undefined {
  for (const k in r) if (!ALERT_KEYS.has(k)) return undefined;
  const at = parseInstant(r.createdAt);
  if (
    Number.isNaN(at) ||
    !nonEmpty(r.id) ||
    !nonEmpty(r.source) ||
    !nonEmpty(r.rule) ||
    !SEV.has(r.severity) ||
    !optional(r.firstEventAt, isInstant) ||
    !optional(r.caseId, str) ||
    !optional(r.disposition, (x) => DISP.has(x)) ||
    !optional(r.product, nonEmpty) ||
    // A source's own SLA clock is rare and nested: zod checks it.
    r.sla !== undefined
  )
    return undefined;
  return { at, rule: r.rule as string, sev: r.severity as AlertCount['sev'], count: 1 };
}

/** True only for cases the CaseSchema accepts. */
export function isPlainCase(r: Record<string, unknown>): boolean {
  return plainCaseFacts(r) !== undefined;
}

/** A case the CaseSchema accepts, converted to engine facts exactly as `caseFacts` would; undefined to let zod decide. */
export function plainCaseFacts(r: Record<string, unknown>): CaseFacts | undefined {
  for (const k in r) if (!CASE_KEYS.has(k)) return undefined;
  const created = parseInstant(r.createdAt);
  const firstEvent = optInstant(r.firstEventAt);
  const detected = optInstant(r.detectedAt);
  const ack = optInstant(r.acknowledgedAt);
  const contained = optInstant(r.containedAt);
  const closed = optInstant(r.closedAt);
  if (
    Number.isNaN(created) ||
    bad(firstEvent) ||
    bad(detected) ||
    bad(ack) ||
    bad(contained) ||
    bad(closed) ||
    !nonEmpty(r.id) ||
    !nonEmpty(r.source) ||
    !str(r.title) ||
    !SEV.has(r.severity) ||
    !optional(r.disposition, (x) => DISP.has(x)) ||
    !optional(r.assignee, str) ||
    !optional(r.tier, isTier) ||
    !optional(r.escalatedToTier, isEscalationTier) ||
    !optional(r.runbook, str) ||
    !optional(r.rule, str) ||
    !optional(r.handleMinutes, (x) => typeof x === 'number' && x >= 0 && Number.isFinite(x)) ||
    r.sla !== undefined
  )
    return undefined;
  const f: CaseFacts = { id: `${r.source as string}:${r.id as string}`, sev: r.severity as CaseFacts['sev'], created };
  if (firstEvent !== undefined) f.firstEvent = firstEvent;
  if (detected !== undefined) f.detected = detected;
  if (ack !== undefined) f.ack = ack;
  if (contained !== undefined) f.contained = contained;
  if (closed !== undefined) f.closed = closed;
  if (r.disposition !== undefined) f.disp = r.disposition as CaseFacts['disp'];
  if (r.tier !== undefined) f.tier = r.tier as number;
  if (r.escalatedToTier !== undefined) f.esc = r.escalatedToTier as number;
  if (r.runbook !== undefined) f.runbook = r.runbook as string;
  if (r.rule !== undefined) f.rule = r.rule as string;
  if (r.handleMinutes !== undefined) f.handle = r.handleMinutes as number;
  if (r.assignee !== undefined) f.assignee = r.assignee as string;
  return f;
}
