import { describe, expect, it } from 'vitest';
import { DipScanner, type DipFound } from './dip-scanner.js';

/** Gaussian readings from a seeded generator (Box–Muller over a linear congruential generator). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Feeds readings y(t) every dt_s with noise σ and returns the most significant dip seen. */
function scan(
  values: (t_s: number) => number,
  options: { readings: number; dt_s: number; sigma_V: number; seed?: number; bias_V?: number },
): DipFound | null {
  const scanner = new DipScanner();
  const noise = gaussian(options.seed ?? 1);
  let best: DipFound | null = null;
  for (let k = 0; k < options.readings; k++) {
    const t_s = k * options.dt_s;
    const found = scanner.update(
      t_s,
      values(t_s) + options.sigma_V * noise(),
      options.sigma_V,
      options.bias_V ?? 0,
    );
    if (found && (!best || found.z > best.z)) best = found;
  }
  return best;
}

describe('DipScanner', () => {
  const sigma_V = 1e-3;

  it('finds a dip of 1.5σ lasting 30 s that no single reading shows', () => {
    // 10 mV polarization, 1 mV noise, a filament lowering it by 1.5 mV from 200 to 230 s (readings every 0.5 s).
    const level = (t_s: number): number => 0.01 - (t_s >= 200 && t_s < 230 ? 1.5e-3 : 0);
    const dip = scan(level, { readings: 800, dt_s: 0.5, sigma_V });
    expect(dip!.z).toBeGreaterThan(6);
    expect(dip!.depth_V).toBeGreaterThan(1.0e-3);
    expect(dip!.depth_V).toBeLessThan(2.0e-3);
    expect(dip!.start_s).toBeGreaterThan(190);
    expect(dip!.start_s).toBeLessThan(215);
  });

  it('sees nothing significant in noise alone, or in a steep drift either way', () => {
    for (const slope_V_s of [0, -5e-5, 5e-5]) {
      for (const seed of [1, 2, 3]) {
        const dip = scan((t_s) => 0.02 + slope_V_s * t_s, { readings: 3000, dt_s: 1, sigma_V, seed });
        expect(dip?.z ?? 0).toBeLessThan(5);
      }
    }
  });

  it('takes a reading thrown up on one side for no dip', () => {
    const level = (t_s: number): number => 0.01 + (t_s === 300 ? 0.05 : 0);
    const dip = scan(level, { readings: 600, dt_s: 1, sigma_V: 1e-5 });
    expect(dip?.z ?? 0).toBeLessThan(5);
  });

  it('takes the allowed bias off before judging', () => {
    const level = (t_s: number): number => 0.01 - (t_s >= 200 && t_s < 230 ? 1.5e-3 : 0);
    const plain = scan(level, { readings: 800, dt_s: 0.5, sigma_V });
    const biased = scan(level, { readings: 800, dt_s: 0.5, sigma_V, bias_V: 1.5e-3 });
    expect(biased!.z).toBeLessThan(4);
    expect(plain!.z).toBeGreaterThan(6);
  });

  it('forgets the stretch on reset (no dip framed across it)', () => {
    const scanner = new DipScanner();
    for (let k = 0; k < 100; k++) scanner.update(k, 0.01, 1e-4);
    scanner.reset();
    expect(scanner.readings).toBe(0);
    expect(scanner.update(100, -0.01, 1e-4)).toBeNull();
  });
});
