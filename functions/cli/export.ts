import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { zonedTime } from '../../shared/domain/periods.js';
import { openSource } from '../../shared/sources/open-source.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { UsageError } from './usage-error.js';

const FILES = { cases: 'cases.jsonl', alerts: 'alerts.jsonl', shifts: 'shifts.jsonl', costs: 'costs.jsonl' } as const;

/** Parse a `YYYY-MM-DD` flag as the start of that local day. */
export function dayFlag(name: string, value: string | undefined, tz: string): number {
  const m = value ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m) throw new UsageError(`--${name} must be a date such as 2026-11-01, got ${JSON.stringify(value ?? '')}`);
  return zonedTime(Number(m[1]), Number(m[2]), Number(m[3]), tz);
}

/**
 * `socpulse export --from DATE --to DATE --out DIR [--source NAME]`: collect from the configured sources straight to
 * canonical JSONL (no storage), so any collection can be audited and fed to `summarize`. `--to` is inclusive.
 * Exit 1 when any source failed; the files of the others are still written.
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
  const from = dayFlag('from', values.from, config.timezone);
  const to = dayFlag('to', values.to, config.timezone) + 86_400_000;
  if (to <= from) throw new UsageError('--to must not be before --from');
  if (!values.out) throw new UsageError('--out DIR is required');
  const sources = Object.entries(config.mcpServers).filter(([name]) => !values.source || name === values.source);
  if (sources.length === 0)
    throw new UsageError(
      `--source ${values.source}: no such source (configured: ${Object.keys(config.mcpServers).join(', ')})`,
    );
  mkdirSync(values.out, { recursive: true });
  const streams = new Map<string, WriteStream>();
  const write = (family: keyof typeof FILES, line: string) => {
    let s = streams.get(family);
    if (!s) streams.set(family, (s = createWriteStream(join(values.out!, FILES[family]))));
    return s.write(line) ? undefined : new Promise<void>((r) => s.once('drain', () => r()));
  };
  let failed = 0;
  for (const [name, server] of sources) {
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
      }
      const rejects = reader.summary().rejects;
      process.stderr.write(
        `export ${name}: ${
          Object.entries(counts)
            .map(([f, n]) => `${n} ${f}`)
            .join(', ') || 'nothing'
        }${rejects.count ? `, ${rejects.count} rejected (e.g. ${rejects.samples[0]?.reason})` : ''}\n`,
      );
    } catch (e) {
      failed++;
      process.stderr.write(`export ${name}: failed: ${(e as Error).message}\n`);
    }
  }
  await Promise.all([...streams.values()].map((s) => new Promise<void>((r) => s.end(() => r()))));
  return failed ? 1 : 0;
}
