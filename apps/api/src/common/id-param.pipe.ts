import { ID_PATTERN } from '#contracts';
import { z } from 'zod';
import { ZodValidationPipe } from './zod-validation.pipe.js';

const IdSchema = z.string().regex(ID_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ . -');

/** Validates a rigId or cellId path parameter. */
export const idParam = (name: string): ZodValidationPipe<typeof IdSchema> =>
  new ZodValidationPipe(IdSchema, `path parameter ${name}`);
