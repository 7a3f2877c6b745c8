import {
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type ServerToClientEvents,
  type Subscription,
} from '#contracts';
import { type Socket, io } from 'socket.io-client';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;
type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * A socket.io client of `/live` that records every event it receives, so a test can wait for one and
 * then assert on everything that arrived before it (socket.io keeps order on one connection).
 */
export class RecordingClient {
  readonly socket: LiveClient;
  readonly received: Array<{ event: EventName; data: unknown }> = [];
  private waiters: Array<() => void> = [];

  constructor(baseUrl: string, options: { auth?: Record<string, string> } = {}) {
    this.socket = io(baseUrl + LIVE_NAMESPACE, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      ...(options.auth && { auth: options.auth }),
    });
    for (const event of ['state', 'states', 'alert', 'replay', 'cycle'] as const) {
      this.socket.on(event, (data: unknown) => {
        this.received.push({ event, data });
        for (const wake of this.waiters.splice(0)) wake();
      });
    }
  }

  async connected(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  subscribe(subscription: Subscription | Record<string, unknown>): Promise<{ ok: boolean; error?: string }> {
    return this.socket.timeout(20_000).emitWithAck('subscribe', subscription as Subscription);
  }

  unsubscribe(subscription: Subscription): Promise<{ ok: boolean; error?: string }> {
    return this.socket.timeout(20_000).emitWithAck('unsubscribe', subscription);
  }

  of<E extends EventName>(event: E): Array<Payload<E>> {
    return this.received.filter((r) => r.event === event).map((r) => r.data as Payload<E>);
  }

  /** Resolves with the first `event` matching `match` (already received or yet to come). */
  async next<E extends EventName>(
    event: E,
    match: (data: Payload<E>) => boolean,
    timeout_ms = 30_000,
  ): Promise<Payload<E>> {
    const deadline = Date.now() + timeout_ms;
    for (;;) {
      const found = this.of(event).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching ${event} within ${timeout_ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}
