import { gasConstant_J_per_mol_K } from './constants.js';

/** Li creep stress exponent m ≈ 5 (Roy et al., Extreme Mech. Lett. 46:101307 (2021)). */
export const lithiumCreepExponent = 5;
/** Li creep activation energy Q = 37 kJ/mol (LePage et al., J. Electrochem. Soc. 166:A89 (2019)). */
export const lithiumCreepActivationEnergy_J_mol = 37e3;
const creepReferenceTemperature_K = 298.15;

/**
 * Power-law creep rate of lithium metal (PHYSICS.md §2, Roy 2021 and LePage 2019):
 * `strain_rate = 0.01 1/s * (sigma / 1 MPa)^m * exp(-(Q/R)*(1/T - 1/298.15 K))`.
 * Example: 1 MPa at 25 °C → 0.01 1/s.
 */
export function lithiumCreepRate_per_s(stress_Pa: number, temperature_K: number): number {
  const stressRatio = Math.max(0, stress_Pa) / 1e6;
  return (
    0.01 *
    stressRatio ** lithiumCreepExponent *
    creepTemperatureFactor(temperature_K, creepReferenceTemperature_K)
  );
}

/**
 * Factor by which lithium creep (and with it the Li supply that sets the critical stripping current)
 * speeds up from T_ref to T: `exp(-(Q/R)*(1/T - 1/T_ref))`, Q = 37 kJ/mol. Example: 25 → 60 °C ≈ 4.8.
 */
export function creepTemperatureFactor(temperature_K: number, reference_K: number): number {
  return Math.exp(
    -(lithiumCreepActivationEnergy_J_mol / gasConstant_J_per_mol_K) * (1 / temperature_K - 1 / reference_K),
  );
}

export interface CscTablePoint {
  pressure_Pa: number;
  csc_A_m2: number;
}

/**
 * Critical stripping current density at a stack pressure and temperature: linear interpolation in
 * pressure between table points measured at `tableTemperature_K`, held at the end values outside the
 * table (no extrapolation), scaled to the temperature with the creep law
 * (Kasemchainan et al., Nat. Mater. 18:1105 (2019); PHYSICS.md §2).
 * Example: LLZO table (0 MPa: 1 A/m², 2 MPa: 4 A/m²) at 1 MPa and 25 °C → 2.5 A/m².
 */
export function criticalStrippingCurrent_A_m2(
  table: readonly CscTablePoint[],
  pressure_Pa: number,
  temperature_K: number,
  tableTemperature_K: number,
): number {
  const sorted = [...table].sort((a, b) => a.pressure_Pa - b.pressure_Pa);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) throw new RangeError('CSC table is empty');
  let csc_A_m2 = first.csc_A_m2;
  if (pressure_Pa >= last.pressure_Pa) csc_A_m2 = last.csc_A_m2;
  else if (pressure_Pa > first.pressure_Pa) {
    for (let i = 1; i < sorted.length; i++) {
      const lo = sorted[i - 1];
      const hi = sorted[i];
      if (!lo || !hi || pressure_Pa > hi.pressure_Pa) continue;
      const w = (pressure_Pa - lo.pressure_Pa) / (hi.pressure_Pa - lo.pressure_Pa);
      csc_A_m2 = lo.csc_A_m2 + w * (hi.csc_A_m2 - lo.csc_A_m2);
      break;
    }
  }
  const factor = Number.isFinite(temperature_K)
    ? creepTemperatureFactor(temperature_K, tableTemperature_K)
    : 1;
  return csc_A_m2 * factor;
}
