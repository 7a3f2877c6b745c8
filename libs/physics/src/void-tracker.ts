import { lookupCriticalCurrentDensity, type CcdTablePoint } from './arrhenius.js';
import { criticalStrippingCurrent_A_m2, type CscTablePoint } from './creep.js';
import { CurrentSegmenter, type CurrentPhase } from './current-segments.js';
import { MeasurementNoise } from './expected-voltage.js';
import { levelOf, worstLevel, type Level } from './levels.js';
import { RecentWindow } from './stats.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';
import { gasConstant_J_per_mol_K } from './constants.js';
import { A_m2_to_mA_cm2, lithiumThickness_m } from './units.js';
import { areaSpecificResistance_ohm_m2 } from './cell-model.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

export interface VoidTrackerOptions {
  /** Critical stripping current vs stack pressure, measured at cscTemperature_K (empty: CSC unknown). */
  cscTable: readonly CscTablePoint[];
  cscTemperature_K: number;
  /** Critical plating current vs temperature, for the local-current criterion (optional). */
  ccdTable?: readonly CcdTablePoint[];
  /**
   * Which electrodes are lithium metal: 'both' in a symmetric Li|Li cell (then |V|/|J| is the cell's
   * area-specific resistance and is tracked too), 'negative' in full and half cells.
   */
  lithiumElectrodes: 'both' | 'negative';
  /** Stack pressure assumed when samples carry none, Pa (NaN: unknown, the CSC at 0 Pa is used). */
  nominalPressure_Pa?: number;
  /**
   * Activation energy of the interface resistance, J/mol: ASR rises ~exp(Ea/RT) as the cell cools, which
   * is not a void (default 0.37 eV, Eckhardt et al., Adv. Mater. Interfaces 10:2202354 (2023); PHYSICS.md §2).
   */
  interfaceActivationEnergy_J_mol?: number;
  thresholds?: Thresholds;
}

export interface VoidSample {
  dt_s: number;
  /** Signed current density, A/m² (positive: Li plated on the negative electrode). */
  currentDensity_A_m2: number;
  voltage_V: number;
  /** Measured stack pressure, Pa (NaN if not measured). */
  pressure_Pa: number;
  /** Cell temperature, K (NaN if not measured: the CSC table's temperature is assumed). */
  temperature_K: number;
}

export interface VoidState {
  /** Risk at this sample, before debouncing. */
  level: Level;
  /** Plain-words reasons for a level above ok. */
  reasons: string[];
  strippingElectrode: 'negative' | 'positive' | null;
  strippingCurrentDensity_A_m2: number;
  criticalStrippingCurrent_A_m2: number;
  strippingOverCsc: number;
  /** Charge stripped faster than creep resupplies it, per electrode, C/m². */
  excessStrippingCharge_C_m2: { negative: number; positive: number };
  /** That charge as a thickness of lithium, m (an upper bound on void depth). */
  excessStrippingThickness_m: { negative: number; positive: number };
  /** |V|/|J| now (median of recent samples), Ω·m²; NaN if not tracked. */
  asr_ohm_m2: number;
  /** Fractional ASR rise since the start of this constant-current step. */
  asrGrowthInStep: number;
  /** ASR0/ASR with ASR0 the best step-start ASR of the run at this current level (1 = full contact). */
  contactFraction: number;
  /** J / contact fraction: the current density where Li still touches, A/m². */
  localCurrentDensity_A_m2: number;
  /** Plating CCD at the temperature (NaN outside its table). */
  platingCcd_A_m2: number;
}

/** Samples at the start of a step skipped (capacitive charging) and then used for the step's ASR0. */
const skipAtStart = 1;
const startSamples = 5;
/** Smallest voltage rise read as a change of the interface, V. */
const minimumRise_V = 0.5e-3;
/** 0.37 eV in J/mol (Eckhardt et al. 2023, the interface resistance of Li|LLZO). */
const defaultInterfaceActivation_J_mol = 0.37 * 96485.33212;

/**
 * Voids at the Li / solid-electrolyte interface (PHYSICS.md §2; Kasemchainan et al., Nat. Mater.
 * 18:1105 (2019); Zhang & Han 2024 §5.3, §6.5). Stripping faster than Li creeps back under stack
 * pressure (the CSC, scaled in temperature by the creep law) opens voids; contact shrinks (contact
 * fraction ≈ ASR0/ASR), the local current density J/contact rises and the next plating grows
 * dendrites. Warning: stripping J > 0.8·CSC, ASR up 20 % within one strip, measured P < 0.8 MPa.
 * Critical: contact fraction < 0.5, or J/contact above the plating CCD.
 */
export class VoidTracker {
  private readonly thresholds: Thresholds;
  private readonly segmenter: CurrentSegmenter;
  private excessNegative_C_m2 = 0;
  private excessPositive_C_m2 = 0;
  private readonly stepStart = new RecentWindow(startSamples);
  private readonly recent = new RecentWindow(startSamples);
  private stepStartAsr_ohm_m2 = NaN;
  /** Best step-start ASR per current level (apparent ASR depends on current through the kinetics). */
  private readonly bestStartAsr_ohm_m2 = new Map<number, number>();
  private bucket = 0;
  private lastLevel: Level = 'ok';
  private ccdKey = NaN;
  private ccdValue = NaN;
  private readonly measurement = new MeasurementNoise();
  /** Factor that refers an ASR at the present temperature to the table's temperature. */
  private toReference = 1;

  constructor(private readonly options: VoidTrackerOptions) {
    this.thresholds = options.thresholds ?? defaultThresholds;
    this.segmenter = new CurrentSegmenter(this.thresholds.restCurrentDensity_A_m2);
  }

  /**
   * One sample, in the steps of PHYSICS.md §2: the CSC at the present pressure and temperature; lithium
   * stripped beyond it (void volume); the interface resistance within the step and the contact fraction
   * it implies; the local current density against the plating CCD; then the criteria.
   */
  update(sample: VoidSample): VoidState {
    const j = sample.currentDensity_A_m2;
    const phase = this.segmenter.update(sample.dt_s, j);
    const csc_A_m2 = this.criticalStrippingCurrent_A_m2(sample);

    const strippingElectrode = this.strippingElectrode(phase.kind, j);
    const strippingJ_A_m2 = strippingElectrode ? Math.abs(j) : 0;
    this.accumulateExcessStripping(strippingElectrode, strippingJ_A_m2, csc_A_m2, sample.dt_s);

    // Interface resistance within each constant-current step (symmetric cells), referred to the CSC
    // table's temperature.
    const tracksAsr = this.options.lithiumElectrodes === 'both' && phase.kind === 'constant';
    const asr_ohm_m2 = tracksAsr ? this.interfaceResistance_ohm_m2(phase.index, sample) : NaN;
    const growth = tracksAsr ? asr_ohm_m2 / this.stepStartAsr_ohm_m2 - 1 : NaN;

    // Contact fraction ≈ ASR0/ASR: the current flows through what still touches (Kasemchainan 2019).
    const bestStart_ohm_m2 = this.bestStartAsr_ohm_m2.get(this.bucket) ?? NaN;
    const contactFraction =
      Number.isFinite(asr_ohm_m2) && phase.kind === 'constant'
        ? Math.min(1, bestStart_ohm_m2 / asr_ohm_m2)
        : NaN;
    const localJ_A_m2 = Number.isFinite(contactFraction) ? Math.abs(j) / contactFraction : Math.abs(j);
    const platingCcd_A_m2 = this.ccdAt(sample.temperature_K);

    // A rise counts only when the voltage it implies is beyond the reading's noise and resolution (a
    // 1 mV quantisation step on a 5 mV polarization is 20 %, not a void).
    const significant_V = this.measurement.significant_V(minimumRise_V);
    const reasons: string[] = [];
    const strippingOverCsc = strippingJ_A_m2 / csc_A_m2;
    let level = this.strippingCriterion(strippingOverCsc, reasons);
    const growthRise_V = this.riseAtPresentTemperature_V(asr_ohm_m2, this.stepStartAsr_ohm_m2, j);
    level = worstLevel(level, this.growthCriterion(growthRise_V >= significant_V ? growth : NaN, reasons));
    level = worstLevel(level, this.pressureCriterion(sample.pressure_Pa, reasons));
    const contactRise_V = this.riseAtPresentTemperature_V(asr_ohm_m2, bestStart_ohm_m2, j);
    level = worstLevel(
      level,
      this.contactCriterion(contactRise_V >= significant_V ? contactFraction : NaN, reasons),
    );
    if (phase.kind === 'constant' && Number.isFinite(platingCcd_A_m2)) {
      level = worstLevel(level, this.localCurrentCriterion(localJ_A_m2, platingCcd_A_m2, reasons));
    }
    this.lastLevel = level;
    return {
      level,
      reasons,
      strippingElectrode,
      strippingCurrentDensity_A_m2: strippingJ_A_m2,
      criticalStrippingCurrent_A_m2: csc_A_m2,
      strippingOverCsc,
      excessStrippingCharge_C_m2: { negative: this.excessNegative_C_m2, positive: this.excessPositive_C_m2 },
      excessStrippingThickness_m: {
        negative: lithiumThickness_m(this.excessNegative_C_m2),
        positive: lithiumThickness_m(this.excessPositive_C_m2),
      },
      asr_ohm_m2: asr_ohm_m2 / this.toReference,
      asrGrowthInStep: growth,
      contactFraction,
      localCurrentDensity_A_m2: localJ_A_m2,
      platingCcd_A_m2,
    };
  }

  /**
   * CSC at the measured stack pressure (else the nominal one, else 0) and temperature (else the table's),
   * from the creep law (creep.ts); NaN when the cell has no CSC table.
   */
  private criticalStrippingCurrent_A_m2(sample: VoidSample): number {
    if (this.options.cscTable.length === 0) return NaN;
    const pressure_Pa = Number.isFinite(sample.pressure_Pa)
      ? sample.pressure_Pa
      : Number.isFinite(this.options.nominalPressure_Pa)
        ? (this.options.nominalPressure_Pa ?? 0)
        : 0;
    const temperature_K = Number.isFinite(sample.temperature_K)
      ? sample.temperature_K
      : this.options.cscTemperature_K;
    return criticalStrippingCurrent_A_m2(
      this.options.cscTable,
      pressure_Pa,
      temperature_K,
      this.options.cscTemperature_K,
    );
  }

  /**
   * The lithium electrode being stripped at constant current: positive J plates the negative electrode,
   * so the positive one strips (and vice versa); null at rest, in transitions, or when that electrode is
   * not lithium.
   */
  private strippingElectrode(phase: CurrentPhase['kind'], j_A_m2: number): 'negative' | 'positive' | null {
    if (phase !== 'constant') return null;
    if (j_A_m2 > 0) return this.options.lithiumElectrodes === 'negative' ? null : 'positive';
    return 'negative';
  }

  /** Charge stripped faster than creep resupplies it, (J − CSC)·dt per electrode: the void volume's bound. */
  private accumulateExcessStripping(
    electrode: 'negative' | 'positive' | null,
    strippingJ_A_m2: number,
    csc_A_m2: number,
    dt_s: number,
  ): void {
    const excess_C_m2 = Number.isNaN(csc_A_m2)
      ? 0
      : Math.max(0, strippingJ_A_m2 - csc_A_m2) * Math.max(0, dt_s);
    if (electrode === 'negative') this.excessNegative_C_m2 += excess_C_m2;
    if (electrode === 'positive') this.excessPositive_C_m2 += excess_C_m2;
  }

  /**
   * Apparent ASR |V/J| of this constant-current step (symmetric cells), referred to the CSC table's
   * temperature by the interface's Arrhenius law so a cooling cell is not a growing void: the median of
   * recent samples, NaN until there are enough. Keeps the step's starting ASR (median of its first
   * samples after the capacitive charging) and the best one of the run per current level.
   */
  private interfaceResistance_ohm_m2(stepIndex: number, sample: VoidSample): number {
    const j = sample.currentDensity_A_m2;
    if (stepIndex === 0) {
      this.stepStart.clear();
      this.recent.clear();
      this.stepStartAsr_ohm_m2 = NaN;
      // Apparent ASR depends on the current through the kinetics: levels 25 % apart are kept apart.
      this.bucket = Math.round(Math.log(Math.abs(j)) / Math.log(1.25));
    }
    const activation_J_mol = this.options.interfaceActivationEnergy_J_mol ?? defaultInterfaceActivation_J_mol;
    this.toReference = Number.isFinite(sample.temperature_K)
      ? Math.exp(
          -(activation_J_mol / gasConstant_J_per_mol_K) *
            (1 / sample.temperature_K - 1 / this.options.cscTemperature_K),
        )
      : 1;
    const sampleAsr = areaSpecificResistance_ohm_m2(sample.voltage_V, j) * this.toReference;
    if (stepIndex >= skipAtStart && Number.isFinite(sampleAsr)) {
      if (!this.stepStart.full) {
        this.stepStart.push(sampleAsr);
        if (this.stepStart.full) {
          this.stepStartAsr_ohm_m2 = this.stepStart.median();
          const best = this.bestStartAsr_ohm_m2.get(this.bucket) ?? Infinity;
          this.bestStartAsr_ohm_m2.set(this.bucket, Math.min(best, this.stepStartAsr_ohm_m2));
        }
      }
      this.recent.push(sampleAsr);
    }
    this.measurement.update(sample.voltage_V, stepIndex >= 1);
    return this.recent.full ? this.recent.median() : NaN;
  }

  /** The voltage an ASR rise above `from` means at J, at the present temperature (the ASRs are referred). */
  private riseAtPresentTemperature_V(asr_ohm_m2: number, from_ohm_m2: number, j_A_m2: number): number {
    return ((asr_ohm_m2 - from_ohm_m2) / this.toReference) * Math.abs(j_A_m2);
  }

  // The criteria, each with hysteresis around the level of the previous sample. Methods rather than a
  // closure over the sample: this runs for every sample.

  /** Warning: stripping above a fraction of the CSC (voids open beyond the CSC). */
  private strippingCriterion(strippingOverCsc: number, reasons: string[]): Level {
    const t = this.thresholds;
    const level = levelOf(
      strippingOverCsc,
      { warning: t.voidStrippingWarnFractionOfCsc, critical: Infinity },
      this.lastLevel,
      t.hysteresisBand,
    );
    if (level !== 'ok') {
      reasons.push(`stripping at ${fmt(strippingOverCsc * 100)} % of the critical stripping current`);
    }
    return level;
  }

  /** Warning: the interface resistance grew within this strip (NaN: not a significant rise). */
  private growthCriterion(growth: number, reasons: string[]): Level {
    const t = this.thresholds;
    const level = levelOf(
      growth,
      { warning: t.voidAsrGrowthWarnFraction, critical: Infinity },
      this.lastLevel,
      t.hysteresisBand,
    );
    if (level !== 'ok') reasons.push(`interface resistance up ${fmt(growth * 100)} % within this step`);
    return level;
  }

  /** Warning: measured stack pressure too low for creep to refill voids (not judged when not measured). */
  private pressureCriterion(pressure_Pa: number, reasons: string[]): Level {
    if (!Number.isFinite(pressure_Pa)) return 'ok';
    const t = this.thresholds;
    const pressure_MPa = pressure_Pa / 1e6;
    const level = levelOf(
      pressure_MPa,
      { warning: t.voidLowPressureWarn_MPa, critical: -Infinity },
      this.lastLevel,
      t.hysteresisBand,
      false,
    );
    if (level !== 'ok') {
      reasons.push(`stack pressure ${fmt(pressure_MPa)} MPa, below ${t.voidLowPressureWarn_MPa} MPa`);
    }
    return level;
  }

  /** Critical: contact lost (ASR0/ASR below the threshold; NaN: not a significant rise). */
  private contactCriterion(contactFraction: number, reasons: string[]): Level {
    const t = this.thresholds;
    const level = levelOf(
      contactFraction,
      { warning: -Infinity, critical: t.voidContactFractionCritical },
      this.lastLevel,
      t.hysteresisBand,
      false,
    );
    if (level !== 'ok') {
      reasons.push(`contact fraction ${fmt(contactFraction)} (ASR ${fmt(1 / contactFraction)}× its best)`);
    }
    return level;
  }

  /** Critical: the current density where lithium still touches is above the plating CCD (dendrites). */
  private localCurrentCriterion(localJ_A_m2: number, platingCcd_A_m2: number, reasons: string[]): Level {
    const t = this.thresholds;
    const level = levelOf(
      localJ_A_m2 / platingCcd_A_m2,
      { warning: Infinity, critical: 1 },
      this.lastLevel,
      t.hysteresisBand,
    );
    if (level !== 'ok') {
      reasons.push(
        `local current density ${fmt(A_m2_to_mA_cm2(localJ_A_m2))} mA/cm² above the plating CCD ${fmt(A_m2_to_mA_cm2(platingCcd_A_m2))} mA/cm²`,
      );
    }
    return level;
  }

  /**
   * Plating CCD at a temperature, remembered to 0.05 K (noise on the reading would otherwise defeat the
   * memory; the CCD moves < 0.3 % per 0.05 K).
   */
  private ccdAt(temperature_K: number): number {
    const rounded_K = Math.round(temperature_K * 20) / 20;
    if (rounded_K !== this.ccdKey) {
      this.ccdKey = rounded_K;
      this.ccdValue =
        this.options.ccdTable && this.options.ccdTable.length > 0 && Number.isFinite(rounded_K)
          ? lookupCriticalCurrentDensity(this.options.ccdTable, rounded_K).ccd_A_m2
          : NaN;
    }
    return this.ccdValue;
  }

  reset(): void {
    this.segmenter.reset();
    this.excessNegative_C_m2 = 0;
    this.excessPositive_C_m2 = 0;
    this.stepStart.clear();
    this.recent.clear();
    this.stepStartAsr_ohm_m2 = NaN;
    this.bestStartAsr_ohm_m2.clear();
    this.lastLevel = 'ok';
  }

  /** Checkpoint of this state machine: plain JSON, versioned (see snapshot.ts). */
  snapshot(): Snapshot {
    return takeSnapshot(this, 1);
  }

  /** Continues from a checkpoint of one built with the same configuration; SnapshotError if it does not fit. */
  restore(snapshot: Snapshot): void {
    restoreSnapshot(this, snapshot, 1);
  }
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(2);
}
