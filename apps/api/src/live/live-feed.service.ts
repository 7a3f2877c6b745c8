import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  type AlertEvent,
  AlertEventSchema,
  type Channel,
  type CycleSummary,
  CycleSummarySchema,
  type StateMessage,
  StateMessageSchema,
  channelFilter,
  parseTopic,
} from '#contracts';
import { ApiMetrics } from '../health/api-metrics.js';
import { MQTT_BUS, type MqttBus } from '../mqtt/mqtt-bus.js';

export interface LiveListener {
  state?(state: StateMessage): void;
  alert?(alert: AlertEvent): void;
  cycle?(cycle: CycleSummary): void;
}

const cellKey = (rigId: string, cellId: string): string => `${rigId}/${cellId}`;

/** Cells silent for longer than this are dropped from the live view (they remain in the store). */
const FORGET_AFTER_MS = 60 * 60_000;

/**
 * What the api learns from MQTT: `…/state` (QoS 0) and `…/alerts` (QoS 1) of every cell. Validates each
 * message against the contracts, keeps the latest state per cell and hands messages to listeners (the
 * socket.io gateway). Handlers are thin: parse, check, hand on; a bad message is counted and dropped.
 */
@Injectable()
export class LiveFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveFeed');
  private readonly latest = new Map<string, { state: StateMessage; receivedAt_ms: number }>();
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<LiveListener>();
  private readonly unsubscribes: Array<() => void> = [];
  private subscribed: Promise<void> = Promise.resolve();

  constructor(
    @Inject(MQTT_BUS) private readonly bus: MqttBus,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
  ) {}

  /** Wall clock (tests replace it). */
  now: () => number = Date.now;

  onModuleInit(): void {
    // Bounded memory on a broker that sees many short-lived cells (replays, tests).
    this.pruneTimer = setInterval(() => this.forgetSilentCells(), 60_000);
    this.pruneTimer.unref();
    // Not awaited: the api starts (and reports itself degraded) while the broker is unreachable.
    this.subscribed = Promise.all([
      this.bus.subscribe(channelFilter('state'), 0, (topic, payload) => this.onState(topic, payload)),
      this.bus.subscribe(channelFilter('alerts'), 1, (topic, payload) => this.onAlert(topic, payload)),
      this.bus.subscribe(channelFilter('cycles'), 1, (topic, payload) => this.onCycle(topic, payload)),
    ]).then((undo) => {
      this.unsubscribes.push(...undo);
    });
    this.subscribed.catch((error: Error) => this.logger.error(`subscribing failed: ${error.message}`));
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
    for (const undo of this.unsubscribes.splice(0)) undo();
    this.listeners.clear();
  }

  /** Resolves once the broker granted the state and alerts subscriptions. */
  ready(): Promise<void> {
    return this.subscribed;
  }

  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  latestState(rigId: string, cellId: string): StateMessage | undefined {
    return this.latest.get(cellKey(rigId, cellId))?.state;
  }

  /** The latest state of every cell heard from within `maxAge_ms` (wall time). */
  latestStates(maxAge_ms = FORGET_AFTER_MS): StateMessage[] {
    const since = this.now() - maxAge_ms;
    const states: StateMessage[] = [];
    for (const entry of this.latest.values()) if (entry.receivedAt_ms >= since) states.push(entry.state);
    return states;
  }

  forgetSilentCells(): void {
    const since = this.now() - FORGET_AFTER_MS;
    for (const [key, entry] of this.latest) if (entry.receivedAt_ms < since) this.latest.delete(key);
  }

  /** Entry point of `…/state` messages (public for tests with a fake bus). */
  onState(topic: string, payload: Buffer): void {
    const state = this.decode(topic, payload, 'state', StateMessageSchema);
    if (!state) return;
    const key = cellKey(state.rigId, state.cellId);
    const previous = this.latest.get(key)?.state;
    // A late QoS 0 frame must not replace a newer one; a new run (data time jumped back) does.
    if (previous && previous.run === state.run && previous.ts > state.ts) return;
    this.latest.set(key, { state, receivedAt_ms: this.now() });
    for (const listener of this.listeners) listener.state?.(state);
  }

  /** Entry point of `…/alerts` messages (public for tests with a fake bus). */
  onAlert(topic: string, payload: Buffer): void {
    const alert = this.decode(topic, payload, 'alerts', AlertEventSchema);
    if (!alert) return;
    for (const listener of this.listeners) listener.alert?.(alert);
  }

  /** Entry point of `…/cycles` messages: each completed cycle, relayed as the socket.io `cycle` event. */
  onCycle(topic: string, payload: Buffer): void {
    const cycle = this.decode(topic, payload, 'cycles', CycleSummarySchema);
    if (!cycle) return;
    for (const listener of this.listeners) listener.cycle?.(cycle);
  }

  private decode<T extends { rigId: string; cellId: string }>(
    topic: string,
    payload: Buffer,
    channel: Channel,
    schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  ): T | undefined {
    const address = parseTopic(topic);
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      value = undefined;
    }
    const result = schema.safeParse(value);
    const ok =
      address !== undefined &&
      address.channel === channel &&
      result.success &&
      result.data.rigId === address.rigId &&
      result.data.cellId === address.cellId;
    this.metrics.mqttMessages.inc({ channel, outcome: ok ? 'accepted' : 'invalid' });
    if (!ok || !result.success) {
      this.logger.debug(`dropped an invalid message on ${topic}`);
      return undefined;
    }
    return result.data;
  }
}
