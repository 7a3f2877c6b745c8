import { faraday_C_per_mol, lithiumMolarVolume_m3_per_mol } from './constants.js';
import type { CellEstimates } from './cell-monitor.js';
import { ohm_cm2_to_ohm_m2 } from './units.js';

/**
 * One model of a cell's electrical quantities, used by the detectors (CellMonitor, void tracker, soft-short
 * detector), by ingest for the estimates it publishes, by the model's training features, and by the api's
 * derived numbers; the dashboard shows what these give (through the state and the api). SI inside, the
 * unit in every name. The cell itself (area, electrolyte kind, preset, thresholds) is `ResolvedCell`
 * (cell-config.ts); the expected voltage is `expected-voltage.ts`.
 *
 * Before this module each consumer derived the same numbers its own way: ingest and the model mapped the
 * monitor's estimates separately (ingest left out the stripped charge the model was trained on), and the
 * api divided |I| by the area itself.
 */

/** Current density J = I / A (A/m²), signed: charge positive, as the current. */
export function currentDensity_A_m2(current_A: number, area_m2: number): number {
  return current_A / area_m2;
}

/**
 * Apparent area-specific resistance |V / J| (Ω·m²) of a cell under constant current J: the whole
 * polarization (bulk + interfaces) per unit current density. Symmetric Li|Li cells only: a full cell's
 * voltage is mostly its open-circuit voltage, not polarization.
 */
export function areaSpecificResistance_ohm_m2(voltage_V: number, currentDensity_A_m2: number): number {
  return Math.abs(voltage_V / currentDensity_A_m2);
}

/** Areal charge (C/m²) of a lithium layer `thickness_m` thick: q = h F / Ω (Ω = Li molar volume). */
export function lithiumArealCharge_C_m2(thickness_m: number): number {
  return (thickness_m / lithiumMolarVolume_m3_per_mol) * faraday_C_per_mol;
}

/**
 * The estimates a cell's state carries (contracts' `Estimates`, SI units in the names) from the physics
 * monitor's. The one mapping: ingest publishes it, the model's features are trained on it.
 */
export interface PublishedEstimates {
  depletionFraction: number | null;
  timeToDepletion_s: number | null;
  jOverJstar: number | null;
  currentDensity_A_m2: number;
  strippingCurrentOverCsc: number | null;
  /** Stripped beyond what creep resupplies, at the worse electrode, as charge per area. */
  strippingChargeAboveCsc_C_m2: number | null;
  contactFraction: number | null;
  areaSpecificResistance_ohm_m2: number | null;
  shortResistance_ohm: number | null;
}

export function publishedEstimates(e: CellEstimates): PublishedEstimates {
  const excess_um = e.excessStrippingThickness_um;
  return {
    depletionFraction: e.depletionFraction,
    timeToDepletion_s: e.timeToDepletion_s,
    jOverJstar: e.jOverJstar,
    currentDensity_A_m2: e.currentDensity_A_m2,
    strippingCurrentOverCsc: e.strippingOverCsc,
    strippingChargeAboveCsc_C_m2:
      excess_um === null
        ? null
        : lithiumArealCharge_C_m2(Math.max(excess_um.negative, excess_um.positive) * 1e-6),
    contactFraction: e.contactFraction,
    areaSpecificResistance_ohm_m2: publishedAsr_ohm_m2(e),
    shortResistance_ohm: e.shortResistance_ohm,
  };
}

/** The ASR the state publishes (Ω·m²) for the monitor's estimates (Ω·cm²); null where not estimated. */
function publishedAsr_ohm_m2(e: CellEstimates): number | null {
  return e.asr_ohm_cm2 === null ? null : ohm_cm2_to_ohm_m2(e.asr_ohm_cm2);
}

/**
 * The cell's current density and ASR at a sample as every alert's evidence carries them: the very numbers
 * (same names, same units) the state published with that sample shows, so the alert (a snapshot at its
 * raise) and the cell's state can be compared. The ASR only where it is estimated.
 */
export function cellEvidence(e: CellEstimates): {
  currentDensity_A_m2: number;
  areaSpecificResistance_ohm_m2?: number;
} {
  const asr_ohm_m2 = publishedAsr_ohm_m2(e);
  return asr_ohm_m2 === null || !Number.isFinite(asr_ohm_m2)
    ? { currentDensity_A_m2: e.currentDensity_A_m2 }
    : { currentDensity_A_m2: e.currentDensity_A_m2, areaSpecificResistance_ohm_m2: asr_ohm_m2 };
}

/** The estimates of a sample nothing could be estimated from (rejected): the current density at most. */
export function noEstimates(currentDensity_A_m2: number): CellEstimates {
  return {
    currentDensity_A_m2,
    depletionFraction: null,
    timeToDepletion_s: null,
    jOverJstar: null,
    limitingCurrentDensity_A_m2: null,
    surfaceConcentration_mol_m3: null,
    strippingCurrentDensity_A_m2: null,
    criticalStrippingCurrent_A_m2: null,
    strippingOverCsc: null,
    excessStrippingThickness_um: null,
    contactFraction: null,
    localCurrentDensity_A_m2: null,
    platingCcd_A_m2: null,
    asr_ohm_cm2: null,
    shortResistance_ohm: null,
    temperature_C: null,
    pressure_MPa: null,
  };
}
