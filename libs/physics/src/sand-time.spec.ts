import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faraday_C_per_mol } from './constants.js';
import { limitingCurrentDensity_A_m2, sandTime_s } from './sand-time.js';

const lp30 = { diffusivity_m2_s: 3e-10, concentration_mol_m3: 1000, anionTransference: 0.62 };

describe("Sand's time", () => {
  it('evaluates pi*D*(F*c0)^2/(4*(t_a*J)^2) (the review, eq. 2)', () => {
    // By hand: pi * 3e-10 * (96485.33212 * 1000)^2 / (4 * (0.62 * 10)^2).
    const expected_s = (Math.PI * 3e-10 * (faraday_C_per_mol * 1000) ** 2) / (4 * 6.2 ** 2);
    expect(sandTime_s({ ...lp30, currentDensity_A_m2: 10 })).toBeCloseTo(expected_s, 6);
    expect(expected_s).toBeGreaterThan(5.7e4);
    expect(expected_s).toBeLessThan(5.71e4);
  });

  it('scales as 1/J², ignores the sign of J, and is Infinity at zero current or t_a = 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (currentDensity_A_m2) => {
        const once = sandTime_s({ ...lp30, currentDensity_A_m2 });
        const doubled = sandTime_s({ ...lp30, currentDensity_A_m2: -2 * currentDensity_A_m2 });
        expect(once / doubled).toBeCloseTo(4, 9);
      }),
    );
    expect(sandTime_s({ ...lp30, currentDensity_A_m2: 0 })).toBe(Infinity);
    expect(sandTime_s({ ...lp30, anionTransference: 0, currentDensity_A_m2: 10 })).toBe(Infinity);
  });

  it('throws RangeError for impossible parameters', () => {
    expect(() => sandTime_s({ ...lp30, diffusivity_m2_s: 0, currentDensity_A_m2: 1 })).toThrow(RangeError);
    expect(() => sandTime_s({ ...lp30, anionTransference: -0.2, currentDensity_A_m2: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('limiting current density J*', () => {
  it('evaluates 2*F*c0*D/(t_a*L) (the review, eq. 4)', () => {
    const expected = (2 * faraday_C_per_mol * 1000 * 3e-10) / (0.62 * 25e-6);
    expect(limitingCurrentDensity_A_m2({ ...lp30, gap_m: 25e-6 })).toBeCloseTo(expected, 9);
    expect(expected).toBeCloseTo(3735, 0);
  });

  it("at J* Sand's time equals pi/16 of the diffusion time L²/D: the two regimes meet", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e-2, noNaN: true }), (gap_m) => {
        const jStar = limitingCurrentDensity_A_m2({ ...lp30, gap_m });
        const tau = sandTime_s({ ...lp30, currentDensity_A_m2: jStar });
        expect(tau / ((gap_m * gap_m) / lp30.diffusivity_m2_s)).toBeCloseTo(Math.PI / 16, 9);
      }),
    );
  });

  it('is Infinity for single-ion conductors and rejects a zero gap', () => {
    expect(limitingCurrentDensity_A_m2({ ...lp30, anionTransference: 0, gap_m: 1e-4 })).toBe(Infinity);
    expect(() => limitingCurrentDensity_A_m2({ ...lp30, gap_m: 0 })).toThrow(RangeError);
  });
});
