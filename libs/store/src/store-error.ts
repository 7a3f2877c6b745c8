import { DURATION_PATTERN, durationToMs } from '#contracts';

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

/** The bucket width of a downsampling `every` (e.g. `10s`) in ms; a zero or malformed width is refused. */
export function bucketMs(every: string): number {
  const every_ms = DURATION_PATTERN.test(every) ? durationToMs(every) : 0;
  if (!(every_ms >= 0.001))
    throw new StoreError(`every must be a positive duration like 10s, got ${every}`, false);
  return every_ms;
}
