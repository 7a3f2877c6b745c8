/**
 * Errors services throw. They carry no HTTP knowledge: the one global filter (api-exception.filter.ts)
 * maps each kind to a status code.
 */
export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'invalid'
    | 'unauthenticated'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'rate-limited'
    | 'unavailable'
    | 'not-implemented';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request that does not match its schema; `issues` name each problem (`path: message`). */
export class InvalidRequestError extends DomainError {
  readonly kind = 'invalid';
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}

/** The request is valid but conflicts with the present state (e.g. acknowledging a cleared alert). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** A dependency (store, broker) is down; the request may succeed later. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

/** A capability this process was started without (e.g. no replay runner registered). */
export class NotImplementedError extends DomainError {
  readonly kind = 'not-implemented';
}

/** No valid bearer token while authentication is on. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

/** The token's role may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** Too many writes from one client. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';
}
