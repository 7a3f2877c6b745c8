import { describe, expect, it } from 'vitest';
import { GapDiffusion } from './diffusion.js';

const faraday_C_per_mol = 96485.33212;

describe('GapDiffusion', () => {
  it('conserves salt and reaches the linear steady profile below the limiting current', () => {
    const gap_m = 100e-6;
    const c0_mol_m3 = 1000;
    const d_m2_s = 3e-10;
    const diffusion = new GapDiffusion(gap_m, c0_mol_m3);
    const salt0 = diffusion.totalSalt_mol_m2();
    const flux = (0.62 * 10) / faraday_C_per_mol; // t_a·J/F at 1 mA/cm²
    diffusion.advance((5 * gap_m * gap_m) / d_m2_s, d_m2_s, flux);
    expect(diffusion.totalSalt_mol_m2()).toBeCloseTo(salt0, 9);
    // Steady state: c(0) = c0 − N·L/(2D), c(L) = c0 + N·L/(2D).
    const half_mol_m3 = (flux * gap_m) / (2 * d_m2_s);
    expect(diffusion.surfaceAtZero_mol_m3(d_m2_s)).toBeCloseTo(c0_mol_m3 - half_mol_m3, 0);
    expect(diffusion.surfaceAtGap_mol_m3(d_m2_s)).toBeCloseTo(c0_mol_m3 + half_mol_m3, 0);
  });

  it('follows the semi-infinite surface concentration c0 − 2N·sqrt(t/(πD)) at short times', () => {
    const d_m2_s = 5e-12;
    const diffusion = new GapDiffusion(2e-3, 1300);
    const flux = (0.84 * 10) / faraday_C_per_mol;
    diffusion.advance(200, d_m2_s, flux);
    const expected = 1300 - 2 * flux * Math.sqrt(200 / (Math.PI * d_m2_s));
    expect(diffusion.surfaceAtZero_mol_m3(d_m2_s)).toBeCloseTo(expected, -1);
    expect(Math.abs(diffusion.surfaceAtZero_mol_m3(d_m2_s) - expected) / (1300 - expected)).toBeLessThan(
      0.01,
    );
  });
});
