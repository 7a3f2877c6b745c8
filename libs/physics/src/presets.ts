import type { CcdTablePoint } from './arrhenius.js';
import type { CscTablePoint } from './creep.js';
import { valoenDiffusivity_m2_s } from './valoen.js';

export type ElectrolyteKind = 'liquid' | 'polymer' | 'solid';

export interface ElectrolytePreset {
  name: string;
  kind: ElectrolyteKind;
  /**
   * Ambipolar salt diffusivity at a temperature (and salt concentration, default c0), m²/s; null for
   * single-ion conductors (solids).
   */
  diffusivity_m2_s: ((temperature_K: number, concentration_mol_m3?: number) => number) | null;
  /** Bulk salt concentration c0, mol/m³ (NaN for solids: no salt to deplete). */
  concentration_mol_m3: number;
  /** Cation transference number t+ (1 for single-ion conductors). */
  cationTransference: number;
  /** Typical electrode gap L, m. */
  typicalGap_m: number;
  /** Temperature the parameters were measured at, K. */
  referenceTemperature_K: number;
  /** Critical stripping current vs stack pressure, measured at cscTemperature_K (solids). */
  cscTable?: readonly CscTablePoint[];
  cscTemperature_K?: number;
  /** Critical (plating) current density vs temperature (solids). */
  ccdTable?: readonly CcdTablePoint[];
  /** Where each number comes from. */
  source: string;
}

/** 1 M LiPF6 in EC/DMC (LP30-type), 25 °C. */
const lp30 = {
  name: 'lp30',
  kind: 'liquid',
  diffusivity_m2_s: (temperature_K, concentration_mol_m3 = 1000) =>
    valoenDiffusivity_m2_s(concentration_mol_m3 / 1000, temperature_K),
  concentration_mol_m3: 1000,
  cationTransference: 0.38,
  typicalGap_m: 25e-6,
  referenceTemperature_K: 298.15,
  source:
    'D(c,T): Valøen & Reimers, J. Electrochem. Soc. 152:A882 (2005); t+ = 0.38 as in PyBaMM parameter sets; ' +
    'gap: a 25 µm separator (no Bruggeman correction applied).',
} satisfies ElectrolytePreset;

/** PEO-LiTFSI, EO:Li = 20, 85 °C. */
const peoLitfsi = {
  name: 'peo-litfsi',
  kind: 'polymer',
  diffusivity_m2_s: (_temperature_K: number) => 7.7e-12,
  // EO:Li = 20 with a melt density ≈ 1.3 g/cm³ gives ≈ 1.1 mol/L of salt (estimate, not a measurement).
  concentration_mol_m3: 1100,
  cationTransference: 0.16,
  typicalGap_m: 50e-6,
  referenceTemperature_K: 358.15,
  source:
    'PFG-NMR D_Li = 4.59e-12, D_TFSI = 2.43e-11 m²/s at 85 °C (Orädd et al., Solid State Ionics 152:131 (2002)); ' +
    'ideal-solution D ≈ 7.7e-12 m²/s, t+ ≈ 0.16 (Pesko et al. 2017 J. Electrochem. Soc. 164:E3569 warn true t+ ' +
    'can be negative); c0 estimated from EO:Li = 20; gap: a 50 µm film.',
} satisfies ElectrolytePreset;

/** Argyrodite Li6PS5Cl solid electrolyte (single-ion conductor). */
const li6ps5cl = {
  name: 'li6ps5cl',
  kind: 'solid',
  diffusivity_m2_s: null,
  concentration_mol_m3: NaN,
  cationTransference: 1,
  typicalGap_m: 500e-6,
  referenceTemperature_K: 298.15,
  cscTable: [{ pressure_Pa: 3e6, csc_A_m2: 2 }],
  cscTemperature_K: 298.15,
  source:
    'CSC ≈ 0.2 mA/cm² at 3 MPa (Kasemchainan et al., Nat. Mater. 18:1105 (2019), secondary report in ' +
    'Zhang & Han 2024); pellet thickness 0.5 mm typical.',
} satisfies ElectrolytePreset;

/** Garnet Li7La3Zr2O12 solid electrolyte (single-ion conductor). */
const llzo = {
  name: 'llzo',
  kind: 'solid',
  diffusivity_m2_s: null,
  concentration_mol_m3: NaN,
  cationTransference: 1,
  typicalGap_m: 500e-6,
  referenceTemperature_K: 298.15,
  cscTable: [
    { pressure_Pa: 0, csc_A_m2: 1 },
    { pressure_Pa: 2e6, csc_A_m2: 4 },
  ],
  cscTemperature_K: 298.15,
  ccdTable: [
    { temperature_K: 303.15, ccd_A_m2: 0.5 },
    { temperature_K: 343.15, ccd_A_m2: 2 },
    { temperature_K: 373.15, ccd_A_m2: 8 },
    { temperature_K: 403.15, ccd_A_m2: 35 },
    { temperature_K: 433.15, ccd_A_m2: 200 },
  ],
  source:
    'CSC: unstable at 0.1 mA/cm² without stack pressure, ≈ 0.4 mA/cm² at 2 MPa (Roy et al., Extreme Mech. Lett. ' +
    '46:101307 (2021)); CCD 0.05, 0.2, 0.8, 3.5, 20 mA/cm² at 30, 70, 100, 130, 160 °C (Sharafi et al., ' +
    'J. Power Sources 302:135 (2016)).',
} satisfies ElectrolytePreset;

/** Electrolyte presets by name (the `electrolyte.preset` of a cell configuration). */
export const presets = {
  lp30,
  'peo-litfsi': peoLitfsi,
  li6ps5cl,
  llzo,
} as const satisfies Record<string, ElectrolytePreset>;

export type PresetName = keyof typeof presets;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}
