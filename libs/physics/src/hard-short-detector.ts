import { CurrentSegmenter } from './current-segments.js';
import { ExpectedVoltageModel, MeasurementNoise } from './expected-voltage.js';
import type { Level } from './levels.js';
import type { CellType, ShortSample } from './soft-short-detector.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

export interface HardShortState {
  /** 'critical' once the collapse has lasted the required samples, else 'ok'. */
  level: Level;
  reason: string;
  evidence: {
    voltage_V: number;
    current_A: number;
    /** What the cell's own impedance and overpotential give at this current, V (NaN until known). */
    expectedVoltage_V: number;
    /** Concentration overpotential in that expectation, V. */
    concentrationOverpotential_V: number;
    /** (V - η_c)/I now and the cell's learned resistance at this current, Ω (NaN until known). */
    apparentResistance_ohm: number;
    usualResistance_ohm: number;
    /** Short resistance R_s from V = I·R_cell·R_s/(R_cell + R_s) (PHYSICS.md §3), Ω. */
    shortResistance_ohm: number;
    /** Consecutive samples meeting the condition. */
    samples: number;
  };
}

/** Healthy constant-current samples that clear a detected short. */
const healthySamplesToClear = 20;
/**
 * Without a known usual resistance, a symmetric cell counts as shorted only if |V/J| is also below
 * this (metallic contact), Ω·m² (1 Ω·cm²). Healthy Li|Li cells at small currents sit below 1 mV.
 */
const metallicAsr_ohm_m2 = 1e-4;

/** Below this expected |V| a symmetric cell's short cannot be told from the cell itself, V. */
const minimumExpected_V = 3e-3;

/**
 * Hard short: a persistent electronic path; |V| collapses to about I·R_short while current flows
 * (PHYSICS.md §3-4). Symmetric cells: |V| < 1 mV and the signed V below 0.2× what the cell's own
 * impedance and concentration overpotential give at this current (ExpectedVoltageModel) — a zero
 * crossing after a reversal, where the overpotential left from the previous step cancels I·R, is
 * expected there and not a short;
 * half cells (working electrode vs Li, legitimately down to a few mV): |V| < 1 mV; full cells: |V|
 * below 0.5 V. Needs a few consecutive constant-current samples, not one,
 * so the zero crossing of a reversal or an impedance sweep does not trigger it.
 */
export class HardShortDetector {
  private readonly t: Thresholds;
  private readonly segmenter: CurrentSegmenter;
  private count = 0;
  private latched = false;
  private lastReason = '';
  private healthy = 0;
  private readonly expected: ExpectedVoltageModel;
  private readonly measurement = new MeasurementNoise();
  private previousSegment = -1;

  constructor(
    private readonly cellType: CellType,
    thresholds: Thresholds = defaultThresholds,
  ) {
    this.t = thresholds;
    this.segmenter = new CurrentSegmenter(thresholds.restCurrentDensity_A_m2);
    this.expected = new ExpectedVoltageModel(Infinity, Infinity, thresholds.hardShortResistanceFraction);
  }

  /**
   * One sample: what the cell's own impedance and overpotential give at this current, whether the
   * reading is far below it (a bridge), debounced over hardShortSamples and latched.
   */
  update(sample: ShortSample): HardShortState {
    const phase = this.segmenter.update(sample.dt_s, sample.currentDensity_A_m2);
    const eta_V = sample.concentrationOverpotential_V ?? 0;
    const expectation = this.expected.update(
      phase,
      sample.t_s,
      sample.dt_s,
      sample.voltage_V,
      sample.current_A,
      eta_V,
    );
    const sameStep = phase.kind === 'constant' && phase.segment === this.previousSegment && phase.index >= 1;
    this.previousSegment = phase.kind === 'constant' ? phase.segment : -1;
    this.measurement.update(sample.voltage_V, sameStep);
    const expected_V = expectation.expected_V;
    const usual_ohm = expectation.resistance_ohm;
    const apparent_ohm = (sample.voltage_V - expectation.concentrationOverpotential_V) / sample.current_A;
    const shorted = phase.kind === 'constant' && this.looksShorted(sample, expected_V, eta_V);
    this.latch(shorted, phase.kind === 'constant');
    // While latched, the message describes the last sample that showed the short.
    if (shorted && this.latched) this.lastReason = this.describe(sample, expected_V, apparent_ohm, usual_ohm);
    return {
      level: this.latched ? 'critical' : 'ok',
      reason: this.latched ? this.lastReason : '',
      evidence: {
        voltage_V: sample.voltage_V,
        current_A: sample.current_A,
        expectedVoltage_V: expected_V,
        concentrationOverpotential_V: expectation.concentrationOverpotential_V,
        apparentResistance_ohm: apparent_ohm,
        usualResistance_ohm: usual_ohm,
        shortResistance_ohm: parallelShort_ohm(apparent_ohm, usual_ohm),
        samples: this.count,
      },
    };
  }

  /** At constant current: is this reading a bridged cell? */
  private looksShorted(sample: ShortSample, expected_V: number, eta_V: number): boolean {
    const t = this.t;
    const absV = Math.abs(sample.voltage_V);
    // Half cells sit near 0 V vs Li at the end of lithiation: only the symmetric-cell voltage applies.
    if (this.cellType !== 'symmetric') {
      return absV < (this.cellType === 'full' ? t.hardShortFullCellVoltage_V : t.hardShortSymmetricVoltage_V);
    }
    if (Number.isFinite(expected_V)) {
      // The expectation must stand clear of its own uncertainty (η_c rests on the configured D) and
      // of the reading's noise and resolution (a 1 mV step reads a 0.4 mV cell as 0).
      const judgeable =
        Math.abs(expected_V) >=
        Math.max(minimumExpected_V, 2 * (this.measurement.significant_V(0) + 0.5 * Math.abs(eta_V)));
      return (
        judgeable &&
        absV < t.hardShortSymmetricVoltage_V &&
        sample.voltage_V / expected_V < t.hardShortResistanceFraction
      );
    }
    // Nothing learned yet: only metallic contact with no overpotential to explain a low reading.
    return (
      absV < t.hardShortSymmetricVoltage_V &&
      Math.abs(sample.voltage_V / sample.currentDensity_A_m2) < metallicAsr_ohm_m2 &&
      Math.abs(eta_V) < 0.5 * t.hardShortSymmetricVoltage_V
    );
  }

  /**
   * Rests neither count nor reset: a short persists through them. Healthy current resets the count;
   * once detected, a short is only let go after many healthy constant-current samples (a bridge
   * does not heal; a reading near the threshold must not clear and re-raise it).
   */
  private latch(shorted: boolean, constantCurrent: boolean): void {
    if (shorted) {
      this.count++;
      this.healthy = 0;
    } else if (constantCurrent) {
      this.count = 0;
      if (this.latched && ++this.healthy >= healthySamplesToClear) this.latched = false;
    }
    if (this.count >= this.t.hardShortSamples) this.latched = true;
  }

  private describe(sample: ShortSample, expected_V: number, apparent_ohm: number, usual_ohm: number): string {
    if (this.cellType !== 'symmetric') {
      return `cell voltage collapsed to ${Math.abs(sample.voltage_V).toFixed(3)} V while ${fmtA(sample.current_A)} flows: the electrodes are bridged (hard short)`;
    }
    return (
      `cell voltage ${fmtmV(sample.voltage_V)} while ${fmtA(sample.current_A)} flows` +
      (Number.isFinite(expected_V)
        ? `, where the cell's own impedance and overpotential give ${fmtmV(expected_V)} (${Math.abs(apparent_ohm).toPrecision(2)} Ω against ${usual_ohm.toPrecision(2)} Ω)`
        : ` (${Math.abs(apparent_ohm).toPrecision(2)} Ω)`) +
      ': the electrodes are bridged (hard short)'
    );
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

function fmtA(current_A: number): string {
  const a = Math.abs(current_A);
  if (a >= 1) return `${a.toFixed(2)} A`;
  if (a >= 1e-3) return `${(a * 1e3).toFixed(2)} mA`;
  return `${(a * 1e6).toFixed(2)} µA`;
}

function fmtmV(value_V: number): string {
  return `${(value_V * 1000).toFixed(2)} mV`;
}

/**
 * The short resistance in parallel with the cell that turns its resistance R_cell into the apparent
 * R_app: 1/R_app = 1/R_cell + 1/R_s (PHYSICS.md §3), Ω; Infinity when no short is implied, NaN unknown.
 */
export function parallelShort_ohm(apparent_ohm: number, cell_ohm: number): number {
  if (!Number.isFinite(apparent_ohm) || !Number.isFinite(cell_ohm) || cell_ohm <= 0) return NaN;
  if (apparent_ohm >= cell_ohm) return Infinity;
  return Math.max(0, (apparent_ohm * cell_ohm) / (cell_ohm - apparent_ohm));
}
