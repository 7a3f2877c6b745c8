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
export function roomsOf(rigId: string, cellId: string): string[] {
  return [liveRoom({}), liveRoom({ rigId }), liveRoom({ rigId, cellId })];
}

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
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE, serveClient: false })
export class LiveGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger('LiveGateway');
  private stopListening: (() => void) | undefined;

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
  }

  onModuleDestroy(): void {
    this.stopListening?.();
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
    for (const state of this.feed.latestStates(SNAPSHOT_MAX_AGE_MS)) {
      if (matches(parsed.data, state)) socket.emit('state', state);
    }
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
    this.server.to(roomsOf(state.rigId, state.cellId)).volatile.emit('state', state);
    this.metrics.liveEvents.inc({ event: 'state' });
  }

  broadcastCycle(cycle: CycleSummary): void {
    this.server.to(roomsOf(cycle.rigId, cycle.cellId)).emit('cycle', cycle);
    this.metrics.liveEvents.inc({ event: 'cycle' });
  }

  broadcastAlert(alert: AlertEvent): void {
    this.server.to(roomsOf(alert.rigId, alert.cellId)).emit('alert', alert);
    this.metrics.liveEvents.inc({ event: 'alert' });
    this.logger.debug(`alert ${alert.id} ${alert.state} for ${alert.rigId}/${alert.cellId}`);
  }

  /** Replay progress goes to every client (the dashboard's replay panel). */
  broadcastReplay(status: ReplayStatus): void {
    this.server.emit('replay', status);
    this.metrics.liveEvents.inc({ event: 'replay' });
  }
}
