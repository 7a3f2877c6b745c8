import { describe, expect, it } from 'vitest';
import { hashToken } from '#auth';
import { parseEnvironment } from '#contracts';
import { AuthPolicy, bearerToken, defaultRequirement } from './auth-policy.js';
import { RateLimiter } from './rate-limiter.js';

const tokensFile = JSON.stringify({
  tokens: [
    { name: 'vera', role: 'viewer', sha256: hashToken('viewer-token') },
    { name: 'otto', role: 'operator', sha256: hashToken('operator-token') },
    { name: 'rig-01', role: 'rig', sha256: hashToken('rig-token') },
  ],
});

describe('AuthPolicy', () => {
  const policy = AuthPolicy.fromEnvironment(
    parseEnvironment({ SANDGLASS_AUTH_TOKENS_FILE: '/tokens.json' }),
    () => tokensFile,
  );

  it('needs a token: 401 without one, 403 for too small a role', () => {
    expect(policy.decide(undefined, 'viewer')).toMatchObject({ ok: false, status: 401 });
    expect(policy.decide('wrong', 'viewer')).toMatchObject({ ok: false, status: 401 });
    expect(policy.decide('viewer-token', 'viewer')).toMatchObject({ ok: true, principal: { name: 'vera' } });
    expect(policy.decide('viewer-token', 'operator')).toMatchObject({ ok: false, status: 403 });
    expect(policy.decide('operator-token', 'operator')).toMatchObject({ ok: true });
    expect(policy.decide('rig-token', 'viewer')).toMatchObject({ ok: false, status: 403 });
    expect(policy.decide(undefined, 'public')).toMatchObject({ ok: true });
  });

  it('is off only when explicitly disabled, and refuses to start on without tokens', () => {
    expect(AuthPolicy.fromEnvironment(parseEnvironment({ SANDGLASS_AUTH: 'off' })).enabled).toBe(false);
    expect(() => AuthPolicy.fromEnvironment(parseEnvironment({}))).toThrow(/SANDGLASS_AUTH_TOKENS_FILE/);
    expect(() =>
      AuthPolicy.fromEnvironment(
        parseEnvironment({ SANDGLASS_AUTH_TOKENS_FILE: '/t' }),
        () => '{"tokens":[{}]}',
      ),
    ).toThrow(/SANDGLASS_AUTH_TOKENS_FILE=\/t/);
  });

  it('reads bearer headers and defaults reads to viewer, changes to operator', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(defaultRequirement('GET')).toBe('viewer');
    expect(defaultRequirement('POST')).toBe('operator');
    expect(defaultRequirement('DELETE')).toBe('operator');
  });
});

describe('RateLimiter', () => {
  it('allows a burst of the per-minute rate, then refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    now += 20_000; // one token back
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });
});
