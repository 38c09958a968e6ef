import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { parseCompiledRunbooks, RunbookError, type ReportRunbook } from './runbook-schema.js';

/**
 * Where a deployed function finds its configuration: the config file and the runbooks, their front matter compiled to
 * `runbooks.json`, sit beside the handler (the CDK writes them at synth time); `SOCPULSE_CONFIG_FILE` overrides the
 * config file for tests and benchmarks. The runbooks are only ever read compiled, so no function bundles the YAML
 * parser. Read once per cold start; a bad file fails the cold start with a message naming the file and key.
 */
export function functionConfig(env: NodeJS.ProcessEnv = process.env): {
  config: Config;
  runbooks: () => ReportRunbook[];
} {
  const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
  const config = loadConfig(env.SOCPULSE_CONFIG_FILE ?? here('./socpulse.config.json'));
  let runbooks: ReportRunbook[] | undefined;
  return { config, runbooks: () => (runbooks ??= loadCompiledRunbooks(here('./runbooks.json'))) };
}

function loadCompiledRunbooks(file: string): ReportRunbook[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RunbookError(
      `${file}: cannot read compiled runbooks (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  return parseCompiledRunbooks(text, file);
}
