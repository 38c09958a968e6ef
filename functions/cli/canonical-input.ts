import { existsSync, statSync } from 'node:fs';
import { DEFAULT_CONFIG_FILE, loadConfig, parseConfig, type Config } from '../../shared/config/config.js';
import { UsageError } from './usage-error.js';

/**
 * The common part of the commands that read canonical files (`summarize`, `forecast`): `--input` is a directory,
 * `--json` is given, and the config is `--config`, else the default file when present, else METRICS.md defaults
 * (a config without `sender` is fine: these commands send nothing); `--tz` overrides its zone.
 */
export function canonicalInput(values: { input?: string; json?: boolean; config?: string; tz?: string }): {
  input: string;
  settings: Config;
} {
  if (!values.input) throw new UsageError('--input DIR is required');
  if (!values.json) throw new UsageError('--json is required (the only output format)');
  if (!existsSync(values.input) || !statSync(values.input).isDirectory())
    throw new UsageError(`--input ${values.input}: not a directory`);
  const config = values.config
    ? loadConfig(values.config)
    : existsSync(DEFAULT_CONFIG_FILE)
      ? loadConfig(DEFAULT_CONFIG_FILE)
      : parseConfig({});
  const settings = values.tz ? parseConfig({ ...config, timezone: values.tz }, '--tz') : config;
  return { input: values.input, settings };
}
