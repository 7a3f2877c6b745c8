import type { CycleSummary } from '#contracts';
import { CycleTracker, type CycleStats } from '#cycles';
import type { Snapshot } from '#physics';
import type { CellKey, TelemetryStore } from '#store';
import type { Admitted, CellTracker } from './cell-tracker.js';

/**
 * Per-cell cycle statistics on the live stream (libs/cycles): fed once per accepted message after
 * detection, with the samples the detector saw (late samples are skipped, a new run drops the open
 * cycle). Completed cycles go to `emit`. Pure: no I/O, data time only.
 */
export class CycleAnalytics {
  /** By `rig/cell` (a checkpoint restores a cell's tracker before its first message). */
  private readonly trackers = new Map<string, { tracker: CycleTracker; symmetric: boolean }>();
  /** Cycles completed since start. */
  completed = 0;

  constructor(private readonly emit: (cycle: CycleSummary) => void) {}

  /** Checkpoint of a cell's cycle tracker (undefined before its first sample). */
  snapshot(cell: CellKey): { symmetric: boolean; tracker: Snapshot } | undefined {
    const entry = this.trackers.get(`${cell.rigId}/${cell.cellId}`);
    return entry && { symmetric: entry.symmetric, tracker: entry.tracker.snapshot() };
  }

  /** Continues a cell's cycles from a checkpoint; throws SnapshotError when it does not fit. */
  restore(cell: CellKey, checkpoint: { symmetric: boolean; tracker: Snapshot }): void {
    const tracker = new CycleTracker({ symmetric: checkpoint.symmetric });
    tracker.restore(checkpoint.tracker);
    this.trackers.set(`${cell.rigId}/${cell.cellId}`, { tracker, symmetric: checkpoint.symmetric });
  }

  add(cell: CellTracker, admitted: Admitted): void {
    const symmetric = cell.configuration.cellType === 'symmetric';
    const key = `${cell.rigId}/${cell.cellId}`;
    let entry = this.trackers.get(key);
    if (!entry || entry.symmetric !== symmetric) {
      // A new cell, or its configuration changed the polarization rule: start over.
      entry = { tracker: new CycleTracker({ symmetric }), symmetric };
      this.trackers.set(key, entry);
    }
    const { tracker } = entry;
    const { samples, admissions } = admitted;
    for (let k = 0; k < samples.length; k++) {
      const admission = admissions[k];
      if (admission === 'late') continue;
      if (admission === 'new-run') tracker.reset();
      const s = samples[k]!;
      const closed = tracker.push(s.ts, s.v, s.i, s.cycle);
      if (closed) {
        this.completed++;
        this.emit(summary(cell, closed));
      }
    }
  }
}

function summary(cell: CellKey, stats: CycleStats): CycleSummary {
  return { rigId: cell.rigId, cellId: cell.cellId, ...stats };
}

/**
 * Publishes completed cycles and stores them in batches on a timer (off the hot path), retrying while
 * the store is down with a bounded queue (cycles are derived data; the oldest go first, counted).
 *
 * Cycle numbers found by segmentation restart at 1 in a new process, so the first such cycle of a cell
 * asks the store for the cell's last stored segmented cycle and numbers on from there. (A cycle in
 * progress when ingest restarts is recorded from the restart on: its start is lost with the process.)
 */
export class CycleRecorder {
  private queue: CycleSummary[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  private readonly offsets = new Map<string, Promise<number>>();
  private readonly resolvedOffsets = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;
  written = 0;

  constructor(
    private readonly store: Pick<TelemetryStore, 'writeCycles' | 'queryCycles'>,
    private readonly publish: (cycle: CycleSummary) => void,
    private readonly interval_ms = 500,
    private readonly maxQueued = 10_000,
  ) {}

  /**
   * The cycle-number offset of a cell in this process, once known (a checkpoint carries it, so the
   * numbering of a restored cycle tracker goes on as before the restart).
   */
  knownOffset(cell: CellKey): number | undefined {
    return this.resolvedOffsets.get(`${cell.rigId}/${cell.cellId}`);
  }

  /** Starts finding a cell's offset (before its first cycle closes, so a checkpoint can carry it). */
  prefetchOffset(cell: CellKey): void {
    void this.offset(cell);
  }

  /** Sets a cell's offset from a checkpoint instead of asking the store. */
  setOffset(cell: CellKey, offset: number): void {
    const key = `${cell.rigId}/${cell.cellId}`;
    this.offsets.set(key, Promise.resolve(offset));
    this.resolvedOffsets.set(key, offset);
  }

  /** Takes a completed cycle (synchronous; numbering against the store happens behind it, in order). */
  add(cycle: CycleSummary): void {
    this.chain = this.chain.then(() => this.record(cycle)).catch(() => undefined);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.interval_ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.store.writeCycles(batch);
      this.written += batch.length;
    } catch {
      // Back in front; the next tick retries.
      this.enqueue(batch, true);
    } finally {
      this.writing = false;
    }
  }

  private async record(cycle: CycleSummary): Promise<void> {
    let numbered = cycle;
    if (cycle.source === 'segmented') {
      numbered = { ...cycle, cycle: (await this.offset(cycle)) + cycle.cycle };
    }
    this.publish(numbered);
    this.enqueue([numbered], false);
  }

  /** The last segmented cycle number stored for a cell before this process (0 when none or unknown). */
  private offset(cell: CellKey): Promise<number> {
    const key = `${cell.rigId}/${cell.cellId}`;
    let offset = this.offsets.get(key);
    if (!offset) {
      offset = this.store.queryCycles(cell).then(
        (cycles) => cycles.reduce((max, c) => (c.source === 'segmented' ? Math.max(max, c.cycle) : max), 0),
        () => 0,
      );
      void offset.then((value) => this.resolvedOffsets.set(key, value));
      this.offsets.set(key, offset);
    }
    return offset;
  }

  private enqueue(cycles: CycleSummary[], front: boolean): void {
    this.queue = front ? cycles.concat(this.queue) : this.queue.concat(cycles);
    const over = this.queue.length - this.maxQueued;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
    }
  }
}
