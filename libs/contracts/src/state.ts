import { z } from 'zod';
import { ALERT_KINDS } from './alert.js';

export const RiskSchema = z.enum(['ok', 'warning', 'critical']);
export type Risk = z.infer<typeof RiskSchema>;

const estimate = z.number().nullable().optional();

/** Physics estimates of a cell, SI-ish units in the names; null where not applicable to the cell. */
export const EstimatesSchema = z.object({
  depletionFraction: estimate,
  timeToDepletion_s: estimate,
  jOverJstar: estimate,
  currentDensity_A_m2: estimate,
  strippingCurrentOverCsc: estimate,
  strippingChargeAboveCsc_C_m2: estimate,
  contactFraction: estimate,
  areaSpecificResistance_ohm_m2: estimate,
  shortResistance_ohm: estimate,
});
export type Estimates = z.infer<typeof EstimatesSchema>;

export const ModelOutputSchema = z.object({
  version: z.string(),
  /** Probability of each failure kind within the model's horizon. */
  probabilities: z.partialRecord(z.enum(ALERT_KINDS), z.number().min(0).max(1)),
  horizon_s: z.number().positive(),
});
export type ModelOutput = z.infer<typeof ModelOutputSchema>;

/** Derived state on `…/state` (QoS 0, at most 1 Hz of data time per cell) and socket.io `state`. */
export const StateMessageSchema = z.object({
  rigId: z.string(),
  cellId: z.string(),
  /** Data time (epoch ms) of the latest sample folded in. */
  ts: z.number(),
  v: z.number(),
  i: z.number(),
  t: z.number().optional(),
  p: z.number().optional(),
  risk: RiskSchema,
  /** Levels per detector kind that is not `ok`. */
  levels: z.partialRecord(z.enum(ALERT_KINDS), RiskSchema),
  estimates: EstimatesSchema,
  model: ModelOutputSchema.optional(),
  /** Samples accepted for this cell since ingest started. */
  samples: z.number().int().nonnegative(),
  /** Counter of runs: goes up when a large backward jump in data time starts a new run. */
  run: z.number().int().nonnegative(),
});
export type StateMessage = z.infer<typeof StateMessageSchema>;
