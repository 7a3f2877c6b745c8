import type { StateMessage } from '#contracts';
import type { TelemetryStore } from '#store';

/**
 * Stores derived states (`cell_state`) in batches on a timer, off the hot path. States are derived data:
 * while the store is down the queue is capped and the oldest states go first.
 */
export class StateWriter {
  private queue: StateMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;
  dropped = 0;
  written = 0;

  constructor(
    private readonly store: Pick<TelemetryStore, 'writeStates'>,
    private readonly interval_ms = 500,
    private readonly maxQueued = 100_000,
    /** Told of each state dropped because the queue was full (to log it, throttled). */
    private readonly onDrop: (dropped: number) => void = () => undefined,
  ) {}

  add(state: StateMessage): void {
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.dropped++;
      this.onDrop(this.dropped);
    }
    this.queue.push(state);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.interval_ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      await this.store.writeStates(batch);
      this.written += batch.length;
    } catch {
      // Put them back in front; the next tick retries.
      this.queue = batch.concat(this.queue).slice(-this.maxQueued);
    } finally {
      this.writing = false;
    }
  }
}
