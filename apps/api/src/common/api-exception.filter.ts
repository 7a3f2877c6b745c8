import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { ErrorBody } from '#contracts';
import { StoreError } from '#store';
import { DomainError } from './domain-errors.js';

const STATUS: Record<DomainError['kind'], number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  'rate-limited': HttpStatus.TOO_MANY_REQUESTS,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  'not-implemented': HttpStatus.NOT_IMPLEMENTED,
};

/** Status and body for any error thrown while handling a request. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof DomainError) {
    const body: ErrorBody = { message: error.message };
    if ('issues' in error && Array.isArray(error.issues)) body.issues = error.issues as string[];
    return { status: STATUS[error.kind], body };
  }
  // The store (InfluxDB or the embedded DuckDB) failed or cannot be reached: the request was fine, the
  // service behind it is not, so 503 with the store's reason rather than an anonymous 500.
  if (error instanceof StoreError) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { message: `store unavailable: ${error.message}` },
    };
  }
  // Nest's own exceptions: unknown route, unparsable JSON body, payload too large.
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : error.message;
    return { status: error.getStatus(), body: { message } };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { message: 'internal error' } };
}

/** The one global exception filter of the REST api: every failed request gets `{message}`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    // socket.io handlers answer through their ack callbacks; only HTTP is handled here.
    if (host.getType() !== 'http') return;
    const { status, body } = errorResponse(error);
    if (status >= 500 && !(error instanceof DomainError)) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    const response = host.switchToHttp().getResponse<{
      headersSent: boolean;
      status(code: number): { json(body: unknown): void };
    }>();
    if (response.headersSent) return;
    response.status(status).json(body);
  }
}
