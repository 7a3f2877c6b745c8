import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { InvalidRequestError } from './domain-errors.js';

/** `path: message` for each issue, e.g. `electrolyte.gap_um: Too small: expected number to be >0`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
  );
}

/**
 * Validates (and coerces) a body, query or param with one of the contracts' zod schemas. A mismatch is an
 * InvalidRequestError, which the global filter turns into 400 `{message, issues}`.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issues = describeIssues(result.error);
    throw new InvalidRequestError(`invalid ${this.what}: ${issues.join('; ')}`, issues);
  }
}
