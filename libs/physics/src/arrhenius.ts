import { gasConstant_J_per_mol_K } from './constants.js';

export interface ArrheniusFit {
  /** E_a in value = prefactor * exp(-E_a/(R*T)), J/mol. */
  activationEnergy_J_mol: number;
  /** Prefactor, in the unit of the values. */
  prefactor: number;
}

/**
 * Least-squares Arrhenius fit: ln(value) = ln(prefactor) - E_a/(R*T), linear in 1/T.
 * Needs at least two points at distinct temperatures with positive values (RangeError otherwise).
 * Example: `fitArrhenius([{ temperature_K: 300, value: 1 }, { temperature_K: 350, value: 10 }])`.
 */
export function fitArrhenius(points: readonly { temperature_K: number; value: number }[]): ArrheniusFit {
  const usable = points.filter((p) => p.temperature_K > 0 && p.value > 0);
  if (usable.length < 2) throw new RangeError('fitArrhenius needs two points with T > 0 and value > 0');
  const xs = usable.map((p) => 1 / p.temperature_K);
  const ys = usable.map((p) => Math.log(p.value));
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    sxx += dx * dx;
    sxy += dx * ((ys[i] ?? 0) - meanY);
  }
  if (!(sxx > 0)) throw new RangeError('fitArrhenius needs points at two different temperatures');
  const slope = sxy / sxx;
  return {
    activationEnergy_J_mol: -slope * gasConstant_J_per_mol_K,
    prefactor: Math.exp(meanY - slope * meanX),
  };
}

/** Value of an Arrhenius fit at a temperature. */
export function arrheniusValue(fit: ArrheniusFit, temperature_K: number): number {
  return fit.prefactor * Math.exp(-fit.activationEnergy_J_mol / (gasConstant_J_per_mol_K * temperature_K));
}

export interface CcdTablePoint {
  temperature_K: number;
  ccd_A_m2: number;
}

export type CcdLookup =
  | { inside: true; ccd_A_m2: number }
  | { inside: false; ccd_A_m2: number; side: 'below' | 'above'; range_K: [number, number] };

/**
 * Critical current density at a temperature from a measured table: ln(CCD) interpolated linearly in
 * 1/T between the neighbouring points (the Sharafi et al. 2016 Li/LLZO points curve in an Arrhenius
 * plot, so one global fit would be wrong; PHYSICS.md §2). Outside the table it does not extrapolate:
 * `inside: false` and `ccd_A_m2: NaN`, with the side and the table's range.
 */
export function lookupCriticalCurrentDensity(
  table: readonly CcdTablePoint[],
  temperature_K: number,
): CcdLookup {
  const sorted = [...table].sort((a, b) => a.temperature_K - b.temperature_K);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) throw new RangeError('CCD table is empty');
  const range_K: [number, number] = [first.temperature_K, last.temperature_K];
  if (!(temperature_K >= first.temperature_K))
    return { inside: false, ccd_A_m2: NaN, side: 'below', range_K };
  if (temperature_K > last.temperature_K) return { inside: false, ccd_A_m2: NaN, side: 'above', range_K };
  for (let i = 1; i < sorted.length; i++) {
    const lo = sorted[i - 1];
    const hi = sorted[i];
    if (!lo || !hi || temperature_K > hi.temperature_K) continue;
    if (hi.temperature_K === lo.temperature_K) return { inside: true, ccd_A_m2: hi.ccd_A_m2 };
    const w = (1 / temperature_K - 1 / lo.temperature_K) / (1 / hi.temperature_K - 1 / lo.temperature_K);
    return { inside: true, ccd_A_m2: Math.exp((1 - w) * Math.log(lo.ccd_A_m2) + w * Math.log(hi.ccd_A_m2)) };
  }
  return { inside: true, ccd_A_m2: first.ccd_A_m2 };
}

/**
 * Critical current density (A/m²) at a temperature by ln-linear interpolation in 1/T between table
 * points; NaN outside the table (use {@link lookupCriticalCurrentDensity} to know which side).
 * Example: Sharafi 2016 Li/LLZO at 85 °C → ≈ 4.1 A/m² (0.41 mA/cm²), between 2 and 8 A/m².
 */
export function criticalCurrentDensityAt_A_m2(
  table: readonly CcdTablePoint[],
  temperature_K: number,
): number {
  return lookupCriticalCurrentDensity(table, temperature_K).ccd_A_m2;
}
