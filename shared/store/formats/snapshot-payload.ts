import * as z from 'zod';
import type { Family, SnapshotPayload } from '../../domain/day-snapshot.js';
import { ShiftFactsSchema, type CaseFacts } from '../../domain/facts.js';
import { zonedTime } from '../../domain/periods.js';
import { CostSchema, isTier } from '../../domain/records.js';
import { AlertBatch, encodeAlertBatch } from './alert-batch.js';
import { CaseBatch, encodeCaseBatch } from './case-batch.js';

/**
 * The one stored format of each family's day (the payload of a `DynamoSnapshotStore` snapshot):
 * - cases: binary columns (case-batch.ts), with the header figures of `caseSnapshotMeta` and a tail;
 * - alerts: binary columns (alert-batch.ts);
 * - shifts and costs, which are small: JSON, checked by zod when read.
 * A JSON cases or alerts payload is not a stored day: reading one fails, naming the item.
 */
const storedAsBinary = <F extends Family>(family: F) =>
  z.custom<never>(() => false, { error: `${family} are stored as binary columns, never as JSON` });

/**
 * The JSON schema each family is read with. Cases and alerts have no JSON form: theirs refuses every JSON payload
 * (their days are read with `SnapshotPayloadBinaryDecoders`, or as `CaseBatch` and `AlertBatch`).
 */
export const SnapshotPayloadSchemas = {
  cases: storedAsBinary('cases'),
  alerts: storedAsBinary('alerts'),
  shifts: z.object({ shifts: z.array(ShiftFactsSchema) }),
  costs: z.object({ costs: z.array(CostSchema) }),
} as const;

/**
 * Binary decoders per family for `DynamoSnapshotStore.list`, giving the day as rows (`SnapshotPayload`). The summary
 * loader reads cases and alerts as `CaseBatch` and `AlertBatch` instead, without an object per row.
 */
export const SnapshotPayloadBinaryDecoders: {
  [F in Family]?: (bytes: Uint8Array) => SnapshotPayload<F>;
} = {
  cases: (bytes) => ({ cases: CaseBatch.decode(bytes).rows() }),
  alerts: (bytes) => ({ counts: AlertBatch.decode(bytes).rows() }),
};

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
 * A day snapshot as collection stores it: cases and alerts as binary columns, cases with their header figures and
 * tail; shifts and costs as JSON.
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

// A fast path for the shifts of a year of days, which the budget and staffing sections read: a plain check that
// accepts only what ShiftFactsSchema accepts and returns unchanged (no unknown keys, which zod strips). Anything it
// does not accept goes through zod, which either accepts it too or names the field that is wrong. Proven equal to
// the schema by a property test (test/unit/snapshot-payload.test.ts).
const SHIFT_FACT_KEYS = new Set(Object.keys(ShiftFactsSchema.shape));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/** True only for shift facts the ShiftFactsSchema accepts and returns unchanged. */
export function isPlainShiftFacts(r: unknown): boolean {
  if (!isRecord(r)) return false;
  for (const k in r) if (!SHIFT_FACT_KEYS.has(k)) return false;
  return typeof r.analyst === 'string' && isTier(r.tier) && num(r.start) && num(r.end);
}

/** True only for a shifts payload `SnapshotPayloadSchemas.shifts` accepts and returns unchanged. */
function isPlainShifts(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  for (const k in raw) if (k !== 'shifts') return false;
  const list = raw.shifts;
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) if (!isPlainShiftFacts(list[i])) return false;
  return true;
}

/**
 * Decoders per family for `DynamoSnapshotStore.list`: the payload when a plain check accepts it — only payloads the
 * family's zod schema accepts, decoding to what zod gives — else undefined, and zod decides.
 */
export const SnapshotPayloadDecoders: {
  [F in Family]?: (raw: unknown) => SnapshotPayload<F> | undefined;
} = {
  shifts: (raw) => (isPlainShifts(raw) ? (raw as SnapshotPayload<'shifts'>) : undefined),
};
