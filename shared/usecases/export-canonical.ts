import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { McpServerConfig } from '../config/config.js';
import { openSource } from '../sources/open-source.js';
import { unmappedFamily } from '../sources/reader.js';
import type { SecretResolver } from '../sources/secrets.js';

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
  /** One line per source: what it gave, or why it failed. */
  log: (line: string) => void;
}

/**
 * Collect from the given sources straight to canonical JSONL, storing nothing, so any collection can be audited and
 * fed to `summarize`. Each source is read into its own temporary files first and appended to the output only once its
 * whole read succeeded: a source that fails half-way (or whose answered records of a family all failed to map) leaves
 * none of its records behind, mixed with the others'. Returns how many sources failed.
 */
export async function exportCanonical(req: ExportRequest): Promise<number> {
  const { out, from, to, log } = req;
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'socpulse-export-'));
  const started = new Set<string>();
  let failed = 0;
  try {
    for (const [name, server] of req.sources) {
      const buffered = new Map<keyof typeof FILES, WriteStream>();
      const write = (family: keyof typeof FILES, line: string) => {
        let s = buffered.get(family);
        if (!s) buffered.set(family, (s = createWriteStream(join(scratch, `${name}.${FILES[family]}`))));
        return s.write(line) ? undefined : new Promise<void>((r) => s.once('drain', () => r()));
      };
      try {
        const reader = await openSource(name, server, { secrets: req.secrets });
        const counts: Record<string, number> = {};
        try {
          for await (const batch of reader.read({ from: new Date(from), to: new Date(Math.min(to, Date.now())) })) {
            counts[batch.family] = (counts[batch.family] ?? 0) + batch.records.length;
            for (const r of batch.records) await write(batch.family, JSON.stringify(r) + '\n');
          }
        } finally {
          await reader.close();
          await Promise.all([...buffered.values()].map((s) => new Promise<void>((r) => s.end(() => r()))));
        }
        const rejects = reader.summary().rejects;
        // As in collection: records answered but none of a family mapped is a failure, never "0 cases".
        const unmapped = unmappedFamily(rejects, counts);
        if (unmapped) throw new Error(unmapped);
        for (const family of buffered.keys()) {
          const target = join(out, FILES[family]);
          await pipeline(
            createReadStream(join(scratch, `${name}.${FILES[family]}`)),
            createWriteStream(target, { flags: started.has(family) ? 'a' : 'w' }),
          );
          started.add(family);
        }
        log(
          `export ${name}: ${
            Object.entries(counts)
              .map(([f, n]) => `${n} ${f}`)
              .join(', ') || 'nothing'
          }${rejects.count ? `, ${rejects.count} rejected (e.g. ${rejects.samples[0]?.reason})` : ''}`,
        );
      } catch (e) {
        failed++;
        log(`export ${name}: failed: ${(e as Error).message}; none of its records were written`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return failed;
}
