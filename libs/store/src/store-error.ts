/**
 * The one error type of the storage boundary. `retryable` tells the caller (ingest's write-ahead log)
 * whether trying the same write again later can succeed: network failures, timeouts and 5xx answers
 * can; rejected data, bad queries and refused credentials (4xx) cannot.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
