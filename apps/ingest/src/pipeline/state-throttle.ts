import type { StateMessage } from '#contracts';

/**
 * At most one derived state per cell per interval of wall time, the latest winning. The tracker derives
 * states per second of data time, which a replay at 100× or at full speed turns into hundreds per cell
 * and second: more than any dashboard shows, and each one is serialized, published and stored. A state
 * held back is sent when its cell's interval is over, so the last state of a burst is never lost.
 */
export class StateThrottle {
  private readonly lastSent = new Map<string, number>();
  private readonly held = new Map<string, StateMessage>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (state: StateMessage) => void,
    private readonly interval_ms = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  offer(state: StateMessage): void {
    const key = `${state.rigId}/${state.cellId}`;
    const now = this.now();
    const last = this.lastSent.get(key);
    if (last === undefined || now - last >= this.interval_ms) {
      this.held.delete(key);
      this.lastSent.set(key, now);
      this.send(state);
      return;
    }
    this.held.set(key, state);
  }

  /** Sends the held states whose interval is over (all of them with `all`). */
  flush(all = false): void {
    const now = this.now();
    for (const [key, state] of this.held) {
      if (!all && now - (this.lastSent.get(key) ?? 0) < this.interval_ms) continue;
      this.held.delete(key);
      this.lastSent.set(key, now);
      this.send(state);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.flush(), Math.max(10, this.interval_ms / 4));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush(true);
  }
}
