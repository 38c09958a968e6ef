import type { z } from 'zod';
import type { Family } from '../domain/day-snapshot.js';

/** One batch of validated canonical records of one family. */
export interface RecordBatch {
  family: Family;
  records: unknown[];
}

export interface RejectSample {
  family: string;
  reason: string;
  record?: string;
}

/**
 * What a read rejected, notes for the collection record (e.g. "closedAt is an upper bound"), and the METRICS.md kpi
 * keys this source cannot give, each with the words a reader sees instead of a value (e.g. `{"tta": "not available
 * from SecOps SOAR"}`): a figure the source never carries is said, not shown as 0 or left blank.
 */
export interface ReadSummary {
  /** `byFamily` counts the rejects of each family (collection fails a family whose records were all rejected). */
  rejects: { count: number; samples: RejectSample[]; byFamily?: Record<string, number> };
  notes: string[];
  unavailable?: Record<string, string>;
}

/** A source as collection sees it: the families it provides, and a stream of canonical batches for a window. */
export interface SourceReader {
  kind: string;
  families: ReadonlySet<Family>;
  /** `families`, when given, limits what is read (an adapter may read more; the caller drops the rest). */
  read(window: { from: Date; to: Date; families?: ReadonlySet<Family> }): AsyncIterable<RecordBatch>;
  summary(): ReadSummary;
  close(): Promise<void>;
}

const MAX_SAMPLES = 5;

/** Validates records one by one: the valid ones pass, the others are counted and a few kept as samples. */
export class RecordValidator {
  readonly rejects = { count: 0, samples: [] as RejectSample[], byFamily: {} as Record<string, number> };
  /** The reason of the latest reject, sampled or not: what an error about a page that mapped nothing quotes. */
  lastReason: string | undefined;

  /** Count and sample one source record that could not be mapped at all, with the reason. */
  reject(family: string, reason: string, raw: unknown, redactText: (t: string) => string = (t) => t): void {
    this.rejects.count++;
    this.rejects.byFamily[family] = (this.rejects.byFamily[family] ?? 0) + 1;
    this.lastReason = reason;
    if (this.rejects.samples.length < MAX_SAMPLES)
      this.rejects.samples.push({
        family,
        reason,
        record: redactText(JSON.stringify(raw) ?? String(raw)).slice(0, 300),
      });
  }

  /** Keep the records that pass `schema`; count and sample the rest. */
  keep<S extends z.ZodType>(
    family: Family,
    schema: S,
    records: unknown[],
    redactText: (t: string) => string = (t) => t,
  ): z.infer<S>[] {
    const out: z.infer<S>[] = [];
    for (const r of records) {
      const parsed = schema.safeParse(r);
      if (parsed.success) {
        out.push(parsed.data);
        continue;
      }
      this.rejects.count++;
      this.rejects.byFamily[family] = (this.rejects.byFamily[family] ?? 0) + 1;
      const issue = parsed.error.issues[0]!;
      this.lastReason = `${issue.path.join('.') || '(record)'}: ${issue.message}`;
      if (this.rejects.samples.length < MAX_SAMPLES) {
        this.rejects.samples.push({
          family,
          reason: this.lastReason,
          record: redactText(JSON.stringify(r)).slice(0, 300),
        });
      }
    }
    return out;
  }
}

/**
 * Which family mapped nothing although the source answered records of it (all rejected), said with a sample reason;
 * undefined when every family that answered mapped something. Without per-family counts, the run as a whole.
 */
export function nothingMapped(rejects: ReadSummary['rejects'], counts: Record<string, number>): string | undefined {
  const said = (what: string, rejected: number, family?: string) => {
    const sample = rejects.samples.find((s) => family === undefined || s.family === family);
    return `every ${what} the source answered was rejected (${rejected} rejected${sample ? `; e.g. ${sample.family} ${sample.reason}` : ''})`;
  };
  if (!rejects.byFamily)
    return rejects.count > 0 && !Object.values(counts).some((n) => n > 0) ? said('record', rejects.count) : undefined;
  for (const [family, rejected] of Object.entries(rejects.byFamily))
    if (rejected > 0 && !counts[family]) return said(`${family} record`, rejected, family);
  return undefined;
}
