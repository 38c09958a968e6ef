/** A report request that cannot be served as asked: names the field (runbook, period, recipients). */
export class ReportRequestError extends Error {
  override name = 'ReportRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
