import { z } from 'zod';

/**
 * Command on `sandglass/v1/{rigId}/{cellId}/command` (QoS 1, not retained): the safety stop of a cell's
 * channel, published when an alert matching the cell's `safety` configuration is raised. `ts` is the
 * wall-clock time (epoch ms) Sandglass issued it — not data time — so a rig-side bridge can refuse a
 * stale command delivered late from a queued session.
 */
export const SafetyCommandSchema = z.object({
  action: z.literal('stop'),
  /** Human-readable: the alert kind, severity and message. */
  reason: z.string(),
  alertId: z.string().min(1).max(128),
  ts: z.number(),
});
export type SafetyCommand = z.infer<typeof SafetyCommandSchema>;
