import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { loadReportRunbooks, type ReportRunbook } from './runbooks.js';

/**
 * Where a deployed function finds its configuration: the config file and the runbooks are bundled beside the
 * handler (the CDK copies them at synth time); `SOCPULSE_CONFIG_FILE` / `SOCPULSE_RUNBOOKS_DIR` override for tests.
 * Read once per cold start; a bad file fails the cold start with a message naming the file and key.
 */
export function functionConfig(env: NodeJS.ProcessEnv = process.env): {
  config: Config;
  runbooks: () => ReportRunbook[];
} {
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  const config = loadConfig(env.SOCPULSE_CONFIG_FILE ?? here('./socpulse.config.json'));
  let runbooks: ReportRunbook[] | undefined;
  return {
    config,
    runbooks: () => (runbooks ??= loadReportRunbooks(env.SOCPULSE_RUNBOOKS_DIR ?? here('./runbooks/'))),
  };
}
