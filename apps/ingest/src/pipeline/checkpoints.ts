import type { AlertEvent, CellConfig, Sample } from '#contracts';
import { SnapshotError, type Snapshot } from '#physics';
import type { CellKey, DetectorCheckpoint, TelemetryStore } from '#store';
import { sameConfig, type IngestLogger, type TelemetryIntake } from './telemetry-intake.js';
import type { CycleAnalytics, CycleRecorder } from './cycle-analytics.js';

/**
 * Format of a cell's checkpoint text. Bump it when the layout below changes; the classes inside carry
 * their own versions and field lists (libs/physics snapshot.ts), so a detector change is caught there.
 */
export const CHECKPOINT_VERSION = 1;

/** What one cell's checkpoint holds. */
interface CellCheckpoint {
  /** The configuration the detector was built with (a different one now: the checkpoint is not used). */
  config: CellConfig;
  tracker: Snapshot;
  /** The cell's cycle tracker and its cycle-number offset in the process that took it. */
  cycles?: { symmetric: boolean; tracker: Snapshot; offset: number };
}

export interface CheckpointerOptions {
  /** Wall time between two checkpoints of a cell that received samples (ms). */
  interval_ms?: number;
  /** How often due cells are looked for (ms); each tick checkpoints cells for at most `tickBudget_ms`. */
  tick_ms?: number;
  tickBudget_ms?: number;
  /** Longest wait at start for the store's checkpoints (ms). */
  readTimeout_ms?: number;
  now?: () => number;
}

/** Counters for /metrics and the report. */
export class CheckpointCounters {
  written = 0;
  bytes = 0;
  /** CPU time spent serializing checkpoints (µs). */
  serialize_us = 0;
  failedWrites = 0;
  restored = 0;
  /** Checkpoints not used: another version, another configuration, or one that did not fit. */
  dropped = 0;
  replayedSamples = 0;
  /** Alerts re-derived during replay that had gone out before the restart (not sent again). */
  alertsSuppressed = 0;
}

type Store = Pick<TelemetryStore, 'writeCheckpoints' | 'readCheckpoints' | 'readSamplePages' | 'queryAlerts'>;

/**
 * Detector checkpoints of ingest: every cell that received samples is checkpointed to the store at most
 * every `interval_ms` of wall time (batched per tick, within a time budget so the hot path is not
 * stalled) and at shutdown. At start, `restore` continues each cell from its checkpoint and replays the
 * samples the store holds after it, so detection goes on as if there had been no restart; alerts that
 * had already gone out are not sent again.
 */
export class Checkpointer {
  readonly counters = new CheckpointCounters();
  /** Per cell: samples count and wall time at its last checkpoint. */
  private readonly saved = new Map<string, { samples: number; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly interval_ms: number;
  private readonly tick_ms: number;
  private readonly tickBudget_ms: number;
  private readonly now: () => number;

  constructor(
    private readonly intake: TelemetryIntake,
    private readonly store: Store,
    private readonly logger: IngestLogger,
    private readonly cycles?: { analytics: CycleAnalytics; recorder: CycleRecorder },
    private readonly options: CheckpointerOptions = {},
  ) {
    this.interval_ms = options.interval_ms ?? 30_000;
    this.tick_ms = options.tick_ms ?? 1000;
    this.tickBudget_ms = options.tickBudget_ms ?? 10;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.save(false), this.tick_ms);
    this.timer.unref();
  }

  /** Stops the timer and checkpoints every cell with samples since its last checkpoint. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.save(true);
  }

  /** Checkpoints due cells (all cells with new samples when `all`) and writes them in one batch. */
  async save(all: boolean): Promise<void> {
    if (this.writing) return;
    const batch = this.collect(all);
    if (batch.length === 0) return;
    this.writing = this.store
      .writeCheckpoints(batch.map((b) => b.checkpoint))
      .then(
        () => {
          for (const { key, samples, at, checkpoint } of batch) {
            this.saved.set(key, { samples, at });
            this.counters.written++;
            this.counters.bytes += checkpoint.state.length;
          }
        },
        (error: unknown) => {
          // Kept in memory: the next tick tries again with fresher state.
          this.counters.failedWrites++;
          this.logger.warn(`could not store ${batch.length} detector checkpoints (${String(error)})`);
        },
      )
      .finally(() => (this.writing = undefined));
    await this.writing;
  }

  /**
   * Hands rigs to another process (hash partitioning): checkpoints their cells now, whatever their
   * interval, and forgets them, so the next owner continues from here.
   */
  async release(rigs: ReadonlySet<string>): Promise<void> {
    await this.writing;
    const batch = this.collect(true, rigs);
    if (batch.length > 0) await this.store.writeCheckpoints(batch.map((b) => b.checkpoint));
    for (const cell of [...this.intake.trackers()]) {
      if (!rigs.has(cell.rigId)) continue;
      this.saved.delete(`${cell.rigId}/${cell.cellId}`);
      this.intake.forgetCell(cell.rigId, cell.cellId);
    }
    this.counters.written += batch.length;
  }

  private collect(
    all: boolean,
    rigs?: ReadonlySet<string>,
  ): { key: string; samples: number; at: number; checkpoint: DetectorCheckpoint }[] {
    const now = this.now();
    const started = performance.now();
    const batch = [];
    for (const cell of this.intake.trackers()) {
      if (rigs && !rigs.has(cell.rigId)) continue;
      const key = `${cell.rigId}/${cell.cellId}`;
      const saved = this.saved.get(key);
      if (saved && saved.samples === cell.samples) continue;
      if (!all && saved && now - saved.at < this.interval_ms) continue;
      const t0 = performance.now();
      const checkpoint = this.checkpointOf(cell.rigId, cell.cellId);
      this.counters.serialize_us += (performance.now() - t0) * 1000;
      if (!checkpoint) continue;
      batch.push({ key, samples: cell.samples, at: now, checkpoint });
      if (!all && performance.now() - started > this.tickBudget_ms) break;
    }
    return batch;
  }

  /** The checkpoint of one cell now, or undefined when it has none (held for a configuration …). */
  checkpointOf(rigId: string, cellId: string): DetectorCheckpoint | undefined {
    const cell = this.intake.cell(rigId, cellId);
    const tracker = cell?.snapshot();
    if (!cell || !tracker || !Number.isFinite(cell.sequencer.newestTs)) return undefined;
    const content: CellCheckpoint = { config: cell.configuration, tracker };
    const cycles = this.cycles?.analytics.snapshot(cell);
    if (cycles) {
      const offset = this.cycles!.recorder.knownOffset(cell);
      // Without the offset the restored numbering would be off: such a cell's cycles start afresh.
      if (offset !== undefined) content.cycles = { ...cycles, offset };
      else this.cycles!.recorder.prefetchOffset(cell);
    }
    return {
      rigId,
      cellId,
      ts: cell.sequencer.newestTs,
      version: CHECKPOINT_VERSION,
      state: JSON.stringify(content),
    };
  }

  /**
   * Continues every checkpointed cell: waits (bounded) for the write-ahead log to reach the store, reads
   * the checkpoints, restores each cell and replays its stored samples after the checkpoint. Alerts the
   * store already holds (re-derived by the replay) are not sent again. `rigs`: only the cells of these
   * (a process taking over rigs from a failed one).
   */
  async restore(walDrained: () => Promise<boolean>, rigs?: ReadonlySet<string>): Promise<void> {
    // A store that does not answer at start must not hold ingest up: detectors then start afresh.
    let timer: NodeJS.Timeout | undefined;
    const checkpoints = await Promise.race([
      this.store.readCheckpoints(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('no answer from the store')),
          this.options.readTimeout_ms ?? 5000,
        );
      }),
    ])
      .finally(() => clearTimeout(timer))
      .then((all) => (rigs ? all.filter((c) => rigs.has(c.rigId)) : all));
    if (checkpoints.length === 0) return;
    const drained = await walDrained();
    if (!drained) {
      this.logger.warn(
        'the write-ahead log did not reach the store in time: cells continue from their checkpoints ' +
          'without replaying the samples stored since',
      );
    }
    const stored = new Map<string, AlertEvent>();
    for (const alert of await this.store.queryAlerts({ limit: 100_000 })) stored.set(alert.id, alert);
    const published = (alert: AlertEvent): boolean => {
      const before = stored.get(alert.id);
      const seen =
        before !== undefined &&
        (before.ts > alert.ts ||
          (before.ts === alert.ts &&
            before.severity === alert.severity &&
            (before.state === alert.state || (before.state === 'acknowledged' && alert.state === 'raised'))));
      if (seen) this.counters.alertsSuppressed++;
      return seen;
    };
    for (const checkpoint of checkpoints) {
      const cell = this.restoreOne(checkpoint);
      if (!cell) continue;
      if (drained) await this.replay(checkpoint, published);
      // Acknowledgements made after the checkpoint.
      for (const alert of cell.alerts.openAlerts) {
        const latest = stored.get(alert.id);
        if (latest?.state === 'acknowledged') cell.alerts.acknowledge(latest);
      }
      this.saved.set(`${checkpoint.rigId}/${checkpoint.cellId}`, { samples: cell.samples, at: this.now() });
    }
    this.logger.log(
      `${this.counters.restored} cells continued from their detector checkpoints ` +
        `(${this.counters.replayedSamples} samples replayed, ${this.counters.dropped} checkpoints dropped)`,
    );
  }

  private restoreOne(checkpoint: DetectorCheckpoint) {
    const key = `${checkpoint.rigId}/${checkpoint.cellId}`;
    if (checkpoint.version !== CHECKPOINT_VERSION) {
      this.drop(key, `checkpoint version ${checkpoint.version}, this version reads ${CHECKPOINT_VERSION}`);
      return undefined;
    }
    try {
      const content = JSON.parse(checkpoint.state) as CellCheckpoint;
      const config = this.intake.configuration(checkpoint.rigId, checkpoint.cellId);
      if (config && !sameConfig(config, content.config)) {
        this.drop(key, 'the cell has another configuration now');
        return undefined;
      }
      const cell = this.intake.restoreCell(
        checkpoint.rigId,
        checkpoint.cellId,
        content.config,
        content.tracker,
      );
      if (content.cycles && this.cycles) {
        this.cycles.analytics.restore(cell, content.cycles);
        this.cycles.recorder.setOffset(cell, content.cycles.offset);
      }
      this.counters.restored++;
      return cell;
    } catch (error) {
      if (!(error instanceof SnapshotError) && !(error instanceof SyntaxError)) throw error;
      this.intake.forgetCell(checkpoint.rigId, checkpoint.cellId);
      this.drop(key, error.message);
      return undefined;
    }
  }

  private drop(key: string, why: string): void {
    this.counters.dropped++;
    this.logger.warn(`${key}: detector checkpoint not used (${why}); the cell's detectors start afresh`);
  }

  private async replay(
    checkpoint: DetectorCheckpoint,
    published: (alert: AlertEvent) => boolean,
  ): Promise<void> {
    const cellKey: CellKey = { rigId: checkpoint.rigId, cellId: checkpoint.cellId };
    const cell = this.intake.cell(checkpoint.rigId, checkpoint.cellId);
    if (!cell) return;
    for await (const page of this.store.readSamplePages(cellKey, { from: checkpoint.ts, pageSize: 10_000 })) {
      const samples: Sample[] = [];
      for (let k = 0; k < page.length; k++) {
        const ts = page.ts[k]!;
        // `from` is inclusive; the checkpoint already holds its own newest sample.
        if (ts <= checkpoint.ts) continue;
        const sample: Sample = { ts, v: page.v[k]!, i: page.i[k]! };
        if (!Number.isNaN(page.t[k]!)) sample.t = page.t[k]!;
        if (!Number.isNaN(page.p[k]!)) sample.p = page.p[k]!;
        if (!Number.isNaN(page.cycle[k]!)) sample.cycle = page.cycle[k]!;
        if (!Number.isNaN(page.step[k]!)) sample.step = page.step[k]!;
        samples.push(sample);
      }
      this.counters.replayedSamples += this.intake.replay(cell, samples, published);
    }
  }
}
