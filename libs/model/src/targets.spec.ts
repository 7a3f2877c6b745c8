import { describe, expect, it } from 'vitest';
import { targetsAt } from './targets.js';

describe('targetsAt', () => {
  it('looks ahead for sand and voids, flags soft shorts from onset, hard shorts ahead only with a precursor', () => {
    const sand = { kind: 'sand-depletion' as const, onset_s: 1000, hardShort_s: 2000 };
    expect([...targetsAt(sand, 0, 900)]).toEqual([0, 0, 0, 0]);
    expect([...targetsAt(sand, 200, 900)]).toEqual([1, 0, 0, 0]);
    expect([...targetsAt(sand, 1200, 900)]).toEqual([1, 0, 0, 1]);
    const soft = { kind: 'soft-short' as const, onset_s: 1000, hardShort_s: 5000 };
    expect([...targetsAt(soft, 900, 900)]).toEqual([0, 0, 0, 0]);
    expect([...targetsAt(soft, 1000, 900)]).toEqual([0, 0, 1, 0]);
    const hard = { kind: 'hard-short' as const, onset_s: 1000, hardShort_s: 1000 };
    expect([...targetsAt(hard, 500, 900)]).toEqual([0, 0, 0, 0]);
    expect([...targetsAt(hard, 1000, 900)]).toEqual([0, 0, 0, 1]);
    expect([...targetsAt({ kind: 'healthy' }, 5000, 900)]).toEqual([0, 0, 0, 0]);
  });
});
