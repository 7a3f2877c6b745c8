import { z } from 'zod';
import { REJECT_REASONS } from './sample.js';

/** Longest payload excerpt carried in a rejected message (DESIGN.md: cut to 1 KiB). */
export const REJECTED_PAYLOAD_MAX_BYTES = 1024;

/** `…/rejected` (QoS 0): why a telemetry message, or a sample in it, was not accepted. */
export const RejectedMessageSchema = z.object({
  reason: z.enum(REJECT_REASONS),
  detail: z.string().optional(),
  /** Index in the message's sample array when one sample of an array was rejected. */
  index: z.number().int().nonnegative().optional(),
  /** Arrival time, epoch ms. */
  receivedAt: z.number(),
  /** The payload as text, cut to 1 KiB. */
  payload: z.string(),
});
export type RejectedMessage = z.infer<typeof RejectedMessageSchema>;

/** The payload excerpt for a rejected message: UTF-8 text of at most 1 KiB. */
export function payloadExcerpt(payload: Uint8Array | string): string {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  return bytes.subarray(0, REJECTED_PAYLOAD_MAX_BYTES).toString('utf8');
}
