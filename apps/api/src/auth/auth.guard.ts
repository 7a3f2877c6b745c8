import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '#auth';
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from '../common/domain-errors.js';
import { AuthPolicy, type Requirement, bearerToken, defaultRequirement } from './auth-policy.js';
import { RateLimiter } from './rate-limiter.js';

const REQUIREMENT = 'sandglass:requirement';

/** A route anyone may call (health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(REQUIREMENT, 'public');
/** A route that needs more than its method's default (GET: viewer, changes: operator). */
export const Requires = (requirement: Requirement): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIREMENT, requirement);

interface AuthRequest {
  method: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** Bearer tokens and roles on every REST route, and a write rate limit per client. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthPolicy) private readonly policy: AuthPolicy,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    // socket.io connections are checked once, at the handshake (LiveGateway).
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const requirement =
      this.reflector.getAllAndOverride<Requirement | undefined>(REQUIREMENT, [
        context.getHandler(),
        context.getClass(),
      ]) ?? defaultRequirement(request.method);
    const header = request.headers.authorization;
    const decision = this.policy.decide(bearerToken(Array.isArray(header) ? header[0] : header), requirement);
    if (!decision.ok) {
      throw decision.status === 401
        ? new UnauthenticatedError(decision.message)
        : new ForbiddenError(decision.message);
    }
    if (decision.principal) request.principal = decision.principal;
    if (defaultRequirement(request.method) !== 'viewer') {
      const client = this.policy.enabled
        ? (decision.principal?.name ?? 'anonymous')
        : (request.ip ?? 'local');
      if (!this.limiter.take(client)) throw new RateLimitedError('too many changes; try again in a minute');
    }
    return true;
  }
}
