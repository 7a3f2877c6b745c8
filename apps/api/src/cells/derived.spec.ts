import { describe, expect, it } from 'vitest';
import { type CellConfig, type StateMessage, defaultCellConfig } from '#contracts';
import { deriveNumbers } from './derived.js';

const liquid: CellConfig = {
  rigId: 'rig-01',
  cellId: 'ch-03',
  cellType: 'symmetric',
  electrodeArea_cm2: 1.13,
  electrolyte: {
    kind: 'liquid',
    diffusivity_cm2_s: 3e-6,
    concentration_mol_L: 1,
    cationTransference: 0.38,
    gap_um: 25,
  },
  stack: { nominalPressure_MPa: 5 },
  thresholds: {},
};

function live(extra: Partial<StateMessage>): StateMessage {
  return {
    rigId: 'rig-01',
    cellId: 'ch-03',
    ts: 0,
    v: 0.01,
    i: 0,
    risk: 'ok',
    levels: {},
    estimates: {},
    samples: 1,
    run: 0,
    ...extra,
  };
}

describe('deriveNumbers', () => {
  it('gives J* for the configured gap (Zhang & Han 2024 eq. 4)', () => {
    // 2 F c0 D / (t_a L) = 2 × 96485.33 × 1000 × 3e-10 / (0.62 × 25e-6) = 3735 A/m² = 373.5 mA/cm².
    const d = deriveNumbers(liquid, undefined);
    expect(d.electrolyteKind).toBe('liquid');
    expect(d.limitingCurrentDensity_mA_cm2).toBeCloseTo(373.49, 1);
    expect(d.limitingCurrent_mA).toBeCloseTo(373.49 * 1.13, 1);
    expect(d.criticalStrippingCurrent_mA_cm2).toBeNull();
    expect(d.pressure_MPa).toBe(5);
    expect(d.sandTimeAtPresentCurrent_s).toBeNull();
  });

  it("adds Sand's time at the live current and uses the live pressure", () => {
    // 1 mA/cm² on 1.13 cm²: tau = pi D (F c0)² / (4 (t_a J)²) ≈ 5.7e4 s at 10 A/m².
    const d = deriveNumbers(liquid, live({ i: -1.13e-3, t: 30, p: 4.2 }));
    expect(d.presentCurrentDensity_mA_cm2).toBeCloseTo(1, 9);
    expect(d.sandTimeAtPresentCurrent_s! / 5.7e4).toBeCloseTo(1, 1);
    expect(d.pressure_MPa).toBe(4.2);
    expect(d.temperature_C).toBeCloseTo(30, 9);
  });

  it('scales an explicit diffusivity with the measured temperature when an activation energy is given', () => {
    const config: CellConfig = {
      ...liquid,
      electrolyte: { ...liquid.electrolyte, referenceTemperature_C: 25, activationEnergy_kJ_mol: 20 },
    };
    expect(deriveNumbers(config, live({ t: 25 })).diffusivity_cm2_s).toBeCloseTo(3e-6, 15);
    const hot = deriveNumbers(config, live({ t: 45 }));
    const factor = Math.exp(-(20e3 / 8.314462618) * (1 / 318.15 - 1 / 298.15));
    expect(hot.diffusivity_cm2_s! / 3e-6).toBeCloseTo(factor, 9);
    expect(
      hot.limitingCurrentDensity_mA_cm2! /
        deriveNumbers(config, live({ t: 25 })).limitingCurrentDensity_mA_cm2!,
    ).toBeCloseTo(factor, 9);
  });

  it('resolves the default configuration (LP30 preset) with Valøen–Reimers D at 25 °C', () => {
    const d = deriveNumbers(defaultCellConfig('r', 'c'), undefined);
    expect(d.diffusivity_cm2_s! * 1e-4).toBeGreaterThan(2.5e-10);
    expect(d.diffusivity_cm2_s! * 1e-4).toBeLessThan(4e-10);
    expect(d.limitingCurrentDensity_mA_cm2).toBeGreaterThan(300);
    expect(d.notes).toContain('no live temperature: numbers at the reference temperature');
  });

  it('gives the CSC of a garnet cell at the present pressure and temperature, and no J*', () => {
    const llzo: CellConfig = {
      ...liquid,
      electrolyte: { preset: 'llzo' },
      stack: { nominalPressure_MPa: 1 },
    };
    // LLZO table (0 MPa: 0.1, 2 MPa: 0.4 mA/cm², Roy 2021) at 1 MPa, 25 °C → 0.25 mA/cm².
    const nominal = deriveNumbers(llzo, live({ t: 25 }));
    expect(nominal.electrolyteKind).toBe('solid');
    expect(nominal.limitingCurrentDensity_mA_cm2).toBeNull();
    expect(nominal.criticalStrippingCurrent_mA_cm2).toBeCloseTo(0.25, 9);
    // 25 °C is below Sharafi's CCD table (30–160 °C): no extrapolation.
    expect(nominal.criticalCurrentDensity_mA_cm2).toBeNull();
    expect(nominal.notes.some((n) => n.includes('below the measured CCD table'))).toBe(true);

    // Warmer: creep is faster (Q = 37 kJ/mol), so the CSC rises; CCD is interpolated.
    const warm = deriveNumbers(llzo, live({ t: 70, p: 2 }));
    const creep = Math.exp(-(37e3 / 8.314462618) * (1 / 343.15 - 1 / 298.15));
    expect(warm.criticalStrippingCurrent_mA_cm2).toBeCloseTo(0.4 * creep, 9);
    expect(warm.criticalCurrentDensity_mA_cm2).toBeCloseTo(0.2, 9);
  });

  it('uses an explicit CSC at the nominal pressure', () => {
    const config: CellConfig = {
      ...liquid,
      electrolyte: { kind: 'solid', criticalStrippingCurrent_mA_cm2: 0.3 },
      stack: { nominalPressure_MPa: 3 },
    };
    expect(deriveNumbers(config, undefined).criticalStrippingCurrent_mA_cm2).toBeCloseTo(0.3, 12);
  });

  it("gives the detectors' J* for a negative t+ (the salt depletes faster), with their warning", () => {
    // t_a = 1 - (-0.5) = 1.5: J* = 2 F c0 D / (t_a L) = 3735 × 0.62 / 1.5 = 1543.8 A/m² = 154.4 mA/cm².
    const negative: CellConfig = {
      ...liquid,
      electrolyte: { ...liquid.electrolyte, cationTransference: -0.5 },
    };
    const d = deriveNumbers(negative, undefined);
    expect(d.limitingCurrentDensity_mA_cm2).toBeCloseTo(154.38, 1);
    expect(d.notes.some((n) => n.startsWith('negative t+'))).toBe(true);
  });

  it('says why a number is missing instead of throwing', () => {
    const solidNoData: CellConfig = { ...liquid, electrolyte: { kind: 'solid' }, stack: undefined };
    expect(deriveNumbers(solidNoData, undefined).notes).toContain('no CSC given and no preset table: no CSC');
    const noDiffusivity: CellConfig = {
      ...liquid,
      electrolyte: { kind: 'liquid', concentration_mol_L: 1, cationTransference: 0.38, gap_um: 25 },
    };
    const d = deriveNumbers(noDiffusivity, live({ t: 30 }));
    expect(d.limitingCurrentDensity_mA_cm2).toBeNull();
    expect(d.temperature_C).toBe(30);
    expect(d.notes.some((n) => n.includes('diffusivity_cm2_s is needed'))).toBe(true);
  });
});
