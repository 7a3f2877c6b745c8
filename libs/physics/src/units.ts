import { faraday_C_per_mol, lithiumMolarVolume_m3_per_mol, zeroCelsius_K } from './constants.js';

/**
 * Unit converters: the only place lab units (mA/cm², mol/L, µm, MPa, °C, cm²/s) become SI and back.
 * Example: `mA_cm2_to_A_m2(1) === 10`.
 */

/** mA/cm² → A/m² (1 mA/cm² = 10 A/m²). */
export const mA_cm2_to_A_m2 = (currentDensity_mA_cm2: number): number => currentDensity_mA_cm2 * 10;
/** A/m² → mA/cm². */
export const A_m2_to_mA_cm2 = (currentDensity_A_m2: number): number => currentDensity_A_m2 / 10;
/** mol/L → mol/m³. */
export const mol_L_to_mol_m3 = (concentration_mol_L: number): number => concentration_mol_L * 1000;
/** µm → m. */
export const um_to_m = (length_um: number): number => length_um * 1e-6;
/** m → µm. */
export const m_to_um = (length_m: number): number => length_m * 1e6;
/** cm² → m². */
export const cm2_to_m2 = (area_cm2: number): number => area_cm2 * 1e-4;
/** cm²/s → m²/s. */
export const cm2_s_to_m2_s = (diffusivity_cm2_s: number): number => diffusivity_cm2_s * 1e-4;
/** MPa → Pa. */
export const MPa_to_Pa = (pressure_MPa: number): number => pressure_MPa * 1e6;
/** Pa → MPa. */
export const Pa_to_MPa = (pressure_Pa: number): number => pressure_Pa / 1e6;
/** °C → K. */
export const C_to_K = (temperature_C: number): number => temperature_C + zeroCelsius_K;
/** K → °C. */
export const K_to_C = (temperature_K: number): number => temperature_K - zeroCelsius_K;
/** Ω·m² → Ω·cm². */
export const ohm_m2_to_ohm_cm2 = (asr_ohm_m2: number): number => asr_ohm_m2 * 1e4;
/** Ω·cm² → Ω·m². */
export const ohm_cm2_to_ohm_m2 = (asr_ohm_cm2: number): number => asr_ohm_cm2 * 1e-4;

/**
 * Areal charge (C/m²) → thickness of lithium metal it plates or strips (m):
 * `h = q * Omega / F`, Omega = 13.0 cm³/mol (PHYSICS.md §2). 1 mAh/cm² (36 000 C/m²) → 4.85 µm.
 */
export function lithiumThickness_m(arealCharge_C_m2: number): number {
  return (arealCharge_C_m2 * lithiumMolarVolume_m3_per_mol) / faraday_C_per_mol;
}

/** mAh/cm² → C/m² (1 mAh = 3.6 C, 1 cm² = 1e-4 m²). */
export const mAh_cm2_to_C_m2 = (arealCapacity_mAh_cm2: number): number => arealCapacity_mAh_cm2 * 3.6e4;

/**
 * Mechanical stress on lithium ↔ the overpotential that does the same work per mole:
 * `eta = sigma * Omega / F` (PHYSICS.md §2, as used by Roy et al. 2021 and Duan et al.).
 * Example: 1 MPa ↔ 0.135 mV.
 */
export function stressToOverpotential_V(stress_Pa: number): number {
  return (stress_Pa * lithiumMolarVolume_m3_per_mol) / faraday_C_per_mol;
}

/** Inverse of {@link stressToOverpotential_V}: `sigma = eta * F / Omega`. Example: 0.1 V ↔ 742 MPa. */
export function overpotentialToStress_Pa(overpotential_V: number): number {
  return (overpotential_V * faraday_C_per_mol) / lithiumMolarVolume_m3_per_mol;
}
