import { z } from 'zod';

/**
 * A line of ingest's dead-letter file (SANDGLASS_DATA_DIR/dead-letters/dead-letters.jsonl): a telemetry
 * message, or a batch of samples, that Sandglass refused, kept so a person can inspect it, fix it and
 * replay it (`sandglass dead-letters replay FILE`).
 */
export const DeadLetterSchema = z.object({
  /** Wall time it was refused (epoch ms). */
  at: z.number(),
  /** A reject reason of …/rejected, or `store-refused` for a batch the store would not take. */
  reason: z.string(),
  detail: z.string(),
  topic: z.string(),
  /** The message as received (UTF-8); `payloadBase64` instead when it is not text. */
  payload: z.string().optional(),
  payloadBase64: z.string().optional(),
  /** For an array of samples some of which were refused: those elements; a replay sends only them. */
  rejected: z
    .array(z.object({ index: z.number().int().nonnegative(), reason: z.string(), detail: z.string() }))
    .optional(),
  /** Only the first part of an oversized payload was kept: it cannot be replayed. */
  truncated: z.literal(true).optional(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** What replaying a dead letter publishes, or why it cannot be replayed. */
export function deadLetterMessage(letter: DeadLetter): { topic: string; payload: Buffer } | { skip: string } {
  if (letter.truncated) return { skip: 'payload was cut to its first 256 KiB' };
  const payload =
    letter.payload !== undefined
      ? Buffer.from(letter.payload, 'utf8')
      : Buffer.from(letter.payloadBase64 ?? '', 'base64');
  if (!letter.rejected) return { topic: letter.topic, payload };
  // The accepted elements of the array are stored already: send only the refused ones.
  let samples: unknown;
  try {
    samples = JSON.parse(payload.toString('utf8'));
  } catch {
    return { skip: 'payload is not the JSON array its rejected indexes refer to' };
  }
  if (!Array.isArray(samples)) return { skip: 'payload is not the JSON array its rejected indexes refer to' };
  const refused = letter.rejected.map((r) => samples[r.index] as unknown);
  return { topic: letter.topic, payload: Buffer.from(JSON.stringify(refused)) };
}
