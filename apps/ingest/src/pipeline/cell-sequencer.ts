import type { Sample } from '#contracts';
import { SnapshotError, type Snapshot } from '#physics';

export interface SequencerOptions {
  /** A sample this far (ms of data time) behind the newest one starts a new run. */
  newRunBackward_ms?: number;
  /** How many recent `seq` values are remembered for duplicate detection. */
  seqWindow?: number;
}

/**
 * What to do with one sample:
 * - `next`: in order (or the first one), goes to the store and the detector;
 * - `late`: a little behind the newest sample (reordering), stored but not fed to the detector, whose
 *   state only moves forward in data time;
 * - `new-run`: far behind the newest sample, so the cell's data restarted (a new test, a replay from the
 *   start): stored, the detector is reset, the run counter goes up;
 * - `duplicate`: a `seq` seen recently in this run: dropped.
 */
export type Admission = 'next' | 'late' | 'new-run' | 'duplicate';

export const DEFAULT_NEW_RUN_BACKWARD_MS = 5 * 60 * 1000;
const DEFAULT_SEQ_WINDOW = 4096;

/** Per-cell ordering and duplicate rules of DESIGN.md ("a repeated seq is dropped", …). Pure, no I/O. */
export class CellSequencer {
  /** Runs started since this process first saw the cell (0 for the first). */
  run = 0;
  /** Newest data time admitted in this run (ms). */
  newestTs = -Infinity;
  private readonly newRunBackward_ms: number;
  private readonly seqWindow: number;
  /** seq values by `seq % seqWindow`: a seq was seen recently iff its slot holds it (no hashing). */
  private readonly slots: Float64Array;
  private maxSeq = -1;

  constructor(options: SequencerOptions = {}) {
    this.newRunBackward_ms = options.newRunBackward_ms ?? DEFAULT_NEW_RUN_BACKWARD_MS;
    this.seqWindow = options.seqWindow ?? DEFAULT_SEQ_WINDOW;
    this.slots = new Float64Array(this.seqWindow).fill(-1);
  }

  admit(sample: Sample): Admission {
    let admission: Admission = 'next';
    if (sample.ts < this.newestTs - this.newRunBackward_ms) {
      this.startRun();
      admission = 'new-run';
    } else if (sample.seq !== undefined && this.slots[sample.seq % this.seqWindow] === sample.seq) {
      return 'duplicate';
    } else if (sample.ts < this.newestTs) {
      admission = 'late';
    }
    if (sample.seq !== undefined) this.remember(sample.seq);
    if (sample.ts > this.newestTs) this.newestTs = sample.ts;
    return admission;
  }

  /**
   * Checkpoint (libs/physics Snapshot): run, newest data time, and the remembered seq values as ranges
   * (a counting cycler's last 4096 seqs are one range, not 4096 numbers).
   */
  snapshot(): Snapshot {
    const seqs = Array.from(this.slots)
      .filter((seq) => seq >= 0)
      .sort((a, b) => a - b);
    const ranges: number[][] = [];
    for (const seq of seqs) {
      const last = ranges[ranges.length - 1];
      if (last && seq === last[1]! + 1) last[1] = seq;
      else ranges.push([seq, seq]);
    }
    return {
      type: 'CellSequencer',
      version: 1,
      state: {
        run: this.run,
        newestTs: Number.isFinite(this.newestTs) ? this.newestTs : null,
        maxSeq: this.maxSeq,
        seqWindow: this.seqWindow,
        seqRanges: ranges,
      },
    };
  }

  /** Continues from a checkpoint taken with the same options; SnapshotError if it does not fit. */
  restore(snapshot: Snapshot): void {
    const { state } = snapshot;
    if (snapshot.type !== 'CellSequencer' || snapshot.version !== 1) {
      throw new SnapshotError(
        `not a CellSequencer checkpoint of version 1 (${snapshot.type} ${snapshot.version})`,
      );
    }
    if (
      state.seqWindow !== this.seqWindow ||
      typeof state.run !== 'number' ||
      typeof state.maxSeq !== 'number'
    ) {
      throw new SnapshotError('CellSequencer checkpoint of another seq window or shape');
    }
    this.run = state.run;
    this.newestTs = typeof state.newestTs === 'number' ? state.newestTs : -Infinity;
    this.forgetSeqs();
    this.maxSeq = state.maxSeq;
    for (const [from, to] of state.seqRanges as number[][]) {
      for (let seq = from!; seq <= to!; seq++) this.slots[seq % this.seqWindow] = seq;
    }
  }

  private startRun(): void {
    this.run++;
    this.newestTs = -Infinity;
    this.forgetSeqs();
  }

  private forgetSeqs(): void {
    this.slots.fill(-1);
    this.maxSeq = -1;
  }

  private remember(seq: number): void {
    // A counter that fell far below its maximum was reset by the cycler: old values mean nothing now.
    if (seq < this.maxSeq - this.seqWindow) this.forgetSeqs();
    if (seq > this.maxSeq) this.maxSeq = seq;
    this.slots[seq % this.seqWindow] = seq;
  }
}
