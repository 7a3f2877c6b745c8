import { describe, expect, it } from 'vitest';
import {
  areaSpecificResistance_ohm_m2,
  cellEvidence,
  currentDensity_A_m2,
  lithiumArealCharge_C_m2,
  noEstimates,
  publishedEstimates,
} from './cell-model.js';
import type { CellEstimates } from './cell-monitor.js';
import { lithiumThickness_m } from './units.js';

const base: CellEstimates = noEstimates(-10);

describe('cell model', () => {
  it('current density: 1 mA on 1 cm² is 10 A/m² (1 mA/cm²), sign kept', () => {
    expect(currentDensity_A_m2(1e-3, 1e-4)).toBeCloseTo(10, 12);
    expect(currentDensity_A_m2(-2e-3, 0.5e-4)).toBeCloseTo(-40, 12);
  });

  it('ASR: 10 mV at 10 A/m² is 1e-3 Ω·m² = 10 Ω·cm², whatever the sign of V and J', () => {
    expect(areaSpecificResistance_ohm_m2(0.01, 10)).toBeCloseTo(1e-3, 15);
    expect(areaSpecificResistance_ohm_m2(-0.01, -10)).toBeCloseTo(1e-3, 15);
    expect(areaSpecificResistance_ohm_m2(0.01, -10)).toBeCloseTo(1e-3, 15);
  });

  it('lithium areal charge inverts lithiumThickness_m: 1 mAh/cm² = 36 000 C/m² ≈ 4.85 µm', () => {
    expect(lithiumThickness_m(36_000) * 1e6).toBeCloseTo(4.85, 2);
    expect(lithiumArealCharge_C_m2(lithiumThickness_m(36_000))).toBeCloseTo(36_000, 6);
  });

  it('published estimates: ASR in Ω·m², stripped charge from the worse electrode, nulls kept', () => {
    expect(publishedEstimates(base)).toEqual({
      depletionFraction: null,
      timeToDepletion_s: null,
      jOverJstar: null,
      currentDensity_A_m2: -10,
      strippingCurrentOverCsc: null,
      strippingChargeAboveCsc_C_m2: null,
      contactFraction: null,
      areaSpecificResistance_ohm_m2: null,
      shortResistance_ohm: null,
    });
    const solid = publishedEstimates({
      ...base,
      asr_ohm_cm2: 32,
      excessStrippingThickness_um: { negative: 4.85, positive: 1 },
      strippingOverCsc: 1.5,
    });
    expect(solid.areaSpecificResistance_ohm_m2).toBeCloseTo(32e-4, 15);
    expect(solid.strippingChargeAboveCsc_C_m2).toBeCloseTo(36_000, -2);
    expect(solid.strippingCurrentOverCsc).toBe(1.5);
  });

  it('cell evidence: the published current density and ASR, the ASR left out where not estimated', () => {
    expect(cellEvidence(base)).toEqual({ currentDensity_A_m2: -10 });
    const solid = { ...base, asr_ohm_cm2: 32 };
    expect(cellEvidence(solid)).toEqual({
      currentDensity_A_m2: -10,
      areaSpecificResistance_ohm_m2: publishedEstimates(solid).areaSpecificResistance_ohm_m2,
    });
  });
});
