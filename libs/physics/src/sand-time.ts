import { faraday_C_per_mol } from './constants.js';

export interface SandTimeInput {
  /** Current density at the plating electrode, A/m² (sign ignored). */
  currentDensity_A_m2: number;
  /** Ambipolar salt diffusivity, m²/s. */
  diffusivity_m2_s: number;
  /** Bulk salt concentration c0, mol/m³. */
  concentration_mol_m3: number;
  /** Anion transference number t_a = 1 - t+. */
  anionTransference: number;
  /** Charge number of the cation, 1 for Li+. */
  chargeNumber?: number;
}

function checkTransport(
  diffusivity_m2_s: number,
  concentration_mol_m3: number,
  anionTransference: number,
): void {
  if (!(diffusivity_m2_s > 0)) throw new RangeError(`diffusivity must be > 0 m²/s, got ${diffusivity_m2_s}`);
  if (!(concentration_mol_m3 > 0))
    throw new RangeError(`concentration must be > 0 mol/m³, got ${concentration_mol_m3}`);
  // t_a > 1 (negative t+) is allowed: Pesko et al. 2017 report it for PEO-LiTFSI at high salt.
  if (!(anionTransference >= 0) || !Number.isFinite(anionTransference))
    throw new RangeError(`anion transference must be a finite number >= 0, got ${anionTransference}`);
}

/**
 * Sand's time: the time a constant current takes to drive the salt concentration at the plating
 * electrode to zero in a semi-infinite electrolyte,
 * `tau = pi * D * (z*F*c0)^2 / (4 * (t_a*J)^2)`
 * (Zhang & Han 2024, Nano-Micro Lett. 16:24, eq. 2, after Chazalviel 1990 and Brissot et al. 1999).
 * Infinity at zero current, and for single-ion conductors (t_a = 0) where it has no meaning.
 * Example: LP30 (D = 3e-10 m²/s, c0 = 1000 mol/m³, t_a = 0.62) at 10 A/m² (1 mA/cm²) → ≈ 5.7e4 s.
 */
export function sandTime_s(input: SandTimeInput): number {
  const { currentDensity_A_m2, diffusivity_m2_s, concentration_mol_m3, anionTransference } = input;
  const z = input.chargeNumber ?? 1;
  checkTransport(diffusivity_m2_s, concentration_mol_m3, anionTransference);
  const flux = anionTransference * Math.abs(currentDensity_A_m2);
  if (flux === 0) return Infinity;
  const charge_C_m3 = z * faraday_C_per_mol * concentration_mol_m3;
  return (Math.PI * diffusivity_m2_s * charge_C_m3 * charge_C_m3) / (4 * flux * flux);
}

export interface LimitingCurrentInput {
  /** Ambipolar salt diffusivity, m²/s. */
  diffusivity_m2_s: number;
  /** Bulk salt concentration c0, mol/m³. */
  concentration_mol_m3: number;
  /** Anion transference number t_a = 1 - t+. */
  anionTransference: number;
  /** Electrode gap L, m. */
  gap_m: number;
  /** Charge number of the cation, 1 for Li+. */
  chargeNumber?: number;
}

/**
 * Limiting (critical) current density of a cell with electrode gap L:
 * `J* = 2 * z*F*c0*D / (t_a * L)` (Zhang & Han 2024, eq. 4). Below J* the salt profile reaches a
 * steady linear state whose surface concentration stays above zero. Infinity when t_a = 0.
 * Example: D = 3e-10 m²/s, c0 = 1000 mol/m³, t_a = 0.62, L = 25 µm → ≈ 3.7e3 A/m².
 */
export function limitingCurrentDensity_A_m2(input: LimitingCurrentInput): number {
  const { diffusivity_m2_s, concentration_mol_m3, anionTransference, gap_m } = input;
  const z = input.chargeNumber ?? 1;
  checkTransport(diffusivity_m2_s, concentration_mol_m3, anionTransference);
  if (!(gap_m > 0)) throw new RangeError(`gap must be > 0 m, got ${gap_m}`);
  if (anionTransference === 0) return Infinity;
  return (2 * z * faraday_C_per_mol * concentration_mol_m3 * diffusivity_m2_s) / (anionTransference * gap_m);
}
