import type { CellConfig, ElectrolytePreset } from '#contracts';
import { GapDiffusion } from './diffusion.js';
import type { Protocol } from './protocol.js';
import { Rng } from './rng.js';

const faraday_C_per_mol = 96485.33212;
const gas_J_per_mol_K = 8.314462618;
/** Molar volume of Li metal (PHYSICS.md §2). */
const liMolarVolume_m3_per_mol = 13.0e-6;
const kelvin = 273.15;

/** Physical parameters of a simulated cell, lab units (converted to SI inside). */
export interface CellParams {
  cellType: 'symmetric' | 'full';
  electrolyteKind: 'liquid' | 'polymer' | 'solid';
  /** Preset name put in the generated CellConfig (informational; explicit values are given too). */
  preset?: ElectrolytePreset;
  area_cm2: number;
  gap_um: number;
  /** Ambipolar salt diffusivity at referenceTemperature_C (ignored for solids: single-ion conductors). */
  diffusivity_cm2_s: number;
  concentration_mol_L: number;
  cationTransference: number;
  referenceTemperature_C: number;
  /** Arrhenius activation energy applied to diffusivity, conductivity, interface resistance and kinetics. */
  activationEnergy_kJ_mol: number;
  /** Electrolyte (separator, pellet) resistance × area. */
  bulkAsr_ohm_cm2: number;
  /** Interface resistance × area of one electrode at full contact. */
  interfaceAsr_ohm_cm2: number;
  /** Butler–Volmer exchange current density (symmetric, alpha = 0.5). */
  exchangeCurrent_mA_cm2: number;
  /** Critical stripping current at nominalPressure_MPa and the reference temperature (solids); Infinity = none. */
  criticalStrippingCurrent_mA_cm2: number;
  /** Local plating current density at which Li penetrates a voided solid electrolyte. */
  criticalPlatingCurrent_mA_cm2: number;
  /** Void depth at which an electrode has lost its contact. */
  voidDepthCritical_um: number;
  nominalPressure_MPa: number;
  /** Full cells: capacity and starting state of charge. */
  capacity_mAh: number;
  initialSoc: number;
  /** Dendrite length grown per unit of plated Li thickness after depletion (dendrites are thin). */
  dendriteAmplification: number;
  /** Healthy confounders. */
  nucleationOvershoot: number;
  nucleationTime_s: number;
  activationExcess: number;
  activationTime_s: number;
  /** Measurement: Gaussian noise and quantisation. */
  voltageNoise_V: number;
  voltageQuantum_V: number;
  currentNoise_A: number;
  currentQuantum_A: number;
  temperatureNoise_C: number;
  pressureNoise_MPa: number;
  /** Multiplicative error of the diffusivity written into the generated config (what the lab believes). */
  configDiffusivityFactor: number;
}

/** Failures imposed from outside (Sand depletion and voids are not imposed: they follow from the physics). */
export interface Failures {
  /** A Li filament from onset_s whose resistance tightens over time, ending in a hard short. */
  softShort?: {
    onset_s: number;
    hardShort_s: number;
    initialResistance_ohm: number;
    finalResistance_ohm: number;
  };
  /** A sudden full short with no precursor. */
  hardShort_s?: number;
  /** Resistance of a hard short (default 0.2 Ω). */
  hardShortResistance_ohm?: number;
  /** Keep simulating this long after a hard short becomes visible (current flowing), then stop (default 300 s). */
  afterHardShort_s?: number;
}

export type FailureKind = 'sand-depletion' | 'void-growth' | 'soft-short' | 'hard-short';

/** What really happened in a run (data time relative to its start). */
export interface RunLabels {
  kind: 'healthy' | FailureKind;
  /** Sand: first depletion of the plating surface; voids: contact fraction below 0.3; soft short: filament. */
  onset_s?: number;
  hardShort_s?: number;
}

/** One sample as a cycler logs it: V, A, °C, MPa; time relative to the start of the run. */
export interface SimulatedSample {
  time_s: number;
  v: number;
  i: number;
  t?: number;
  p?: number;
}

/** A synthetic run: its configuration, what happened, and its samples (generated lazily). */
export interface SimulatedRun {
  config: CellConfig;
  labels: RunLabels;
  samples(): Iterable<SimulatedSample>;
}

/** Thresholds that define the labelled events. */
export const DEPLETION_FRACTION_EVENT = 0.99;
export const VOID_CONTACT_EVENT = 0.3;

/**
 * Simulates one cell under a protocol, deterministically from `seed`. Labels are found by running the
 * simulation once (cheap) the first time they are read; samples() replays the same run lazily.
 */
export function simulateCell(
  params: CellParams,
  protocol: Protocol,
  failures: Failures,
  seed: number,
): SimulatedRun {
  let labels: RunLabels | undefined;
  return {
    config: configOf(params),
    get labels(): RunLabels {
      if (!labels) {
        const run = new CellRun(params, protocol, failures, seed);
        for (const _ of run.generate()) {
          // The run records its events as it goes.
        }
        labels = run.labels();
      }
      return labels;
    },
    samples(): Iterable<SimulatedSample> {
      return new CellRun(params, protocol, failures, seed).generate();
    },
  };
}

/** The CellConfig (lab units) a lab would write for this cell; ids are placeholders. */
export function configOf(params: CellParams): CellConfig {
  const electrolyte: CellConfig['electrolyte'] =
    params.electrolyteKind === 'solid'
      ? {
          kind: 'solid',
          referenceTemperature_C: params.referenceTemperature_C,
          activationEnergy_kJ_mol: params.activationEnergy_kJ_mol,
          gap_um: params.gap_um,
          criticalStrippingCurrent_mA_cm2: params.criticalStrippingCurrent_mA_cm2,
        }
      : {
          kind: params.electrolyteKind,
          diffusivity_cm2_s: params.diffusivity_cm2_s * params.configDiffusivityFactor,
          concentration_mol_L: params.concentration_mol_L,
          cationTransference: params.cationTransference,
          gap_um: params.gap_um,
          referenceTemperature_C: params.referenceTemperature_C,
          activationEnergy_kJ_mol: params.activationEnergy_kJ_mol,
        };
  if (params.preset) electrolyte.preset = params.preset;
  return {
    rigId: 'sim',
    cellId: 'cell',
    cellType: params.cellType,
    electrodeArea_cm2: params.area_cm2,
    electrolyte,
    stack: { nominalPressure_MPa: params.nominalPressure_MPa },
    thresholds: {},
  };
}

/** Open-circuit voltage of a Li | NMC full cell against state of charge (a smooth empirical shape). */
export function fullCellOcv_V(soc: number): number {
  const s = Math.min(Math.max(soc, 0.001), 0.999);
  return 3.55 + 0.6 * s + 0.04 * Math.log(s / (1 - s));
}

/** Per-run state of the simulation; `generate()` yields samples and records the events. */
class CellRun {
  private readonly rng: Rng;
  private readonly noiseRng: Rng;
  private readonly area_m2: number;
  private readonly gap_m: number;
  private readonly c0_mol_m3: number;
  private readonly anionTransference: number;
  private readonly diffusion: GapDiffusion | null;
  private time_s = 0;
  private cellTemperature_C: number;
  private ecCurrent_A = 0;
  private soc: number;
  /** Void depth at the negative / positive electrode. */
  private voidNeg_m = 0;
  private voidPos_m = 0;
  /** Dendrites grown after depletion, from the negative / positive electrode. */
  private dendriteNeg_m = 0;
  private dendritePos_m = 0;
  private depletedNeg = false;
  private depletedPos = false;
  private penetration = 0;
  private lastPlatingSign = 0;
  private platingStart_s = 0;
  private dendriteNoise_V = 0;
  private filamentContact = false;
  private filamentToggle_s = 0;
  private depletion_s: number | undefined;
  private voidFailure_s: number | undefined;
  private hardShort_s: number | undefined;
  private softOnset_s: number | undefined;
  private readonly hardShortResistance_ohm: number;

  constructor(
    private readonly params: CellParams,
    private readonly protocol: Protocol,
    private readonly failures: Failures,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.noiseRng = this.rng.fork();
    this.area_m2 = params.area_cm2 * 1e-4;
    this.gap_m = params.gap_um * 1e-6;
    this.c0_mol_m3 = params.concentration_mol_L * 1000;
    this.anionTransference = 1 - params.cationTransference;
    this.diffusion = params.electrolyteKind === 'solid' ? null : new GapDiffusion(this.gap_m, this.c0_mol_m3);
    this.cellTemperature_C = protocol.ambient[0]?.temperature_C ?? params.referenceTemperature_C;
    this.soc = params.initialSoc;
    this.hardShortResistance_ohm = failures.hardShortResistance_ohm ?? 0.2;
  }

  labels(): RunLabels {
    const hardShort = this.hardShort_s !== undefined ? { hardShort_s: this.hardShort_s } : {};
    if (this.depletion_s !== undefined)
      return { kind: 'sand-depletion', onset_s: this.depletion_s, ...hardShort };
    if (this.voidFailure_s !== undefined || this.penetration >= 1) {
      // Voids end either in lost contact or in Li pushed through the voided interface, whichever is first.
      const onset_s = Math.min(this.voidFailure_s ?? Infinity, this.hardShort_s ?? Infinity);
      return { kind: 'void-growth', onset_s, ...hardShort };
    }
    if (this.softOnset_s !== undefined)
      return { kind: 'soft-short', onset_s: this.softOnset_s, ...hardShort };
    if (this.hardShort_s !== undefined)
      return { kind: 'hard-short', onset_s: this.hardShort_s, ...hardShort };
    return { kind: 'healthy' };
  }

  *generate(): Generator<SimulatedSample> {
    const protocol = this.protocol;
    const boundaries: number[] = [];
    let at_s = 0;
    for (const step of protocol.steps) {
      at_s += step.duration_s;
      boundaries.push(at_s);
    }
    let stepIndex = 0;
    let end_s = protocol.duration_s;
    let nextSample_s = 0;
    let dropoutUntil_s = -1;
    let visibleFrom_s: number | undefined;
    const dropoutRate_per_s = protocol.dropoutsPerHour / 3600;
    this.ecCurrent_A = (protocol.steps[0]?.current_mA_cm2 ?? 0) * 1e-3 * this.params.area_cm2;
    while (nextSample_s <= end_s) {
      // Advance the physics to the sample time, stopping at every step boundary.
      while (this.time_s < nextSample_s - 1e-9) {
        while (stepIndex < boundaries.length && boundaries[stepIndex]! <= this.time_s + 1e-9) stepIndex++;
        const boundary_s = boundaries[stepIndex] ?? Infinity;
        const until_s = Math.min(nextSample_s, boundary_s);
        const current_mA_cm2 = protocol.steps[stepIndex]?.current_mA_cm2 ?? 0;
        this.advance(until_s - this.time_s, current_mA_cm2 * 1e-3 * this.params.area_cm2);
      }
      const current_A = (protocol.steps[stepIndex]?.current_mA_cm2 ?? 0) * 1e-3 * this.params.area_cm2;
      // A short during a rest cannot be seen until current flows again (a symmetric cell reads ~0 V
      // either way): the run goes on until the short has been visible for afterHardShort_s, so every
      // run gives a detector the same time to see it.
      if (this.hardShort_s !== undefined && visibleFrom_s === undefined && current_A !== 0)
        visibleFrom_s = this.time_s;
      if (visibleFrom_s !== undefined)
        end_s = Math.min(end_s, visibleFrom_s + (this.failures.afterHardShort_s ?? 300));
      const interval_s =
        protocol.sampleInterval_s * (1 + protocol.sampleJitter * (2 * this.noiseRng.uniform() - 1));
      if (this.noiseRng.uniform() < dropoutRate_per_s * interval_s) {
        dropoutUntil_s = this.time_s + this.noiseRng.between(30, 180);
      }
      if (this.time_s >= dropoutUntil_s) yield this.measure(current_A);
      nextSample_s = this.time_s + interval_s;
    }
  }

  private arrhenius(): number {
    const activation_J_mol = this.params.activationEnergy_kJ_mol * 1000;
    const t_K = this.cellTemperature_C + kelvin;
    const ref_K = this.params.referenceTemperature_C + kelvin;
    return Math.exp((-activation_J_mol / gas_J_per_mol_K) * (1 / t_K - 1 / ref_K));
  }

  private ambient_C(): number {
    let value = this.params.referenceTemperature_C;
    for (const point of this.protocol.ambient) if (point.at_s <= this.time_s) value = point.temperature_C;
    return value;
  }

  private contactNeg(): number {
    return Math.max(0.02, 1 - this.voidNeg_m / (this.params.voidDepthCritical_um * 1e-6));
  }

  private contactPos(): number {
    return Math.max(0.02, 1 - this.voidPos_m / (this.params.voidDepthCritical_um * 1e-6));
  }

  /** Parallel resistance of everything that shorts the cell now (Infinity = none). */
  private shortResistance_ohm(): number {
    let conductance_S = 0;
    const failures = this.failures;
    if (failures.hardShort_s !== undefined && this.time_s >= failures.hardShort_s) {
      conductance_S += 1 / this.hardShortResistance_ohm;
    }
    const soft = failures.softShort;
    if (soft && this.time_s >= soft.onset_s) {
      if (this.time_s >= soft.hardShort_s) {
        conductance_S += 1 / this.hardShortResistance_ohm;
      } else {
        // The filament tightens geometrically from its initial to its final resistance; while it touches
        // (a dip) it conducts ~5x better than between dips (partial recovery).
        const progress = (this.time_s - soft.onset_s) / (soft.hardShort_s - soft.onset_s);
        const resistance_ohm =
          soft.initialResistance_ohm *
          Math.pow(soft.finalResistance_ohm / soft.initialResistance_ohm, progress);
        conductance_S += this.filamentContact ? 1 / resistance_ohm : 0.2 / resistance_ohm;
      }
    }
    const dendrite_m = Math.max(this.dendriteNeg_m, this.dendritePos_m);
    if (dendrite_m >= this.gap_m || this.penetration >= 1) {
      conductance_S += 1 / this.hardShortResistance_ohm;
    } else if (dendrite_m > 0.8 * this.gap_m || this.penetration > 0.8) {
      // Tips touching now and then before the full bridge.
      conductance_S += this.filamentContact ? 1 / 30 : 0;
    }
    return conductance_S > 0 ? 1 / conductance_S : Infinity;
  }

  private advance(duration_s: number, current_A: number): void {
    if (duration_s <= 0) return;
    const p = this.params;
    const factor = this.arrhenius();
    // Thermal lag of the cell behind the chamber (~10 min), plus the heat of a short.
    const shortR_ohm = this.shortResistance_ohm();
    const voltage_V = this.electrochemicalVoltage_V(this.ecCurrent_A);
    const heat_W = Number.isFinite(shortR_ohm) ? (voltage_V * voltage_V) / shortR_ohm : 0;
    const target_C = this.ambient_C() + Math.min(heat_W * 40, 30);
    this.cellTemperature_C += (target_C - this.cellTemperature_C) * (1 - Math.exp(-duration_s / 600));

    const current_A_m2 = this.ecCurrent_A / this.area_m2;
    const platingSign = Math.sign(current_A);
    if (platingSign !== 0 && platingSign !== this.lastPlatingSign) this.platingStart_s = this.time_s;
    if (platingSign !== 0) this.lastPlatingSign = platingSign;

    if (this.diffusion) {
      const d_m2_s = p.diffusivity_cm2_s * 1e-4 * factor;
      const flux = (this.anionTransference * current_A_m2) / faraday_C_per_mol;
      this.diffusion.advance(duration_s, d_m2_s, flux, 1e-4 * this.c0_mol_m3);
      const cNeg = this.diffusion.surfaceAtZero_mol_m3(d_m2_s);
      const cPos = this.diffusion.surfaceAtGap_mol_m3(d_m2_s);
      const depletedAt = (1 - DEPLETION_FRACTION_EVENT) * this.c0_mol_m3;
      if (current_A_m2 > 0 && cNeg <= depletedAt) this.depletedNeg = true;
      if (current_A_m2 < 0 && cPos <= depletedAt) this.depletedPos = true;
      if ((this.depletedNeg || this.depletedPos) && this.depletion_s === undefined)
        this.depletion_s = this.time_s;
      // After depletion, plating goes into thin dendrites: their length grows far faster than a dense layer.
      const plated_m = ((liMolarVolume_m3_per_mol * Math.abs(current_A_m2)) / faraday_C_per_mol) * duration_s;
      if (this.depletedNeg && current_A_m2 > 0) this.dendriteNeg_m += plated_m * p.dendriteAmplification;
      if (this.depletedPos && current_A_m2 < 0) this.dendritePos_m += plated_m * p.dendriteAmplification;
    }

    if (p.electrolyteKind === 'solid') this.advanceVoids(duration_s, current_A_m2, factor);

    // Dendritic growth makes the voltage flicker (PHYSICS.md §1: after Sand's time it falls and fluctuates).
    const growing = (this.depletedNeg && current_A > 0) || (this.depletedPos && current_A < 0);
    const memory = Math.exp(-duration_s / 5);
    this.dendriteNoise_V = growing
      ? memory * this.dendriteNoise_V + 0.004 * Math.sqrt(1 - memory * memory) * this.rng.normal()
      : 0;
    this.advanceFilament(duration_s);
    this.time_s += duration_s;
    if (this.hardShort_s === undefined && this.shortResistance_ohm() <= this.hardShortResistance_ohm * 1.01) {
      this.hardShort_s = this.time_s;
    }
    const soft = this.failures.softShort;
    if (soft && this.softOnset_s === undefined && this.time_s >= soft.onset_s)
      this.softOnset_s = soft.onset_s;
    // Kirchhoff: the cycler current splits between the electrochemical path and the short.
    this.ecCurrent_A = this.solveElectrochemicalCurrent_A(current_A, this.shortResistance_ohm());
    if (p.cellType === 'full') {
      this.soc += (this.ecCurrent_A * duration_s) / (p.capacity_mAh * 3.6);
      this.soc = Math.min(Math.max(this.soc, 0.001), 0.999);
    }
  }

  /**
   * Voids (PHYSICS.md §2, Kasemchainan 2019): the stripping electrode loses Li faster than creep under
   * stack pressure refills it when J > CSC; the void depth grows at (J − CSC)·Ω/F and creep/plating close
   * it again. A voided electrode that is then plated sees J/contact locally; above the critical plating
   * current Li penetrates the electrolyte (a short after enough charge).
   */
  private advanceVoids(duration_s: number, current_A_m2: number, arrheniusFactor: number): void {
    const p = this.params;
    const pressureFactor = Math.max(this.pressure_MPa() / Math.max(p.nominalPressure_MPa, 1e-3), 0);
    const csc_A_m2 = p.criticalStrippingCurrent_mA_cm2 * 10 * arrheniusFactor * pressureFactor;
    const rate = liMolarVolume_m3_per_mol / faraday_C_per_mol;
    const magnitude_A_m2 = Math.abs(current_A_m2);
    const strippingNeg = current_A_m2 < 0;
    const strip = (depth_m: number): number =>
      Math.max(0, depth_m + rate * (magnitude_A_m2 - csc_A_m2) * duration_s);
    const heal = (depth_m: number, plating: boolean): number =>
      Math.max(0, depth_m - rate * (csc_A_m2 * 0.3 + (plating ? 0.15 * magnitude_A_m2 : 0)) * duration_s);
    if (magnitude_A_m2 > 0) {
      if (strippingNeg) {
        this.voidNeg_m = strip(this.voidNeg_m);
        this.voidPos_m = heal(this.voidPos_m, true);
      } else {
        this.voidPos_m = strip(this.voidPos_m);
        this.voidNeg_m = heal(this.voidNeg_m, true);
      }
    } else {
      this.voidNeg_m = heal(this.voidNeg_m, false);
      this.voidPos_m = heal(this.voidPos_m, false);
    }
    if (
      this.voidFailure_s === undefined &&
      Math.min(this.contactNeg(), this.contactPos()) < VOID_CONTACT_EVENT
    ) {
      this.voidFailure_s = this.time_s;
    }
    const platingContact = current_A_m2 > 0 ? this.contactNeg() : this.contactPos();
    const localPlating_A_m2 = magnitude_A_m2 / platingContact;
    const ccd_A_m2 = p.criticalPlatingCurrent_mA_cm2 * 10 * arrheniusFactor;
    if (magnitude_A_m2 > 0 && localPlating_A_m2 > ccd_A_m2) {
      // Penetration needs charge: ~0.05 mAh/cm² above the critical current bridges the pellet.
      this.penetration += ((localPlating_A_m2 - ccd_A_m2) * duration_s) / 1800;
    }
  }

  /** Intermittent contact of a filament or dendrite tip: a telegraph process, faster as it tightens. */
  private advanceFilament(duration_s: number): void {
    const soft = this.failures.softShort;
    const dendrite_m = Math.max(this.dendriteNeg_m, this.dendritePos_m);
    const active =
      (soft !== undefined && this.time_s >= soft.onset_s) ||
      dendrite_m > 0.8 * this.gap_m ||
      this.penetration > 0.8;
    if (!active) return;
    this.filamentToggle_s -= duration_s;
    while (this.filamentToggle_s <= 0) {
      this.filamentContact = !this.filamentContact;
      // Dips last 10–60 s; gaps between dips shrink from ~10 min to ~1 min as the short matures.
      let progress = 0.5;
      if (soft)
        progress = Math.min(Math.max((this.time_s - soft.onset_s) / (soft.hardShort_s - soft.onset_s), 0), 1);
      this.filamentToggle_s += this.filamentContact
        ? this.rng.between(10, 60)
        : this.rng.exponential(600 * (1 - progress) + 60);
    }
  }

  /** Stack pressure: nominal, minus the relaxation of an interface losing contact, plus thermal expansion. */
  private pressure_MPa(): number {
    const p = this.params;
    const lostContact = (2 - this.contactNeg() - this.contactPos()) / 2;
    return (
      p.nominalPressure_MPa * (1 - 0.35 * lostContact) +
      0.01 * (this.cellTemperature_C - p.referenceTemperature_C)
    );
  }

  /** Voltage of the electrochemical path carrying current_A (without the short), from the present state. */
  private electrochemicalVoltage_V(current_A: number): number {
    const p = this.params;
    const factor = this.arrhenius();
    const t_K = this.cellTemperature_C + kelvin;
    const thermal_V = (gas_J_per_mol_K * t_K) / faraday_C_per_mol;
    const j_A_m2 = current_A / this.area_m2;
    const activation = 1 + p.activationExcess * Math.exp(-this.time_s / p.activationTime_s);
    const interface_ohm_m2 = (p.interfaceAsr_ohm_cm2 * 1e-4 * activation) / factor;
    const aNeg = this.contactNeg();
    const aPos = this.contactPos();
    const ohmic_V =
      j_A_m2 * ((p.bulkAsr_ohm_cm2 * 1e-4) / factor + interface_ohm_m2 / aNeg + interface_ohm_m2 / aPos);
    const j0_A_m2 = p.exchangeCurrent_mA_cm2 * 10 * factor;
    // Butler–Volmer with alpha = 1/2 at each electrode: eta = (2RT/F)·asinh(j_local / (2 j0)).
    const kinetic_V =
      2 * thermal_V * (Math.asinh(j_A_m2 / (2 * j0_A_m2 * aNeg)) + Math.asinh(j_A_m2 / (2 * j0_A_m2 * aPos)));
    let concentration_V = 0;
    if (this.diffusion) {
      const d_m2_s = p.diffusivity_cm2_s * 1e-4 * factor;
      const cNeg = Math.max(this.diffusion.surfaceAtZero_mol_m3(d_m2_s), 1e-4 * this.c0_mol_m3);
      const cPos = Math.max(this.diffusion.surfaceAtGap_mol_m3(d_m2_s), 1e-4 * this.c0_mol_m3);
      // Nernst + diffusion potential of a binary electrolyte (ideal solution): 2·t_a·(RT/F)·ln(c+/c−).
      concentration_V = 2 * this.anionTransference * thermal_V * Math.log(cPos / cNeg);
      const dendrite_m = j_A_m2 > 0 ? this.dendriteNeg_m : this.dendritePos_m;
      if (dendrite_m > 0) {
        // Dendrites multiply the plating area: the diverging voltage falls back as they grow.
        const cap_V =
          2 * this.anionTransference * thermal_V * Math.log(50) * (1 - (0.6 * dendrite_m) / this.gap_m);
        concentration_V =
          Math.sign(concentration_V) * Math.min(Math.abs(concentration_V), Math.max(cap_V, 0));
      }
    }
    // Nucleation overshoot at the start of each plating direction, decaying in seconds.
    const sinceReversal_s = this.time_s - this.platingStart_s;
    const nucleation_V =
      p.nucleationOvershoot * Math.exp(-sinceReversal_s / p.nucleationTime_s) * (ohmic_V + kinetic_V);
    const ocv_V = p.cellType === 'full' ? fullCellOcv_V(this.soc) : 0;
    return ocv_V + ohmic_V + kinetic_V + concentration_V + nucleation_V + this.dendriteNoise_V;
  }

  /** Solves V_ec(I_ec) = (I − I_ec)·R_short for I_ec (V_ec rises with I_ec): Newton, bisection as fallback. */
  private solveElectrochemicalCurrent_A(current_A: number, shortResistance_ohm: number): number {
    if (!Number.isFinite(shortResistance_ohm)) return current_A;
    const residual = (x_A: number): number =>
      this.electrochemicalVoltage_V(x_A) - (current_A - x_A) * shortResistance_ohm;
    let x_A = this.ecCurrent_A;
    for (let k = 0; k < 8; k++) {
      const f_V = residual(x_A);
      const dx_A = 1e-6 * Math.max(Math.abs(x_A), Math.abs(current_A), 1e-6);
      const slope_ohm = (residual(x_A + dx_A) - f_V) / dx_A;
      if (!(slope_ohm > 0)) break;
      const next_A = x_A - f_V / slope_ohm;
      if (Math.abs(next_A - x_A) < 1e-12 + 1e-9 * Math.abs(next_A)) return next_A;
      x_A = next_A;
    }
    if (Math.abs(residual(x_A)) < 1e-7) return x_A;
    let low_A = current_A - 6 / shortResistance_ohm;
    let high_A = current_A + 6 / shortResistance_ohm;
    for (let k = 0; k < 60; k++) {
      const mid_A = (low_A + high_A) / 2;
      if (residual(mid_A) > 0) high_A = mid_A;
      else low_A = mid_A;
    }
    return (low_A + high_A) / 2;
  }

  private measure(current_A: number): SimulatedSample {
    const p = this.params;
    const rng = this.noiseRng;
    const shortResistance_ohm = this.shortResistance_ohm();
    const trueVoltage_V = Number.isFinite(shortResistance_ohm)
      ? (current_A - this.ecCurrent_A) * shortResistance_ohm
      : this.electrochemicalVoltage_V(this.ecCurrent_A);
    const v = quantise(trueVoltage_V + p.voltageNoise_V * rng.normal(), p.voltageQuantum_V);
    const i = quantise(current_A + p.currentNoise_A * rng.normal(), p.currentQuantum_A);
    const sample: SimulatedSample = { time_s: this.time_s, v, i };
    if (this.protocol.hasTemperature) {
      sample.t = round(this.cellTemperature_C + p.temperatureNoise_C * rng.normal(), 0.01);
    }
    if (this.protocol.hasPressure)
      sample.p = round(this.pressure_MPa() + p.pressureNoise_MPa * rng.normal(), 0.001);
    return sample;
  }
}

function quantise(value: number, quantum: number): number {
  return quantum > 0 ? Math.round(value / quantum) * quantum : value;
}

function round(value: number, quantum: number): number {
  return Math.round(value / quantum) * quantum;
}
