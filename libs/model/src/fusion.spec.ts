import { describe, expect, it } from 'vitest';
import { fuse, type FusionOptions } from './fusion.js';

const model = (probability: number) => ({ probability, version: 'fm1-test', horizon_s: 900 });
const options = (rule: FusionOptions['rule']): FusionOptions => ({
  rule,
  warnProbability: 0.5,
  strongProbability: 0.9,
});

describe('fuse', () => {
  it('or: either source raises; both when both do; evidence carries model probability and version', () => {
    expect(fuse({ kind: 'soft-short', physicsLevel: 'ok', model: model(0.6) }, options('or'))).toMatchObject({
      level: 'warning',
      source: 'model',
    });
    const both = fuse(
      {
        kind: 'sand-depletion',
        physicsLevel: 'critical',
        physicsEvidence: { jOverJstar: 1.8 },
        model: model(0.7),
      },
      options('or'),
    );
    expect(both.level).toBe('critical');
    expect(both.source).toBe('both');
    expect(both.evidence).toMatchObject({ jOverJstar: 1.8, modelProbability: 0.7, modelVersion: 'fm1-test' });
    expect(fuse({ kind: 'hard-short', physicsLevel: 'ok', model: model(0.2) }, options('or')).level).toBe(
      'ok',
    );
  });

  it('physics and model rules ignore the other source', () => {
    expect(
      fuse({ kind: 'void-growth', physicsLevel: 'warning', model: model(0.95) }, options('physics')),
    ).toMatchObject({
      level: 'warning',
      source: 'physics',
    });
    expect(
      fuse({ kind: 'void-growth', physicsLevel: 'critical', model: model(0.1) }, options('model')).level,
    ).toBe('ok');
  });

  it('confirm: the model escalates physics and warns alone only when very sure', () => {
    expect(
      fuse({ kind: 'soft-short', physicsLevel: 'warning', model: model(0.6) }, options('confirm')).level,
    ).toBe('critical');
    expect(
      fuse({ kind: 'soft-short', physicsLevel: 'ok', model: model(0.6) }, options('confirm')).level,
    ).toBe('ok');
    expect(
      fuse({ kind: 'soft-short', physicsLevel: 'ok', model: model(0.95) }, options('confirm')).level,
    ).toBe('warning');
    expect(fuse({ kind: 'soft-short', physicsLevel: 'warning' }, options('confirm')).level).toBe('warning');
  });

  it('gated: physics passes only with some model support, except hard shorts and before the model is ready', () => {
    const gated: FusionOptions = {
      rule: 'gated',
      warnProbability: 0.5,
      strongProbability: 0.9,
      gateProbability: 0.2,
    };
    expect(fuse({ kind: 'soft-short', physicsLevel: 'critical', model: model(0.05) }, gated).level).toBe(
      'ok',
    );
    expect(fuse({ kind: 'soft-short', physicsLevel: 'critical', model: model(0.3) }, gated)).toMatchObject({
      level: 'critical',
      source: 'physics',
    });
    expect(fuse({ kind: 'soft-short', physicsLevel: 'critical' }, gated).level).toBe('critical');
    expect(fuse({ kind: 'hard-short', physicsLevel: 'critical', model: model(0) }, gated).level).toBe(
      'critical',
    );
    expect(fuse({ kind: 'void-growth', physicsLevel: 'ok', model: model(0.95) }, gated)).toMatchObject({
      level: 'warning',
      source: 'model',
    });
  });
});
