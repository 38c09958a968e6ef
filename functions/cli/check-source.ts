import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/config.js';
import { EnvSecretResolver } from '../../shared/sources/secrets.js';
import { checkSource, sourceCheckLines } from '../../shared/usecases/check-source.js';
import { dayFlag } from './export.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

const DAY_MS = 86_400_000;

/**
 * `socpulse check-source NAME [--from DATE] [--to DATE]`: call the tools source NAME's kind uses for a small window
 * (default: the last 24 hours; `--to` is inclusive) and print what was asked, what came back, what was mapped,
 * rejected and ignored, and a verdict. Stores nothing. Exit 0 when the verdict is ok, 1 when degraded or failing.
 */
export async function checkSourceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFor('check-source', argv);
  const config = loadConfig(values.config ?? DEFAULT_CONFIG_FILE);
  const configured = Object.keys(config.mcpServers).join(', ');
  if (positionals.length !== 1) throw new UsageError(`name one source to check (configured: ${configured})`);
  const name = positionals[0]!;
  const server = config.mcpServers[name];
  if (!server) throw new UsageError(`no source "${name}" (configured: ${configured})`);
  const now = Date.now();
  const to = Math.min(values.to ? dayFlag('to', values.to, config.timezone).end : now, now);
  const from = values.from ? dayFlag('from', values.from, config.timezone).start : to - DAY_MS;
  if (to <= from) throw new UsageError('--to must not be before --from (nor --from in the future)');
  const check = await checkSource({
    name,
    server,
    secrets: new EnvSecretResolver(),
    from: new Date(from),
    to: new Date(to),
  });
  process.stdout.write(`${sourceCheckLines(check).join('\n')}\n`);
  return check.verdict === 'ok' ? 0 : 1;
}
