/** Base of every collection error: always names the source, never carries a secret. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly source: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${message}`, options);
  }
}

/** The server lacks a tool the adapter needs. */
export class MissingToolError extends SourceError {
  override name = 'MissingToolError';
}

/** A call did not answer in time (after retries). */
export class SourceTimeoutError extends SourceError {
  override name = 'SourceTimeoutError';
}

/** The server said the call failed: `isError`, an error in the payload, or a null result — after retries. */
export class ToolCallError extends SourceError {
  override name = 'ToolCallError';
}

/** Pagination that would never end: a repeated cursor or too many pages. */
export class PaginationError extends SourceError {
  override name = 'PaginationError';
}

/** A `${secret:NAME}` reference that could not be resolved. Names the secret, never a value. */
export class SecretError extends SourceError {
  override name = 'SecretError';
}
