import { pushTo } from './group.js';
import { z } from 'zod';
import {
  alertCount,
  AlertCountSchema,
  caseFacts,
  CaseFactsSchema,
  shiftFacts,
  ShiftFactsSchema,
  type AlertCount,
  type CaseFacts,
  type ShiftFacts,
} from './facts.js';
import { localDay, zonedTime } from './periods.js';
import { AlertSchema, CaseSchema, CostSchema, DISPOSITIONS, SEVERITIES, ShiftSchema, type Cost } from './records.js';
import type { SummaryInput } from './summary.js';

/**
 * The mergeable daily state (issue "Mergeable state"). One snapshot per (family, local day — or month for costs,
 * source) holds exactly what the engine needs, so any period's figures are recomputed exactly from stored days:
 * - cases: the facts of every case created that local day, in their latest known state (closures of older cases
 *   are merged into the snapshot of the day they were created);
 * - alerts: counts per (15 minutes, rule, severity) — a million alerts a day stay a few thousand rows, and every
 *   period boundary (a local midnight in any zone) falls on a bucket edge;
 * - shifts: the intervals starting that local day;
 * - costs: the cost lines of a month.
 */
export const FAMILIES = ['cases', 'alerts', 'shifts', 'costs'] as const;
export type Family = (typeof FAMILIES)[number];

export const SnapshotPayloadSchemas = {
  cases: z.object({ cases: z.array(CaseFactsSchema) }),
  alerts: z.object({ counts: z.array(AlertCountSchema) }),
  shifts: z.object({ shifts: z.array(ShiftFactsSchema) }),
  costs: z.object({ costs: z.array(CostSchema) }),
} as const;
export type SnapshotPayload<F extends Family> = z.infer<(typeof SnapshotPayloadSchemas)[F]>;

export interface DaySnapshot {
  family: Family;
  periodKey: string;
  payload: SnapshotPayload<Family>;
}

/**
 * Alert bucket width. Every modern UTC offset is a multiple of 15 minutes, so every local midnight — every period
 * boundary in any zone — falls on a bucket edge: counts stay exact, and a day holds at most 96 buckets per
 * (rule, severity) however many alerts it has.
 */
const BUCKET = 15 * 60_000;

/**
 * Folds canonical records of one collection window into day snapshots. Memory grows with days and alert buckets,
 * not with the number of alerts. Records are validated upstream; this only buckets them.
 */
export class DaySnapshotBuilder {
  private readonly cases = new Map<string, Map<string, CaseFacts>>();
  private readonly alerts = new Map<string, Map<string, AlertCount>>();
  private readonly shifts = new Map<string, ShiftFacts[]>();
  private readonly costs = new Map<string, Cost[]>();
  /** Cases created before the window that changed inside it, by creation day: merged into stored snapshots. */
  readonly olderCases = new Map<string, CaseFacts[]>();

  constructor(
    private readonly tz: string,
    /** Local days the window covers completely or up to now: each gets a snapshot, empty if nothing happened. */
    private readonly days: string[],
    /** Families the source provides; the others are not written at all (absent is never zero). */
    private readonly families: ReadonlySet<Family>,
  ) {}

  /** Add one batch of validated canonical records of one family. */
  add(family: Family, records: unknown[]): void {
    const first = this.days[0]!;
    if (family === 'cases') {
      for (const r of records as z.infer<typeof CaseSchema>[]) {
        const f = caseFacts(r);
        const day = localDay(f.created, this.tz);
        if (day < first) {
          pushTo(this.olderCases, day, f);
          continue;
        }
        let m = this.cases.get(day);
        if (!m) this.cases.set(day, (m = new Map()));
        m.set(f.id, f);
      }
    } else if (family === 'alerts') {
      for (const r of records as z.infer<typeof AlertSchema>[]) {
        const a = alertCount(r);
        const at = Math.floor(a.at / BUCKET) * BUCKET;
        const day = localDay(at, this.tz);
        let m = this.alerts.get(day);
        if (!m) this.alerts.set(day, (m = new Map()));
        const key = `${at}|${a.sev}|${a.rule}`;
        const hit = m.get(key);
        if (hit) hit.count++;
        else m.set(key, { at, rule: a.rule, sev: a.sev, count: 1 });
      }
    } else if (family === 'shifts') {
      for (const r of records as z.infer<typeof ShiftSchema>[]) {
        const s = shiftFacts(r);
        const day = localDay(s.start, this.tz);
        pushTo(this.shifts, day, s);
      }
    } else {
      for (const r of records as Cost[]) pushTo(this.costs, r.month, stripSource(r));
    }
  }

  /** One snapshot per (family, day) of the window for each provided family, plus one per month with costs. */
  snapshots(): DaySnapshot[] {
    const out: DaySnapshot[] = [];
    for (const day of this.days) {
      if (this.families.has('cases'))
        out.push({
          family: 'cases',
          periodKey: day,
          payload: { cases: [...(this.cases.get(day)?.values() ?? [])].sort(byId) },
        });
      if (this.families.has('alerts'))
        out.push({
          family: 'alerts',
          periodKey: day,
          payload: { counts: [...(this.alerts.get(day)?.values() ?? [])].sort(byBucket) },
        });
      if (this.families.has('shifts'))
        out.push({
          family: 'shifts',
          periodKey: day,
          payload: {
            shifts: (this.shifts.get(day) ?? []).sort(
              (a, b) => a.start - b.start || a.analyst.localeCompare(b.analyst),
            ),
          },
        });
    }
    for (const [month, costs] of [...this.costs].sort())
      out.push({ family: 'costs', periodKey: month, payload: { costs } });
    return out;
  }
}

/** Merge updated cases into a stored cases snapshot: an update replaces the stored case with the same id. */
export function mergeCases(stored: CaseFacts[], updates: CaseFacts[]): CaseFacts[] {
  const m = new Map(stored.map((c) => [c.id, c]));
  for (const u of updates) m.set(u.id, u);
  return [...m.values()].sort(byId);
}

/** Turn stored snapshots back into the engine's input; a family with no snapshot at all stays missing. */
export function mergeDaySnapshots(snapshots: { family: string; payload: unknown }[]): SummaryInput {
  const input: SummaryInput = {};
  for (const s of snapshots) {
    if (s.family === 'cases') (input.cases ??= []).push(...(s.payload as SnapshotPayload<'cases'>).cases);
    else if (s.family === 'alerts') (input.alerts ??= []).push(...(s.payload as SnapshotPayload<'alerts'>).counts);
    else if (s.family === 'shifts') (input.shifts ??= []).push(...(s.payload as SnapshotPayload<'shifts'>).shifts);
    else if (s.family === 'costs') (input.costs ??= []).push(...(s.payload as SnapshotPayload<'costs'>).costs);
  }
  return input;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byBucket = (a: AlertCount, b: AlertCount) =>
  a.at - b.at || a.sev.localeCompare(b.sev) || a.rule.localeCompare(b.rule);
function stripSource(c: Cost): Cost {
  const { source: _source, ...rest } = c;
  return rest;
}

/** What a cases snapshot's header records about it: how many cases are still open, and the latest close. */
export function caseSnapshotMeta(cases: CaseFacts[]): { open: number; lastClosed: number } {
  let open = 0;
  let lastClosed = 0;
  for (const c of cases) {
    if (c.closed === undefined) open++;
    else if (c.closed > lastClosed) lastClosed = c.closed;
  }
  return { open, lastClosed };
}

/**
 * How many whole local days after its creation day a case must still be unresolved to be in its day's tail. Most
 * cases close within a week, so a tail holds about an eighth of its day (simulator: 12.6%), and a period reads the
 * tails of older days instead of the days themselves.
 */
export const TAIL_AFTER_DAYS = 7;

/**
 * The tail of a cases snapshot: the cases of `day` still open, or closed at or after `from` (the local midnight
 * TAIL_AFTER_DAYS days after the day ends). A reader that needs only the cases open at, or closed since, an instant
 * at or after `from` reads the tail instead of the whole day.
 */
export function caseSnapshotTail(cases: CaseFacts[], day: string, tz: string): { from: number; cases: CaseFacts[] } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1 + TAIL_AFTER_DAYS));
  const from = zonedTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz);
  return { from, cases: cases.filter((c) => c.closed === undefined || c.closed >= from) };
}

// Schema-equivalent fast checks for stored payloads: plain checks that accept only what the zod schema accepts, and
// only objects zod would return unchanged (no unknown keys, which zod strips). Anything they do not accept goes
// through zod, which either accepts it too or names the field that is wrong. Proven by a property test
// (test/unit/day-snapshot-fast.test.ts).
const SEV = new Set<unknown>(SEVERITIES);
const DISP = new Set<unknown>(DISPOSITIONS);
const CASE_FACT_KEYS = new Set(Object.keys(CaseFactsSchema.shape));
const ALERT_COUNT_KEYS = new Set(Object.keys(AlertCountSchema.shape));
const SHIFT_FACT_KEYS = new Set(Object.keys(ShiftFactsSchema.shape));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown) => v === undefined || num(v);
const optStr = (v: unknown) => v === undefined || typeof v === 'string';
const onlyKeys = (r: Record<string, unknown>, allowed: Set<string>) => {
  for (const k in r) if (!allowed.has(k)) return false;
  return true;
};

/** True only for case facts the CaseFactsSchema accepts and returns unchanged. */
export function isPlainCaseFacts(r: unknown): boolean {
  return (
    isRecord(r) &&
    onlyKeys(r, CASE_FACT_KEYS) &&
    typeof r.id === 'string' &&
    SEV.has(r.sev) &&
    num(r.created) &&
    optNum(r.firstEvent) &&
    optNum(r.detected) &&
    optNum(r.ack) &&
    optNum(r.contained) &&
    optNum(r.closed) &&
    (r.disp === undefined || DISP.has(r.disp)) &&
    (r.tier === undefined || r.tier === 1 || r.tier === 2 || r.tier === 3) &&
    (r.esc === undefined || r.esc === 2 || r.esc === 3) &&
    optStr(r.runbook) &&
    optStr(r.rule) &&
    optNum(r.handle) &&
    optStr(r.assignee) &&
    optStr(r.title)
  );
}

/** True only for alert counts the AlertCountSchema accepts and returns unchanged. */
export function isPlainAlertCount(r: unknown): boolean {
  return (
    isRecord(r) &&
    onlyKeys(r, ALERT_COUNT_KEYS) &&
    num(r.at) &&
    typeof r.rule === 'string' &&
    SEV.has(r.sev) &&
    Number.isSafeInteger(r.count) &&
    (r.count as number) > 0
  );
}

/** True only for shift facts the ShiftFactsSchema accepts and returns unchanged. */
export function isPlainShiftFacts(r: unknown): boolean {
  return (
    isRecord(r) &&
    onlyKeys(r, SHIFT_FACT_KEYS) &&
    typeof r.analyst === 'string' &&
    (r.tier === 1 || r.tier === 2 || r.tier === 3) &&
    num(r.start) &&
    num(r.end)
  );
}

const plainList =
  (key: string, item: (r: unknown) => boolean) =>
  (raw: unknown): boolean => {
    if (!isRecord(raw)) return false;
    for (const k in raw) if (k !== key) return false;
    const list = raw[key];
    if (!Array.isArray(list)) return false;
    for (let i = 0; i < list.length; i++) if (!item(list[i])) return false;
    return true;
  };

/** Fast checks per family, each accepting only payloads its SnapshotPayloadSchemas entry accepts unchanged. */
export const SnapshotPayloadFastChecks: Partial<Record<Family, (raw: unknown) => boolean>> = {
  cases: plainList('cases', isPlainCaseFacts),
  alerts: plainList('counts', isPlainAlertCount),
  shifts: plainList('shifts', isPlainShiftFacts),
};

/** What collection stores beside a cases snapshot of `day`: its header figures and its tail. */
export function caseSnapshotExtras(
  cases: CaseFacts[],
  day: string,
  tz: string,
): { meta: Record<string, number>; tail: { from: number; payload: SnapshotPayload<'cases'> } } {
  const tail = caseSnapshotTail(cases, day, tz);
  return { meta: caseSnapshotMeta(cases), tail: { from: tail.from, payload: { cases: tail.cases } } };
}
