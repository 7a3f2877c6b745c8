import { describe, expect, it } from 'vitest';
import { creepTemperatureFactor, criticalStrippingCurrent_A_m2, lithiumCreepRate_per_s } from './creep.js';
import { presets } from './presets.js';
import { C_to_K } from './units.js';

describe('lithium creep and the critical stripping current', () => {
  it('creep rate: 0.01/s at 1 MPa and 25 °C, fifth power in stress, Q = 37 kJ/mol', () => {
    expect(lithiumCreepRate_per_s(1e6, 298.15)).toBeCloseTo(0.01, 12);
    expect(lithiumCreepRate_per_s(2e6, 298.15) / lithiumCreepRate_per_s(1e6, 298.15)).toBeCloseTo(32, 9);
    // exp(37000/8.314462618 * (1/298.15 - 1/333.15)) ≈ 4.80
    expect(creepTemperatureFactor(C_to_K(60), 298.15)).toBeCloseTo(4.8, 1);
  });

  it('interpolates the LLZO CSC table in pressure (Roy 2021: 0.1 mA/cm² at 0 MPa, 0.4 at 2 MPa)', () => {
    const table = presets.llzo.cscTable ?? [];
    expect(criticalStrippingCurrent_A_m2(table, 0, 298.15, 298.15)).toBeCloseTo(1, 12);
    expect(criticalStrippingCurrent_A_m2(table, 1e6, 298.15, 298.15)).toBeCloseTo(2.5, 12);
    expect(criticalStrippingCurrent_A_m2(table, 2e6, 298.15, 298.15)).toBeCloseTo(4, 12);
    // Held, not extrapolated, above the table.
    expect(criticalStrippingCurrent_A_m2(table, 10e6, 298.15, 298.15)).toBeCloseTo(4, 12);
  });

  it('scales the CSC with temperature by the creep law', () => {
    const table = presets.li6ps5cl.cscTable ?? [];
    const at25 = criticalStrippingCurrent_A_m2(table, 3e6, 298.15, 298.15);
    const at60 = criticalStrippingCurrent_A_m2(table, 3e6, C_to_K(60), 298.15);
    expect(at25).toBeCloseTo(2, 12);
    expect(at60 / at25).toBeCloseTo(creepTemperatureFactor(C_to_K(60), 298.15), 12);
  });
});
