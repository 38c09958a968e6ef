import * as z from 'zod';
import {
  type Alert,
  type Case,
  Disposition,
  DISPOSITION_INDEX,
  Severity,
  SEVERITY_INDEX,
  type Shift,
} from './records.js';

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

/** The code of an absent severity-like field (disposition, tier, escalation) in `CaseColumns`. */
export const NO_CODE = 255;

/**
 * Cases as columns: the shape the metric engine computes over, one typed array per fact and no object per case.
 * - instants (epoch ms) and `handle` (minutes): NaN where absent, so `x < t` is false for an absent `x`;
 * - `sev` and `disp`: indices into SEVERITIES and DISPOSITIONS; `tier` and `esc`: the tier number; NO_CODE where absent;
 * - `runbook` and `rule`: indices into `runbooks` and `rules`, -1 where absent.
 */
export interface CaseColumns {
  readonly length: number;
  readonly sev: Uint8Array;
  readonly created: Float64Array;
  readonly firstEvent: Float64Array;
  readonly detected: Float64Array;
  readonly ack: Float64Array;
  readonly contained: Float64Array;
  readonly closed: Float64Array;
  readonly handle: Float64Array;
  readonly disp: Uint8Array;
  readonly tier: Uint8Array;
  readonly esc: Uint8Array;
  readonly runbook: Int32Array;
  readonly runbooks: readonly string[];
  readonly rule: Int32Array;
  readonly rules: readonly string[];
}

/**
 * A day of cases as the engine reads it: its columns, and a case's id and title by its position, read only when
 * asked for. A stored day is read in place (the store's binary columns, shared/store/formats/case-batch.ts); a list
 * becomes one with `casesAsDay`. The engine depends on this shape, not on the stored format.
 */
export interface CaseDay {
  readonly length: number;
  /** The columns; a stored day may reuse their arrays for the next day read: use them, never keep them. */
  columns(): CaseColumns;
  textAt(i: number): { id: string; title?: string };
  /**
   * True for cases the caller holds in memory (`casesAsDay`): the engine reads a significant incident's text at once
   * and keeps nothing of the day. A stored day's text is read only for the incidents listed.
   */
  readonly textInMemory?: boolean;
}

/**
 * A text field as indices into its distinct values, in order of first appearance (-1 where absent): how columns, and
 * the stored columns, keep a rule or runbook name once per day instead of once per case.
 */
export function indexNames<T>(
  items: readonly T[],
  get: (item: T) => string | undefined,
): {
  col: Int32Array;
  names: string[];
} {
  const names: string[] = [];
  const seen = new Map<string, number>();
  const col = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = get(items[i]!);
    if (v === undefined) col[i] = -1;
    else {
      let k = seen.get(v);
      if (k === undefined) seen.set(v, (k = names.push(v) - 1));
      col[i] = k;
    }
  }
  return { col, names };
}

/**
 * Items taken one at a time, handed on in lists of `size` (and the rest on `flush`): a file streamed record by record
 * reaches the columnar engine in days of its own, without holding the whole file.
 */
export class Chunks<T> {
  private items: T[] = [];
  constructor(
    private readonly take: (items: T[]) => void,
    private readonly size = 4096,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.size) this.flush();
  }

  /** Hand on what is held; call before reading figures. */
  flush(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.take(items);
  }
}

/**
 * Cases held in memory as a day the engine reads (its columns built once); ids absent read as "". Facts as
 * CaseFactsSchema accepts them: finite numbers, known codes.
 */
export function casesAsDay(cases: readonly (CaseMetrics & { id?: string; title?: string })[]): CaseDay {
  let cols: CaseColumns | undefined;
  return {
    length: cases.length,
    textInMemory: true,
    columns: () => (cols ??= columnsOf(cases)),
    textAt: (i) => {
      const c = cases[i]!;
      return c.title === undefined ? { id: c.id ?? '' } : { id: c.id ?? '', title: c.title };
    },
  };
}

function columnsOf(cases: readonly CaseMetrics[]): CaseColumns {
  const n = cases.length;
  const numbers = (f: 'created' | 'firstEvent' | 'detected' | 'ack' | 'contained' | 'closed' | 'handle') =>
    Float64Array.from(cases, (c) => c[f] ?? NaN);
  const code = (f: 'tier' | 'esc') => Uint8Array.from(cases, (c) => c[f] ?? NO_CODE);
  const runbook = indexNames(cases, (c) => c.runbook);
  const rule = indexNames(cases, (c) => c.rule);
  return {
    length: n,
    sev: Uint8Array.from(cases, (c) => SEVERITY_INDEX.get(c.sev)!),
    created: numbers('created'),
    firstEvent: numbers('firstEvent'),
    detected: numbers('detected'),
    ack: numbers('ack'),
    contained: numbers('contained'),
    closed: numbers('closed'),
    handle: numbers('handle'),
    disp: Uint8Array.from(cases, (c) => (c.disp === undefined ? NO_CODE : DISPOSITION_INDEX.get(c.disp)!)),
    tier: code('tier'),
    esc: code('esc'),
    runbook: runbook.col,
    runbooks: runbook.names,
    rule: rule.col,
    rules: rule.names,
  };
}

/** Alert counts as columns: `at` in epoch ms, `sev` an index into SEVERITIES, `rule` an index into `rules`. */
export interface AlertColumns {
  readonly length: number;
  readonly at: Float64Array;
  readonly sev: Uint8Array;
  readonly count: Float64Array;
  readonly rule: Int32Array;
  readonly rules: readonly string[];
}

/**
 * A day of alert counts as the engine reads it: its columns. A stored day is read in place
 * (shared/store/formats/alert-batch.ts); a list becomes one with `alertsAsDay`.
 */
export interface AlertDay {
  readonly length: number;
  columns(): AlertColumns;
}

/** Alert counts held in memory as a day the engine reads. */
export function alertsAsDay(counts: readonly AlertCount[]): AlertDay {
  return {
    length: counts.length,
    columns: () => {
      const { col: rule, names: rules } = indexNames(counts, (a) => a.rule);
      return {
        length: counts.length,
        at: Float64Array.from(counts, (a) => a.at),
        sev: Uint8Array.from(counts, (a) => SEVERITY_INDEX.get(a.sev)!),
        count: Float64Array.from(counts, (a) => a.count),
        rule,
        rules,
      };
    },
  };
}
