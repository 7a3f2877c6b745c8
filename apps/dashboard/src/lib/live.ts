import {
  AlertEventSchema,
  CycleSummarySchema,
  LIVE_NAMESPACE,
  ReplayStatusSchema,
  StateMessageSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '#contracts';
import { io, type Socket } from 'socket.io-client';
import { api } from './api.js';
import type { DashboardStore } from './store.js';
import { apiToken } from './token.js';

/** While the API is unreachable, the page tries again this often. */
const RELOAD_EVERY_MS = 5000;

/** Loads cells, alerts and replays over REST; records (and clears) the API problem on the store. */
export async function loadAll(store: DashboardStore): Promise<boolean> {
  const [cells, alerts, replays] = await Promise.all([
    api.cells(),
    api.alerts({ limit: 1000 }),
    api.replays(),
  ]);
  if (!cells.ok) {
    store.setApiProblem(cells.problem);
    return false;
  }
  store.setCells(cells.value);
  if (alerts.ok) store.setAlerts(alerts.value);
  // Replays are optional in an api without the replay module: their absence is not an outage.
  if (replays.ok) store.setReplays(replays.value);
  store.setApiProblem(alerts.ok ? null : alerts.problem);
  return alerts.ok;
}

/**
 * Connects the store to the api: a REST load (retried until it works), then the socket.io `/live`
 * stream subscribed to everything. After a reconnect it subscribes again and reloads over REST to catch
 * up on what it missed. Returns a function that disconnects.
 */
export function connectLive(store: DashboardStore): () => void {
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const load = async (): Promise<void> => {
    clearTimeout(retry);
    const ok = await loadAll(store);
    if (!ok && !stopped) retry = setTimeout(() => void load(), RELOAD_EVERY_MS);
  };
  void load();

  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(LIVE_NAMESPACE, {
    transports: ['websocket', 'polling'],
    reconnectionDelayMax: 5000,
    // Read on every (re)connect, so a token entered later is used.
    auth: (send) => send({ token: apiToken() }),
  });
  let attempts = 0;
  let everConnected = false;

  socket.on('connect', () => {
    attempts = 0;
    // Batched: one `states` message per tick for the whole fleet instead of one per cell.
    socket.emit('subscribe', { batch: true }, (reply) => {
      if (reply.ok) store.setConnection({ state: 'connected' });
      else
        store.setConnection({
          state: 'disconnected',
          reason: `subscribe refused: ${reply.error ?? ''}`,
          attempts,
        });
    });
    if (everConnected) void load();
    everConnected = true;
  });
  socket.on('disconnect', (reason) => {
    store.setConnection({ state: 'disconnected', reason, attempts });
  });
  socket.on('connect_error', (error) => {
    attempts++;
    store.setConnection({ state: 'disconnected', reason: error.message, attempts });
  });
  socket.on('state', (message) => {
    const parsed = StateMessageSchema.safeParse(message);
    if (parsed.success) store.applyState(parsed.data);
    else store.invalidMessages++;
  });
  socket.on('states', (messages) => {
    for (const message of Array.isArray(messages) ? messages : []) {
      const parsed = StateMessageSchema.safeParse(message);
      if (parsed.success) store.applyState(parsed.data);
      else store.invalidMessages++;
    }
  });
  socket.on('alert', (message) => {
    const parsed = AlertEventSchema.safeParse(message);
    if (parsed.success) store.applyAlert(parsed.data);
    else store.invalidMessages++;
  });
  socket.on('cycle', (message) => {
    const parsed = CycleSummarySchema.safeParse(message);
    if (parsed.success) store.applyCycle(parsed.data);
    else store.invalidMessages++;
  });
  socket.on('replay', (message) => {
    const parsed = ReplayStatusSchema.safeParse(message);
    if (parsed.success) store.applyReplay(parsed.data);
    else store.invalidMessages++;
  });

  return () => {
    stopped = true;
    clearTimeout(retry);
    socket.close();
  };
}
