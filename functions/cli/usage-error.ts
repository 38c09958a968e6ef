import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line input: printed as one clear line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `parseArgs`, with what it refuses (an unknown flag, a missing value) turned into a UsageError. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
