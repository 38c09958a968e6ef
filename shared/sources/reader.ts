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

/** What a read rejected, and notes for the collection record (e.g. "closedAt is an upper bound"). */
export interface ReadSummary {
  rejects: { count: number; samples: RejectSample[] };
  notes: string[];
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
  readonly rejects = { count: 0, samples: [] as RejectSample[] };

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
      if (this.rejects.samples.length < MAX_SAMPLES) {
        const issue = parsed.error.issues[0]!;
        this.rejects.samples.push({
          family,
          reason: `${issue.path.join('.') || '(record)'}: ${issue.message}`,
          record: redactText(JSON.stringify(r)).slice(0, 300),
        });
      }
    }
    return out;
  }
}
