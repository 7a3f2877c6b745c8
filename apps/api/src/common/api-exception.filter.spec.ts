import {
  type ArgumentsHost,
  BadRequestException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { StoreError } from '#store';
import { ApiExceptionFilter, errorResponse } from './api-exception.filter.js';
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
} from './domain-errors.js';

function httpHost(): { host: ArgumentsHost; sent: Array<{ status: number; body: unknown }> } {
  const sent: Array<{ status: number; body: unknown }> = [];
  const response = {
    headersSent: false,
    status(code: number) {
      return { json: (body: unknown) => sent.push({ status: code, body }) };
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => ({}) }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('errorResponse', () => {
  it('maps each domain error to its status with {message}', () => {
    expect(errorResponse(new NotFoundError('unknown alert a1'))).toEqual({
      status: 404,
      body: { message: 'unknown alert a1' },
    });
    expect(errorResponse(new ConflictError('cleared')).status).toBe(409);
    expect(errorResponse(new UnavailableError('broker down')).status).toBe(503);
    expect(errorResponse(new NotImplementedError('replay runner not available')).status).toBe(501);
    expect(errorResponse(new StoreError('InfluxDB unreachable (ECONNREFUSED)', true))).toEqual({
      status: 503,
      body: { message: 'store unavailable: InfluxDB unreachable (ECONNREFUSED)' },
    });
  });

  it('keeps the issues of an invalid request', () => {
    expect(errorResponse(new InvalidRequestError('invalid body: x: bad', ['x: bad']))).toEqual({
      status: 400,
      body: { message: 'invalid body: x: bad', issues: ['x: bad'] },
    });
  });

  it("flattens Nest's own exceptions to {message}", () => {
    expect(errorResponse(new NotFoundException('Cannot GET /api/nope'))).toEqual({
      status: 404,
      body: { message: 'Cannot GET /api/nope' },
    });
    expect(errorResponse(new BadRequestException()).body).toEqual({ message: 'Bad Request' });
    expect(errorResponse(new PayloadTooLargeException()).status).toBe(413);
  });

  it('hides the details of an unexpected error', () => {
    expect(errorResponse(new TypeError('x is undefined'))).toEqual({
      status: 500,
      body: { message: 'internal error' },
    });
  });
});

describe('ApiExceptionFilter', () => {
  it('writes the mapped response', () => {
    const { host, sent } = httpHost();
    new ApiExceptionFilter().catch(new NotFoundError('unknown cell r/c'), host);
    expect(sent).toEqual([{ status: 404, body: { message: 'unknown cell r/c' } }]);
  });

  it('leaves non-HTTP contexts alone', () => {
    const { host, sent } = httpHost();
    const ws = { ...host, getType: () => 'ws' } as ArgumentsHost;
    new ApiExceptionFilter().catch(new NotFoundError('x'), ws);
    expect(sent).toEqual([]);
  });
});
