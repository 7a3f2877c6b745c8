import type { AlertEvent } from '#contracts';
import type { SampleColumns, TelemetryStore } from '#store';
import type { WalPosition, WalReadResult, WriteAheadLog } from './write-ahead-log.js';

export type DrainSink = Pick<TelemetryStore, 'writeSamples' | 'writeAlerts'>;

export interface DrainerOptions {
  /** Samples per store write. */
  maxBatchSamples?: number;
  /** How long a small batch waits for more samples before it is written anyway (ms). */
  maxBatchDelay_ms?: number;
  /** Store writes in flight at once. */
  concurrency?: number;
  /** First and largest wait between retries while the store fails (ms). */
  retryMin_ms?: number;
  retryMax_ms?: number;
}

export interface DrainerEvents {
  /** A batch was stored: its sample count and how long the store took (s). */
  stored?: (samples: number, alerts: number, seconds: number) => void;
  /** A store write failed; it will be retried after `retryIn_ms`. */
  failed?: (error: unknown, retryIn_ms: number) => void;
  /** The store answered again after failures. */
  recovered?: () => void;
  /** The store refused a batch's data itself (HTTP 400): retrying cannot help, so it is skipped. */
  refused?: (error: unknown, samples: SampleColumns, alerts: AlertEvent[]) => void;
}

/**
 * A store error that retrying cannot fix because the data is refused (StoreError, retryable false, 400 or
 * 422; InfluxDB 1.x also answers 400 to a partial write, having stored the valid points). Refused
 * credentials (401/403) are not: the log keeps them until an operator fixes the configuration.
 */
function refusedData(error: unknown): boolean {
  const e = error as { retryable?: unknown; status?: unknown };
  return e.retryable === false && (e.status === 400 || e.status === 422);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Moves the write-ahead log into the store, in order, in batches (by size and time), committing the
 * checkpoint after each stored batch. While the store fails it retries the same batch with exponential
 * backoff; the log meanwhile grows (the intake stops acknowledging when it is full). Replays after a
 * restart are this same loop starting from the checkpoint; the store's idempotent writes make a batch
 * stored twice (a crash between store and checkpoint) harmless.
 */
export class WalDrainer {
  private position: WalPosition;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly maxBatchSamples: number;
  private readonly maxBatchDelay_ms: number;
  private readonly retryMin_ms: number;
  private readonly concurrency: number;
  private readonly retryMax_ms: number;
  private failing = false;
  private abandoned = false;
  /** Samples and alerts stored since start. */
  storedSamples = 0;
  /** Samples in batches the store refused as data (never stored). */
  refusedSamples = 0;
  storedAlerts = 0;
  lastError: unknown;
  private stopSignal: (() => void) | undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.stopSignal = resolve));

  constructor(
    private readonly wal: WriteAheadLog,
    private readonly sink: DrainSink,
    options: DrainerOptions = {},
    private readonly events: DrainerEvents = {},
  ) {
    this.position = wal.committed;
    this.maxBatchSamples = options.maxBatchSamples ?? 10_000;
    this.maxBatchDelay_ms = options.maxBatchDelay_ms ?? 50;
    this.retryMin_ms = options.retryMin_ms ?? 100;
    this.concurrency = options.concurrency ?? 2;
    this.retryMax_ms = options.retryMax_ms ?? 5000;
  }

  /** True while the last store write failed. */
  get storeFailing(): boolean {
    return this.failing;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Tells the drainer that new records were flushed to the log. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Stops the loop. With `drainFor_ms`, first keeps storing until the log is empty or the time is up
   * (graceful shutdown); whatever is left is replayed at the next start. Writes still in flight then get
   * `settle_ms` more: one the store has not answered by then is abandoned unconfirmed, and its batch,
   * whose checkpoint never moved, is written again at the next start (writes are idempotent).
   */
  async stop(drainFor_ms = 0, settle_ms = 1000): Promise<void> {
    if (!this.running) return;
    if (drainFor_ms > 0) {
      const deadline = Date.now() + drainFor_ms;
      while (Date.now() < deadline && this.wal.unstoredBytes > 0 && !this.failing) {
        this.notify();
        await sleep(10);
      }
    }
    this.running = false;
    this.stopSignal?.();
    this.notify();
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.loop?.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), settle_ms))),
    ]);
    clearTimeout(timer);
    // The log may be closed next: a write answering late must not move its checkpoint.
    if (!settled) this.abandoned = true;
  }

  /**
   * Reads batches ahead of what is stored and keeps up to `concurrency` store writes in flight (a store
   * round trip otherwise idles both sides); the checkpoint advances strictly in log order.
   */
  private async run(): Promise<void> {
    const inFlight: { done: Promise<boolean>; end: WalPosition; samples: number; alerts: number }[] = [];
    let readFrom = this.position;
    while (this.running || inFlight.length > 0) {
      if (this.running && inFlight.length < (this.failing ? 1 : this.concurrency)) {
        let batch = this.wal.read(readFrom, this.maxBatchSamples);
        if (!isEmpty(batch) && batch.samples.length < this.maxBatchSamples / 2) {
          // A small batch waits a moment for more: fewer, larger store writes (InfluxDB's cost per point
          // falls with the batch size) within the latency budget.
          await sleep(this.maxBatchDelay_ms);
          batch = this.wal.read(batch.end, this.maxBatchSamples, batch);
        }
        if (!isEmpty(batch)) {
          const { samples, alerts } = batch;
          inFlight.push({
            done: this.store(samples, alerts),
            end: batch.end,
            samples: samples.length,
            alerts: alerts.length,
          });
          readFrom = batch.end;
          continue;
        }
      }
      const oldest = inFlight[0];
      if (!oldest) {
        await this.waitForData(1000);
        continue;
      }
      const stored = await oldest.done;
      if (this.abandoned) return;
      inFlight.shift();
      if (!stored) continue; // stopping: the rest is replayed at the next start
      this.storedSamples += oldest.samples;
      this.storedAlerts += oldest.alerts;
      this.position = oldest.end;
      this.wal.commit(oldest.end);
    }
  }

  /** Writes one batch, retrying with backoff; false if stopped before it succeeded. */
  private async store(samples: SampleColumns, alerts: AlertEvent[]): Promise<boolean> {
    let delay_ms = this.retryMin_ms;
    for (;;) {
      const started = performance.now();
      try {
        if (samples.length > 0) await this.sink.writeSamples(samples);
        if (alerts.length > 0) await this.sink.writeAlerts(alerts);
        this.events.stored?.(samples.length, alerts.length, (performance.now() - started) / 1000);
        if (this.failing) this.events.recovered?.();
        this.failing = false;
        return true;
      } catch (error) {
        this.lastError = error;
        if (refusedData(error)) {
          this.refusedSamples += samples.length;
          this.events.refused?.(error, samples, alerts);
          return true;
        }
        this.failing = true;
        this.events.failed?.(error, delay_ms);
        await Promise.race([sleep(delay_ms), this.stopped]);
        if (!this.running) return false;
        delay_ms = Math.min(this.retryMax_ms, delay_ms * 2);
      }
    }
  }

  private waitForData(timeout_ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, timeout_ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function isEmpty(batch: WalReadResult): boolean {
  return batch.samples.length === 0 && batch.alerts.length === 0;
}
