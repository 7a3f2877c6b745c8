import { describe, expect, it } from 'vitest';
import { TokenRegistry, generateToken, hashToken, roleAllows } from './tokens.js';
import { mayPublish, mayPublishAnonymously, maySubscribe } from './topic-rules.js';

describe('TokenRegistry', () => {
  const operator = generateToken();
  const registry = new TokenRegistry([
    { name: 'alice', role: 'operator', sha256: hashToken(operator) },
    { name: 'rig-01', role: 'rig', sha256: hashToken('rig-secret') },
  ]);

  it('authenticates by hash only', () => {
    expect(registry.authenticate(operator)).toEqual({ name: 'alice', role: 'operator' });
    expect(registry.authenticate('rig-secret')).toEqual({ name: 'rig-01', role: 'rig' });
    expect(registry.authenticate(operator + 'x')).toBeUndefined();
    expect(registry.authenticate(undefined)).toBeUndefined();
  });

  it('parses a tokens file and refuses plain tokens or bad rig names', () => {
    const file = JSON.stringify({ tokens: [{ name: 'v', role: 'viewer', sha256: hashToken('t') }] });
    expect(TokenRegistry.fromJson(file).authenticate('t')?.role).toBe('viewer');
    expect(() =>
      TokenRegistry.fromJson(JSON.stringify({ tokens: [{ name: 'v', role: 'viewer', sha256: 't' }] })),
    ).toThrow();
    expect(() =>
      TokenRegistry.fromJson(
        JSON.stringify({ tokens: [{ name: 'rig 1', role: 'rig', sha256: hashToken('t') }] }),
      ),
    ).toThrow(/rig id/);
  });
});

describe('roles and topic rules', () => {
  it('orders roles viewer < operator < admin; rigs have no API rights', () => {
    expect(roleAllows('viewer', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('rig', 'viewer')).toBe(false);
  });

  it('lets a rig publish only its own telemetry, never retained; config, alerts and state are ours', () => {
    const rig = { name: 'rig-01', role: 'rig' } as const;
    const may = (topic: string, retain = false) => mayPublish(rig, { topic, retain });
    expect(may('sandglass/v1/rig-01/ch-1/telemetry')).toBe(true);
    expect(may('sandglass/v1/rig-01/ch-1/telemetry', true)).toBe(false);
    expect(may('sandglass/v1/rig-02/ch-1/telemetry')).toBe(false);
    expect(may('sandglass/v1/rig-011/ch-1/telemetry')).toBe(false);
    for (const channel of ['config', 'alerts', 'state', 'rejected', 'command']) {
      expect(may(`sandglass/v1/rig-01/ch-1/${channel}`)).toBe(false);
    }
    expect(may('other/topic')).toBe(false);
    // Extra levels reach ingest, which refuses them with a reason the rig can read.
    expect(may('sandglass/v1/rig-01/ch-1/x/telemetry')).toBe(true);
    expect(maySubscribe(rig, 'sandglass/v1/+/+/alerts')).toBe(false);
    expect(maySubscribe(rig, 'sandglass/v1/rig-01/+/alerts')).toBe(true);
    const service = { name: 'ingest', role: 'service' } as const;
    expect(mayPublish(service, { topic: 'sandglass/v1/rig-02/c/config', retain: true })).toBe(true);
    expect(mayPublish({ name: 'bob', role: 'viewer' }, { topic: 'sandglass/v1/rig-02/c/telemetry' })).toBe(
      false,
    );
  });

  it('lets an anonymous client (authentication off) publish telemetry of any rig only, never retained', () => {
    expect(mayPublishAnonymously({ topic: 'sandglass/v1/r/c/telemetry' })).toBe(true);
    expect(mayPublishAnonymously({ topic: 'sandglass/v1/r/c/telemetry', retain: true })).toBe(false);
    expect(mayPublishAnonymously({ topic: 'sandglass/v1/r/c/alerts' })).toBe(false);
    expect(mayPublishAnonymously({ topic: 'sandglass/v1/r/c/config' })).toBe(false);
    expect(mayPublishAnonymously({ topic: 'sandglass/v1/../c/telemetry' })).toBe(false);
  });
});
