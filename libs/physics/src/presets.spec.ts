import { describe, expect, it } from 'vitest';
import { presets } from './presets.js';
import { limitingCurrentDensity_A_m2 } from './sand-time.js';
import { valoenDiffusivity_m2_s } from './valoen.js';

describe('electrolyte presets', () => {
  it('each has a kind, parameters and a source', () => {
    for (const [name, preset] of Object.entries(presets)) {
      expect(preset.name).toBe(name);
      expect(['liquid', 'polymer', 'solid']).toContain(preset.kind);
      expect(preset.source.length).toBeGreaterThan(40);
      expect(preset.typicalGap_m).toBeGreaterThan(0);
      if (preset.kind === 'solid') {
        expect(preset.cationTransference).toBe(1);
        expect(preset.diffusivity_m2_s).toBeNull();
        expect(preset.cscTable?.length).toBeGreaterThan(0);
      } else {
        const d = preset.diffusivity_m2_s?.(preset.referenceTemperature_K) ?? NaN;
        expect(d).toBeGreaterThan(1e-13);
        expect(d).toBeLessThan(1e-8);
      }
    }
  });

  it('lp30 follows Valøen–Reimers in concentration and temperature', () => {
    const d = presets.lp30.diffusivity_m2_s;
    expect(d(298.15)).toBeCloseTo(valoenDiffusivity_m2_s(1, 298.15), 18);
    expect(d(318.15, 500)).toBeCloseTo(valoenDiffusivity_m2_s(0.5, 318.15), 18);
  });

  it('lp30 in a 25 µm gap has J* far above practical currents; PEO at 85 °C is within reach', () => {
    const liquid = presets.lp30;
    const jLiquid = limitingCurrentDensity_A_m2({
      diffusivity_m2_s: liquid.diffusivity_m2_s?.(liquid.referenceTemperature_K) ?? NaN,
      concentration_mol_m3: liquid.concentration_mol_m3,
      anionTransference: 1 - liquid.cationTransference,
      gap_m: liquid.typicalGap_m,
    });
    expect(jLiquid).toBeGreaterThan(1000); // > 100 mA/cm²
    const polymer = presets['peo-litfsi'];
    const jPolymer = limitingCurrentDensity_A_m2({
      diffusivity_m2_s: polymer.diffusivity_m2_s?.(polymer.referenceTemperature_K) ?? NaN,
      concentration_mol_m3: polymer.concentration_mol_m3,
      anionTransference: 1 - polymer.cationTransference,
      gap_m: polymer.typicalGap_m,
    });
    expect(jPolymer).toBeGreaterThan(10); // ≈ 3.9 mA/cm²
    expect(jPolymer).toBeLessThan(100);
  });
});
