import { CycleAccumulator, type CycleStats } from './cycle-stats.js';
import { StepClassifier, StepEvent, type StepClassifierOptions } from './step-classifier.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from '#physics';

export interface CycleTrackerOptions {
  /** Symmetric Li|Li cell: polarization is the mean |V| (plating and stripping half-cycles). */
  symmetric?: boolean;
  /** Number of the first cycle found by segmentation (cells whose samples carry no cycle index). */
  firstCycle?: number;
  steps?: StepClassifierOptions;
}

/**
 * Splits one cell's sample stream into cycles and keeps each cycle's statistics, incrementally: O(1)
 * work and no allocation per sample, one object per completed cycle.
 *
 * Cycle boundaries: the cycler's own `cycle` index when samples carry one (a change of index closes
 * the cycle); otherwise a cycle is a step in the direction the run started with (charge, or plating
 * in a Li|Li cell) followed by a step the other way, and the next step in the first direction begins
 * the next cycle, at the moment that step began. Rests belong to the cycle they follow.
 */
export class CycleTracker {
  private readonly steps: StepClassifier;
  private readonly symmetric: boolean;
  private readonly current = new CycleAccumulator();
  /** What happened since a candidate step began (moved to the next cycle if that step opens it). */
  private readonly pending = new CycleAccumulator();
  private cycle: number;
  private cyclerIndex = NaN;
  private start_ms = NaN;
  private lastTs_ms = NaN;
  private lastV = 0;
  private lastI = 0;
  /** Direction of the run's first step (1 charge, −1 discharge; 0 until one is committed). */
  private lead: -1 | 0 | 1 = 0;
  private seenOpposite = false;

  constructor(options: CycleTrackerOptions = {}) {
    this.steps = new StepClassifier(options.steps);
    this.symmetric = options.symmetric ?? false;
    this.cycle = options.firstCycle ?? 1;
  }

  /** Number the next segmented cycle gets. */
  get nextCycle(): number {
    return this.cycle;
  }

  /**
   * Adds one sample (`ts_ms` epoch ms, `v` volts, `i` amperes, `cycleIndex` the cycler's cycle number
   * or NaN/undefined). Returns the cycle this sample closed, if any. Samples not after the previous one
   * are counted but not integrated.
   */
  push(ts_ms: number, v: number, i: number, cycleIndex?: number): CycleStats | undefined {
    let closed: CycleStats | undefined;
    if (cycleIndex !== undefined && cycleIndex === cycleIndex) {
      if (cycleIndex !== this.cyclerIndex) {
        if (this.cyclerIndex === this.cyclerIndex) closed = this.closeByIndex();
        this.cyclerIndex = cycleIndex;
        this.start_ms = ts_ms;
      }
      this.integrate(ts_ms, v, i, this.current);
      this.steps.update(ts_ms / 1000, i);
    } else {
      const target = this.steps.isPending ? this.pending : this.current;
      this.integrate(ts_ms, v, i, target);
      closed = this.segment(ts_ms, i);
    }
    this.lastTs_ms = ts_ms;
    this.lastV = v;
    this.lastI = i;
    return closed;
  }

  /** Closes the open cycle (end of a file or of a run); undefined when it saw no charge or discharge. */
  finish(): CycleStats | undefined {
    if (this.steps.isPending) {
      this.current.add(this.pending);
      this.pending.clear();
    }
    const source = this.cyclerIndex === this.cyclerIndex ? 'cycler' : 'segmented';
    const number = source === 'cycler' ? this.cyclerIndex : this.cycle;
    const stats = this.emit(number, this.lastTs_ms, source);
    if (stats && source === 'segmented') this.cycle++;
    this.reset();
    return stats;
  }

  /** Forgets the open cycle (a new run of the cell). Segmented numbering continues. */
  reset(): void {
    this.current.clear();
    this.pending.clear();
    this.cyclerIndex = NaN;
    this.start_ms = NaN;
    this.lastTs_ms = NaN;
    this.lead = 0;
    this.seenOpposite = false;
  }

  private integrate(ts_ms: number, v: number, i: number, into: CycleAccumulator): void {
    if (this.start_ms !== this.start_ms) this.start_ms = ts_ms;
    into.samples++;
    const dt_s = (ts_ms - this.lastTs_ms) / 1000;
    if (dt_s > 0) into.addInterval(dt_s, this.lastV, this.lastI, v, i, this.steps.activeLevel_A);
  }

  private closeByIndex(): CycleStats | undefined {
    const stats = this.emit(this.cyclerIndex, this.lastTs_ms, 'cycler');
    this.current.clear();
    return stats;
  }

  private segment(ts_ms: number, i: number): CycleStats | undefined {
    const event = this.steps.update(ts_ms / 1000, i);
    if (event === StepEvent.None || event === StepEvent.Started) return undefined;
    if (event === StepEvent.Dropped || event === StepEvent.Replaced) {
      this.current.add(this.pending);
      this.pending.clear();
      return undefined;
    }
    // Committed: a new step began at candidateSince.
    const direction = this.steps.direction;
    let closed: CycleStats | undefined;
    if (direction !== 0 && this.lead === 0) {
      this.lead = direction;
    } else if (direction !== 0 && direction === this.lead && this.seenOpposite) {
      const boundary_ms = this.steps.candidateSince_s * 1000;
      closed = this.emit(this.cycle, boundary_ms, 'segmented');
      this.cycle++;
      this.current.clear();
      this.start_ms = boundary_ms;
      this.seenOpposite = false;
    } else if (direction !== 0 && direction !== this.lead) {
      this.seenOpposite = true;
    }
    this.current.add(this.pending);
    this.pending.clear();
    return closed;
  }

  private emit(number: number, end_ms: number, source: 'cycler' | 'segmented'): CycleStats | undefined {
    const c = this.current;
    if (c.charge_C <= 0 && c.discharge_C <= 0) return undefined;
    return c.stats(number, this.start_ms, end_ms, this.symmetric, source);
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
