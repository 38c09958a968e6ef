import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { collectSource, configuredSource } from '../../shared/usecases/collect-source.js';
import { sourceStatusLines } from '../../shared/usecases/source-status.js';
import { parseFor } from './commands.js';
import { dayFlag } from './export.js';
import { withDayProgress } from './progress.js';
import { deployedTableName, openTable } from './table-deps.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse backfill --from DATE [--source NAME] [--data DIR | --table NAME]`: collect history from DATE to now into
 * the table — the local one of the data directory `start` keeps, or a deployed one named on purpose — with a
 * progress bar in days on a terminal.
 */
export async function backfillCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('backfill', argv);
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const fromDay = dayFlag('from', values.from, config.timezone).label;
  const sources = Object.entries(config.mcpServers).filter(([name]) => !values.source || name === values.source);
  if (sources.length === 0)
    throw new UsageError(
      `--source ${values.source}: no such source (configured: ${Object.keys(config.mcpServers).join(', ')})`,
    );
  const table = await openTable(values, await deployedTableName(values));
  process.stderr.write(`socpulse backfill: into ${table.where}\n`);
  let failed = 0;
  try {
    for (const [name] of sources) {
      const source = withDayProgress(configuredSource(config, name, new EnvSecretResolver()), name);
      const run = await collectSource(
        { snapshots: table.snapshots, runs: table.collections, now: () => new Date() },
        { ...source, fromDay },
      ).finally(() => source.done());
      if (run.status === 'failed') failed++;
      const extra = `${run.snapshots.written} snapshots written, ${run.snapshots.unchanged} unchanged`;
      for (const line of sourceStatusLines(run, { extra })) process.stderr.write(`${line}\n`);
    }
  } finally {
    await table.close();
  }
  return failed ? 1 : 0;
}
