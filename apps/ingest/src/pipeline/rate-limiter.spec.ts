import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter } from './rate-limiter.js';

describe('KeyedRateLimiter', () => {
  it('allows a burst, then the steady rate, per key', () => {
    const limiter = new KeyedRateLimiter(2, 5);
    const allowed = (key: string, now: number, n: number) =>
      Array.from({ length: n }, () => limiter.take(key, now)).filter(Boolean).length;
    expect(allowed('flood', 0, 100)).toBe(5);
    expect(allowed('flood', 500, 100)).toBe(1);
    expect(allowed('flood', 1500, 100)).toBe(2);
    // Another key is untouched by the flood.
    expect(allowed('quiet', 1500, 3)).toBe(3);
  });

  it('never exceeds burst + rate × time', () => {
    const limiter = new KeyedRateLimiter(10, 20);
    let allowed = 0;
    for (let t = 0; t <= 10_000; t += 1) if (limiter.take('k', t)) allowed++;
    expect(allowed).toBeLessThanOrEqual(20 + 10 * 10);
    expect(allowed).toBeGreaterThanOrEqual(10 * 10);
  });
});
