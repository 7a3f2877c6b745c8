/** Below this fraction of the recent peak |J| the cell is at rest (rate tests span ~100:1). */
const restFractionOfPeak = 0.005;
const peakMemory_s = 86_400;

/** What the current is doing at a sample. */
export type CurrentPhase =
  | { kind: 'rest' }
  /** Constant current: `index` counts samples since the segment began (0 = first). */
  | { kind: 'constant'; direction: 1 | -1; index: number; segment: number; elapsed_s: number };

/**
 * Splits a sample stream into rests and constant-current segments (half-cycles, steps). A new segment
 * starts when the sign changes or |J| moves more than `tolerance` (relative) away from the segment's
 * first value (1 %: cyclers hold a set current to ~0.1 %); samples below the rest level (the
 * configured floor, or 0.5 % of the recent peak |J|) are rests.
 * The mean currents logged during impedance sweeps wander by a few % from point to point, so they
 * do not form segments.
 */
export class CurrentSegmenter {
  private peak_A_m2 = 0;
  private reference_A_m2 = 0;
  private index = -1;
  private segment = 0;
  private elapsed_s = 0;
  /** Smallest non-zero change between consecutive readings under current: the reading's resolution. */
  private resolution_A_m2 = Infinity;
  private previous_A_m2 = NaN;

  constructor(
    private readonly restCurrentDensity_A_m2: number,
    private readonly tolerance = 0.01,
  ) {}

  update(dt_s: number, currentDensity_A_m2: number): CurrentPhase {
    const magnitude = Math.abs(currentDensity_A_m2);
    // Recent peak current, forgotten over a day: offsets and quantization steps of the current
    // reading at rest (a few µA) are rest, not a tiny constant current.
    this.peak_A_m2 = Math.max(magnitude, this.peak_A_m2 * Math.exp(-Math.max(0, dt_s) / peakMemory_s));
    const restLevel_A_m2 = Math.max(this.restCurrentDensity_A_m2, restFractionOfPeak * this.peak_A_m2);
    if (!(magnitude >= restLevel_A_m2)) {
      this.index = -1;
      this.previous_A_m2 = NaN;
      return { kind: 'rest' };
    }
    const change_A_m2 = Math.abs(currentDensity_A_m2 - this.previous_A_m2);
    if (change_A_m2 > 0) this.resolution_A_m2 = Math.min(this.resolution_A_m2, change_A_m2);
    this.previous_A_m2 = currentDensity_A_m2;
    // A set current read with a coarse resolution (1 µA steps on 50 µA) toggles by a step or two: that
    // is the reading, not a new current.
    const resolution_A_m2 = Number.isFinite(this.resolution_A_m2) ? this.resolution_A_m2 : 0;
    const tolerance_A_m2 = Math.max(this.tolerance * Math.abs(this.reference_A_m2), 2.5 * resolution_A_m2);
    const same =
      this.index >= 0 &&
      Math.sign(currentDensity_A_m2) === Math.sign(this.reference_A_m2) &&
      Math.abs(currentDensity_A_m2 - this.reference_A_m2) <= tolerance_A_m2;
    if (same) {
      this.index++;
      this.elapsed_s += dt_s;
    } else {
      this.reference_A_m2 = currentDensity_A_m2;
      this.index = 0;
      this.segment++;
      this.elapsed_s = 0;
    }
    return {
      kind: 'constant',
      direction: currentDensity_A_m2 > 0 ? 1 : -1,
      index: this.index,
      segment: this.segment,
      elapsed_s: this.elapsed_s,
    };
  }

  reset(): void {
    this.peak_A_m2 = 0;
    this.index = -1;
    this.reference_A_m2 = 0;
    this.elapsed_s = 0;
    this.resolution_A_m2 = Infinity;
    this.previous_A_m2 = NaN;
  }
}
