import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { z } from 'zod';
import type { DynamoTable, Item } from './dynamo-table.js';
import { ConflictError, CorruptItemError } from './errors.js';
import { keys } from './keys.js';

/** Stored payload bytes per item: well under DynamoDB's 400 KB item limit, leaving room for keys and attributes. */
export const MAX_PART_BYTES = 350_000;

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

/** A snapshot's header: which day and source, when collected, and its meta figures; no payload. */
export interface SnapshotHeader {
  periodKey: string;
  source: string;
  collectedAt: string;
  meta: Record<string, number>;
}

export type PutOutcome = 'written' | 'unchanged' | 'superseded';

/**
 * Daily snapshots in DynamoDB. A snapshot's version is the hash of its payload, so writing the same content twice
 * changes nothing. Large payloads are gzip'd and split into numbered parts keyed by version; the header item is
 * written last and names the version readers must use, so a reader never mixes parts of two writes — without
 * TransactWriteItems, which the stand-in lacks.
 */
export class DynamoSnapshotStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly maxPartBytes = MAX_PART_BYTES,
  ) {}

  /** Upsert one snapshot; an older collection never overwrites a newer one. */
  async put<T>(snapshot: Snapshot<T>): Promise<PutOutcome> {
    const json = JSON.stringify(snapshot.payload);
    const version = createHash('sha256').update(json).digest('hex').slice(0, 20);
    const blob = gzipSync(json, { level: 6 });
    const headerKey = keys.snapshotHeader(snapshot.family, snapshot.periodKey, snapshot.source);

    for (let attempt = 0; ; attempt++) {
      const existing = await this.table.get(headerKey);
      if (existing?.version === version) return 'unchanged';
      if (existing && String(existing.collectedAt) > snapshot.collectedAt) return 'superseded';

      const chunks: Uint8Array[] = [];
      for (let i = 0; i < blob.length; i += this.maxPartBytes) chunks.push(blob.subarray(i, i + this.maxPartBytes));
      const inline = chunks.length <= 1;
      if (!inline) {
        // Parts first, under the new version: invisible until the header below names that version.
        for (const [i, chunk] of chunks.entries()) {
          await this.table.put({
            ...keys.snapshotPart(snapshot.family, snapshot.periodKey, snapshot.source, version, i),
            type: 'snapshot-part',
            data: chunk,
          });
        }
      }
      const header: Item & { pk: string; sk: string } = {
        ...headerKey,
        type: 'snapshot',
        family: snapshot.family,
        periodKey: snapshot.periodKey,
        source: snapshot.source,
        version,
        parts: inline ? 0 : chunks.length,
        collectedAt: snapshot.collectedAt,
        bytes: json.length,
        meta: JSON.stringify(snapshot.meta ?? {}),
        data: inline ? (chunks[0] ?? gzipSync('null')) : null,
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
      if (existing && Number(existing.parts) > 0)
        await this.deleteParts(snapshot, String(existing.version), Number(existing.parts));
      return 'written';
    }
  }

  /** The headers of a family from `fromKey` through `toKey` (inclusive), without reading any payload. */
  async headers(family: string, fromKey: string, toKey: string): Promise<SnapshotHeader[]> {
    const range = keys.snapshotRange(family, fromKey, toKey);
    const out: SnapshotHeader[] = [];
    const attributes = ['type', 'periodKey', 'source', 'collectedAt', 'meta'];
    for await (const item of this.table.query(range.pk, { between: [range.from, range.to], attributes }))
      if (item.type === 'snapshot')
        out.push({
          periodKey: String(item.periodKey),
          source: String(item.source),
          collectedAt: String(item.collectedAt),
          meta: JSON.parse(String(item.meta ?? '{}')) as Record<string, number>,
        });
    return out;
  }

  /** Every snapshot of a family from `fromKey` through `toKey` (inclusive), each payload validated by `schema`. */
  async list<S extends z.ZodType>(
    family: string,
    fromKey: string,
    toKey: string,
    schema: S,
  ): Promise<Snapshot<z.infer<S>>[]> {
    const range = keys.snapshotRange(family, fromKey, toKey);
    const headers: Item[] = [];
    const parts = new Map<string, Uint8Array>();
    for await (const item of this.table.query(range.pk, { between: [range.from, range.to] })) {
      if (item.type === 'snapshot') headers.push(item);
      else if (item.type === 'snapshot-part') parts.set(String(item.sk), item.data as Uint8Array);
    }
    return headers.map((h) => {
      const where = `${h.pk} ${h.sk}`;
      const n = Number(h.parts);
      let blob: Uint8Array;
      if (n === 0) blob = h.data as Uint8Array;
      else {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < n; i++) {
          const k = keys.snapshotPart(family, String(h.periodKey), String(h.source), String(h.version), i).sk;
          const chunk = parts.get(k);
          if (!chunk) throw new CorruptItemError(`${where}: part ${i} of ${n} (version ${h.version}) is missing`);
          chunks.push(chunk);
        }
        blob = Buffer.concat(chunks);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(gunzipSync(blob).toString('utf8'));
      } catch (e) {
        throw new CorruptItemError(`${where}: payload is not gzip'd JSON`, { cause: e });
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CorruptItemError(`${where}: ${issue?.path.join('.') || '(payload)'}: ${issue?.message}`, {
          cause: parsed.error,
        });
      }
      return {
        family,
        periodKey: String(h.periodKey),
        source: String(h.source),
        collectedAt: String(h.collectedAt),
        payload: parsed.data,
      };
    });
  }

  private async deleteParts(s: Snapshot<unknown>, version: string, n: number) {
    for (let i = 0; i < n; i++) await this.table.delete(keys.snapshotPart(s.family, s.periodKey, s.source, version, i));
  }
}
