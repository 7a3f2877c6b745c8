import type { ReplaySample } from './types.js';

export interface SyntheticRunOptions {
  seed: number;
  /** Number of steps, cycling rest → charge → rest → discharge (default 8). */
  steps?: number;
  samplesPerStep?: number;
  dt_s?: number;
  current_A?: number;
  resistance_ohm?: number;
  capacity_Ah?: number;
  temperature?: boolean;
  pressure?: boolean;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deterministic toy galvanostatic run for reader round trips (not the project's simulator):
 * steps of rest, +I, rest, -I; state of charge by coulomb counting; V = OCV(soc) + I·R with a linear
 * OCV of 3.4–4.2 V and ±0.5 mV seeded noise; temperature from I²R heating; stack pressure swelling
 * with state of charge.
 */
export function syntheticRun(options: SyntheticRunOptions): ReplaySample[] {
  const random = seededRandom(options.seed);
  const steps = options.steps ?? 8;
  const samplesPerStep = options.samplesPerStep ?? 20;
  const dt_s = options.dt_s ?? 10;
  const current_A = options.current_A ?? 0.002;
  const resistance_ohm = options.resistance_ohm ?? 5;
  const capacity_Ah = options.capacity_Ah ?? 0.001;
  const samples: ReplaySample[] = [];
  let soc = 0.2;
  let time_s = 0;
  let cycle = 1;
  for (let step = 1; step <= steps; step++) {
    const phase = (step - 1) % 4;
    const i = phase === 1 ? current_A : phase === 3 ? -current_A : 0;
    for (let k = 0; k < samplesPerStep; k++) {
      soc = Math.min(1, Math.max(0, soc + (i * dt_s) / 3600 / capacity_Ah));
      const v = 3.4 + 0.8 * soc + i * resistance_ohm + (random() - 0.5) * 1e-3;
      const sample: ReplaySample = { time_s, v, i, cycle, step };
      if (options.temperature) sample.t = 25 + i * i * resistance_ohm * 1000 + (random() - 0.5) * 0.05;
      if (options.pressure) sample.p = 1 + 0.05 * soc + (random() - 0.5) * 1e-3;
      samples.push(sample);
      time_s += dt_s * (0.9 + 0.2 * random());
    }
    if (phase === 3) cycle++;
  }
  return samples;
}
