import type { CellTracker } from '../pipeline/cell-tracker.js';
import type { IngestLogger } from '../pipeline/telemetry-intake.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { FailureModel } from './failure-model.js';

/**
 * Runs the failure model on a wall-clock interval, batched: the windows of every cell with new data go
 * into one predict() call, and each cell gets its probabilities back (they join its following samples'
 * findings and its state). Inference runs off the ingest hot path; a slow model only delays predictions.
 */
export class ModelRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  predictions = 0;
  failures = 0;
  private readonly failureLog: ThrottledLog;

  constructor(
    private readonly model: FailureModel,
    private readonly cells: () => Iterable<CellTracker>,
    private readonly logger: IngestLogger,
    private readonly interval_ms = 2000,
    /** Housekeeping run on the same tick (releasing samples held for overdue configurations). */
    private readonly onTick: () => void = () => {},
  ) {
    this.failureLog = new ThrottledLog(logger);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    }, this.interval_ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One batched prediction over the cells that have a fresh window. */
  async runOnce(): Promise<void> {
    try {
      this.onTick();
    } catch (error) {
      this.logger.error(`ingest housekeeping failed: ${String(error)}`);
    }
    const batch: { cell: CellTracker; window: Float32Array }[] = [];
    for (const cell of this.cells()) {
      const window = cell.modelWindow();
      if (window) batch.push({ cell, window });
    }
    if (batch.length === 0) return;
    try {
      const results = await this.model.predict(batch.map((b) => b.window));
      batch.forEach((b, k) => b.cell.applyPrediction(this.model, results[k] ?? {}));
      this.predictions += batch.length;
    } catch (error) {
      this.failures++;
      this.failureLog.error(
        'model-failure',
        `model prediction failed (${this.failures} since start; physics detectors go on): ${String(error)}`,
      );
    }
  }
}
