/**
 * Every key of the socpulse table is built here and nowhere else (DESIGN.md "Storage").
 * Source names are `[a-z0-9-]` (config schema) and period keys hold no `#`, so `#` always separates fields.
 */
import { createHash } from 'node:crypto';

export type Key = { pk: string; sk: string };

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Highest character a sort key uses: `between a and a#~` spans every sort key that starts with `a#`. */
const HIGH = '\uffff';

export const keys = {
  /** The current-version header of one snapshot: one per (family, day or month, source). */
  snapshotHeader: (family: string, periodKey: string, source: string): Key => ({
    pk: `SNAP#${family}`,
    sk: `${periodKey}#${source}`,
  }),
  /**
   * One part of one version of a snapshot's payload. Parts live in their own partition, so reading a range of headers
   * reads only the headers (the payloads of 13 months are hundreds of megabytes).
   */
  snapshotPart: (family: string, periodKey: string, source: string, version: string, part: number): Key => ({
    pk: `SNAPDATA#${family}`,
    sk: `${periodKey}#${source}#${version}#${pad(part, 4)}`,
  }),
  /** Every part of one version of a snapshot's payload. */
  snapshotPartsOf: (family: string, periodKey: string, source: string, version: string) => ({
    pk: `SNAPDATA#${family}`,
    prefix: `${periodKey}#${source}#${version}#`,
  }),
  /**
   * The tail of one version of a snapshot (cases still open a week after their day), in its own partition. Its
   * start instant is part of the key: the same payload cut from another instant (another zone) is another item.
   */
  snapshotTail: (family: string, periodKey: string, source: string, version: string, from: number): Key => ({
    pk: `SNAPTAIL#${family}`,
    sk: `${periodKey}#${source}#${version}#${from}`,
  }),
  /** Sort-key bounds covering every snapshot item of a family from `fromKey` through `toKey` inclusive. */
  snapshotRange: (family: string, fromKey: string, toKey: string) => ({
    pk: `SNAP#${family}`,
    from: fromKey,
    to: `${toKey}${HIGH}`,
  }),
  collectionRun: (source: string, startedAt: string): Key => ({ pk: `RUN#COLLECT#${source}`, sk: startedAt }),
  collectionRunsOf: (source: string) => ({ pk: `RUN#COLLECT#${source}` }),
  sourceStatus: (source: string): Key => ({ pk: 'SOURCE', sk: source }),
  allSourceStatuses: () => ({ pk: 'SOURCE' }),
  /** The delivery record of one report run: the exactly-once claim (DESIGN.md "Reports and delivery"). */
  reportRun: (runbookId: string, runKey: string): Key => ({ pk: `REPORT#${runbookId}`, sk: runKey }),
  reportRunsOf: (runbookId: string) => ({ pk: `REPORT#${runbookId}` }),
  /** Pointer from a run id to its report-run item, for `GET /reports/{runId}`. */
  runIdPointer: (runId: string): Key => ({ pk: `RUNID#${runId}`, sk: 'RUN' }),
  /**
   * A caller's Idempotency-Key (the record of the first request that used it). Keys are caller-chosen text: the key
   * holds their digest with the caller's principal, so two callers' keys never meet and no `#` can leak in.
   */
  idempotencyKey: (principal: string, key: string): Key => ({
    pk: `IDEMKEY#${createHash('sha256').update(`${principal}\n${key}`).digest('hex')}`,
    sk: 'KEY',
  }),
  /** The local table's marker: the generation its data directory's manifest must agree with (shared/local/data-dir.ts). */
  storeMarker: (): Key => ({ pk: 'STORE', sk: 'MARKER' }),
  planHeader: (fiscalYear: string): Key => ({ pk: `PLAN#${fiscalYear}`, sk: 'CURRENT' }),
  planLine: (fiscalYear: string, importId: string, month: string, category: string): Key => ({
    pk: `PLAN#${fiscalYear}`,
    sk: `${importId}#${month}#${category}`,
  }),
  planLinesOf: (fiscalYear: string, importId: string) => ({ pk: `PLAN#${fiscalYear}`, prefix: `${importId}#` }),
  budgetSnapshot: (fiscalYear: string, month: string, version: number): Key => ({
    pk: `BUDGETSNAP#${fiscalYear}`,
    sk: `${month}#v${pad(version, 4)}`,
  }),
  budgetSnapshotsOf: (fiscalYear: string, month?: string) => ({
    pk: `BUDGETSNAP#${fiscalYear}`,
    prefix: month ? `${month}#v` : '',
  }),
} as const;
