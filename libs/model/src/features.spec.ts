import { describe, expect, it } from 'vitest';
import {
  createFeatureWindow,
  FEATURE_CHANNELS,
  FEATURE_MIN_STEPS,
  FEATURE_SIZE,
  FEATURE_STEP_S,
  FEATURE_STEPS,
} from './features.js';

const C = FEATURE_CHANNELS.length;
const channel = (name: (typeof FEATURE_CHANNELS)[number]): number => FEATURE_CHANNELS.indexOf(name);
const t0_ms = Date.UTC(2026, 0, 1);

describe('createFeatureWindow', () => {
  it('becomes ready after the minimum history and resamples to fixed steps, newest row last', () => {
    const window = createFeatureWindow({ electrodeArea_cm2: 1 });
    let k = 0;
    for (; k < (FEATURE_MIN_STEPS - 1) * FEATURE_STEP_S; k++)
      window.push({ ts: t0_ms + k * 1000, v: 0.05, i: 1e-3 });
    expect(window.ready()).toBe(false);
    for (; k < FEATURE_MIN_STEPS * FEATURE_STEP_S + 1; k++)
      window.push({ ts: t0_ms + k * 1000, v: 0.05, i: 1e-3 });
    expect(window.ready()).toBe(true);
    const w = window.window();
    expect(w).toHaveLength(FEATURE_SIZE);
    // Rows before the first sample are empty; the last row is present, at the window's usual current,
    // polarization and resistance.
    expect(w[channel('present')]).toBe(0);
    const last = (FEATURE_STEPS - 1) * C;
    expect(w[last + channel('present')]).toBe(1);
    expect(w[last + channel('relativeCurrent')]).toBeCloseTo(1, 5);
    expect(w[last + channel('relativeAsr')]).toBeCloseTo(0, 4);
    expect(w[last + channel('relativePolarization')]).toBeCloseTo(1, 4);
  });

  it('makes current, polarization and resistance relative to the window', () => {
    const window = createFeatureWindow({ electrodeArea_cm2: 1 });
    // 5 min at 1 mA and 50 mV, then 5 min at 0.5 mA and 50 mV (resistance doubled).
    for (let k = 0; k < 600; k++) {
      const late = k >= 300;
      window.push({ ts: t0_ms + k * 1000, v: 0.05, i: late ? 0.5e-3 : 1e-3 });
    }
    const w = window.window();
    const first = 1 * C;
    const last = (FEATURE_STEPS - 1) * C;
    expect(w[first + channel('relativeCurrent')]).toBeCloseTo(1, 5);
    expect(w[last + channel('relativeCurrent')]).toBeCloseTo(0.5, 5);
    expect(w[last + channel('relativeAsr')]! - w[first + channel('relativeAsr')]!).toBeCloseTo(
      Math.log(2),
      4,
    );
  });

  it('carries physics estimates and marks a dropout as empty rows', () => {
    const window = createFeatureWindow({ electrodeArea_cm2: 2, stack: { nominalPressure_MPa: 5 } });
    for (let k = 0; k < 200; k++) {
      window.push(
        { ts: t0_ms + k * 1000, v: 0.1, i: 2e-3, p: 4 },
        { depletionFraction: 0.5, jOverJstar: 2.5, contactFraction: 0.8, shortResistance_ohm: null },
      );
    }
    // 60 s without samples, then one more.
    window.push({ ts: t0_ms + 260_000, v: 0.1, i: 2e-3 });
    const w = window.window();
    const last = (FEATURE_STEPS - 1) * C;
    expect(w[last + channel('depletionFraction')]).toBeCloseTo(0.5, 5);
    expect(w[last + channel('jOverJstar')]).toBeCloseTo(0.5, 5);
    expect(w[last + channel('contactFraction')]).toBeCloseTo(0.8, 5);
    expect(w[last + channel('shortConductance')]).toBe(0);
    expect(w[last + channel('pressureChange')]).toBeCloseTo(-0.2, 5);
    // Samples up to 199 s, then 260 s: the six 10 s rows of 200–259 s are empty.
    const present = (row: number): number => w[row * C + channel('present')]!;
    expect([52, 53, 54, 55, 56, 57, 58, 59].map(present)).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('starts over when data time jumps back, and after reset()', () => {
    const window = createFeatureWindow({ electrodeArea_cm2: 1 });
    for (let k = 0; k < 300; k++) window.push({ ts: t0_ms + k * 1000, v: 0.05, i: 1e-3 });
    expect(window.ready()).toBe(true);
    window.push({ ts: t0_ms - 3_600_000, v: 0.05, i: 1e-3 });
    expect(window.ready()).toBe(false);
    for (let k = 0; k < 300; k++) window.push({ ts: t0_ms + k * 1000, v: 0.05, i: 1e-3 });
    window.reset();
    expect(window.ready()).toBe(false);
    expect(window.window().every((x) => x === 0)).toBe(true);
  });

  it('gives finite numbers for a window spent entirely at rest', () => {
    const window = createFeatureWindow({ electrodeArea_cm2: 1 });
    for (let k = 0; k < 300; k++) window.push({ ts: t0_ms + k * 1000, v: 1e-5 * (k % 3), i: 0 });
    expect(window.window().every((x) => Number.isFinite(x))).toBe(true);
  });

  it('treats a µA cell under current as loaded, like a mA cell', () => {
    const micro = createFeatureWindow({ electrodeArea_cm2: 1 });
    const milli = createFeatureWindow({ electrodeArea_cm2: 1 });
    for (let k = 0; k < 300; k++) {
      const sign = Math.floor(k / 100) % 2 === 0 ? 1 : -1;
      micro.push({ ts: t0_ms + k * 1000, v: sign * 0.002, i: sign * 2.8e-6 });
      milli.push({ ts: t0_ms + k * 1000, v: sign * 0.05, i: sign * 1e-3 });
    }
    const a = micro.window();
    const b = milli.window();
    for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k]!, 4);
    expect(a[(FEATURE_STEPS - 1) * C + channel('relativePolarization')]).toBeCloseTo(1, 4);
  });
});
