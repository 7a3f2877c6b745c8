import { CurrentSegmenter } from './current-segments.js';
import type { Level } from './levels.js';
import type { CellType, ShortSample } from './soft-short-detector.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';

export interface HardShortState {
  /** 'critical' once the collapse has lasted the required samples, else 'ok'. */
  level: Level;
  reason: string;
  evidence: {
    voltage_V: number;
    current_A: number;
    /** |V/I| now and the cell's usual value at constant current, Ω (NaN until known). */
    apparentResistance_ohm: number;
    usualResistance_ohm: number;
    /** Consecutive samples meeting the condition. */
    samples: number;
  };
}

/** Healthy constant-current samples that clear a detected short. */
const healthySamplesToClear = 20;
/** Weight of a new sample in the running (log) resistance of a healthy symmetric cell. */
const resistanceSmoothing = 0.05;
/**
 * Without a known usual resistance, a symmetric cell counts as shorted only if |V/J| is also below
 * this (metallic contact), Ω·m² (1 Ω·cm²). Healthy Li|Li cells at small currents sit below 1 mV.
 */
const metallicAsr_ohm_m2 = 1e-4;

/**
 * Hard short: a persistent electronic path; |V| collapses to about I·R_short while current flows
 * (PHYSICS.md §3-4). Symmetric cells: |V| < 1 mV and |V/I| far below the cell's usual resistance;
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
  private logResistance = NaN;

  constructor(
    private readonly cellType: CellType,
    thresholds: Thresholds = defaultThresholds,
  ) {
    this.t = thresholds;
    this.segmenter = new CurrentSegmenter(thresholds.restCurrentDensity_A_m2);
  }

  update(sample: ShortSample): HardShortState {
    const t = this.t;
    const phase = this.segmenter.update(sample.dt_s, sample.currentDensity_A_m2);
    const absV = Math.abs(sample.voltage_V);
    const resistance_ohm = Math.abs(sample.voltage_V / sample.current_A);
    const usual_ohm = Math.exp(this.logResistance);
    const symmetric = this.cellType === 'symmetric';
    // Half cells sit near 0 V vs Li at the end of lithiation: only the symmetric-cell voltage applies.
    const threshold_V =
      this.cellType === 'full' ? t.hardShortFullCellVoltage_V : t.hardShortSymmetricVoltage_V;
    let shorted = false;
    if (phase.kind === 'constant') {
      if (symmetric) {
        const lowResistance = Number.isFinite(usual_ohm)
          ? resistance_ohm < t.hardShortResistanceFraction * usual_ohm
          : Math.abs(sample.voltage_V / sample.currentDensity_A_m2) < metallicAsr_ohm_m2;
        shorted = absV < t.hardShortSymmetricVoltage_V && lowResistance;
        if (!shorted && phase.index >= 1 && resistance_ohm > 0 && Number.isFinite(resistance_ohm)) {
          const log = Math.log(resistance_ohm);
          this.logResistance = Number.isNaN(this.logResistance)
            ? log
            : this.logResistance + resistanceSmoothing * (log - this.logResistance);
        }
      } else {
        shorted = absV < threshold_V;
      }
    }
    // Rests neither count nor reset: a short persists through them. Healthy current resets the count;
    // once detected, a short is only let go after many healthy constant-current samples (a bridge
    // does not heal; a reading near the threshold must not clear and re-raise it).
    if (shorted) {
      this.count++;
      this.healthy = 0;
    } else if (phase.kind === 'constant') {
      this.count = 0;
      if (this.latched && ++this.healthy >= healthySamplesToClear) this.latched = false;
    }
    if (this.count >= t.hardShortSamples) this.latched = true;
    const level: Level = this.latched ? 'critical' : 'ok';
    // While latched, the message describes the last sample that showed the short.
    if (shorted && this.latched) {
      this.lastReason = symmetric
        ? `cell voltage ${(absV * 1000).toFixed(2)} mV while ${fmtA(sample.current_A)} flows (${resistance_ohm.toPrecision(2)} Ω` +
          (Number.isFinite(usual_ohm) ? ` against ${usual_ohm.toPrecision(2)} Ω usually` : '') +
          '): the electrodes are bridged (hard short)'
        : `cell voltage collapsed to ${absV.toFixed(3)} V while ${fmtA(sample.current_A)} flows: the electrodes are bridged (hard short)`;
    }
    const reason = this.latched ? this.lastReason : '';
    return {
      level,
      reason,
      evidence: {
        voltage_V: sample.voltage_V,
        current_A: sample.current_A,
        apparentResistance_ohm: resistance_ohm,
        usualResistance_ohm: usual_ohm,
        samples: this.count,
      },
    };
  }
}

function fmtA(current_A: number): string {
  const a = Math.abs(current_A);
  if (a >= 1) return `${a.toFixed(2)} A`;
  if (a >= 1e-3) return `${(a * 1e3).toFixed(2)} mA`;
  return `${(a * 1e6).toFixed(2)} µA`;
}
