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
  /**
   * Windows whose answer may have been cut (a page as large as the size asked, with no next-page signal), each said
   * with the window: the read is kept but the run is degraded, never "ok".
   */
  incomplete?: string[];
}

/** A source as collection sees it: the families it provides, and a stream of canonical batches for a window. */
export interface SourceReader {
  kind: string;
  families: ReadonlySet<Family>;
  /** `families`, when given, limits what is read (an adapter may read more; the caller drops the rest). */
  read(window: { from: Date; to: Date; families?: ReadonlySet<Family> }): AsyncIterable<RecordBatch>;
  summary(): ReadSummary;
  close(): Promise<void>;
  /**
   * What the adapter reads of each tool's answer: per tool, per path to a list of records (`cases`,
   * `case_alerts.caseAlerts`, `ruleAlerts[].alerts`), the record keys it reads. Every other key of such a record is
   * ignored; `check-source` lists them, so a field the source renamed is seen.
   */
  reads: ToolReads;
  /** A few rows of each family as the source answered them and what each became (query sources: `check-source`). */
  samples?: () => MappingSample[];
}

/** One row as a mapping saw it and what it became: a record, or why it was rejected. */
export interface MappingSample {
  family: string;
  row: unknown;
  record?: unknown;
  reason?: string;
}

/** Per tool, per path to a list of records in its answer, the keys of a record the adapter reads. */
export type ToolReads = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

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

/** What one read of one thing got: the items the source answered, and how many of them became records. */
export interface MappedCount {
  answered: number;
  kept: number;
  /** Why one of the answered items was rejected: the example the failure quotes. */
  example?: string;
}

/**
 * The one nothing-mapped check, for a tool call or a page (adapters) and for each family of a whole read (collection,
 * export): the source answered items and none became a record. Such a read fails, in the words `say` gives it, so an
 * unreadable answer never passes for an empty one ("ok, 0 cases"); undefined when nothing was answered or something
 * mapped.
 */
export function nothingMapped(read: MappedCount, say: (example: string | undefined) => string): string | undefined {
  return read.answered > 0 && read.kept === 0 ? say(read.example) : undefined;
}

/**
 * Which family of a whole read mapped nothing although the source answered records of it (all rejected), said with a
 * sample reason; undefined when every family that answered mapped something. Without per-family counts, the run as a
 * whole. What the source answered of a family is what it rejected of it and what it kept.
 */
export function unmappedFamily(rejects: ReadSummary['rejects'], counts: Record<string, number>): string | undefined {
  const check = (what: string, rejected: number, kept: number, family?: string) => {
    const sample = rejects.samples.find((s) => family === undefined || s.family === family);
    return nothingMapped(
      { answered: rejected + kept, kept, example: sample && `${sample.family} ${sample.reason}` },
      (e) => `every ${what} the source answered was rejected (${rejected} rejected${e ? `; e.g. ${e}` : ''})`,
    );
  };
  if (!rejects.byFamily)
    return check(
      'record',
      rejects.count,
      Object.values(counts).reduce((a, n) => a + n, 0),
    );
  for (const [family, rejected] of Object.entries(rejects.byFamily)) {
    const said = check(`${family} record`, rejected, counts[family] ?? 0, family);
    if (said) return said;
  }
  return undefined;
}
