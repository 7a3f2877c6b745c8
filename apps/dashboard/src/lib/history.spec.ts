import { durationToMs } from '#contracts';
import { describe, expect, it } from 'vitest';
import { chooseEvery, durationString } from './history.js';

describe('durationString', () => {
  it('writes the largest whole unit', () => {
    expect(durationString(500)).toBe('500ms');
    expect(durationString(10_000)).toBe('10s');
    expect(durationString(300_000)).toBe('5m');
    expect(durationString(7_200_000)).toBe('2h');
    expect(durationString(86_400_000)).toBe('1d');
  });
});

describe('chooseEvery', () => {
  it('asks for raw points when they are few enough', () => {
    expect(chooseEvery(10 * 60_000, 1000)).toBeUndefined();
  });

  it('keeps the point count at or under the maximum', () => {
    for (const span of [3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000]) {
      const every = chooseEvery(span, 600);
      expect(every).toBeDefined();
      expect(span / durationToMs(every!)).toBeLessThanOrEqual(600);
    }
    expect(chooseEvery(3_600_000, 600)).toBe('10s');
  });

  it('ignores empty spans', () => {
    expect(chooseEvery(0, 600)).toBeUndefined();
  });
});
