import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Environment } from '#contracts';
import { AuthGuard } from './auth.guard.js';
import { AuthPolicy } from './auth-policy.js';
import { RateLimiter } from './rate-limiter.js';

/** Who may call the api: the policy from the environment, the guard on every route, the write limiter. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(env: Environment, policy: AuthPolicy = AuthPolicy.fromEnvironment(env)): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AuthPolicy, useValue: policy },
        { provide: RateLimiter, useValue: new RateLimiter(env.SANDGLASS_WRITE_RATE_PER_MIN) },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AuthPolicy],
    };
  }
}
