import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import type { z } from 'zod';
import type { DynamoTable, Item } from './dynamo-table.js';
import { BinaryPayloadError } from './formats/binary-payload.js';
import { ConflictError, CorruptItemError } from './errors.js';
import { keys } from './keys.js';

const gunzipAsync = promisify(gunzip);

/** Stored payload bytes per item: well under DynamoDB's 400 KB item limit, leaving room for keys and attributes. */
export const MAX_PART_BYTES = 350_000;

/** More parts than this (350 MB gzip'd at the default part size) is a damaged header, not a day; never written. */
const MAX_PARTS = 1000;
/** Parts of one payload read at once. */
const PARTS_AT_ONCE = 4;
/** Payloads up to this many gzip'd bytes stay in the header item: one read unit, and no part to fetch. */
export const INLINE_MAX_BYTES = 4_000;

/**
 * Item layout of the snapshots, kept on every header (`format`): parts and tails in partitions of their own, small
 * payloads inline. A header of any other layout is refused, naming the item.
 */
const FORMAT = 2;

/** A header's attributes without its payload (listing a long range reads only these). */
const HEADER_ATTRIBUTES = [
  'pk',
  'sk',
  'type',
  'format',
  'periodKey',
  'source',
  'version',
  'parts',
  'collectedAt',
  'bytes',
  'tailBytes',
  'meta',
];

/** How many part, tail or inline payloads are fetched and decoded at once. */
const READ_CONCURRENCY = 16;
/**
 * Payloads smaller than this (gzip'd bytes) are inflated on the spot: handing one to the thread pool costs the
 * event loop 0.1–0.4 ms of bookkeeping, more than inflating a few KB, and a monthly report reads hundreds of such
 * payloads (the tails of old days, a few hundred bytes each). Larger ones still inflate off the event loop.
 */
const INFLATE_INLINE_BELOW = 16_384;

/** One dated snapshot: what one source said about one local day (or month, for costs) in one family. */
export interface Snapshot<T> {
  family: string;
  /** `yyyy-mm-dd` for daily families, `yyyy-mm` for monthly ones. */
  periodKey: string;
  source: string;
  collectedAt: string;
  payload: T;
  /** Small figures about the payload kept on the header, so readers can skip days without fetching them. */
  meta?: Record<string, number>;
}

/**
 * A subset of a snapshot's payload stored beside it, for readers that need only part of a day: for cases, those
 * still open or closed at or after `from`. The header's meta then carries `tailFrom`.
 */
export interface SnapshotTail<T> {
  from: number;
  payload: T;
}

/** A snapshot's header: which day and source, when collected, and its meta figures; no payload. */
export interface SnapshotHeader {
  periodKey: string;
  source: string;
  collectedAt: string;
  meta: Record<string, number>;
}

export type PutOutcome = 'written' | 'unchanged' | 'superseded';

/** How `list` reads each snapshot: its decoders, what to read of each header, and where each one goes. */
export interface SnapshotListOptions<S extends z.ZodType, B = never> {
  decode?: (raw: unknown) => z.infer<S> | undefined;
  binary?: (bytes: Uint8Array) => B;
  pick?: (header: SnapshotHeader) => 'full' | 'tail' | 'skip';
  /** Take each snapshot as soon as it is read (in no particular order) instead of in the list returned. */
  each?: (snapshot: Snapshot<z.infer<S> | B>) => void;
}

/**
 * Daily snapshots in DynamoDB. A snapshot's version is the hash of its payload, so writing the same content twice
 * changes nothing. A payload is JSON, or binary columns as given (cases and alerts: formats/case-batch.ts, formats/alert-batch.ts).
 * Payloads are gzip'd; small ones stay in the header item, larger ones are split into numbered parts
 * keyed by version in a partition of their own (`keys.snapshotPart`), so a range of headers is a few kilobytes a day
 * to read. A cases snapshot also keeps its tail (`SnapshotTail`), keyed by version likewise. The header item is
 * written last and names the version readers must use, so a reader never mixes parts of two writes — without
 * TransactWriteItems, which the stand-in lacks.
 */
export class DynamoSnapshotStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly maxPartBytes = MAX_PART_BYTES,
  ) {}

  /** Upsert one snapshot (and its tail); an older collection never overwrites a newer one. */
  async put<T>(snapshot: Snapshot<T> & { tail?: SnapshotTail<T> }): Promise<PutOutcome> {
    const body = payloadBytes(snapshot.payload);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 20);
    const blob = gzipSync(body, { level: 6 });
    const tailBody = snapshot.tail ? payloadBytes(snapshot.tail.payload) : undefined;
    let tail = tailBody === undefined ? undefined : gzipSync(tailBody, { level: 6 });
    // A tail as large as a part saves nothing: readers then read the whole day.
    if (tail && tail.length > this.maxPartBytes) tail = undefined;
    const meta = JSON.stringify({ ...snapshot.meta, ...(tail ? { tailFrom: snapshot.tail!.from } : {}) });
    const headerKey = keys.snapshotHeader(snapshot.family, snapshot.periodKey, snapshot.source);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < blob.length; i += this.maxPartBytes) chunks.push(blob.subarray(i, i + this.maxPartBytes));
    if (chunks.length > MAX_PARTS)
      throw new RangeError(
        `${snapshot.family} ${snapshot.periodKey}: ${blob.length} bytes gzip'd take ${chunks.length} parts, more than ${MAX_PARTS}`,
      );
    const inline = blob.length <= Math.min(INLINE_MAX_BYTES, this.maxPartBytes);

    for (let attempt = 0; ; attempt++) {
      const existing = await this.table.get(headerKey);
      if (existing?.version === version && existing.format === FORMAT && existing.meta === meta) return 'unchanged';
      if (existing && String(existing.collectedAt) > snapshot.collectedAt) return 'superseded';

      // Parts and tail first, under the new version: invisible until the header below names that version.
      if (!inline)
        for (const [i, chunk] of chunks.entries())
          await this.table.put({
            ...keys.snapshotPart(snapshot.family, snapshot.periodKey, snapshot.source, version, i),
            type: 'snapshot-part',
            data: chunk,
          });
      if (tail)
        await this.table.put({
          ...keys.snapshotTail(snapshot.family, snapshot.periodKey, snapshot.source, version, snapshot.tail!.from),
          type: 'snapshot-tail',
          data: tail,
        });
      const header: Item & { pk: string; sk: string } = {
        ...headerKey,
        type: 'snapshot',
        format: FORMAT,
        family: snapshot.family,
        periodKey: snapshot.periodKey,
        source: snapshot.source,
        version,
        parts: inline ? 0 : chunks.length,
        collectedAt: snapshot.collectedAt,
        bytes: body.length,
        tailBytes: tail ? tailBody!.length : null,
        meta,
        data: inline ? blob : null,
      };
      try {
        // Optimistic concurrency: replace only the header we read, so two collectors cannot interleave.
        await this.table.put(
          header,
          existing
            ? { expression: '#v = :seen', names: { '#v': 'version' }, values: { ':seen': existing.version as string } }
            : { expression: 'attribute_not_exists(pk)' },
        );
      } catch (e) {
        if (e instanceof ConflictError && attempt < 3) continue;
        throw e;
      }
      if (existing) await this.deleteOld(snapshot, existing, version, tail ? snapshot.tail!.from : undefined);
      return 'written';
    }
  }

  /** The headers of a family from `fromKey` through `toKey` (inclusive), without reading any payload. */
  async headers(family: string, fromKey: string, toKey: string): Promise<SnapshotHeader[]> {
    const range = keys.snapshotRange(family, fromKey, toKey);
    const out: SnapshotHeader[] = [];
    const attributes = ['type', 'periodKey', 'source', 'collectedAt', 'meta'];
    for await (const item of this.table.query(range.pk, { between: [range.from, range.to], attributes }))
      if (item.type === 'snapshot') out.push(toHeader(item));
    return out;
  }

  /**
   * Every snapshot of a family from `fromKey` through `toKey` (inclusive). A JSON payload is validated by `schema` —
   * or by `decode` when it accepts the payload: a plain decoder giving only what the schema would give, else
   * undefined. A binary payload (anything not a JSON object) goes to `binary`, which checks it and throws what is
   * wrong. `pick` chooses per header: the whole payload, its tail (when the header has one; else the whole
   * payload), or nothing. Payloads are fetched and decoded in parallel; with `each`, each goes there as it is read
   * (a reader can compute while the rest is still in flight) and the list returned is empty.
   */
  async list<S extends z.ZodType, B = never>(
    family: string,
    fromKey: string,
    toKey: string,
    schema: S,
    opts: SnapshotListOptions<S, B> = {},
  ): Promise<Snapshot<z.infer<S> | B>[]> {
    const range = keys.snapshotRange(family, fromKey, toKey);
    const headers: Item[] = [];
    // With `pick`, a reader wants a few days of a long range: headers come without payloads, and what is picked is
    // fetched by key.
    const lazy = opts.pick !== undefined;
    const between: [string, string] = [range.from, range.to];
    for await (const item of this.table.query(
      range.pk,
      lazy ? { between, attributes: HEADER_ATTRIBUTES } : { between },
    )) {
      if (item.type !== 'snapshot') continue;
      if (item.format !== FORMAT)
        throw new CorruptItemError(
          `${item.pk} ${item.sk}: a header of layout ${String(item.format ?? '(none)')}, not ${FORMAT}`,
        );
      headers.push(item);
    }
    const read = async (first: Item): Promise<Snapshot<z.infer<S> | B> | undefined> => {
      const s = await readOne(first);
      if (s === undefined || !opts.each) return s;
      opts.each(s);
      return undefined;
    };
    const readOne = async (first: Item): Promise<Snapshot<z.infer<S> | B> | undefined> => {
      let h = first;
      for (let attempt = 0; ; attempt++) {
        const header = toHeader(h);
        const choice = opts.pick?.(header) ?? 'full';
        if (choice === 'skip') return undefined;
        const where = `${h.pk} ${h.sk}`;
        const useTail = choice === 'tail' && header.meta.tailFrom !== undefined;
        if (lazy && !useTail && Number(h.parts) === 0) {
          const whole = await this.table.get({ pk: String(h.pk), sk: String(h.sk) });
          if (!whole) return undefined; // removed since the headers were listed
          h = whole;
        }
        const blob = useTail ? await this.tailBlob(family, h) : await this.payloadBlob(family, h, where);
        if (blob === undefined) {
          // A collection replaced this day between our reading its header and its parts, and removed the parts we
          // were after: read the header again and follow it to the new version.
          const again = await this.table.get({ pk: String(h.pk), sk: String(h.sk) });
          if (attempt < 3 && again && (again.version !== h.version || again.meta !== h.meta)) {
            h = again;
            continue;
          }
          throw new CorruptItemError(
            `${where}: the ${useTail ? 'tail' : 'parts'} of version ${String(h.version)} are missing`,
          );
        }
        let bytes: Buffer;
        try {
          // Inflating into one buffer of the known size is ~3× faster than Node's default 16 KB chunks plus a concat.
          const size = Number(useTail ? h.tailBytes : h.bytes);
          const chunkSize = size > 0 ? Math.min(Math.max(size + 64, 16_384), 64 << 20) : undefined;
          bytes =
            blob.length < INFLATE_INLINE_BELOW
              ? gunzipSync(blob, { chunkSize })
              : await gunzipAsync(blob, { chunkSize });
        } catch (e) {
          throw new CorruptItemError(`${where}: payload is not gzip'd`, { cause: e });
        }
        const meta = {
          family,
          periodKey: header.periodKey,
          source: header.source,
          collectedAt: header.collectedAt,
          meta: header.meta,
        };
        return { ...meta, payload: decodePayload(bytes, where, schema, opts) };
      }
    };
    const out = await mapLimit(headers, READ_CONCURRENCY, read);
    return out.filter((s) => s !== undefined);
  }

  /** The gzip'd payload a header names; undefined when any of its parts is gone (replaced since it was read). */
  private async payloadBlob(family: string, h: Item, where: string): Promise<Uint8Array | undefined> {
    const n = Number(h.parts);
    if (n === 0) return h.data as Uint8Array;
    // A damaged count is named, never turned into millions of reads.
    if (!Number.isInteger(n) || n < 0 || n > MAX_PARTS)
      throw new CorruptItemError(`${where}: a header naming ${String(h.parts)} parts`);
    const [day, source, version] = [String(h.periodKey), String(h.source), String(h.version)];
    // Each part by its key (the header says how many): a get is cheaper to serve than a query, and most days have
    // one. A few at a time: the days themselves are already read in parallel.
    const items: (Item | undefined)[] = [];
    for (let i = 0; i < n; i += PARTS_AT_ONCE)
      items.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(PARTS_AT_ONCE, n - i) }, (_, k) =>
            this.table.get(keys.snapshotPart(family, day, source, version, i + k)),
          ),
        )),
      );
    // A part missing: replaced since the header was read (the caller follows the header), or lost (it says so).
    if (items.some((item) => item === undefined)) return undefined;
    return n === 1 ? (items[0]!.data as Uint8Array) : Buffer.concat(items.map((item) => item!.data as Uint8Array));
  }

  /** The gzip'd tail a header names; undefined when it is gone (replaced since the header was read). */
  private async tailBlob(family: string, h: Item): Promise<Uint8Array | undefined> {
    const item = await this.table.get(
      keys.snapshotTail(family, String(h.periodKey), String(h.source), String(h.version), toHeader(h).meta.tailFrom!),
    );
    return item?.data as Uint8Array | undefined;
  }

  /** Remove what the replaced header pointed at: its parts and tail, unless the new version reuses their keys. */
  private async deleteOld(s: Snapshot<unknown>, old: Item, version: string, tailFrom: number | undefined) {
    const [oldVersion, n] = [String(old.version), Number(old.parts)];
    const oldTailFrom = (JSON.parse(String(old.meta ?? '{}')) as { tailFrom?: number }).tailFrom;
    if (oldTailFrom !== undefined && (oldVersion !== version || oldTailFrom !== tailFrom))
      await this.table.delete(keys.snapshotTail(s.family, s.periodKey, s.source, oldVersion, oldTailFrom));
    if (oldVersion === version) return;
    for (let i = 0; i < n; i++)
      await this.table.delete(keys.snapshotPart(s.family, s.periodKey, s.source, oldVersion, i));
  }
}

/**
 * A stored payload's bytes (inflated) as its reader takes them: binary to `opts.binary`, JSON to `opts.decode` when it
 * accepts it, else checked by `schema`; anything wrong is a CorruptItemError naming `where` (the item) and the field.
 */
export function decodePayload<S extends z.ZodType, B = never>(
  bytes: Buffer,
  where: string,
  schema: S,
  opts: Pick<SnapshotListOptions<S, B>, 'decode' | 'binary'>,
): z.infer<S> | B {
  if (bytes.length === 0) throw new CorruptItemError(`${where}: payload is empty`);
  if (bytes[0] !== 0x7b /* { */) {
    if (!opts.binary) throw new CorruptItemError(`${where}: a binary payload this reader does not decode`);
    try {
      return opts.binary(bytes);
    } catch (e) {
      if (e instanceof BinaryPayloadError) throw new CorruptItemError(`${where}: ${e.message}`, { cause: e });
      throw e;
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new CorruptItemError(`${where}: payload is not JSON`, { cause: e });
  }
  const decoded = opts.decode?.(raw) as z.infer<S> | undefined;
  if (decoded !== undefined) return decoded;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptItemError(`${where}: ${issue?.path.join('.') || '(payload)'}: ${issue?.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** What is stored of a payload: binary as given, anything else as JSON (which always begins with `{`). */
export function payloadBytes(payload: unknown): Buffer {
  if (payload instanceof Uint8Array) {
    if (payload[0] === 0x7b) throw new TypeError('a binary payload must not begin with "{"');
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new TypeError('a snapshot payload is an object or binary');
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

function toHeader(item: Item): SnapshotHeader {
  return {
    periodKey: String(item.periodKey),
    source: String(item.source),
    collectedAt: String(item.collectedAt),
    meta: JSON.parse(String(item.meta ?? '{}')) as Record<string, number>,
  };
}

/**
 * `fn` over `items` with at most `limit` running at once; results in input order. After a failure no further item
 * is started (the call has already failed: its reader should not go on fetching and computing).
 */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const running = pLimit(limit);
  return running.map(items, async (item) => {
    try {
      return await fn(item);
    } catch (e) {
      // The items not yet started are dropped, never settled: nothing waits on them, as `map` fails with `e` now.
      running.clearQueue();
      throw e;
    }
  });
}
