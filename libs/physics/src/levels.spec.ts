import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevelHysteresis, levelOf, type Level } from './levels.js';

describe('levelOf', () => {
  const thresholds = { warning: 0.8, critical: 0.95 };
  it('applies thresholds, holding a reached level inside the dead band', () => {
    expect(levelOf(0.5, thresholds, 'ok', 0.1)).toBe('ok');
    expect(levelOf(0.8, thresholds, 'ok', 0.1)).toBe('warning');
    expect(levelOf(0.96, thresholds, 'ok', 0.1)).toBe('critical');
    expect(levelOf(0.75, thresholds, 'ok', 0.1)).toBe('ok');
    expect(levelOf(0.75, thresholds, 'warning', 0.1)).toBe('warning');
    expect(levelOf(0.7, thresholds, 'warning', 0.1)).toBe('ok');
    expect(levelOf(0.9, thresholds, 'critical', 0.1)).toBe('critical');
    expect(levelOf(NaN, thresholds, 'critical', 0.1)).toBe('ok');
  });

  it('handles values that are bad when low', () => {
    const low = { warning: 0.7, critical: 0.5 };
    expect(levelOf(0.9, low, 'ok', 0.1, false)).toBe('ok');
    expect(levelOf(0.6, low, 'ok', 0.1, false)).toBe('warning');
    expect(levelOf(0.4, low, 'ok', 0.1, false)).toBe('critical');
    expect(levelOf(0.54, low, 'critical', 0.1, false)).toBe('critical');
  });
});

describe('LevelHysteresis', () => {
  it('needs consecutive samples to raise and to clear', () => {
    const h = new LevelHysteresis({ raiseSamples: 2, clearSamples: 3 });
    const seen = (
      ['warning', 'ok', 'warning', 'warning', 'ok', 'ok', 'critical', 'ok', 'ok', 'ok'] as Level[]
    ).map((raw) => h.update(raw));
    expect(seen).toEqual([
      'ok',
      'ok',
      'ok',
      'warning',
      'warning',
      'warning',
      'warning',
      'warning',
      'warning',
      'ok',
    ]);
  });

  it('a signal that alternates every sample never flaps the output (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 200 }), (samples, length) => {
        const h = new LevelHysteresis({ raiseSamples: samples, clearSamples: samples });
        for (let i = 0; i < length; i++) expect(h.update(i % 2 === 0 ? 'warning' : 'ok')).toBe('ok');
      }),
    );
  });
});
