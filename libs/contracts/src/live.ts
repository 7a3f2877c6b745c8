import { z } from 'zod';
import type { AlertEvent } from './alert.js';
import type { CycleSummary } from './cycle.js';
import type { ReplayStatus } from './rest.js';
import type { StateMessage } from './state.js';
import { ID_PATTERN } from './topics.js';

/** socket.io namespace of the live stream. */
export const LIVE_NAMESPACE = '/live';

/** `subscribe` / `unsubscribe` payload: no field = everything, rigId = one rig, both = one cell. */
export const SubscriptionSchema = z
  .object({
    rigId: z.string().regex(ID_PATTERN).optional(),
    cellId: z.string().regex(ID_PATTERN).optional(),
    /**
     * Addition to DESIGN.md: states as one `states` message per tick (the latest state of each cell of
     * the subscription that changed) instead of one `state` message per cell. Alerts are the same.
     */
    batch: z.boolean().optional(),
  })
  .refine((s) => !(s.cellId && !s.rigId), { message: 'cellId needs rigId', path: ['cellId'] });
export type Subscription = z.infer<typeof SubscriptionSchema>;

export interface ClientToServerEvents {
  subscribe: (subscription: Subscription, ack?: (reply: { ok: boolean; error?: string }) => void) => void;
  unsubscribe: (subscription: Subscription, ack?: (reply: { ok: boolean; error?: string }) => void) => void;
}

export interface ServerToClientEvents {
  state: (state: StateMessage) => void;
  /** Subscriptions with `batch: true`: the states of one tick (STATES_TICK_MS), at most one per cell. */
  states: (states: StateMessage[]) => void;
  alert: (alert: AlertEvent) => void;
  replay: (status: ReplayStatus) => void;
  /** A cell completed a cycle (addition to DESIGN.md: the per-cycle statistics of `…/cycles`). */
  cycle: (cycle: CycleSummary) => void;
}

/** Period of the batched `states` message (ms). */
export const STATES_TICK_MS = 250;

/** The socket.io room a subscription maps to. */
export function liveRoom(subscription: Subscription): string {
  const batch = subscription.batch ? 'batch:' : '';
  if (subscription.rigId && subscription.cellId)
    return `${batch}cell:${subscription.rigId}/${subscription.cellId}`;
  if (subscription.rigId) return `${batch}rig:${subscription.rigId}`;
  return `${batch}all`;
}
