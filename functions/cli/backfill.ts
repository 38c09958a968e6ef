import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { collectSource, configuredSource } from '../../shared/usecases/collect-source.js';
import { sourceStatusLines } from '../../shared/usecases/source-status.js';
import { dayFlag } from './export.js';
import { tableDeps } from './table-deps.js';
import { parseFlags, UsageError } from './usage-error.js';

/** `socpulse backfill --from DATE [--source NAME]`: collect history from DATE to now into the table, with a progress bar. */
export async function backfillCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: { from: { type: 'string' }, source: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const fromDay = dayFlag('from', values.from, config.timezone).label;
  const sources = Object.entries(config.mcpServers).filter(([name]) => !values.source || name === values.source);
  if (sources.length === 0) throw new UsageError(`--source ${values.source}: no such source`);
  const deps = tableDeps();
  let failed = 0;
  try {
    for (const [name] of sources) {
      const bar = new SingleBar(
        {
          format: `${name.padEnd(12)} {bar} {value} records  {family}`,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 5000,
        },
        Presets.shades_classic,
      );
      bar.start(0, 0, { family: '' });
      let total = 0;
      const run = await collectSource(
        { snapshots: deps.snapshots, runs: deps.collections, now: () => new Date() },
        {
          ...configuredSource(config, name, new EnvSecretResolver()),
          fromDay,
          onProgress: ({ family, records }) => {
            total += records;
            bar.setTotal(total);
            bar.update(total, { family });
          },
        },
      );
      bar.stop();
      if (run.status === 'failed') failed++;
      const extra = `${run.snapshots.written} snapshots written, ${run.snapshots.unchanged} unchanged`;
      for (const line of sourceStatusLines(run, { extra })) process.stderr.write(`${line}\n`);
    }
  } finally {
    deps.client.destroy();
  }
  return failed ? 1 : 0;
}
