import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('RingBuffer', () => {
  it('returns rows oldest first before it is full', () => {
    const buffer = new RingBuffer(4, 2);
    buffer.push([1, 10]);
    buffer.push([2, 20]);
    expect(buffer.length).toBe(2);
    expect(buffer.column(0)).toEqual([1, 2]);
    expect(buffer.column(1)).toEqual([10, 20]);
  });

  it('overwrites the oldest rows once full and keeps its capacity', () => {
    const buffer = new RingBuffer(3, 1);
    for (let k = 1; k <= 7; k++) buffer.push([k]);
    expect(buffer.length).toBe(3);
    expect(buffer.column(0)).toEqual([5, 6, 7]);
    expect(buffer.fromEnd(0)).toBe(7);
    expect(buffer.fromEnd(0, 2)).toBe(5);
    expect(buffer.fromEnd(0, 3)).toBeUndefined();
  });

  it('turns missing values into null gaps', () => {
    const buffer = new RingBuffer(2, 3);
    buffer.push([1, null, undefined]);
    buffer.push([2]);
    expect(buffer.column(1)).toEqual([null, null]);
    expect(buffer.column(2)).toEqual([null, null]);
  });

  it('clears', () => {
    const buffer = new RingBuffer(2, 1);
    buffer.push([1]);
    buffer.clear();
    expect(buffer.length).toBe(0);
    expect(buffer.column(0)).toEqual([]);
  });

  it('rejects a capacity below one', () => {
    expect(() => new RingBuffer(0, 1)).toThrow(RangeError);
    expect(() => new RingBuffer(2, 0)).toThrow(RangeError);
  });

  it('always holds the last min(n, capacity) values in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.double({ noNaN: true }), { maxLength: 60 }),
        (capacity, values) => {
          const buffer = new RingBuffer(capacity, 1);
          for (const value of values) buffer.push([value]);
          expect(buffer.column(0)).toEqual(values.slice(Math.max(0, values.length - capacity)));
        },
      ),
    );
  });
});
