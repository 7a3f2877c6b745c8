import { z } from 'zod';

export const ALERT_KINDS = [
  'sand-depletion',
  'void-growth',
  'soft-short',
  'hard-short',
  'pressure',
  'thermal',
  'data-gap',
] as const;
export const AlertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKindSchema>;

export const SeveritySchema = z.enum(['warning', 'critical']);
export type Severity = z.infer<typeof SeveritySchema>;
export const AlertStateSchema = z.enum(['raised', 'acknowledged', 'cleared']);
export type AlertState = z.infer<typeof AlertStateSchema>;
export const AlertSourceSchema = z.enum(['physics', 'model', 'both']);
export type AlertSource = z.infer<typeof AlertSourceSchema>;

/** Numbers (and the model version) behind an alert, in the units their names carry. */
export const EvidenceSchema = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));
export type Evidence = z.infer<typeof EvidenceSchema>;

/**
 * Alert event on `…/alerts` and socket.io `alert`. `ts` is the data time (epoch ms) of the sample that
 * raised or cleared it. One open alert per (cell, kind); escalation re-sends the same id as `raised`.
 */
export const AlertEventSchema = z.object({
  id: z.string().min(1).max(128),
  ts: z.number(),
  rigId: z.string(),
  cellId: z.string(),
  kind: AlertKindSchema,
  severity: SeveritySchema,
  state: AlertStateSchema,
  source: AlertSourceSchema,
  message: z.string(),
  evidence: EvidenceSchema,
  /** Who acknowledged it, when state is `acknowledged`. */
  acknowledgedBy: z.string().optional(),
  /** Wall-clock time (epoch ms) the event was produced; differs from `ts` in replays. */
  emittedAt: z.number().optional(),
  /**
   * Set once Sandglass published a safety stop for this alert (cell config `safety`): wall-clock time
   * (epoch ms) of the publish and the `…/command` topic. Carried by every later event of the alert.
   */
  safetyStop: z.object({ ts: z.number(), topic: z.string() }).optional(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
