import { describe, expect, it } from 'vitest';
import { DataGapDetector, formatDuration, PressureDetector, ThermalDetector } from './condition-detectors.js';
import { defaultThresholds } from './thresholds.js';

describe('ThermalDetector', () => {
  it('warns at +10 K and goes critical at +20 K above the baseline, with a dead band on the way down', () => {
    const d = new ThermalDetector(defaultThresholds);
    const seen = [25, 25.2, 35.3, 45.5, 43.5, 34.5, 33.9, 25].map((t) => d.update(10, t).level);
    expect(seen).toEqual(['ok', 'ok', 'warning', 'critical', 'critical', 'warning', 'ok', 'ok']);
  });

  it('follows a slow drift of the chamber without raising', () => {
    const d = new ThermalDetector(defaultThresholds);
    // +15 K over 10 hours, sampled every minute.
    const levels = Array.from({ length: 600 }, (_, k) => d.update(60, 25 + (15 * k) / 600).level);
    expect(levels.every((l) => l === 'ok')).toBe(true);
  });
});

describe('PressureDetector', () => {
  it('warns on 25 % drift, critical at 50 % or above 25 MPa', () => {
    const d = new PressureDetector(defaultThresholds, 5);
    expect(d.update(5.2).level).toBe('ok');
    expect(d.update(3.6).level).toBe('warning');
    expect(d.update(2.4).level).toBe('critical');
    expect(new PressureDetector(defaultThresholds, 20).update(26).message).toMatch(/above 25 MPa/);
  });
});

describe('DataGapDetector', () => {
  it('rates the interval just ended', () => {
    const d = new DataGapDetector(defaultThresholds);
    expect(d.update(30).level).toBe('ok');
    expect(d.update(700).level).toBe('warning');
    expect(d.update(7200).message).toBe(
      'no data for 2.0 h before this sample: events in between were not seen',
    );
    expect(formatDuration(240)).toBe('4 min');
  });
});
