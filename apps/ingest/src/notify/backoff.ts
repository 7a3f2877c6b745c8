export interface BackoffOptions {
  min_ms: number;
  max_ms: number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with "equal jitter" —
 * half the capped delay fixed, half random — so many notifications that failed together (a receiver
 * down) do not all come back at the same instant, and no retry comes sooner than half its step.
 * `random` in [0, 1).
 */
export function retryDelay_ms(attempt: number, options: BackoffOptions, random: number): number {
  const step = Math.min(options.max_ms, options.min_ms * 2 ** Math.max(0, attempt - 1));
  return step / 2 + (random * step) / 2;
}
