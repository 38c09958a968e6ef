/** Base class of storage errors: the adapter's words for what DynamoDB said. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A stored item failed validation on read: names the key and the field, never returns half-valid data. */
export class CorruptItemError extends StoreError {
  override name = 'CorruptItemError';
}

/** A conditional write lost: someone else holds the claim or wrote first. Carries what is stored now. */
export class ConflictError extends StoreError {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly existing?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The table cannot be reached (network, endpoint, a table that does not exist): one line that says so, with no stack
 * trace or cause chain, because the fix is in the configuration or the network, never in the code.
 */
export class TableUnreachableError extends StoreError {
  override name = 'TableUnreachableError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}
