import type { CycleSummary } from '#contracts';
import { CycleTracker, type CycleStats } from '#cycles';
import type { CellKey, TelemetryStore } from '#store';
import type { Admitted, CellTracker } from './cell-tracker.js';

/**
 * Per-cell cycle statistics on the live stream (libs/cycles): fed once per accepted message after
 * detection, with the samples the detector saw (late samples are skipped, a new run drops the open
 * cycle). Completed cycles go to `emit`. Pure: no I/O, data time only.
 */
export class CycleAnalytics {
  /** By cell (the intake keeps one CellTracker per cell for the life of the process). */
  private readonly trackers = new Map<CellTracker, { tracker: CycleTracker; symmetric: boolean }>();
  /** Cycles completed since start. */
  completed = 0;

  constructor(private readonly emit: (cycle: CycleSummary) => void) {}

  add(cell: CellTracker, admitted: Admitted): void {
    const symmetric = cell.configuration.cellType === 'symmetric';
    let entry = this.trackers.get(cell);
    if (!entry || entry.symmetric !== symmetric) {
      // A new cell, or its configuration changed the polarization rule: start over.
      entry = { tracker: new CycleTracker({ symmetric }), symmetric };
      this.trackers.set(cell, entry);
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
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;
  written = 0;

  constructor(
    private readonly store: Pick<TelemetryStore, 'writeCycles' | 'queryCycles'>,
    private readonly publish: (cycle: CycleSummary) => void,
    private readonly interval_ms = 500,
    private readonly maxQueued = 10_000,
  ) {}

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
