import { faraday_C_per_mol, gasConstant_J_per_mol_K } from './constants.js';
import type { CurrentPhase } from './current-segments.js';

/**
 * Concentration overpotential of a binary salt between two lithium electrodes, ideal solution:
 * η_c = 2·t_a·(RT/F)·ln(c_+/c_−), c_+ at the positive and c_− at the negative electrode (Nernst term
 * plus the liquid-junction potential; Newman & Thomas-Alyea, Electrochemical Systems, 3rd ed., §13; as in
 * Bai et al., Energy Environ. Sci. 9:3221 (2016)). Positive while Li is plated on the negative electrode
 * (c_− depleted). It keeps its sign for a while after the current reverses — why a symmetric cell's
 * voltage crosses zero at a constant current after a reversal without anything being wrong.
 */
export function concentrationOverpotential_V(
  negative_mol_m3: number,
  positive_mol_m3: number,
  anionTransference: number,
  temperature_K: number,
): number {
  const floor_mol_m3 = 1e-6;
  const ratio = Math.max(positive_mol_m3, floor_mol_m3) / Math.max(negative_mol_m3, floor_mol_m3);
  return (
    ((2 * anionTransference * gasConstant_J_per_mol_K * temperature_K) / faraday_C_per_mol) * Math.log(ratio)
  );
}

/**
 * E|x_k − 2x_(k−1) + x_(k−2)| = √6·√(2/π)·σ for independent Gaussian readings: converts a mean absolute
 * second difference to σ. Second differences cancel a steady drift (a voiding or depleting cell climbs
 * by millivolts per reading), which is signal, not noise.
 */
const meanAbsSecondDiffToSigma = 1 / (Math.sqrt(6) * Math.sqrt(2 / Math.PI));

/**
 * The voltage reading's noise σ and resolution, learned from sample-to-sample differences within
 * constant-current steps. σ follows the mean absolute second difference (slowly, so a short's dips do
 * not teach it); the resolution is the smallest non-zero difference seen (a cycler's quantisation step,
 * or the noise itself when the reading is finer).
 */
export class MeasurementNoise {
  private meanAbsDiff_V = NaN;
  private samples = 0;
  private smallest_V = Infinity;
  private previous_V = NaN;
  private beforePrevious_V = NaN;

  /**
   * Feeds every voltage reading; `sameStep`: this and the previous one were at the same constant current
   * (only those teach σ; every pair teaches the resolution: a reading held at one value shows none).
   */
  update(voltage_V: number, sameStep: boolean): void {
    const change_V = Math.abs(voltage_V - this.previous_V);
    if (change_V > 1e-9) this.smallest_V = Math.min(this.smallest_V, change_V);
    if (!sameStep) this.beforePrevious_V = NaN;
    if (sameStep && Number.isFinite(this.previous_V) && Number.isFinite(this.beforePrevious_V)) {
      const diff_V = Math.abs(voltage_V - 2 * this.previous_V + this.beforePrevious_V);
      // Differences far above the present level are events, not noise; they teach it only a little.
      const clipped_V = Number.isNaN(this.meanAbsDiff_V)
        ? diff_V
        : Math.min(diff_V, 4 * this.meanAbsDiff_V + 1e-5);
      const weight = Math.max(0.02, 1 / (this.samples + 1));
      this.meanAbsDiff_V = Number.isNaN(this.meanAbsDiff_V)
        ? clipped_V
        : this.meanAbsDiff_V + weight * (clipped_V - this.meanAbsDiff_V);
      this.samples++;
    }
    this.beforePrevious_V = sameStep ? this.previous_V : NaN;
    this.previous_V = voltage_V;
  }

  /** True once σ and the resolution have been seen: before, nothing small can be judged. */
  get known(): boolean {
    return this.samples >= 10 && Number.isFinite(this.smallest_V);
  }

  /** Noise σ of one reading, V (NaN until a few differences were seen). */
  get sigma_V(): number {
    return this.samples >= 10 ? this.meanAbsDiff_V * meanAbsSecondDiffToSigma : NaN;
  }

  /** Smallest resolvable step of the reading, V (NaN until seen). */
  get resolution_V(): number {
    return this.samples >= 10 && Number.isFinite(this.smallest_V) ? this.smallest_V : NaN;
  }

  /**
   * The smallest voltage change that is certainly not measurement: 5σ of one reading and 2.5 steps of
   * the resolution (a reading near a quantisation boundary toggles one step), and never below `floor_V`.
   */
  significant_V(floor_V: number): number {
    const sigma = this.sigma_V;
    const resolution = this.resolution_V;
    return Math.max(
      floor_V,
      Number.isFinite(sigma) ? 5 * sigma : 0,
      Number.isFinite(resolution) ? 2.5 * resolution : 0,
    );
  }
}

export interface ExpectedVoltage {
  /** What the cell's own impedance and overpotential give at this current, V (NaN: not known yet). */
  expected_V: number;
  /** Ohmic + kinetic resistance of the cell at this current (learned), Ω (NaN: not known yet). */
  resistance_ohm: number;
  /** Concentration overpotential from the salt-depletion model, V (0 without one). */
  concentrationOverpotential_V: number;
  /** True when the resistance was learned at this very current level (not borrowed from another). */
  sameCurrent: boolean;
  /** ...and learned recently (within the model's `freshFor_s`). */
  fresh: boolean;
}

/** Data time over which the cell's resistance is learned (an exponential memory), s. */
const learningTime_s = 300;
/** Time after a current change before its voltage is taken as settled (nucleation, double layer), s. */
export const settleTime_s = 30;
/** Readings more than this fraction below the expectation do not teach the resistance (a short's dip). */
const learnFloorFraction = 0.9;

/**
 * The voltage a healthy symmetric cell shows at a current: V = η_c + R(I)·I, with η_c from the salt
 * depletion model (PHYSICS.md §1; 0 for single-ion solids) and R(I) the cell's ohmic + charge-transfer
 * resistance, learned from its own settled constant-current samples per current level (signed, 25 %
 * wide: Butler–Volmer makes the apparent resistance fall with current, and plating and stripping differ).
 * A short shows as the measured voltage well below this at the same current (PHYSICS.md §3: a parallel
 * R_s turns V into I·R_cell·R_s/(R_cell + R_s)); a zero crossing after a reversal, where η_c and R·I
 * cancel, is expected and judged as such.
 */
export class ExpectedVoltageModel {
  /** Per current level: log R (an exponential memory over learningTime_s) and when last learned. */
  private readonly levels = new Map<number, { log: number; at_s: number }>();
  private lastKey = NaN;
  private lowFor_s = 0;

  /**
   * @param relearnAfter_s readings below the expectation for this long (data time, settled) become the
   *   new normal (a hard-short detector never relearns: Infinity).
   * @param freshFor_s a level not visited for longer is learned afresh rather than judged against
   *   (the cell's resistance moves with temperature and conditioning meanwhile).
   */
  constructor(
    private readonly relearnAfter_s = Infinity,
    private readonly freshFor_s = Infinity,
    /**
     * A level seen for the first time is not learned from a reading below this fraction of what the
     * nearest known level expects (a short that is already there must not become the cell's normal).
     */
    private readonly newLevelFloorFraction = 0,
  ) {}

  /** Expected voltage at this sample; learns from it when it is settled and healthy-looking. */
  update(
    phase: CurrentPhase,
    t_s: number,
    dt_s: number,
    voltage_V: number,
    current_A: number,
    concentrationOverpotential_V: number,
  ): ExpectedVoltage {
    const eta_V = Number.isFinite(concentrationOverpotential_V) ? concentrationOverpotential_V : 0;
    if (phase.kind !== 'constant' || current_A === 0) {
      return {
        expected_V: NaN,
        resistance_ohm: NaN,
        concentrationOverpotential_V: eta_V,
        sameCurrent: false,
        fresh: false,
      };
    }
    const key = Math.sign(current_A) * (1000 + Math.round(Math.log(Math.abs(current_A)) / Math.log(1.25)));
    const level = this.levels.get(key);
    const sameCurrent = level !== undefined;
    const fresh = sameCurrent && t_s - level.at_s <= this.freshFor_s;
    const log = level?.log ?? this.nearest(key);
    const resistance_ohm = log === undefined ? NaN : Math.exp(log);
    const expected_V = eta_V + resistance_ohm * current_A;
    const apparent_ohm = (voltage_V - eta_V) / current_A;
    const settled = phase.elapsed_s >= settleTime_s && phase.index >= 2;
    if (settled && apparent_ohm > 0) {
      const low = sameCurrent
        ? voltage_V / expected_V < learnFloorFraction
        : voltage_V / expected_V < this.newLevelFloorFraction;
      this.lowFor_s = low ? this.lowFor_s + Math.max(0, dt_s) : 0;
      if (!low || this.lowFor_s >= this.relearnAfter_s) {
        const observed = Math.log(apparent_ohm);
        if (sameCurrent) {
          const step_s = Math.max(0, t_s - level.at_s);
          const weight = 1 - Math.exp(-step_s / learningTime_s);
          level.log += weight * (observed - level.log);
          level.at_s = t_s;
        } else {
          this.levels.set(key, { log: observed, at_s: t_s });
        }
        this.lastKey = key;
      }
    }
    return { expected_V, resistance_ohm, concentrationOverpotential_V: eta_V, sameCurrent, fresh };
  }

  /** The learned resistance nearest in current (same sign first), as a log; undefined if none. */
  private nearest(key: number): number | undefined {
    let best: number | undefined;
    let distance = Infinity;
    for (const [k, value] of this.levels) {
      const d = Math.abs(Math.abs(k) - Math.abs(key)) + (Math.sign(k) === Math.sign(key) ? 0 : 0.5);
      if (d < distance) {
        distance = d;
        best = value.log;
      }
    }
    return best ?? (Number.isNaN(this.lastKey) ? undefined : this.levels.get(this.lastKey)?.log);
  }
}
