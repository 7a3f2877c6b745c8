import { describe, expect, it } from 'vitest';
import { valoenDiffusivity_m2_s } from './valoen.js';

describe('Valøen–Reimers diffusivity', () => {
  it('gives ≈ 3.2e-10 m²/s for 1 M LiPF6 at 25 °C (10^(-4.43 - 54/64.15 - 0.22) cm²/s)', () => {
    const expected_m2_s = 10 ** (-4.43 - 54 / (298.15 - 229 - 5) - 0.22) * 1e-4;
    expect(valoenDiffusivity_m2_s(1, 298.15)).toBeCloseTo(expected_m2_s, 18);
    expect(expected_m2_s).toBeGreaterThan(3.1e-10);
    expect(expected_m2_s).toBeLessThan(3.3e-10);
  });

  it('rises with temperature and falls with concentration', () => {
    expect(valoenDiffusivity_m2_s(1, 318.15)).toBeGreaterThan(valoenDiffusivity_m2_s(1, 298.15));
    expect(valoenDiffusivity_m2_s(2, 298.15)).toBeLessThan(valoenDiffusivity_m2_s(1, 298.15));
  });

  it('is NaN far outside the fit, where the formula has a pole', () => {
    expect(valoenDiffusivity_m2_s(1, 230)).toBeNaN();
  });
});
