import { z } from 'zod';
import { AlertKindSchema, SeveritySchema } from './alert.js';
import { ID_PATTERN } from './topics.js';

const id = z.string().regex(ID_PATTERN);

/** Which alerts a silence covers: every given field must match (none given = every alert). */
export const SilenceMatchersSchema = z
  .object({
    rigId: id.optional(),
    cellId: id.optional(),
    kind: AlertKindSchema.optional(),
    severity: SeveritySchema.optional(),
  })
  .strict();
export type SilenceMatchers = z.infer<typeof SilenceMatchersSchema>;

/** Longest silence accepted (a forgotten silence must not hide alerts for ever). */
export const MAX_SILENCE_MS = 30 * 24 * 3600 * 1000;

/** Body of `POST /api/silences`: notifications of matching alerts are not sent until `endsAt` (epoch ms). */
export const SilenceBodySchema = z
  .object({
    matchers: SilenceMatchersSchema.default({}),
    endsAt: z.number().int().positive(),
    comment: z.string().max(500).optional(),
    createdBy: z.string().min(1).max(128).optional(),
  })
  .strict();
export type SilenceBody = z.infer<typeof SilenceBodySchema>;

export const SilenceSchema = SilenceBodySchema.extend({ id: z.string().min(1), createdAt: z.number() });
export type Silence = z.infer<typeof SilenceSchema>;
