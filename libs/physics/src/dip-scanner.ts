/**
 * Transient dips of a constant-current voltage trace, found by integrating over each dip's samples rather
 * than judging one reading at a time (soft shorts, PHYSICS.md §3).
 *
 * A Li filament that touches for a while in parallel with the cell lowers |V| by the box-shaped amount
 * ΔV = V·R_cell/(R_cell + R_s) for as long as it touches, then lets go. For a box of L readings between
 * B readings before and B after it (B = 2L), the contrast of the inside mean against a side's mean is the
 * generalised-likelihood-ratio statistic for a transient mean shift of known extent (Basseville &
 * Nikiforov, Detection of Abrupt Changes, Prentice Hall 1993, §2.2 and §4.2), with variance
 * σ²·(1/B + 1/L) under white reading noise σ. Unlike a per-reading 5σ test it gains √L from every
 * reading inside the dip, so a filament whose dips are below one reading's noise is still seen. The
 * inside must lie below both sides (C = min(before, after) − inside): a cell drifting down or up, however
 * fast (conditioning, temperature, the salt profile), has one side below the inside and shows no dip,
 * which is what separates a filament's touch from a healthy cell's slow changes; so does a single reading
 * thrown up on one side.
 *
 * The scanner keeps prefix sums of the step's readings in fixed rings (plain fields, nothing allocated
 * per sample) and tests every dip length of DIP_LENGTHS ending B readings before the newest one.
 */

/** Dip lengths tried, readings (a filament's touch lasts seconds to about a minute). */
const DIP_LENGTHS = [1, 2, 3, 5, 8, 12, 18, 27, 40, 60, 90] as const;
/** Readings on each side of a dip: this many times the dip's, and at least minimumSide... */
const sideFactor = 2;
const minimumSide = 3;
/** ...and span at most this much data time, as does the dip itself, s. */
const maximumSpan_s = 120;
/** Readings kept (a whole window of the longest dip with its sides). */
const capacity = 512;

export interface DipFound {
  /** Contrast: how far the dip's mean lies below the mean of its sides, in the scanned units (V). */
  depth_V: number;
  /** Contrast, less the bias allowed for, over its standard deviation under reading noise alone. */
  z: number;
  /** Data time the dip began and how long it lasted, s. */
  start_s: number;
  duration_s: number;
  /** Mean level of the two sides (V). */
  level_V: number;
}

export class DipScanner {
  /** Data times and prefix sums of the readings (minus `reference`), ring-indexed by reading number. */
  private readonly times_s = new Float64Array(capacity);
  private readonly sums = new Float64Array(capacity);
  /** Readings of the present stretch, and the first one (subtracted, so sums stay small). */
  private count = 0;
  private reference = NaN;

  /** Forgets the stretch (a new current step, a gap in the data). */
  reset(): void {
    this.count = 0;
    this.reference = NaN;
  }

  get readings(): number {
    return this.count;
  }

  /**
   * Adds a reading y (V, signed so that a filament lowers it) and returns the most significant dip that
   * has just been framed by readings on both sides, or null. `sigma_V`: the reading's noise; `bias_V`:
   * how far a contrast can be off without any noise (quantisation), taken off before judging it.
   */
  update(t_s: number, y_V: number, sigma_V: number, bias_V = 0): DipFound | null {
    if (Number.isNaN(this.reference)) this.reference = y_V;
    const k = this.count;
    const previous = k > 0 ? this.sums[(k - 1) % capacity]! : 0;
    this.sums[k % capacity] = previous + (y_V - this.reference);
    this.times_s[k % capacity] = t_s;
    this.count++;
    if (!(sigma_V > 0)) return null;
    let best: DipFound | null = null;
    const last = k;
    for (const length of DIP_LENGTHS) {
      // Sides twice the dip: their means then add little to the contrast's variance.
      const side = Math.max(minimumSide, sideFactor * length);
      const total = 2 * side + length;
      if (total > this.count || total >= capacity) break;
      // Readings first..last: before [first, first+side), inside [first+side, first+side+length), after.
      const first = last - total + 1;
      const insideStart = first + side;
      const afterStart = insideStart + length;
      const tFirst = this.time(first);
      const tInside = this.time(insideStart);
      const tAfter = this.time(afterStart);
      if (
        tInside - tFirst > maximumSpan_s ||
        this.time(last) - tAfter > maximumSpan_s ||
        this.time(afterStart - 1) - tInside > maximumSpan_s
      )
        continue;
      const before = (this.sumTo(insideStart - 1) - this.sumTo(first - 1)) / side;
      const inside = (this.sumTo(afterStart - 1) - this.sumTo(insideStart - 1)) / length;
      const after = (this.sumTo(last) - this.sumTo(afterStart - 1)) / side;
      // Both sides must stand above the inside: one reading thrown up on one side is not a dip.
      const contrast = Math.min(before, after) - inside;
      const z = (contrast - bias_V) / (sigma_V * Math.sqrt(1 / side + 1 / length));
      if (!best || z > best.z) {
        best = {
          depth_V: contrast,
          z,
          start_s: tInside,
          duration_s: this.time(afterStart) - tInside,
          level_V: 0.5 * (before + after) + this.reference,
        };
      }
    }
    return best;
  }

  private time(index: number): number {
    return this.times_s[index % capacity]!;
  }

  /** Sum of the readings 0..index of the stretch (minus the reference); 0 for index −1. */
  private sumTo(index: number): number {
    return index < 0 ? 0 : this.sums[index % capacity]!;
  }
}
