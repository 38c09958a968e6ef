import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { loadReportRunbooks, parseCompiledRunbooks, type ReportRunbook } from './runbooks.js';

/**
 * Where a deployed function finds its configuration: the config file and the runbooks, compiled to `runbooks.json`,
 * sit beside the handler (the CDK writes them at synth time); `SOCPULSE_CONFIG_FILE` / `SOCPULSE_RUNBOOKS_DIR` (a
 * folder of runbook markdown) override for tests and local runs.
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
    runbooks: () =>
      (runbooks ??= loadRunbooks(env.SOCPULSE_RUNBOOKS_DIR, here('./runbooks.json'), here('./runbooks/'))),
  };
}

/** The runbooks from `dir` when given, else the compiled JSON beside the handler, else the markdown beside it. */
function loadRunbooks(dir: string | undefined, compiled: string, besideDir: string): ReportRunbook[] {
  if (dir === undefined && existsSync(compiled)) return parseCompiledRunbooks(readFileSync(compiled, 'utf8'), compiled);
  return loadReportRunbooks(dir ?? besideDir);
}
