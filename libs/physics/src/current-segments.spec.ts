import { describe, expect, it } from 'vitest';
import { CurrentSegmenter } from './current-segments.js';
import { median } from './stats.js';

describe('CurrentSegmenter', () => {
  it('splits rests, constant-current steps, reversals and varying currents', () => {
    const s = new CurrentSegmenter(1e-3);
    const kinds = [0, 1, 1.005, 0.995, -1, -1, 2, 0.0005, 2].map((j) => s.update(1, j));
    expect(kinds.map((p) => (p.kind === 'rest' ? 'r' : `${p.segment}:${p.index}`))).toEqual([
      'r',
      '1:0',
      '1:1',
      '1:2',
      '2:0',
      '2:1',
      '3:0',
      'r',
      '4:0',
    ]);
  });
});

describe('median', () => {
  it('of odd, even and empty arrays', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
