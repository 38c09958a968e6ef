import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { McpServerConfig } from '../config/config.js';
import { openSource } from '../sources/open-source.js';
import { unmappedFamily, type ReadSummary, type SourceReader } from '../sources/reader.js';
import type { SecretResolver } from '../sources/secrets.js';
import { outcomeStatus, sourceStatusLines, type SourceOutcome } from './source-status.js';

/** The canonical JSONL file of each family (what `summarize --input` reads). */
const FILES = { cases: 'cases.jsonl', alerts: 'alerts.jsonl', shifts: 'shifts.jsonl', costs: 'costs.jsonl' } as const;

export interface ExportRequest {
  /** The sources to read, by name. */
  sources: [string, McpServerConfig][];
  /** The window, epoch milliseconds: from its start up to its end. */
  from: number;
  to: number;
  /** The directory the canonical files go to (created if missing). */
  out: string;
  secrets: SecretResolver;
  /** The lines of each source (`sourceStatusLines`): its status, what it gave, rejects, notes, or why it failed. */
  log: (line: string) => void;
  /** Wraps each source's reader (the CLI's progress in days); what is read is unchanged. */
  track?: (source: string, reader: SourceReader) => SourceReader;
}

/**
 * Collect from the given sources straight to canonical JSONL, storing nothing, so any collection can be audited and
 * fed to `summarize`. Each source is read into its own temporary files first and appended to the output only once its
 * whole read succeeded: a source that fails half-way (or whose answered records of a family all failed to map) leaves
 * none of its records behind, mixed with the others'. Each source's status, rejects and notes are logged. Returns
 * what each source gave.
 */
export async function exportCanonical(req: ExportRequest): Promise<SourceOutcome[]> {
  const { out, from, to, log } = req;
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'socpulse-export-'));
  const started = new Set<string>();
  const outcomes: SourceOutcome[] = [];
  try {
    for (const [name, server] of req.sources) {
      const buffered = new Map<keyof typeof FILES, WriteStream>();
      const write = (family: keyof typeof FILES, line: string) => {
        let s = buffered.get(family);
        if (!s) buffered.set(family, (s = createWriteStream(join(scratch, `${name}.${FILES[family]}`))));
        return s.write(line) ? undefined : new Promise<void>((r) => s.once('drain', () => r()));
      };
      const counts: Record<string, number> = {};
      let summary: ReadSummary = { rejects: { count: 0, samples: [] }, notes: [] };
      const errors: string[] = [];
      try {
        const opened = await openSource(name, server, { secrets: req.secrets });
        const reader = req.track ? req.track(name, opened) : opened;
        try {
          for await (const batch of reader.read({ from: new Date(from), to: new Date(Math.min(to, Date.now())) })) {
            counts[batch.family] = (counts[batch.family] ?? 0) + batch.records.length;
            for (const r of batch.records) await write(batch.family, JSON.stringify(r) + '\n');
          }
        } finally {
          summary = reader.summary();
          await reader.close();
          await Promise.all([...buffered.values()].map((s) => new Promise<void>((r) => s.end(() => r()))));
        }
        // As in collection: records answered but none of a family mapped is a failure, never "0 cases".
        const unmapped = unmappedFamily(summary.rejects, counts);
        if (unmapped) throw new Error(unmapped);
        for (const family of buffered.keys()) {
          const target = join(out, FILES[family]);
          await pipeline(
            createReadStream(join(scratch, `${name}.${FILES[family]}`)),
            createWriteStream(target, { flags: started.has(family) ? 'a' : 'w' }),
          );
          started.add(family);
        }
      } catch (e) {
        errors.push(`${(e as Error).message}; none of its records were written`);
      }
      const outcome: SourceOutcome = {
        source: name,
        status: outcomeStatus(errors, summary),
        // What was written: nothing of a failed source.
        counts: errors.length ? {} : counts,
        rejects: summary.rejects,
        notes: [...(summary.incomplete ?? []), ...summary.notes],
        errors,
      };
      outcomes.push(outcome);
      for (const line of sourceStatusLines(outcome, { label: `export ${name}` })) log(line);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return outcomes;
}
