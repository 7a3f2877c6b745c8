import { describe, expect, it } from 'vitest';
import { limitingCurrent_mA_cm2, randomRun } from './random.js';
import { polymerCell } from './scenarios.js';
import { Rng } from './rng.js';

describe('randomRun', () => {
  it.each(['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const)(
    '%s runs are labelled with their own kind in both splits',
    (kind) => {
      for (const split of ['train', 'heldout'] as const) {
        const run = randomRun({ kind, seed: 3, split });
        expect(run.labels.kind).toBe(kind);
        if (kind !== 'healthy') expect(run.labels.hardShort_s).toBeGreaterThan(0);
      }
    },
  );

  it('draws held-out polymer cells outside the training gaps', () => {
    const gaps = (split: 'train' | 'heldout'): number[] =>
      [0, 1, 2, 3, 4].map(
        (seed) => randomRun({ kind: 'sand-depletion', seed, split }).config.electrolyte.gap_um!,
      );
    expect(Math.max(...gaps('train'))).toBeLessThanOrEqual(110);
    expect(Math.min(...gaps('heldout'))).toBeGreaterThanOrEqual(120);
  });

  it('computes J* = 2·F·c0·D/(t_a·L)', () => {
    const params = {
      ...polymerCell(new Rng(1)),
      concentration_mol_L: 1.3,
      diffusivity_cm2_s: 5e-8,
      cationTransference: 0.16,
      gap_um: 100,
    };
    // 2·96485·1300·5e-12/(0.84·1e-4) A/m² = 14.93 A/m² = 1.493 mA/cm².
    expect(limitingCurrent_mA_cm2(params)).toBeCloseTo(1.493, 3);
  });
});
