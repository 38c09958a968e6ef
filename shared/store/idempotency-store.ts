import * as z from 'zod';
import type { DynamoTable, Item } from './dynamo-table.js';
import { ConflictError } from './errors.js';
import { parseData } from './item-data.js';
import { keys, type Key } from './keys.js';

export const IdempotencyRecordSchema = z.object({
  /** The request's parameters as the caller sent them (what a reuse of the key must match). */
  request: z.record(z.string(), z.unknown()),
  status: z.enum(['started', 'completed']),
  runId: z.string().optional(),
  startedAt: z.string(),
  rev: z.number().int(),
});
export type IdempotencyRecord = z.infer<typeof IdempotencyRecordSchema>;

/**
 * What a key's first use decided: `new` — go ahead, then `complete`; `replay` — the same request was served before,
 * answer with its run; `in-progress` — the same request is being served right now; `mismatch` — the key was used
 * for another request (the fields that differ).
 */
export type IdempotencyBegin =
  | { state: 'new' }
  | { state: 'replay'; runId: string }
  | { state: 'in-progress' }
  | { state: 'mismatch'; fields: string[] };

/** How long a key is remembered (Stripe keeps them 24 hours), and how long a started request holds it. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
export const STARTED_LEASE_MS = 60_000;

/**
 * What a key's stored record says to a new use of it: `mismatch` (the fields that differ from its request), `replay`
 * (completed: its run), `in-progress` (started, its lease live), or `take-over` (started by a server that died: the
 * lease is over). The decision of `begin`, kept apart from the conditional writes that make it stick.
 */
export function beginOf(
  seen: IdempotencyRecord,
  leaseUntil: number,
  request: Record<string, unknown>,
  now: Date,
): IdempotencyBegin | { state: 'take-over' } {
  const fields = [...new Set([...Object.keys(seen.request), ...Object.keys(request)])]
    .filter((f) => JSON.stringify(seen.request[f]) !== JSON.stringify(request[f]))
    .sort();
  if (fields.length) return { state: 'mismatch', fields };
  if (seen.status === 'completed' && seen.runId) return { state: 'replay', runId: seen.runId };
  if (leaseUntil > now.getTime()) return { state: 'in-progress' };
  return { state: 'take-over' };
}

/**
 * Idempotency-Key records for report requests (HTTP `Idempotency-Key`, MCP `idempotencyKey`), one conditional put per
 * step, scoped to the caller (the draft's advice: a composite key with what only the server knows about the client).
 * Semantics after Stripe's API and the IETF draft "The Idempotency-Key HTTP Header Field"
 * (ietf-wg-httpapi/idempotency, draft-ietf-httpapi-idempotency-key-header.md): the same key with the same request
 * returns the first result; while the first is still being served, 409; with another request, 409 naming the fields
 * that differ (issue 14 asks 409, as payment APIs answer; the draft suggests 422 there).
 *
 *   first use ─ put if absent (or expired) ─► started ─ the request is served ─► completed (run id)
 *   retry, same request ─ put fails, reads it ─► completed: the same run │ started: 409 in progress
 *   retry, another request ─ put fails, reads it ─► 409 naming the fields that differ
 *   a server that died while serving ─ started, lease over ─ rev n→n+1 ─► the retry serves it again
 *
 * Records older than IDEMPOTENCY_TTL_MS count as absent (dynalite has no TTL; `expiresAt` is also the attribute a
 * table TTL would read, in seconds).
 */
export class DynamoIdempotencyStore {
  constructor(private readonly table: DynamoTable) {}

  /** Record the first use of a key, or say what an earlier use decided. */
  async begin(principal: string, key: string, request: Record<string, unknown>, now: Date): Promise<IdempotencyBegin> {
    const k = keys.idempotencyKey(principal, key);
    const fresh: IdempotencyRecord = { request, status: 'started', startedAt: now.toISOString(), rev: 0 };
    try {
      await this.table.put(this.item(k, fresh, now), {
        expression: 'attribute_not_exists(pk) OR expiresAt < :now',
        values: { ':now': Math.floor(now.getTime() / 1000) },
      });
      return { state: 'new' };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    const item = await this.table.get(k);
    if (!item) return this.begin(principal, key, request, now); // expired and removed in between
    const seen = parseData(item, IdempotencyRecordSchema);
    const found = beginOf(seen, Number(item.leaseUntil), request, now);
    if (found.state !== 'take-over') return found;
    try {
      await this.save(k, seen.rev, { ...fresh, rev: seen.rev + 1 }, now);
      return { state: 'new' };
    } catch (e) {
      if (e instanceof ConflictError) return { state: 'in-progress' };
      throw e;
    }
  }

  /** The request was served: later uses of the key replay this run. */
  async complete(principal: string, key: string, request: Record<string, unknown>, runId: string, now: Date) {
    const k = keys.idempotencyKey(principal, key);
    const item = await this.table.get(k);
    const seen = item ? parseData(item, IdempotencyRecordSchema) : undefined;
    const rev = seen?.rev ?? 0;
    await this.save(
      k,
      rev,
      { request, status: 'completed', runId, startedAt: seen?.startedAt ?? '', rev: rev + 1 },
      now,
    );
  }

  /** The request failed before it changed anything: forget the key, so the caller may retry with it. */
  async release(principal: string, key: string): Promise<void> {
    // Expired rather than deleted: the API and MCP functions have no DeleteItem right, and begin() treats it as absent.
    const k = keys.idempotencyKey(principal, key);
    await this.table.put({ ...k, type: 'idempotency-key', rev: 0, leaseUntil: 0, expiresAt: 0, data: '{}' });
  }

  private item(k: Key, r: IdempotencyRecord, now: Date): Item & Key {
    return {
      ...k,
      type: 'idempotency-key',
      rev: r.rev,
      leaseUntil: now.getTime() + STARTED_LEASE_MS,
      expiresAt: Math.floor((now.getTime() + IDEMPOTENCY_TTL_MS) / 1000),
      data: JSON.stringify(r),
    };
  }

  private async save(k: Key, seenRev: number, r: IdempotencyRecord, now: Date) {
    await this.table.put(this.item(k, r, now), {
      expression: '#rev = :seen',
      names: { '#rev': 'rev' },
      values: { ':seen': seenRev },
    });
  }
}
