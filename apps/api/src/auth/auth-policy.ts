import { readFileSync } from 'node:fs';
import { TokenRegistry, roleAllows, type Principal } from '#auth';
import type { Environment } from '#contracts';

/** What a request needs: nothing (public), or at least a role. */
export type Requirement = 'public' | 'viewer' | 'operator' | 'admin';

/** Reads are for viewers, every change for operators, unless a route says otherwise. */
export function defaultRequirement(method: string): Requirement {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'viewer' : 'operator';
}

export type AuthDecision =
  { ok: true; principal: Principal | undefined } | { ok: false; status: 401 | 403; message: string };

/**
 * Who may do what. `off` (explicit, local embedded use) lets everyone through as a local admin; `on`
 * needs a bearer token from the tokens file.
 */
export class AuthPolicy {
  private constructor(
    readonly enabled: boolean,
    /** The tokens; the embedded broker checks rigs against the same ones. */
    readonly registry: TokenRegistry,
  ) {}

  static disabled(): AuthPolicy {
    return new AuthPolicy(false, new TokenRegistry([]));
  }

  static withRegistry(registry: TokenRegistry): AuthPolicy {
    return new AuthPolicy(true, registry);
  }

  /** From the environment; throws with the variable's name when auth is on and there are no tokens. */
  static fromEnvironment(
    env: Environment,
    readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  ): AuthPolicy {
    if (env.SANDGLASS_AUTH === 'off') return AuthPolicy.disabled();
    const file = env.SANDGLASS_AUTH_TOKENS_FILE;
    if (!file) {
      throw new Error(
        'SANDGLASS_AUTH_TOKENS_FILE is required while SANDGLASS_AUTH=on (make entries with `npx sandglass token`), ' +
          'or set SANDGLASS_AUTH=off for local use on 127.0.0.1',
      );
    }
    let registry: TokenRegistry;
    try {
      registry = TokenRegistry.fromJson(readFile(file));
    } catch (error) {
      throw new Error(`SANDGLASS_AUTH_TOKENS_FILE=${file}: ${(error as Error).message}`, { cause: error });
    }
    return new AuthPolicy(true, registry);
  }

  decide(token: string | undefined, requirement: Requirement): AuthDecision {
    if (!this.enabled) return { ok: true, principal: { name: 'local', role: 'admin' } };
    if (requirement === 'public') return { ok: true, principal: this.registry.authenticate(token) };
    const principal = this.registry.authenticate(token);
    if (!principal) return { ok: false, status: 401, message: 'a valid bearer token is required' };
    if (!roleAllows(principal.role, requirement)) {
      return {
        ok: false,
        status: 403,
        message: `${principal.role} tokens may not do this (needs ${requirement})`,
      };
    }
    return { ok: true, principal };
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}
