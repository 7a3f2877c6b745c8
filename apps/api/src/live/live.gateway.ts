import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  type AlertEvent,
  type CycleSummary,
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type ReplayStatus,
  STATES_TICK_MS,
  type ServerToClientEvents,
  type StateMessage,
  type Subscription,
  SubscriptionSchema,
  liveRoom,
} from '#contracts';
import type { Namespace, Socket } from 'socket.io';
import { AuthPolicy } from '../auth/auth-policy.js';
import { ApiMetrics } from '../health/api-metrics.js';
import { describeIssues } from '../common/zod-validation.pipe.js';
import { LiveFeed } from './live-feed.service.js';

export type LiveNamespace = Namespace<ClientToServerEvents, ServerToClientEvents>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export interface SubscribeReply {
  ok: boolean;
  error?: string;
}

/** Every room a message about one cell goes to: everything, the cell's rig, the cell itself. */
export function roomsOf(rigId: string, cellId: string, batch = false): string[] {
  return [liveRoom({ batch }), liveRoom({ rigId, batch }), liveRoom({ rigId, cellId, batch })];
}

/** Alerts and cycles go to per-cell and batched subscribers alike. */
const allRoomsOf = (rigId: string, cellId: string) => [
  ...roomsOf(rigId, cellId),
  ...roomsOf(rigId, cellId, true),
];

/**
 * Batched clients written to between two turns of the event loop (see flushStates). socket.io encodes
 * the message once per chunk, and encoding a tick of 1000 cells costs about as much as 30 socket
 * writes of it, so smaller chunks would cost more CPU than they save in latency.
 */
const FLUSH_CHUNK_SOCKETS = 100;

/** A new subscriber gets the latest state of cells heard from within this (slow cells included). */
const SNAPSHOT_MAX_AGE_MS = 10 * 60_000;

function matches(subscription: Subscription, state: StateMessage): boolean {
  if (subscription.rigId !== undefined && subscription.rigId !== state.rigId) return false;
  return subscription.cellId === undefined || subscription.cellId === state.cellId;
}

/**
 * socket.io namespace `/live`. A client joins rooms with `subscribe` (everything, a rig, or a cell) and
 * receives the `state` and `alert` messages the LiveFeed learns from MQTT. `state` is sent volatile: a
 * client whose connection is still busy with earlier frames misses a frame (the next one supersedes
 * it); `alert` is always queued, so none is lost while the client stays connected.
 *
 * A subscription with `batch: true` gets, instead of `state` per cell, one `states` message per tick
 * (STATES_TICK_MS) and room with the latest state of each cell that changed: at a fleet's size (1000
 * cells at 1 Hz, hundreds of dashboards) per-cell frames cost the api a socket write per cell and client.
 *
 * Every api instance hears MQTT itself, so live messages go to its own clients only (`local`, also with
 * the Redis adapter of several instances): each cell's events stay in MQTT's order and no client gets an
 * alert twice.
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE, serveClient: false })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('LiveGateway');
  private stopListening: (() => void) | undefined;
  /** States of the current tick for batched subscribers, the latest per cell. */
  private readonly tick = new Map<string, StateMessage>();
  private tickTimer: NodeJS.Timeout | undefined;
  private flushing = false;

  @WebSocketServer()
  server!: LiveNamespace;

  constructor(
    @Inject(LiveFeed) private readonly feed: LiveFeed,
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(AuthPolicy) private readonly auth: AuthPolicy,
  ) {}

  afterInit(server: LiveNamespace): void {
    // The handshake carries `auth: {token}`; every role that can read may subscribe (none can act here).
    server.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const decision = this.auth.decide(typeof token === 'string' ? token : undefined, 'viewer');
      next(decision.ok ? undefined : new Error(decision.message));
    });
    this.stopListening = this.feed.listen({
      state: (state) => this.broadcastState(state),
      alert: (alert) => this.broadcastAlert(alert),
      cycle: (cycle) => this.broadcastCycle(cycle),
    });
    this.tickTimer = setInterval(() => void this.flushStates(), STATES_TICK_MS);
    this.tickTimer.unref();
  }

  onModuleDestroy(): void {
    this.stopListening?.();
    clearInterval(this.tickTimer);
  }

  handleConnection(): void {
    this.metrics.liveClients.inc();
  }

  handleDisconnect(): void {
    this.metrics.liveClients.dec();
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: LiveSocket,
    @MessageBody() body: unknown,
  ): Promise<SubscribeReply> {
    const parsed = SubscriptionSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error).join('; ') };
    await socket.join(liveRoom(parsed.data));
    // A snapshot of what is known now, so a fresh page does not wait for the next frame of each cell.
    const snapshot = this.feed.latestStates(SNAPSHOT_MAX_AGE_MS).filter((s) => matches(parsed.data, s));
    if (parsed.data.batch) {
      if (snapshot.length > 0) socket.emit('states', snapshot);
    } else for (const state of snapshot) socket.emit('state', state);
    return { ok: true };
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: LiveSocket,
    @MessageBody() body: unknown,
  ): Promise<SubscribeReply> {
    const parsed = SubscriptionSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error).join('; ') };
    await socket.leave(liveRoom(parsed.data));
    return { ok: true };
  }

  broadcastState(state: StateMessage): void {
    const rooms = roomsOf(state.rigId, state.cellId);
    // socket.io encodes a message before it looks for recipients: skip that when no per-cell subscriber
    // is listening (a fleet's dashboards are all batched), 1000 encodings a second at 1000 cells.
    if (rooms.some((room) => this.server.adapter.rooms.has(room)))
      this.server.local.to(rooms).volatile.emit('state', state);
    this.tick.set(`${state.rigId}/${state.cellId}`, state);
    this.metrics.liveEvents.inc({ event: 'state' });
  }

  /**
   * One `states` message per batched room with states this tick. A client in a broader room (all, its
   * rig) gets the states from there only, never twice. Rooms without clients are skipped before any
   * encoding. The writes go out FLUSH_CHUNK_SOCKETS clients at a time with a turn of the event loop in
   * between, so an alert that arrives meanwhile is relayed after one chunk instead of after the whole
   * tick (at 500 dashboards one tick's writes held the loop for ~80 ms). A tick whose flush has not
   * finished when the next is due leaves its states to the next one (the latest per cell), so no client
   * gets two ticks out of order.
   */
  async flushStates(): Promise<void> {
    if (this.flushing || this.tick.size === 0) return;
    this.flushing = true;
    try {
      const states = [...this.tick.values()];
      this.tick.clear();
      let sinceYield = 0;
      for (const { sockets, batch } of this.batchedDeliveries(states)) {
        for (let k = 0; k < sockets.length; k += FLUSH_CHUNK_SOCKETS) {
          if (sinceYield >= FLUSH_CHUNK_SOCKETS) {
            await new Promise((resolve) => setImmediate(resolve));
            sinceYield = 0;
          }
          const chunk = sockets.slice(k, k + FLUSH_CHUNK_SOCKETS);
          // A socket is in the room named by its id: one encoding per chunk.
          this.server.local.to(chunk).volatile.emit('states', batch);
          sinceYield += chunk.length;
        }
      }
      this.metrics.liveEvents.inc({ event: 'states' });
    } finally {
      this.flushing = false;
    }
  }

  /** Who gets which states this tick: each batched client once, from its broadest room. */
  private batchedDeliveries(states: StateMessage[]): Array<{ sockets: string[]; batch: StateMessage[] }> {
    const rooms = this.server.adapter.rooms;
    const everything = rooms.get(liveRoom({ batch: true })) ?? new Set<string>();
    const deliveries: Array<{ sockets: string[]; batch: StateMessage[] }> = [];
    if (everything.size > 0) deliveries.push({ sockets: [...everything], batch: states });
    const byRig = new Map<string, StateMessage[]>();
    for (const state of states) {
      const rigRoom = liveRoom({ rigId: state.rigId, batch: true });
      if (rooms.has(rigRoom)) {
        const rigStates = byRig.get(rigRoom);
        if (rigStates) rigStates.push(state);
        else byRig.set(rigRoom, [state]);
      }
      const cell = rooms.get(liveRoom({ rigId: state.rigId, cellId: state.cellId, batch: true }));
      if (!cell) continue;
      const rig = rooms.get(rigRoom);
      const sockets = [...cell].filter((id) => !everything.has(id) && !rig?.has(id));
      if (sockets.length > 0) deliveries.push({ sockets, batch: [state] });
    }
    for (const [rigRoom, rigStates] of byRig) {
      const sockets = [...(rooms.get(rigRoom) ?? [])].filter((id) => !everything.has(id));
      if (sockets.length > 0) deliveries.push({ sockets, batch: rigStates });
    }
    return deliveries;
  }

  broadcastCycle(cycle: CycleSummary): void {
    this.server.local.to(allRoomsOf(cycle.rigId, cycle.cellId)).emit('cycle', cycle);
    this.metrics.liveEvents.inc({ event: 'cycle' });
  }

  broadcastAlert(alert: AlertEvent): void {
    this.server.local.to(allRoomsOf(alert.rigId, alert.cellId)).emit('alert', alert);
    this.metrics.liveEvents.inc({ event: 'alert' });
    this.logger.debug(`alert ${alert.id} ${alert.state} for ${alert.rigId}/${alert.cellId}`);
  }

  /** Replay progress goes to every client (the dashboard's replay panel). */
  broadcastReplay(status: ReplayStatus): void {
    this.server.emit('replay', status);
    this.metrics.liveEvents.inc({ event: 'replay' });
  }
}
