import { describe, expect, it } from 'vitest';
import { falseAlarmRate, poissonUpperBound } from './false-alarms.js';

describe('poissonUpperBound', () => {
  it('gives the textbook one-sided 95 % limits (Garwood): 3.00 for 0 events, 4.74 for 1, 10.51 for 5', () => {
    expect(poissonUpperBound(0)).toBeCloseTo(-Math.log(0.05), 3);
    expect(poissonUpperBound(1)).toBeCloseTo(4.744, 2);
    expect(poissonUpperBound(5)).toBeCloseTo(10.513, 2);
  });

  it('refuses a negative or fractional count', () => {
    expect(() => poissonUpperBound(-1)).toThrow(RangeError);
    expect(() => poissonUpperBound(1.5)).toThrow(RangeError);
  });
});

describe('falseAlarmRate', () => {
  it('needs about 3000 cell-hours without an alarm for an upper bound of 1 per 1000 h', () => {
    expect(falseAlarmRate(0, 3000).upper95Per1000h).toBeLessThanOrEqual(1);
    expect(falseAlarmRate(0, 2900).upper95Per1000h).toBeGreaterThan(1);
    expect(falseAlarmRate(3, 1500).per1000h).toBeCloseTo(2, 6);
  });
});
