/**
 * Synthetic cells for the detector specs, built from circuit physics rather than typed numbers:
 * a cell branch (ohmic + concentration overpotential, or an open-circuit voltage that follows the
 * charge passed) in parallel with a short resistance R_s, so the terminal voltage under a
 * galvanostatic current I is the cell branch voltage times R_s/(R_cell + R_s) (PHYSICS.md §3).
 * Not a spec itself (no `.spec.ts` suffix), only imported by specs.
 */
import type { ShortSample } from './soft-short-detector.js';

/** Deterministic pseudo-random numbers in [-1, 1) (a linear congruential generator). */
export function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

export interface SymmetricStep {
  /** Applied current, A (0 = rest). */
  current_A: number;
  duration_s: number;
  /** Short resistance during the step as a function of time in the step, Ω (Infinity = none). */
  shortResistance_ohm?: (tInStep_s: number) => number;
  /** Extra voltage noise amplitude, V. */
  extraNoise_V?: number;
}

/**
 * A symmetric Li|Li cell of area A: branch voltage I*R_cell*(1 + 0.15*(1 - exp(-t/300 s))) (ohmic
 * drop plus a concentration overpotential building up over the step), noise of 0.05 % of the
 * branch voltage plus 20 µV, irregular sampling around dt_s, shunted by R_s.
 */
export function symmetricCellRun(options: {
  area_m2: number;
  cellResistance_ohm: number;
  dt_s: number;
  steps: SymmetricStep[];
  seed?: number;
}): ShortSample[] {
  const random = noise(options.seed ?? 7);
  const samples: ShortSample[] = [];
  let t_s = 0;
  for (const step of options.steps) {
    let inStep_s = 0;
    while (inStep_s < step.duration_s) {
      const dt_s = options.dt_s * (1 + 0.3 * random());
      inStep_s += dt_s;
      t_s += dt_s;
      const concentration = 1 + 0.15 * (1 - Math.exp(-inStep_s / 300));
      const branch_ohm = options.cellResistance_ohm * concentration;
      const rs_ohm = step.shortResistance_ohm?.(inStep_s) ?? Infinity;
      const effective_ohm = Number.isFinite(rs_ohm)
        ? (branch_ohm * rs_ohm) / (branch_ohm + rs_ohm)
        : branch_ohm;
      const clean_V = step.current_A * effective_ohm;
      const voltage_V =
        clean_V + (Math.abs(clean_V) * 5e-4 + 20e-6) * random() + (step.extraNoise_V ?? 0) * random();
      samples.push({
        t_s,
        dt_s,
        voltage_V,
        current_A: step.current_A,
        currentDensity_A_m2: step.current_A / options.area_m2,
        temperature_K: 298.15,
      });
    }
  }
  return samples;
}

export interface FullCellStep {
  current_A: number;
  duration_s: number;
  /** Short resistance, Ω (Infinity = none). */
  shortResistance_ohm?: number;
}

/**
 * A full cell: open-circuit voltage linear in charge, V_oc = V0 + q/C_diff, internal resistance R,
 * shunted by R_s which drains the charge (dq/dt = I - V_oc/R_s) and heats the cell (V²/R_s into a
 * first-order thermal mass: R_th = 10 K/W, tau = 300 s).
 */
export function fullCellRun(options: {
  capacitance_F: number;
  emptyVoltage_V: number;
  resistance_ohm: number;
  dt_s: number;
  steps: FullCellStep[];
  seed?: number;
}): ShortSample[] {
  const random = noise(options.seed ?? 11);
  const samples: ShortSample[] = [];
  let t_s = 0;
  let charge_C = 0;
  let temperatureRise_K = 0;
  for (const step of options.steps) {
    let inStep_s = 0;
    const rs_ohm = step.shortResistance_ohm ?? Infinity;
    while (inStep_s < step.duration_s) {
      const dt_s = options.dt_s * (1 + 0.2 * random());
      inStep_s += dt_s;
      t_s += dt_s;
      const open_V = options.emptyVoltage_V + charge_C / options.capacitance_F;
      const leak_A = Number.isFinite(rs_ohm) ? open_V / rs_ohm : 0;
      charge_C += (step.current_A - leak_A) * dt_s;
      const heat_W = Number.isFinite(rs_ohm) ? (open_V * open_V) / rs_ohm : 0;
      temperatureRise_K += ((10 * heat_W - temperatureRise_K) * dt_s) / 300;
      samples.push({
        t_s,
        dt_s,
        voltage_V: open_V + step.current_A * options.resistance_ohm + 20e-6 * random(),
        current_A: step.current_A,
        currentDensity_A_m2: step.current_A / 1e-4,
        temperature_K: 298.15 + temperatureRise_K + 0.01 * random(),
      });
    }
  }
  return samples;
}
