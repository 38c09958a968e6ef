import { pushTo } from './group.js';
import { AlertBatch, encodeAlertBatch } from './alert-batch.js';
import { CaseBatch, encodeCaseBatch } from './case-batch.js';
import * as z from 'zod';
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
import { significantRule } from './settings.js';
import {
  AlertSchema,
  CaseSchema,
  CostSchema,
  DISPOSITION_INDEX,
  DISPOSITIONS,
  isEscalationTier,
  isTier,
  SEVERITIES,
  SEVERITY_INDEX,
  ShiftSchema,
  type Cost,
} from './records.js';
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

/**
 * Cases as payload format 2 stored them, still read: JSON, one array per field (a column is left out when no case has
 * the field), absent values `null`, and the free-text fields (runbook, rule, assignee, title) as indices into their
 * distinct values. Collection now writes format 3, binary columns (case-batch.ts).
 */
const column = <T extends z.ZodType>(t: T) => z.array(t.nullable()).optional();
const textColumn = z.object({ d: z.array(z.string()), v: z.array(z.number().int().min(0).nullable()) }).optional();
const CaseColumnsSchema = z
  .object({
    columns: z.object({
      n: z.number().int().min(0),
      id: z.array(z.string()),
      sev: z.array(
        z
          .number()
          .int()
          .min(0)
          .max(SEVERITIES.length - 1),
      ),
      created: z.array(z.number()),
      firstEvent: column(z.number()),
      detected: column(z.number()),
      ack: column(z.number()),
      contained: column(z.number()),
      closed: column(z.number()),
      disp: column(
        z
          .number()
          .int()
          .min(0)
          .max(DISPOSITIONS.length - 1),
      ),
      tier: column(z.number().int().min(1).max(3)),
      esc: column(z.number().int().min(2).max(3)),
      runbook: textColumn,
      rule: textColumn,
      handle: column(z.number()),
      assignee: textColumn,
      title: textColumn,
    }),
  })
  .superRefine(({ columns: c }, ctx) => {
    for (const [k, v] of Object.entries(c)) {
      if (k === 'n' || v === undefined) continue;
      const list = Array.isArray(v) ? v : (v as { v: unknown[] }).v;
      if (list.length !== c.n) ctx.addIssue({ code: 'custom', path: ['columns', k], message: `not ${c.n} values` });
      if (!Array.isArray(v)) {
        const { d, v: idx } = v as { d: string[]; v: (number | null)[] };
        const bad = idx.findIndex((i) => i !== null && i >= d.length);
        if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['columns', k, 'v', bad], message: 'no such value' });
      }
    }
  })
  .transform(({ columns }) => ({ cases: caseRows(columns as unknown as CaseColumns) }));

export const SnapshotPayloadSchemas = {
  /** Stored as columns (format 2) or one object per case (format 1); read as one object per case. */
  cases: z.union([z.object({ cases: z.array(CaseFactsSchema) }), CaseColumnsSchema]),
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
    (r.tier === undefined || isTier(r.tier)) &&
    (r.esc === undefined || isEscalationTier(r.esc)) &&
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
    isTier(r.tier) &&
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

/**
 * A cases snapshot of `day` as collection stores it: the payload as binary columns (`CaseBatch`), the header figures
 * (open count, latest close) and the tail (binary too).
 */
export function caseSnapshotForStore(
  cases: CaseFacts[],
  day: string,
  tz: string,
): {
  payload: Uint8Array;
  meta: Record<string, number>;
  tail: { from: number; payload: Uint8Array };
} {
  const tail = caseSnapshotTail(cases, day, tz);
  return {
    payload: encodeCaseBatch(cases),
    meta: caseSnapshotMeta(cases),
    tail: { from: tail.from, payload: encodeCaseBatch(tail.cases) },
  };
}

/**
 * A day snapshot as collection stores it: cases and alerts as binary columns (case-batch.ts, alert-batch.ts), cases
 * with their header figures and tail; shifts and costs, which are small, as JSON.
 */
export function snapshotForStore(
  family: string,
  periodKey: string,
  payload: unknown,
  tz: string,
): { payload: unknown; meta?: Record<string, number>; tail?: { from: number; payload: unknown } } {
  if (family === 'cases') return caseSnapshotForStore((payload as SnapshotPayload<'cases'>).cases, periodKey, tz);
  if (family === 'alerts') return { payload: encodeAlertBatch((payload as SnapshotPayload<'alerts'>).counts) };
  return { payload };
}

/**
 * Binary decoders per family for `DynamoSnapshotStore.list`, giving the same payload as the JSON forms. (The
 * summary loader reads cases and alerts as `CaseBatch` and `AlertBatch` instead, without an object per row.)
 */
export const SnapshotPayloadBinaryDecoders: {
  [F in Family]?: (bytes: Uint8Array) => SnapshotPayload<F>;
} = {
  cases: (bytes) => ({ cases: CaseBatch.decode(bytes).rows() }),
  alerts: (bytes) => ({ counts: AlertBatch.decode(bytes).rows() }),
};

/** The JSON columnar form of a cases payload, stored before format 3 and still read: see CaseColumnsSchema. */
export interface CaseColumns {
  n: number;
  id: string[];
  sev: number[];
  created: number[];
  [field: string]: number | (string | number | null)[] | TextColumn | undefined;
}
interface TextColumn {
  d: string[];
  v: (number | null)[];
}

const TIME_FIELDS = ['firstEvent', 'detected', 'ack', 'contained', 'closed'] as const;
const TEXT_FIELDS = new Set(['runbook', 'rule', 'assignee', 'title']);
/** Every optional field in CaseFactsSchema order, so decoded cases have their keys in the order zod gives them. */
const OPTIONAL_FIELDS = [
  ...TIME_FIELDS,
  'disp',
  'tier',
  'esc',
  'runbook',
  'rule',
  'handle',
  'assignee',
  'title',
] as const;

/** Cases in the JSON columnar form stored before format 3; `decodeCaseColumns` gives back exactly `cases`. */
export function encodeCaseColumns(cases: CaseFacts[]): { columns: CaseColumns } {
  const n = cases.length;
  const c: CaseColumns = {
    n,
    id: cases.map((x) => x.id),
    sev: cases.map((x) => SEVERITY_INDEX.get(x.sev)!),
    created: cases.map((x) => x.created),
  };
  for (const f of OPTIONAL_FIELDS) {
    if (!cases.some((x) => x[f] !== undefined)) continue;
    if (TEXT_FIELDS.has(f)) {
      const d: string[] = [];
      const at = new Map<string, number>();
      const v = cases.map((x) => {
        const s = x[f] as string | undefined;
        if (s === undefined) return null;
        let i = at.get(s);
        if (i === undefined) at.set(s, (i = d.push(s) - 1));
        return i;
      });
      c[f] = { d, v };
    } else if (f === 'disp') c[f] = cases.map((x) => (x.disp === undefined ? null : DISPOSITION_INDEX.get(x.disp)!));
    else c[f] = cases.map((x) => (x[f] === undefined ? null : (x[f] as number)));
  }
  return { columns: c };
}

/** Rows from columns already validated (by CaseColumnsSchema or `decodeCaseColumns`). */
function caseRows(c: CaseColumns): CaseFacts[] {
  // One named store per field (not a loop over field names): every row gets the same hidden class chain, which is
  // what makes building a million of them cheap.
  type Col = (number | null)[] | undefined;
  const firstEvent = c.firstEvent as Col;
  const detected = c.detected as Col;
  const ack = c.ack as Col;
  const contained = c.contained as Col;
  const closed = c.closed as Col;
  const disp = c.disp as Col;
  const tier = c.tier as Col;
  const esc = c.esc as Col;
  const handle = c.handle as Col;
  const runbook = c.runbook as TextColumn | undefined;
  const rule = c.rule as TextColumn | undefined;
  const assignee = c.assignee as TextColumn | undefined;
  const title = c.title as TextColumn | undefined;
  const { n, id, sev, created } = c;
  const out = new Array<CaseFacts>(n);
  let v: number | null | undefined;
  for (let i = 0; i < n; i++) {
    const row: CaseFacts = { id: id[i]!, sev: SEVERITIES[sev[i]!]!, created: created[i]! };
    if (firstEvent && (v = firstEvent[i]) !== null) row.firstEvent = v;
    if (detected && (v = detected[i]) !== null) row.detected = v;
    if (ack && (v = ack[i]) !== null) row.ack = v;
    if (contained && (v = contained[i]) !== null) row.contained = v;
    if (closed && (v = closed[i]) !== null) row.closed = v;
    if (disp && (v = disp[i]) !== null) row.disp = DISPOSITIONS[v!];
    if (tier && (v = tier[i]) !== null) row.tier = v;
    if (esc && (v = esc[i]) !== null) row.esc = v;
    if (runbook && (v = runbook.v[i]) !== null) row.runbook = runbook.d[v!];
    if (rule && (v = rule.v[i]) !== null) row.rule = rule.d[v!];
    if (handle && (v = handle[i]) !== null) row.handle = v;
    if (assignee && (v = assignee.v[i]) !== null) row.assignee = assignee.d[v!];
    if (title && (v = title.v[i]) !== null) row.title = title.d[v!];
    out[i] = row;
  }
  return out;
}

const COLUMN_KEYS = new Set(['n', 'id', 'sev', 'created', ...OPTIONAL_FIELDS]);
const TEXT_KEYS = new Set(['d', 'v']);
const isIndex = (v: unknown, below: number) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < below;
const valueCheck: Record<(typeof OPTIONAL_FIELDS)[number], (v: unknown) => boolean> = {
  firstEvent: num,
  detected: num,
  ack: num,
  contained: num,
  closed: num,
  disp: (v) => isIndex(v, DISPOSITIONS.length),
  tier: isTier,
  esc: isEscalationTier,
  handle: num,
  runbook: () => true,
  rule: () => true,
  assignee: () => true,
  title: () => true,
};

/**
 * Fast decoding of a stored columnar cases payload: the cases when the payload is one CaseColumnsSchema accepts
 * (the same cases it gives), else undefined — then zod decides, and names what is wrong. Property-tested.
 */
export function decodeCaseColumns(raw: unknown): SnapshotPayload<'cases'> | undefined {
  if (!isRecord(raw)) return undefined;
  for (const k in raw) if (k !== 'columns') return undefined;
  const c = raw.columns;
  if (!isRecord(c) || !onlyKeys(c, COLUMN_KEYS)) return undefined;
  const n = c.n;
  if (!Number.isSafeInteger(n) || (n as number) < 0) return undefined;
  const sized = (v: unknown): v is unknown[] => Array.isArray(v) && v.length === n;
  const { id, sev, created } = c;
  if (!sized(id) || !sized(sev) || !sized(created)) return undefined;
  for (let i = 0; i < (n as number); i++)
    if (typeof id[i] !== 'string' || !isIndex(sev[i], SEVERITIES.length) || !num(created[i])) return undefined;
  for (const f of OPTIONAL_FIELDS) {
    const col = c[f];
    if (col === undefined) continue;
    if (TEXT_FIELDS.has(f)) {
      if (!isRecord(col) || !onlyKeys(col, TEXT_KEYS)) return undefined;
      const { d, v } = col;
      if (!Array.isArray(d) || !sized(v)) return undefined;
      for (let i = 0; i < d.length; i++) if (typeof d[i] !== 'string') return undefined;
      for (let i = 0; i < (n as number); i++) if (v[i] !== null && !isIndex(v[i], d.length)) return undefined;
    } else {
      if (!sized(col)) return undefined;
      const ok = valueCheck[f];
      for (let i = 0; i < (n as number); i++) if (col[i] !== null && !ok(col[i])) return undefined;
    }
  }
  return { cases: caseRows(c as unknown as CaseColumns) };
}

/**
 * Decoders per family for `DynamoSnapshotStore.list`: the payload when a plain check accepts it — only payloads the
 * family's zod schema accepts, decoding to what zod gives — else undefined, and zod decides.
 */
export const SnapshotPayloadDecoders: {
  [F in Family]?: (raw: unknown) => SnapshotPayload<F> | undefined;
} = {
  cases: (raw) =>
    decodeCaseColumns(raw) ?? (SnapshotPayloadFastChecks.cases!(raw) ? (raw as SnapshotPayload<'cases'>) : undefined),
  alerts: (raw) => (SnapshotPayloadFastChecks.alerts!(raw) ? (raw as SnapshotPayload<'alerts'>) : undefined),
  shifts: (raw) => (SnapshotPayloadFastChecks.shifts!(raw) ? (raw as SnapshotPayload<'shifts'>) : undefined),
};
