import type { ElectrolytePreset } from '#contracts';
import { simulateCell, type CellParams, type SimulatedRun, type SimulatedSample } from './cell.js';
import { type AmbientSetPoint, type Protocol, type ProtocolStep } from './protocol.js';
import { healthyLimit_mA_cm2 } from './random.js';
import { Rng } from './rng.js';

const gasConstant_J_per_mol_K = 8.314462618;
import { liquidCell, polymerCell, solidCell } from './scenarios.js';

/** The electrolyte families of the healthy population, one per physics preset. */
export const HEALTHY_FAMILIES = [
  'lp30',
  'peo-litfsi',
  'li6ps5cl',
  'llzo',
] as const satisfies readonly ElectrolytePreset[];
export type HealthyFamily = (typeof HEALTHY_FAMILIES)[number];

/** Protocol shapes a lab runs on healthy cells (each harmless at the chosen current). */
export const HEALTHY_PROTOCOLS = [
  'cc-cycling',
  'cc-with-rests',
  'ramped-reversals',
  'rate-steps',
  'pulses',
  'gitt',
] as const;
export type HealthyProtocol = (typeof HEALTHY_PROTOCOLS)[number];

/** One healthy run of the population and how it was drawn (for the report). */
export interface HealthyRun {
  name: string;
  family: HealthyFamily;
  protocol: HealthyProtocol;
  sampleInterval_s: number;
  duration_s: number;
  /** Configuration written as a lab would: explicit values, or the preset name only. */
  configuredBy: 'values' | 'preset';
  run: SimulatedRun;
}

export interface HealthyPopulationOptions {
  seed: number;
  /** Generate runs until their data time adds up to at least this many cell-hours. */
  cellHours: number;
}

/**
 * A broad population of healthy cells for false-alarm rates, deterministic in its seed: every preset
 * (liquid LP30, polymer PEO-LiTFSI, argyrodite and garnet solids), galvanostatic cycling with and without
 * rests, current reversals ramped through zero, rate steps, pulses and GITT-like pulse/relaxation
 * sequences, slow chamber drift and steps, voltage noise and quantisation as cyclers log it (0.1–1 mV),
 * sampling from 1 to 30 s, logging dropouts, dropped and repeated samples. "Healthy" is physical: the
 * current stays below half the limiting current (polymers) or 60 % of the critical stripping current
 * (solids) at the coldest temperature of the run, so nothing depletes, voids or shorts.
 */
export function* healthyPopulation(options: HealthyPopulationOptions): Generator<HealthyRun> {
  const rng = new Rng(options.seed * 2_654_435 + 97);
  let hours = 0;
  for (let index = 0; hours < options.cellHours; index++) {
    const family = HEALTHY_FAMILIES[index % HEALTHY_FAMILIES.length]!;
    const protocol =
      HEALTHY_PROTOCOLS[Math.floor(index / HEALTHY_FAMILIES.length) % HEALTHY_PROTOCOLS.length]!;
    const run = healthyRun(rng.fork(), family, protocol, index);
    hours += run.duration_s / 3600;
    yield run;
  }
}

function healthyRun(
  rng: Rng,
  family: HealthyFamily,
  protocolKind: HealthyProtocol,
  index: number,
): HealthyRun {
  const params = cellOf(rng, family);
  measurementOf(rng, params);
  const duration_s = Math.round(rng.between(18, 36) * 3600);
  const ambient = ambientOf(rng, params.referenceTemperature_C, duration_s);
  const coldest_C = Math.min(...ambient.map((a) => a.temperature_C));
  const limit_mA_cm2 = healthyLimit_mA_cm2(params, coldest_C);
  const current_mA_cm2 = limit_mA_cm2 * rng.between(0.2, 1);
  const steps = stepsOf(rng, protocolKind, current_mA_cm2, duration_s);
  const sampleInterval_s = rng.pick([1, 2, 5, 10, 30]);
  // Current read back to ~0.05 % plus an offset: finer than the 1 % a set current is held to.
  const current_A = current_mA_cm2 * 1e-3 * params.area_cm2;
  params.currentNoise_A = 5e-4 * current_A + 1e-8;
  params.currentQuantum_A = Math.min(rng.pick([1e-8, 1e-7, 1e-6]), 2e-3 * current_A);
  const protocol: Protocol = {
    steps,
    duration_s,
    ambient,
    sampleInterval_s,
    sampleJitter: rng.between(0, 0.3),
    dropoutsPerHour: rng.between(0, 2),
    hasTemperature: rng.uniform() < 0.85,
    hasPressure: params.electrolyteKind === 'solid',
  };
  const configuredBy = rng.uniform() < 0.3 ? 'preset' : 'values';
  const simulated = simulateCell(params, protocol, {}, Math.floor(rng.uniform() * 2 ** 31));
  const dropFraction = rng.pick([0, 0, 0.01, 0.05]);
  const repeatFraction = rng.pick([0, 0, 0.005, 0.02]);
  const editSeed = Math.floor(rng.uniform() * 2 ** 31);
  const config = configuredBy === 'preset' ? presetOnly(simulated.config, family) : simulated.config;
  const run: SimulatedRun = {
    config,
    labels: { kind: 'healthy' },
    samples: () => dropAndRepeat(simulated.samples(), new Rng(editSeed), dropFraction, repeatFraction),
  };
  return {
    name: `healthy ${family} ${protocolKind} #${index}`,
    family,
    protocol: protocolKind,
    sampleInterval_s,
    duration_s,
    configuredBy,
    run,
  };
}

function cellOf(rng: Rng, family: HealthyFamily): CellParams {
  switch (family) {
    case 'lp30':
      return liquidCell(rng);
    case 'peo-litfsi': {
      const params = polymerCell(rng);
      if (rng.uniform() < 0.5) {
        // Thin, well-conducting films: the concentration overpotential outweighs I·R, so the voltage
        // crosses zero at constant current after every reversal.
        params.bulkAsr_ohm_cm2 = rng.between(8, 30);
        params.interfaceAsr_ohm_cm2 = rng.between(4, 12);
        params.exchangeCurrent_mA_cm2 = rng.between(0.8, 1.5);
      }
      return params;
    }
    case 'li6ps5cl':
      return solidCell(rng);
    case 'llzo': {
      // Li | LLZO | Li under 2 MPa, run warm as garnet cells usually are (50–80 °C). CSC ≈ 0.4 mA/cm² at
      // 2 MPa and 25 °C (Roy et al. 2021, the llzo preset), scaled to the operating temperature by the Li
      // creep law (Q = 37 kJ/mol, LePage et al. 2019); plating CCD from Sharafi et al. 2016 (the preset's
      // table); a 0.5 mm pellet of ~0.5 mS/cm gives ~100 Ω·cm², interlayer-treated interfaces tens of Ω·cm².
      const params = solidCell(rng);
      const operating_C = rng.between(50, 80);
      const creep = Math.exp((-37_000 / gasConstant_J_per_mol_K) * (1 / (operating_C + 273.15) - 1 / 298.15));
      params.preset = 'llzo';
      params.referenceTemperature_C = operating_C;
      params.activationEnergy_kJ_mol = 37;
      params.bulkAsr_ohm_cm2 = rng.between(60, 120);
      params.interfaceAsr_ohm_cm2 = rng.between(20, 60);
      params.exchangeCurrent_mA_cm2 = rng.between(0.2, 0.5);
      params.criticalStrippingCurrent_mA_cm2 = 0.4 * creep;
      params.criticalPlatingCurrent_mA_cm2 = sharafiCcd_mA_cm2(operating_C);
      params.nominalPressure_MPa = 2;
      return params;
    }
  }
}

/**
 * Li/LLZO critical current density vs temperature (Sharafi et al., J. Power Sources 302:135 (2016);
 * PHYSICS.md §2): 0.05, 0.2, 0.8 mA/cm² at 30, 70, 100 °C, ln(CCD) interpolated linearly in 1/T.
 */
function sharafiCcd_mA_cm2(temperature_C: number): number {
  const points: [number, number][] = [
    [30, 0.05],
    [70, 0.2],
    [100, 0.8],
  ];
  const inverse = (c: number): number => 1 / (c + 273.15);
  const t = Math.min(Math.max(temperature_C, 30), 100);
  const k = t <= 70 ? 0 : 1;
  const [c0, j0] = points[k]!;
  const [c1, j1] = points[k + 1]!;
  const f = (inverse(t) - inverse(c0)) / (inverse(c1) - inverse(c0));
  return Math.exp(Math.log(j0) + f * (Math.log(j1) - Math.log(j0)));
}

/** Voltage noise and quantisation of the cycler (Rng-drawn; current noise is set with the current). */
function measurementOf(rng: Rng, params: CellParams): void {
  params.voltageNoise_V = rng.logBetween(0.05e-3, 1e-3);
  params.voltageQuantum_V = rng.pick([0, 0.1e-3, 0.3e-3, 1e-3]);
}

/** Chamber temperature: a slow drift (0–3 K, period 6–24 h) and, in some runs, a ±3–5 K step for 1–3 h. */
function ambientOf(rng: Rng, reference_C: number, duration_s: number): AmbientSetPoint[] {
  const amplitude_K = rng.between(0, 3);
  const period_s = rng.between(6, 24) * 3600;
  const phase = rng.between(0, 2 * Math.PI);
  const step =
    rng.uniform() < 0.4
      ? {
          from_s: rng.between(0.1, 0.7) * duration_s,
          length_s: rng.between(1, 3) * 3600,
          delta_K: rng.pick([-1, 1]) * rng.between(3, 5),
        }
      : null;
  const points: AmbientSetPoint[] = [];
  for (let at_s = 0; at_s <= duration_s; at_s += 600) {
    let temperature_C = reference_C + amplitude_K * Math.sin((2 * Math.PI * at_s) / period_s + phase);
    if (step && at_s >= step.from_s && at_s < step.from_s + step.length_s) temperature_C += step.delta_K;
    points.push({ at_s, temperature_C });
  }
  return points;
}

function stepsOf(rng: Rng, kind: HealthyProtocol, current: number, duration_s: number): ProtocolStep[] {
  const steps: ProtocolStep[] = [];
  const total = (): number => steps.reduce((sum, s) => sum + s.duration_s, 0);
  const half_s = rng.between(900, 7200);
  switch (kind) {
    case 'cc-cycling':
    case 'cc-with-rests': {
      const rest_s = kind === 'cc-with-rests' ? rng.between(300, 3600) : 0;
      while (total() < duration_s) {
        steps.push({ duration_s: half_s, current_mA_cm2: current });
        if (rest_s > 0) steps.push({ duration_s: rest_s, current_mA_cm2: 0 });
        steps.push({ duration_s: half_s, current_mA_cm2: -current });
        if (rest_s > 0) steps.push({ duration_s: rest_s, current_mA_cm2: 0 });
      }
      break;
    }
    case 'ramped-reversals': {
      // Potentiostat-style reversals: the current sweeps linearly through zero in 10–300 s.
      const ramp_s = rng.logBetween(10, 300);
      const pieces = Math.max(4, Math.min(60, Math.round(ramp_s)));
      let sign = 1;
      while (total() < duration_s) {
        steps.push({ duration_s: half_s, current_mA_cm2: sign * current });
        for (let k = 1; k < pieces; k++) {
          steps.push({
            duration_s: ramp_s / pieces,
            current_mA_cm2: sign * current * (1 - (2 * k) / pieces),
          });
        }
        sign = -sign;
      }
      break;
    }
    case 'rate-steps': {
      const fractions = [0.1, 0.25, 0.5, 0.75, 1];
      while (total() < duration_s) {
        for (const fraction of fractions) {
          const step_s = rng.between(600, 3600);
          steps.push({ duration_s: step_s, current_mA_cm2: fraction * current });
          steps.push({ duration_s: step_s, current_mA_cm2: -fraction * current });
        }
      }
      break;
    }
    case 'pulses': {
      // Resistance checks: short pulses of both signs with rests, between ordinary cycles.
      while (total() < duration_s) {
        const pulse_s = rng.between(5, 60);
        const rest_s = rng.between(30, 600);
        for (let k = 0; k < 10; k++) {
          steps.push({ duration_s: pulse_s, current_mA_cm2: (k % 2 === 0 ? 1 : -1) * current });
          steps.push({ duration_s: rest_s, current_mA_cm2: 0 });
        }
        steps.push({ duration_s: half_s, current_mA_cm2: current });
        steps.push({ duration_s: half_s, current_mA_cm2: -current });
      }
      break;
    }
    case 'gitt': {
      // Galvanostatic intermittent titration: pulses in one direction, each followed by a long relaxation.
      const pulse_s = rng.between(300, 1200);
      const relax_s = rng.between(1800, 3600);
      let sign = 1;
      while (total() < duration_s) {
        for (let k = 0; k < 6; k++) {
          steps.push({ duration_s: pulse_s, current_mA_cm2: sign * current });
          steps.push({ duration_s: relax_s, current_mA_cm2: 0 });
        }
        sign = -sign;
      }
      break;
    }
  }
  return steps;
}

/** The configuration a lab writes when it only names the preset (plus the cell's geometry). */
function presetOnly(config: SimulatedRun['config'], family: HealthyFamily): SimulatedRun['config'] {
  const electrolyte: SimulatedRun['config']['electrolyte'] = { preset: family };
  if (config.electrolyte.kind !== 'solid' && config.electrolyte.gap_um !== undefined)
    electrolyte.gap_um = config.electrolyte.gap_um;
  return { ...config, electrolyte };
}

/** Drops and repeats samples as loggers and links do (a repeat has the same time and values). */
function* dropAndRepeat(
  samples: Iterable<SimulatedSample>,
  rng: Rng,
  dropFraction: number,
  repeatFraction: number,
): Generator<SimulatedSample> {
  for (const sample of samples) {
    const u = rng.uniform();
    if (u < dropFraction) continue;
    yield sample;
    if (u > 1 - repeatFraction) yield { ...sample };
  }
}
