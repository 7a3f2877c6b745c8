import { ID_PATTERN } from '#contracts';
import { z } from 'zod';
import { ZodValidationPipe } from './zod-validation.pipe.js';

const IdSchema = z.string().regex(ID_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ . -');

/** Validates a rigId or cellId path parameter. */
export const idParam = (name: string): ZodValidationPipe<typeof IdSchema> =>
  new ZodValidationPipe(IdSchema, `path parameter ${name}`);

const KeySchema = z.string().min(1).max(128);

/** Validates an opaque id path parameter (alert id, replay id). */
export const keyParam = (name: string): ZodValidationPipe<typeof KeySchema> =>
  new ZodValidationPipe(KeySchema, `path parameter ${name}`);
