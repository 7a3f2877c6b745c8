import { describe, expect, it } from 'vitest';
import { HEALTHY_FAMILIES, HEALTHY_PROTOCOLS, healthyPopulation } from './healthy-population.js';

describe('healthyPopulation', () => {
  it('covers every preset and protocol and reaches the requested cell-hours', () => {
    const runs = [...healthyPopulation({ seed: 4, cellHours: 700 })];
    const hours = runs.reduce((sum, r) => sum + r.duration_s / 3600, 0);
    expect(hours).toBeGreaterThanOrEqual(700);
    expect(new Set(runs.map((r) => r.family))).toEqual(new Set(HEALTHY_FAMILIES));
    expect(new Set(runs.map((r) => r.protocol))).toEqual(new Set(HEALTHY_PROTOCOLS));
    expect(runs.every((r) => r.run.labels.kind === 'healthy')).toBe(true);
  });

  it('is reproducible by seed, repeats some samples and leaves time gaps', () => {
    const first = (seed: number) => healthyPopulation({ seed, cellHours: 1 }).next().value!;
    const take = (seed: number) => [...first(seed).run.samples()].slice(0, 2000);
    expect(take(9)).toEqual(take(9));
    expect(take(9)).not.toEqual(take(10));
    const runs = [...healthyPopulation({ seed: 9, cellHours: 300 })];
    const repeated = runs.some((r) => {
      const samples = [...r.run.samples()].slice(0, 5000);
      return samples.some((s, k) => k > 0 && s.time_s === samples[k - 1]!.time_s);
    });
    expect(repeated).toBe(true);
  });
});
