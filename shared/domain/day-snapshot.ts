import { pushTo } from './group.js';
import type * as z from 'zod';
import { alertCount, caseFacts, shiftFacts, type AlertCount, type CaseFacts, type ShiftFacts } from './facts.js';
import { localDay } from './periods.js';
import { significantRule } from './settings.js';
import { AlertSchema, CaseSchema, ShiftSchema, type Cost } from './records.js';
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

/** A day's facts of each family, as the builder gives them and the engine reads them (mergeDaySnapshots). */
export interface DayPayloads {
  cases: { cases: CaseFacts[] };
  alerts: { counts: AlertCount[] };
  shifts: { shifts: ShiftFacts[] };
  costs: { costs: Cost[] };
}
export type SnapshotPayload<F extends Family> = DayPayloads[F];

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
    /** Which cases keep their title (significant incidents); by default the settings' default rule. */
    private readonly keepTitle: (sev: string, esc: number | undefined) => boolean = significantRule(),
  ) {}

  /** Add one batch of validated canonical records of one family. */
  add(family: Family, records: unknown[]): void {
    const first = this.days[0]!;
    if (family === 'cases') {
      for (const r of records as z.infer<typeof CaseSchema>[]) {
        const f = caseFacts(r, this.keepTitle);
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

/**
 * Turn stored snapshots back into the engine's input; a family with no snapshot at all stays missing. Rows are
 * copied into one array per family sized up front: a year of days is hundreds of thousands of rows, too many to
 * spread into `push` (argument limits) or to grow one at a time.
 */
export function mergeDaySnapshots(snapshots: { family: string; payload: unknown }[]): SummaryInput {
  const rowsOf = (s: { family: string; payload: unknown }): unknown[] | undefined => {
    if (s.family === 'cases') return (s.payload as SnapshotPayload<'cases'>).cases;
    if (s.family === 'alerts') return (s.payload as SnapshotPayload<'alerts'>).counts;
    if (s.family === 'shifts') return (s.payload as SnapshotPayload<'shifts'>).shifts;
    if (s.family === 'costs') return (s.payload as SnapshotPayload<'costs'>).costs;
    return undefined;
  };
  const lists = new Map<string, unknown[][]>();
  for (const s of snapshots) {
    const rows = rowsOf(s);
    if (rows) pushTo(lists, s.family, rows);
  }
  const input: Record<string, unknown[]> = {};
  for (const [family, parts] of lists) {
    const out = new Array<unknown>(parts.reduce((n, l) => n + l.length, 0));
    let i = 0;
    for (const l of parts) for (let j = 0; j < l.length; j++) out[i++] = l[j];
    input[family] = out;
  }
  return input as SummaryInput;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byBucket = (a: AlertCount, b: AlertCount) =>
  a.at - b.at || a.sev.localeCompare(b.sev) || a.rule.localeCompare(b.rule);
function stripSource(c: Cost): Cost {
  const { source: _source, ...rest } = c;
  return rest;
}
