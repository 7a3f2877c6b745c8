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
  .object({ rigId: z.string().regex(ID_PATTERN).optional(), cellId: z.string().regex(ID_PATTERN).optional() })
  .refine((s) => !(s.cellId && !s.rigId), { message: 'cellId needs rigId', path: ['cellId'] });
export type Subscription = z.infer<typeof SubscriptionSchema>;

export interface ClientToServerEvents {
  subscribe: (subscription: Subscription, ack?: (reply: { ok: boolean; error?: string }) => void) => void;
  unsubscribe: (subscription: Subscription, ack?: (reply: { ok: boolean; error?: string }) => void) => void;
}

export interface ServerToClientEvents {
  state: (state: StateMessage) => void;
  alert: (alert: AlertEvent) => void;
  replay: (status: ReplayStatus) => void;
  /** A cell completed a cycle (addition to DESIGN.md: the per-cycle statistics of `…/cycles`). */
  cycle: (cycle: CycleSummary) => void;
}

/** The socket.io room a subscription maps to. */
export function liveRoom(subscription: Subscription): string {
  if (subscription.rigId && subscription.cellId) return `cell:${subscription.rigId}/${subscription.cellId}`;
  if (subscription.rigId) return `rig:${subscription.rigId}`;
  return 'all';
}
