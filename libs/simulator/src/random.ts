import { simulateCell, type CellParams, type FailureKind, type Failures, type SimulatedRun } from './cell.js';
import {
  criticalCurrentRamp,
  galvanostaticCycling,
  pulses,
  type AmbientSetPoint,
  type Protocol,
  type ProtocolStep,
} from './protocol.js';
import { Rng } from './rng.js';
import { liquidCell, polymerCell, solidCell } from './scenarios.js';

const gas_J_per_mol_K = 8.314462618;

/**
 * Which parameter ranges to draw from. `train` and `heldout` do not overlap in the ranges marked below,
 * and held-out seeds are offset, so a backtest on `heldout` measures generalisation, not memory.
 */
export type Split = 'train' | 'heldout';

export interface RandomRunOptions {
  kind: 'healthy' | FailureKind;
  seed: number;
  split: Split;
}

/** Limiting current density J* = 2·F·c0·D/(t_a·L) of a cell, mA/cm² (PHYSICS.md §1). */
export function limitingCurrent_mA_cm2(params: CellParams): number {
  const faraday_C_per_mol = 96485.33212;
  const j_A_m2 =
    (2 * faraday_C_per_mol * params.concentration_mol_L * 1000 * params.diffusivity_cm2_s * 1e-4) /
    ((1 - params.cationTransference) * params.gap_um * 1e-6);
  return j_A_m2 / 10;
}

/**
 * Highest current that is healthy at `coldest_C`: half of J* for polymers (J* = 2Fc0D/(t_a·L),
 * PHYSICS.md §1, with D scaled by Arrhenius), 60 % of the creep-scaled CSC for solids (PHYSICS.md §2),
 * 3 mA/cm² for liquids (J* is far above practical currents).
 */
export function healthyLimit_mA_cm2(params: CellParams, coldest_C: number): number {
  const arrhenius = Math.exp(
    ((-params.activationEnergy_kJ_mol * 1000) / gas_J_per_mol_K) *
      (1 / (coldest_C + 273.15) - 1 / (params.referenceTemperature_C + 273.15)),
  );
  if (params.electrolyteKind === 'liquid') return 3;
  if (params.electrolyteKind === 'polymer') return 0.5 * limitingCurrent_mA_cm2(params) * arrhenius;
  const critical_mA_cm2 = Math.min(
    params.criticalStrippingCurrent_mA_cm2,
    params.criticalPlatingCurrent_mA_cm2,
  );
  return 0.6 * critical_mA_cm2 * arrhenius;
}

/** A randomly drawn run of the given kind, for training and backtests. Deterministic in (kind, seed, split). */
export function randomRun(options: RandomRunOptions): SimulatedRun {
  const heldout = options.split === 'heldout';
  const rng = new Rng(options.seed * 7919 + (heldout ? 1_000_003 : 0) + kindIndex(options.kind) * 104_729);
  // Sampling is a measurement condition both sets must cover (0.1–2 Hz); held-out runs use a few fixed rates.
  const sampleInterval_s = heldout ? rng.pick([0.5, 2, 8]) : rng.logBetween(0.5, 10);
  const seed = Math.floor(rng.uniform() * 2 ** 31);
  const build = (
    params: CellParams,
    steps: ProtocolStep[],
    duration_s: number,
    failures: Failures = {},
  ): SimulatedRun =>
    simulateCell(params, protocolOf(rng, params, steps, duration_s, sampleInterval_s), failures, seed);

  switch (options.kind) {
    case 'healthy': {
      const params = baseCell(rng, heldout);
      const steps = safeCycling(rng, params, heldout);
      const duration_s = rng.between(2.5, 4) * 3600;
      const protocol = protocolOf(rng, params, steps, duration_s, sampleInterval_s);
      return simulateCell(params, healthyWhenCold(params, protocol), {}, seed);
    }
    case 'sand-depletion': {
      const params = sandCell(rng, heldout);
      const jStar = limitingCurrent_mA_cm2(params);
      const steps =
        rng.uniform() < 0.6
          ? criticalCurrentRamp({
              start_mA_cm2: jStar * rng.between(0.2, 0.5),
              increment_mA_cm2: jStar * rng.between(0.2, 0.4),
              halfCycle_s: rng.between(600, 1200),
              cycles: 30,
            })
          : [
              ...galvanostaticCycling({
                current_mA_cm2: jStar * rng.between(0.2, 0.5),
                halfCycle_s: 900,
                cycles: rng.pick([1, 2, 3]),
              }),
              { duration_s: 20_000, current_mA_cm2: jStar * rng.between(1.2, 2.5) },
            ];
      return build(params, steps, 4 * 3600);
    }
    case 'void-growth': {
      const params = voidCell(rng, heldout);
      const csc = params.criticalStrippingCurrent_mA_cm2;
      const steps = criticalCurrentRamp({
        start_mA_cm2: csc * rng.between(0.5, 1),
        increment_mA_cm2: csc * rng.between(0.4, 0.8),
        halfCycle_s: rng.between(600, 1200),
        cycles: 30,
      });
      return build(params, steps, 4 * 3600);
    }
    case 'soft-short': {
      const params = baseCell(rng, heldout);
      const onset_s = rng.between(1200, 5400);
      const failures: Failures = {
        softShort: {
          onset_s,
          hardShort_s: onset_s + rng.between(2400, 6000),
          initialResistance_ohm: heldout ? rng.between(400, 700) : rng.between(100, 400),
          finalResistance_ohm: rng.between(2, 10),
        },
      };
      return build(params, safeCycling(rng, params, heldout), 4 * 3600, failures);
    }
    case 'hard-short': {
      const params = baseCell(rng, heldout);
      return build(params, safeCycling(rng, params, heldout), 3 * 3600, {
        hardShort_s: rng.between(900, 7200),
      });
    }
  }
}

function kindIndex(kind: RandomRunOptions['kind']): number {
  return ['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'].indexOf(kind);
}

/** Any cell family, at currents where nothing fails by itself. */
function baseCell(rng: Rng, heldout: boolean): CellParams {
  const family = rng.pick(['liquid', 'polymer', 'solid'] as const);
  if (family === 'liquid') return liquidCell(rng);
  if (family === 'polymer') return sandCell(rng, heldout);
  return voidCell(rng, heldout);
}

/** Polymer cells; held-out ones have wider gaps and slower diffusion than any training cell. */
function sandCell(rng: Rng, heldout: boolean): CellParams {
  const params = polymerCell(rng);
  if (heldout) {
    params.gap_um = rng.between(120, 150);
    params.diffusivity_cm2_s = rng.between(3.5e-8, 4.4e-8);
  }
  // What the lab believes D to be is off by up to ±15 %.
  params.configDiffusivityFactor = rng.between(0.85, 1.15);
  return params;
}

/** Solid cells; held-out ones have critical stripping currents outside the training range. */
function voidCell(rng: Rng, heldout: boolean): CellParams {
  const params = solidCell(rng);
  if (heldout)
    params.criticalStrippingCurrent_mA_cm2 = rng.pick([rng.between(0.15, 0.2), rng.between(0.3, 0.35)]);
  params.nominalPressure_MPa = heldout ? rng.pick([2, 8]) : rng.between(3, 7);
  return params;
}

/** A protocol that stays below J* (liquids, polymers) and below the critical stripping current (solids). */
function safeCycling(rng: Rng, params: CellParams, heldout: boolean): ProtocolStep[] {
  let limit_mA_cm2: number;
  if (params.electrolyteKind === 'solid') limit_mA_cm2 = 0.8 * params.criticalStrippingCurrent_mA_cm2;
  else if (params.electrolyteKind === 'polymer') limit_mA_cm2 = 0.6 * limitingCurrent_mA_cm2(params);
  else limit_mA_cm2 = heldout ? 4 : 3;
  const current_mA_cm2 =
    limit_mA_cm2 *
    (heldout && params.electrolyteKind === 'liquid' ? rng.between(0.75, 1) : rng.between(0.15, 0.75));
  const halfCycle_s = rng.between(600, 3600);
  const rest_s = rng.pick([0, 0, 300, 900]);
  const steps: ProtocolStep[] = [];
  if (rng.uniform() < 0.3) steps.push(...pulses({ current_mA_cm2, pulse_s: 30, rest_s: 60, count: 10 }));
  steps.push(...galvanostaticCycling({ current_mA_cm2, halfCycle_s, cycles: 40, rest_s }));
  return steps;
}

/**
 * A run labelled healthy must stay healthy at the coldest chamber temperature it is given. safeCycling
 * keeps solids below 0.8 × CSC at the reference temperature, but a chamber step 5–10 K colder lowers the
 * CSC by Arrhenius (25–40 %): held-out healthy run 10 then stripped at 80–82 % of its own CSC(T, P), where
 * the void-growth warning (≥ 80 %) is right, and was counted as a false alarm. As in healthyPopulation,
 * a healthy solid run is held at 60 % of the CSC at its coldest temperature (no extra random draws, so
 * every other run is unchanged).
 */
function healthyWhenCold(params: CellParams, protocol: Protocol): Protocol {
  if (params.electrolyteKind !== 'solid') return protocol;
  const limit_mA_cm2 = healthyLimit_mA_cm2(params, Math.min(...protocol.ambient.map((a) => a.temperature_C)));
  const peak_mA_cm2 = Math.max(...protocol.steps.map((s) => Math.abs(s.current_mA_cm2)));
  if (!(peak_mA_cm2 > limit_mA_cm2)) return protocol;
  const scale = limit_mA_cm2 / peak_mA_cm2;
  const steps = protocol.steps.map((s) => ({ ...s, current_mA_cm2: s.current_mA_cm2 * scale }));
  return { ...protocol, steps };
}

function protocolOf(
  rng: Rng,
  params: CellParams,
  steps: ProtocolStep[],
  duration_s: number,
  sampleInterval_s: number,
): Protocol {
  const base_C = params.referenceTemperature_C;
  const ambient: AmbientSetPoint[] = [{ at_s: 0, temperature_C: base_C }];
  // Chamber temperature steps of ±5–10 K in about half the runs: alarming-looking, harmless.
  if (rng.uniform() < 0.5) {
    const at_s = rng.between(1800, 7200);
    ambient.push({ at_s, temperature_C: base_C + rng.pick([-1, 1]) * rng.between(5, 10) });
    ambient.push({ at_s: at_s + rng.between(1800, 3600), temperature_C: base_C });
  }
  return {
    steps,
    duration_s,
    ambient,
    sampleInterval_s,
    sampleJitter: rng.between(0, 0.3),
    dropoutsPerHour: rng.between(0, 1),
    hasTemperature: rng.uniform() < 0.8,
    hasPressure: params.electrolyteKind === 'solid',
  };
}
