/**
 * Step segmentation of a current stream: charge (+1), discharge (−1) or rest (0), with hysteresis in
 * magnitude and in time so that noise around zero, a CV taper and short pauses (a DCIR pulse, a
 * 10-s interruption) do not split a step.
 *
 * - Magnitude: a sample is active when |i| ≥ `onFraction` × the recent peak |i| (forgotten over
 *   `peakMemory_s`, a day) and ≥ `floor_A`; an active step stays active while |i| ≥ `offFraction` × that
 *   peak with the same sign (CCCV tapers to C/20 = 5 % of a 1C peak, so the default off level is 2 %).
 * - Time: a different direction is a candidate until it has lasted `minActive_s` (active) or
 *   `minRest_s` (rest); a candidate that does not last is folded back into the step it interrupted.
 *
 * Pure and O(1) per sample; times in seconds, currents in amperes.
 */
export interface StepClassifierOptions {
  onFraction?: number;
  offFraction?: number;
  floor_A?: number;
  minActive_s?: number;
  minRest_s?: number;
  /** Time constant over which the peak |i| is forgotten (a pulse test must not mute later cycling). */
  peakMemory_s?: number;
}

export type Direction = -1 | 0 | 1;

/** What one sample did to the candidate step. */
export const StepEvent = {
  None: 0,
  /** A candidate starts at this sample. */
  Started: 1,
  /** The candidate lasted long enough: it is the new step, begun at `candidateSince_s`. */
  Committed: 2,
  /** The candidate ended early; what it covered belongs to the step it interrupted. */
  Dropped: 3,
  /** The candidate ended early and another one starts at this sample. */
  Replaced: 4,
} as const;
export type StepEvent = (typeof StepEvent)[keyof typeof StepEvent];

export const DEFAULT_STEP_OPTIONS: Required<StepClassifierOptions> = {
  onFraction: 0.05,
  offFraction: 0.02,
  floor_A: 1e-7,
  minActive_s: 10,
  minRest_s: 60,
  peakMemory_s: 86_400,
};

export class StepClassifier {
  /** The committed step. */
  direction: Direction = 0;
  /** A different direction seen since `candidateSince_s`, not yet long enough to commit. */
  candidate: Direction = 0;
  candidateSince_s = NaN;
  private pending = false;
  private peak_A = 0;
  private peakTime_s = NaN;
  private readonly peakMemory_s: number;
  private readonly on: number;
  private readonly off: number;
  private readonly floor_A: number;
  private readonly minActive_s: number;
  private readonly minRest_s: number;

  constructor(options: StepClassifierOptions = {}) {
    const o = { ...DEFAULT_STEP_OPTIONS, ...options };
    this.on = o.onFraction;
    this.off = o.offFraction;
    this.floor_A = o.floor_A;
    this.minActive_s = o.minActive_s;
    this.minRest_s = o.minRest_s;
    this.peakMemory_s = o.peakMemory_s;
  }

  /** Whether a candidate step is waiting to be committed or dropped. */
  get isPending(): boolean {
    return this.pending;
  }

  /** The direction the latest sample is attributed to (the candidate while one is pending). */
  get current(): Direction {
    return this.pending ? this.candidate : this.direction;
  }

  /** |i| above which a sample continues an active step (A). */
  get activeLevel_A(): number {
    return Math.max(this.off * this.peak_A, this.floor_A * (this.off / this.on));
  }

  /**
   * Classifies one sample and says what happened to the candidate step (see StepEvent).
   */
  update(time_s: number, current_A: number): StepEvent {
    const magnitude = current_A < 0 ? -current_A : current_A;
    const elapsed_s = time_s - this.peakTime_s;
    if (elapsed_s > 0) this.peak_A *= Math.exp(-elapsed_s / this.peakMemory_s);
    if (elapsed_s > 0 || this.peakTime_s !== this.peakTime_s) this.peakTime_s = time_s;
    if (magnitude > this.peak_A) this.peak_A = magnitude;
    const sign: Direction = current_A > 0 ? 1 : current_A < 0 ? -1 : 0;
    const onLevel = Math.max(this.on * this.peak_A, this.floor_A);
    const offLevel = this.activeLevel_A;
    // Instantaneous direction with hysteresis relative to the step we would continue.
    const reference = this.pending ? this.candidate : this.direction;
    let seen: Direction;
    if (reference !== 0 && sign === reference && magnitude >= offLevel) seen = reference;
    else if (magnitude >= onLevel) seen = sign;
    else seen = 0;

    if (!this.pending) {
      if (seen === this.direction) return StepEvent.None;
      this.pending = true;
      this.candidate = seen;
      this.candidateSince_s = time_s;
      return StepEvent.Started;
    }
    if (seen === this.direction) {
      // The interruption ended before it counted: back to the step it interrupted.
      this.pending = false;
      return StepEvent.Dropped;
    }
    if (seen !== this.candidate) {
      // A third direction: the earlier candidate is dropped, this one is timed from now.
      this.candidate = seen;
      this.candidateSince_s = time_s;
      return StepEvent.Replaced;
    }
    const dwell_s = this.candidate === 0 ? this.minRest_s : this.minActive_s;
    if (time_s - this.candidateSince_s < dwell_s) return StepEvent.None;
    this.direction = this.candidate;
    this.pending = false;
    return StepEvent.Committed;
  }
}
