import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryDelay_ms } from './backoff.js';

describe('retryDelay_ms', () => {
  const options = { min_ms: 1000, max_ms: 60_000 };

  it('doubles per attempt up to the cap, between half and all of the step', () => {
    expect(retryDelay_ms(1, options, 0)).toBe(500);
    expect(retryDelay_ms(1, options, 0.999)).toBeCloseTo(999.5);
    expect(retryDelay_ms(3, options, 0)).toBe(2000);
    expect(retryDelay_ms(30, options, 0)).toBe(30_000);
    expect(retryDelay_ms(30, options, 0.999)).toBeLessThan(60_000);
  });

  it('stays within [step/2, step) for any attempt and random number', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const step = Math.min(options.max_ms, options.min_ms * 2 ** (n - 1));
          const d = retryDelay_ms(n, options, r);
          return d >= step / 2 && d < step;
        },
      ),
    );
  });
});
