import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { parsePeriod, PeriodError, type Period } from '../../shared/domain/periods.js';
import { openSource } from '../../shared/sources/open-source.js';
import { unmappedFamily } from '../../shared/sources/reader.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { UsageError } from './usage-error.js';

const FILES = { cases: 'cases.jsonl', alerts: 'alerts.jsonl', shifts: 'shifts.jsonl', costs: 'costs.jsonl' } as const;

/** Parse a `YYYY-MM-DD` flag as that local day (a real calendar day: 2026-02-30 is refused). */
export function dayFlag(name: string, value: string | undefined, tz: string): Period {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new UsageError(`--${name} must be a date such as 2026-11-01, got ${JSON.stringify(value ?? '')}`);
  try {
    return parsePeriod(value, { tz, fiscalYearStartMonth: 1 });
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

/**
 * `socpulse export --from DATE --to DATE --out DIR [--source NAME]`: collect from the configured sources straight to
 * canonical JSONL (no storage), so any collection can be audited and fed to `summarize`. `--to` is inclusive.
 * Exit 1 when any source failed; the files of the others are still written, and hold nothing of the failed one.
 */
export async function exportCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        source: { type: 'string' },
        config: { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const from = dayFlag('from', values.from, config.timezone).start;
  // --to is inclusive: up to the end of that local day (23 or 25 hours long across a DST change).
  const to = dayFlag('to', values.to, config.timezone).end;
  if (to <= from) throw new UsageError('--to must not be before --from');
  if (!values.out) throw new UsageError('--out DIR is required');
  const sources = Object.entries(config.mcpServers).filter(([name]) => !values.source || name === values.source);
  if (sources.length === 0)
    throw new UsageError(
      `--source ${values.source}: no such source (configured: ${Object.keys(config.mcpServers).join(', ')})`,
    );
  const out = values.out;
  mkdirSync(out, { recursive: true });
  // Each source is read into its own temporary files first and appended to the output only once its whole read
  // succeeded: a source that fails half-way leaves none of its records behind, mixed with the others'.
  const scratch = mkdtempSync(join(tmpdir(), 'socpulse-export-'));
  const started = new Set<string>();
  let failed = 0;
  try {
    for (const [name, server] of sources) {
      const buffered = new Map<keyof typeof FILES, WriteStream>();
      const write = (family: keyof typeof FILES, line: string) => {
        let s = buffered.get(family);
        if (!s) buffered.set(family, (s = createWriteStream(join(scratch, `${name}.${FILES[family]}`))));
        return s.write(line) ? undefined : new Promise<void>((r) => s.once('drain', () => r()));
      };
      try {
        const reader = await openSource(name, server, { secrets: new EnvSecretResolver() });
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
        process.stderr.write(
          `export ${name}: ${
            Object.entries(counts)
              .map(([f, n]) => `${n} ${f}`)
              .join(', ') || 'nothing'
          }${rejects.count ? `, ${rejects.count} rejected (e.g. ${rejects.samples[0]?.reason})` : ''}\n`,
        );
      } catch (e) {
        failed++;
        process.stderr.write(`export ${name}: failed: ${(e as Error).message}; none of its records were written\n`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}
