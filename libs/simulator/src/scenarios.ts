import type { Scenario } from '#contracts';
import { simulateCell, type CellParams, type Failures, type SimulatedRun } from './cell.js';
import { criticalCurrentRamp, galvanostaticCycling, type Protocol, type ProtocolStep } from './protocol.js';
import { Rng } from './rng.js';

/** Liquid LP30-type electrolyte in a coin cell: J* is far above practical currents (PHYSICS.md §1). */
export function liquidCell(rng: Rng): CellParams {
  return {
    ...measurement(rng),
    cellType: 'symmetric',
    electrolyteKind: 'liquid',
    preset: 'lp30',
    area_cm2: 1.13,
    gap_um: rng.between(20, 30),
    // Valøen & Reimers 2005 at 1 M, 25 °C: ~3e-6 cm²/s; t+ = 0.38 (PyBaMM LP30 set).
    diffusivity_cm2_s: rng.between(2.5e-6, 3.5e-6),
    concentration_mol_L: 1.0,
    cationTransference: 0.38,
    referenceTemperature_C: 25,
    activationEnergy_kJ_mol: rng.between(18, 25),
    bulkAsr_ohm_cm2: rng.between(1.5, 3),
    interfaceAsr_ohm_cm2: rng.between(8, 15),
    exchangeCurrent_mA_cm2: rng.between(0.8, 1.5),
    criticalStrippingCurrent_mA_cm2: Infinity,
    criticalPlatingCurrent_mA_cm2: Infinity,
    voidDepthCritical_um: 1,
    nominalPressure_MPa: 0,
    capacity_mAh: 2,
    initialSoc: 0.5,
    dendriteAmplification: 60,
  };
}

/**
 * PEO-LiTFSI at 70 °C between Li foils 100 µm apart: D ≈ 5e-12 m²/s (Orädd et al. 2002 give 7.7e-12 at
 * 85 °C), t+ ≈ 0.16, so J* = 2Fc0D/(t_a·L) ≈ 1.5 mA/cm², inside a critical-current ramp.
 */
export function polymerCell(rng: Rng): CellParams {
  return {
    ...measurement(rng),
    cellType: 'symmetric',
    electrolyteKind: 'polymer',
    preset: 'peo-litfsi',
    area_cm2: 1.13,
    gap_um: rng.between(90, 110),
    diffusivity_cm2_s: rng.between(4.5e-8, 5.5e-8),
    concentration_mol_L: rng.between(1.2, 1.4),
    cationTransference: 0.16,
    referenceTemperature_C: 70,
    activationEnergy_kJ_mol: rng.between(35, 45),
    bulkAsr_ohm_cm2: rng.between(60, 100),
    interfaceAsr_ohm_cm2: rng.between(15, 30),
    exchangeCurrent_mA_cm2: rng.between(0.3, 0.6),
    criticalStrippingCurrent_mA_cm2: Infinity,
    criticalPlatingCurrent_mA_cm2: Infinity,
    voidDepthCritical_um: 1,
    nominalPressure_MPa: 0,
    capacity_mAh: 2,
    initialSoc: 0.5,
    dendriteAmplification: rng.between(50, 80),
  };
}

/**
 * Li | Li6PS5Cl | Li pellet at 25 °C under 5 MPa: critical stripping current ≈ 0.25 mA/cm² (Kasemchainan
 * 2019 report ≈ 0.2 at 3 MPa), plating CCD ≈ 1 mA/cm².
 */
export function solidCell(rng: Rng): CellParams {
  return {
    ...measurement(rng),
    cellType: 'symmetric',
    electrolyteKind: 'solid',
    preset: 'li6ps5cl',
    area_cm2: rng.pick([0.785, 1.13]),
    gap_um: rng.between(500, 700),
    diffusivity_cm2_s: 1e-8,
    concentration_mol_L: 1,
    cationTransference: 1,
    referenceTemperature_C: 25,
    activationEnergy_kJ_mol: rng.between(30, 40),
    bulkAsr_ohm_cm2: rng.between(15, 25),
    interfaceAsr_ohm_cm2: rng.between(10, 20),
    exchangeCurrent_mA_cm2: rng.between(0.5, 1.0),
    criticalStrippingCurrent_mA_cm2: rng.between(0.22, 0.28),
    criticalPlatingCurrent_mA_cm2: rng.between(0.9, 1.1),
    voidDepthCritical_um: rng.between(0.5, 0.8),
    nominalPressure_MPa: 5,
    capacity_mAh: 2,
    initialSoc: 0.5,
    dendriteAmplification: 60,
  };
}

/** Measurement artefacts and healthy-but-alarming behaviour common to every cell. */
function measurement(
  rng: Rng,
): Pick<
  CellParams,
  | 'nucleationOvershoot'
  | 'nucleationTime_s'
  | 'activationExcess'
  | 'activationTime_s'
  | 'voltageNoise_V'
  | 'voltageQuantum_V'
  | 'currentNoise_A'
  | 'currentQuantum_A'
  | 'temperatureNoise_C'
  | 'pressureNoise_MPa'
  | 'configDiffusivityFactor'
> {
  return {
    nucleationOvershoot: rng.between(0.1, 0.4),
    nucleationTime_s: rng.between(5, 30),
    activationExcess: rng.between(0.1, 0.4),
    activationTime_s: rng.between(1800, 7200),
    voltageNoise_V: rng.between(0.1e-3, 0.4e-3),
    voltageQuantum_V: rng.pick([0, 0.1e-3, 0.3e-3]),
    currentNoise_A: 0.2e-6,
    currentQuantum_A: 1e-6,
    temperatureNoise_C: 0.05,
    pressureNoise_MPa: 0.01,
    configDiffusivityFactor: 1,
  };
}

function baseProtocol(
  steps: ProtocolStep[],
  duration_s: number,
  sampleInterval_s: number,
  solid: boolean,
): Protocol {
  return {
    steps,
    duration_s,
    ambient: [],
    sampleInterval_s,
    sampleJitter: 0.2,
    dropoutsPerHour: 0.5,
    hasTemperature: true,
    hasPressure: solid,
  };
}

export interface ScenarioOptions {
  scenario: Scenario;
  seed: number;
  /** Data time to simulate (default 3 h); failing runs stop 5 min after their hard short. */
  duration_s?: number;
  /** Mean time between samples (default 1 s). */
  sampleInterval_s?: number;
}

/**
 * A named demo/test scenario. Tuned so each failure shows within about 2–3 h of data time (1–2 min of
 * wall time at --speed 100); the healthy one cycles a liquid cell through temperature steps and rests.
 */
export function simulateScenario(options: ScenarioOptions): SimulatedRun {
  const rng = new Rng(options.seed);
  const duration_s = options.duration_s ?? 3 * 3600;
  const interval_s = options.sampleInterval_s ?? 1;
  const seed = Math.floor(rng.uniform() * 2 ** 31);
  switch (options.scenario) {
    case 'healthy': {
      const params = liquidCell(rng);
      const protocol = baseProtocol(
        galvanostaticCycling({ current_mA_cm2: 1, halfCycle_s: 1800, cycles: 100, rest_s: 300 }),
        duration_s,
        interval_s,
        false,
      );
      protocol.ambient = [
        { at_s: 0, temperature_C: 25 },
        { at_s: 3600, temperature_C: 35 },
        { at_s: 7200, temperature_C: 25 },
      ];
      return simulateCell(params, protocol, {}, seed);
    }
    case 'sand-depletion': {
      const params = polymerCell(rng);
      const steps = criticalCurrentRamp({
        start_mA_cm2: 0.5,
        increment_mA_cm2: 0.5,
        halfCycle_s: 900,
        cycles: 20,
      });
      const protocol = baseProtocol(steps, duration_s, interval_s, false);
      protocol.ambient = [{ at_s: 0, temperature_C: 70 }];
      return simulateCell(params, protocol, {}, seed);
    }
    case 'void-growth': {
      const params = solidCell(rng);
      const steps = criticalCurrentRamp({
        start_mA_cm2: 0.2,
        increment_mA_cm2: 0.15,
        halfCycle_s: 900,
        cycles: 20,
      });
      return simulateCell(params, baseProtocol(steps, duration_s, interval_s, true), {}, seed);
    }
    case 'soft-short': {
      const params = liquidCell(rng);
      const onset_s = rng.between(1500, 3000);
      const failures: Failures = {
        softShort: {
          onset_s,
          hardShort_s: onset_s + rng.between(3600, 5400),
          initialResistance_ohm: rng.between(200, 400),
          finalResistance_ohm: rng.between(3, 8),
        },
      };
      const steps = galvanostaticCycling({ current_mA_cm2: 1, halfCycle_s: 1800, cycles: 100, rest_s: 300 });
      return simulateCell(params, baseProtocol(steps, duration_s, interval_s, false), failures, seed);
    }
    case 'hard-short': {
      const params = liquidCell(rng);
      // Under current (the strip half-cycle of the second cycle): at rest a symmetric cell reads ~0 V anyway.
      const failures: Failures = { hardShort_s: rng.between(2200, 3500) };
      const steps = galvanostaticCycling({ current_mA_cm2: 1, halfCycle_s: 1800, cycles: 100, rest_s: 300 });
      return simulateCell(params, baseProtocol(steps, duration_s, interval_s, false), failures, seed);
    }
  }
}
