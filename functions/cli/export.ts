import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { parsePeriod, PeriodError, type Period } from '../../shared/domain/periods.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { exportCanonical } from '../../shared/usecases/export-canonical.js';
import { parseFor } from './commands.js';
import { progressBar, trackDays } from './progress.js';
import { UsageError } from './usage-error.js';

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
 * canonical JSONL (no storage; shared/usecases/export-canonical.ts), so any collection can be audited and fed to
 * `summarize`. `--to` is inclusive. Exit 1 when any source failed; the files of the others are still written, and hold
 * nothing of the failed one.
 */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('export', argv);
  if (!values.out) throw new UsageError('--out DIR is required');
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const from = dayFlag('from', values.from, config.timezone).start;
  // --to is inclusive: up to the end of that local day (23 or 25 hours long across a DST change).
  const to = dayFlag('to', values.to, config.timezone).end;
  if (to <= from) throw new UsageError('--to must not be before --from');
  const sources = Object.entries(config.mcpServers).filter(([name]) => !values.source || name === values.source);
  if (sources.length === 0)
    throw new UsageError(
      `--source ${values.source}: no such source (configured: ${Object.keys(config.mcpServers).join(', ')})`,
    );
  let bar: ReturnType<typeof progressBar> | undefined;
  const outcomes = await exportCanonical({
    sources,
    from,
    to,
    out: values.out,
    secrets: new EnvSecretResolver(),
    log: (line) => {
      bar?.stop();
      process.stderr.write(`${line}\n`);
    },
    track: (name, reader) => trackDays(reader, (bar = progressBar(`export ${name}`, 'days'))),
  });
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}
