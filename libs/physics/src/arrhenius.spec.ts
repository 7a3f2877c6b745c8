import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrheniusValue,
  criticalCurrentDensityAt_A_m2,
  fitArrhenius,
  lookupCriticalCurrentDensity,
} from './arrhenius.js';
import { gasConstant_J_per_mol_K } from './constants.js';
import { presets } from './presets.js';
import { C_to_K, mA_cm2_to_A_m2 } from './units.js';

/** Sharafi et al., J. Power Sources 302:135 (2016): CCD of Li/LLZO, mA/cm² at °C (PHYSICS.md §2). */
const sharafi = [
  [30, 0.05],
  [70, 0.2],
  [100, 0.8],
  [130, 3.5],
  [160, 20],
] as const;
const sharafiTable = sharafi.map(([t_C, ccd_mA_cm2]) => ({
  temperature_K: C_to_K(t_C),
  ccd_A_m2: mA_cm2_to_A_m2(ccd_mA_cm2),
}));

describe('fitArrhenius', () => {
  it('recovers the activation energy and prefactor of exact Arrhenius data', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5e3, max: 1.5e5, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (activationEnergy_J_mol, prefactor) => {
          const points = [280, 300, 330, 360].map((temperature_K) => ({
            temperature_K,
            value: prefactor * Math.exp(-activationEnergy_J_mol / (gasConstant_J_per_mol_K * temperature_K)),
          }));
          const fit = fitArrhenius(points);
          expect(fit.activationEnergy_J_mol / activationEnergy_J_mol).toBeCloseTo(1, 6);
          expect(fit.prefactor / prefactor).toBeCloseTo(1, 4);
          expect(
            arrheniusValue(fit, 310) / arrheniusValue({ activationEnergy_J_mol, prefactor }, 310),
          ).toBeCloseTo(1, 6);
        },
      ),
    );
  });

  it('the Sharafi CCD points curve: the slope steepens with temperature', () => {
    const low = fitArrhenius(sharafi.slice(0, 3).map(([t, v]) => ({ temperature_K: C_to_K(t), value: v })));
    const high = fitArrhenius(sharafi.slice(2).map(([t, v]) => ({ temperature_K: C_to_K(t), value: v })));
    expect(high.activationEnergy_J_mol).toBeGreaterThan(low.activationEnergy_J_mol);
  });

  it('needs two temperatures', () => {
    expect(() => fitArrhenius([{ temperature_K: 300, value: 1 }])).toThrow(RangeError);
  });
});

describe('criticalCurrentDensityAt_A_m2', () => {
  it('round-trips the Sharafi 2016 table at its own points', () => {
    for (const point of sharafiTable) {
      expect(criticalCurrentDensityAt_A_m2(sharafiTable, point.temperature_K)).toBeCloseTo(
        point.ccd_A_m2,
        10,
      );
    }
    // The llzo preset carries the same table.
    expect(presets.llzo.ccdTable).toEqual(
      sharafiTable.map((p) => ({ ...p, ccd_A_m2: expect.closeTo(p.ccd_A_m2, 12) })),
    );
  });

  it('interpolates ln(CCD) linearly in 1/T between points', () => {
    const t85_K = C_to_K(85);
    const w = (1 / t85_K - 1 / C_to_K(70)) / (1 / C_to_K(100) - 1 / C_to_K(70));
    const expected = Math.exp((1 - w) * Math.log(2) + w * Math.log(8));
    expect(criticalCurrentDensityAt_A_m2(sharafiTable, t85_K)).toBeCloseTo(expected, 10);
    fc.assert(
      fc.property(fc.double({ min: C_to_K(30), max: C_to_K(160), noNaN: true }), (temperature_K) => {
        const ccd = criticalCurrentDensityAt_A_m2(sharafiTable, temperature_K);
        expect(ccd).toBeGreaterThanOrEqual(0.5 - 1e-9);
        expect(ccd).toBeLessThanOrEqual(200 + 1e-9);
        // Monotonic: a warmer cell tolerates more current.
        const warmer_K = Math.min(C_to_K(160), temperature_K + 0.5);
        expect(criticalCurrentDensityAt_A_m2(sharafiTable, warmer_K)).toBeGreaterThanOrEqual(ccd);
      }),
    );
  });

  it('returns NaN outside the table and says on which side', () => {
    expect(criticalCurrentDensityAt_A_m2(sharafiTable, C_to_K(25))).toBeNaN();
    const below = lookupCriticalCurrentDensity(sharafiTable, C_to_K(25));
    expect(below).toMatchObject({ inside: false, side: 'below' });
    const above = lookupCriticalCurrentDensity(sharafiTable, C_to_K(200));
    expect(above).toMatchObject({ inside: false, side: 'above' });
    expect(lookupCriticalCurrentDensity(sharafiTable, C_to_K(100))).toMatchObject({ inside: true });
  });
});
