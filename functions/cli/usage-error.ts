/** Bad command-line input: printed as one clear line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
