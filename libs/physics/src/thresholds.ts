/**
 * Detector thresholds: the starting values of PHYSICS.md §4 (to be calibrated on data), each one
 * overridable per cell through the `thresholds` of its configuration.
 */
export interface Thresholds {
  /** Sand depletion: 1 - c_s/c0 at the plating electrode, warning / critical. */
  sandDepletionWarnFraction: number;
  sandDepletionCriticalFraction: number;
  /** Sand depletion: warning when depletion is predicted within this time at the present current. */
  sandDepletionWarnLeadTime_s: number;
  /**
   * Sand depletion: current amplification f >= 1 at tips and inhomogeneities (PHYSICS.md §1), applied
   * to J in the depletion model. A model setting rather than a threshold, kept here so it can be set
   * per cell with the other overrides. Values below 1 are read as 1.
   */
  sandCurrentAmplification: number;
  /** Voids: stripping current density above this fraction of the CSC(P, T). */
  voidStrippingWarnFractionOfCsc: number;
  /** Voids: interface resistance up by this fraction within one strip. */
  voidAsrGrowthWarnFraction: number;
  /** Voids: stack pressure below this (measured), MPa. */
  voidLowPressureWarn_MPa: number;
  /** Voids: contact fraction ASR0/ASR below this is critical. */
  voidContactFractionCritical: number;
  /** Soft short: abrupt drop of |V| at constant current, V. */
  softShortStepDrop_V: number;
  /** Soft short: or a drop of this fraction of |V| (for cells whose whole overpotential is small). */
  softShortStepDropFraction: number;
  /** Soft short: the drop counts once |V| recovers by at least this fraction of it. */
  softShortRecoveryFraction: number;
  /** Soft short: short-term sample-to-sample noise above this multiple of its running level... */
  softShortNoiseFactor: number;
  /** ...and above this absolute level, V. */
  softShortNoiseFloor_V: number;
  /**
   * Soft short (critical, symmetric cells): measured voltage below this fraction of what the cell's own
   * impedance and overpotential give at this current (full cells: not used).
   */
  softShortAsrCollapseFraction: number;
  /** Soft short (symmetric cells): a dip below the expected voltage by this fraction of it... */
  softShortDipFraction: number;
  /** ...and by at least this much (besides 5σ of the reading's noise and 2.5 steps of its resolution), V. */
  softShortDipFloor_V: number;
  /**
   * Soft short (symmetric cells): a dip integrated over its readings counts when its depth below its
   * sides is this many standard deviations of the reading noise (GLR of a transient mean shift).
   */
  softShortDipSignificance: number;
  /** Soft short: a half-cycle is flat when (max - min)/median of |V| stays below this. */
  softShortFlatnessFraction: number;
  /** Soft short (critical): temperature rise at zero current, K. */
  softShortRestHeat_K: number;
  /** Soft short (critical): constant-current charge with the voltage not rising for this long, s. */
  softShortChargeStall_s: number;
  /** Soft short: coulombic efficiency this far below its rolling median (fraction, 0.02 = 2 points). */
  softShortCoulombicEfficiencyDrop: number;
  /** Soft short: how long (data time) an observed event keeps the detector raised, s. */
  softShortEventHold_s: number;
  /** Hard short: |V| below this while current flows, symmetric cells, V. */
  hardShortSymmetricVoltage_V: number;
  /** Hard short: |V| below this while current flows, full and half cells, V. */
  hardShortFullCellVoltage_V: number;
  /** Hard short: consecutive samples needed. */
  hardShortSamples: number;
  /** Hard short: and |V/I| below this fraction of the cell's usual resistance (when known). */
  hardShortResistanceFraction: number;
  /** Current density below which the cell counts as at rest, A/m². */
  restCurrentDensity_A_m2: number;
  /** Pressure: relative drift from the nominal stack pressure, warning / critical. */
  pressureDriftWarnFraction: number;
  pressureDriftCriticalFraction: number;
  /** Pressure: above this is critical (Doux et al. 2020: full cells short at 25 MPa), MPa. */
  pressureHighCritical_MPa: number;
  /**
   * Thermal: rise above the run's baseline temperature, K. Not in PHYSICS.md §4; chosen so a 1C
   * discharge of an 18650 (≈ +8 K, the generic/Q30 recording) stays quiet.
   */
  thermalRiseWarn_K: number;
  thermalRiseCritical_K: number;
  /** Data gap: interval between samples, s. */
  dataGapWarn_s: number;
  dataGapCritical_s: number;
  /** Hysteresis: relative dead band on thresholds, and consecutive samples to raise / clear. */
  hysteresisBand: number;
  raiseSamples: number;
  clearSamples: number;
}

export const defaultThresholds: Readonly<Thresholds> = Object.freeze({
  sandDepletionWarnFraction: 0.8,
  sandDepletionCriticalFraction: 0.95,
  sandDepletionWarnLeadTime_s: 60,
  sandCurrentAmplification: 1,
  voidStrippingWarnFractionOfCsc: 0.8,
  voidAsrGrowthWarnFraction: 0.2,
  voidLowPressureWarn_MPa: 0.8,
  voidContactFractionCritical: 0.5,
  softShortStepDrop_V: 0.02,
  softShortStepDropFraction: 0.3,
  softShortRecoveryFraction: 0.1,
  softShortNoiseFactor: 5,
  softShortNoiseFloor_V: 0.003,
  softShortAsrCollapseFraction: 0.5,
  softShortDipFraction: 0.04,
  softShortDipFloor_V: 0.5e-3,
  softShortDipSignificance: 6,
  softShortFlatnessFraction: 0.05,
  softShortRestHeat_K: 0.5,
  softShortChargeStall_s: 300,
  softShortCoulombicEfficiencyDrop: 0.02,
  softShortEventHold_s: 600,
  hardShortSymmetricVoltage_V: 0.001,
  hardShortFullCellVoltage_V: 0.5,
  hardShortSamples: 3,
  hardShortResistanceFraction: 0.2,
  restCurrentDensity_A_m2: 1e-3,
  pressureDriftWarnFraction: 0.25,
  pressureDriftCriticalFraction: 0.5,
  pressureHighCritical_MPa: 25,
  thermalRiseWarn_K: 10,
  thermalRiseCritical_K: 20,
  dataGapWarn_s: 600,
  dataGapCritical_s: 3600,
  hysteresisBand: 0.1,
  raiseSamples: 2,
  clearSamples: 3,
});

export type ThresholdName = keyof Thresholds;

export function isThresholdName(name: string): name is ThresholdName {
  return Object.hasOwn(defaultThresholds, name);
}

/**
 * Defaults with a cell's overrides applied. Unknown names and non-finite or negative values are not
 * applied; they are returned as problems so the caller can report them.
 */
export function resolveThresholds(overrides: Readonly<Record<string, unknown>> | undefined): {
  thresholds: Thresholds;
  problems: string[];
} {
  const thresholds: Thresholds = { ...defaultThresholds };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (!isThresholdName(name)) {
      problems.push(`unknown threshold "${name}"`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`threshold "${name}" must be a finite number >= 0, got ${JSON.stringify(value)}`);
      continue;
    }
    thresholds[name] = value;
  }
  return { thresholds, problems };
}
