import { SCENARIOS } from '#contracts';
import { describe, expect, it } from 'vitest';
import { DEPLETION_FRACTION_EVENT, simulateCell, type CellParams, type SimulatedSample } from './cell.js';
import { polymerCell } from './scenarios.js';
import { Rng } from './rng.js';
import { simulateScenario } from './scenarios.js';

const faraday_C_per_mol = 96485.33212;

function collect(samples: Iterable<SimulatedSample>, limit = Infinity): SimulatedSample[] {
  const out: SimulatedSample[] = [];
  for (const sample of samples) {
    out.push(sample);
    if (out.length >= limit) break;
  }
  return out;
}

function quietPolymer(): CellParams {
  return {
    ...polymerCell(new Rng(7)),
    gap_um: 3000,
    diffusivity_cm2_s: 5e-8,
    concentration_mol_L: 1.3,
    nucleationOvershoot: 0,
    activationExcess: 0,
    voltageNoise_V: 0,
    voltageQuantum_V: 0,
  };
}

describe('simulateCell', () => {
  it("depletes at Sand's time under constant current in a wide gap", () => {
    const params = quietPolymer();
    const current_mA_cm2 = 2;
    const run = simulateCell(
      params,
      {
        steps: [{ duration_s: 3000, current_mA_cm2 }],
        duration_s: 3000,
        ambient: [],
        sampleInterval_s: 1,
        sampleJitter: 0,
        dropoutsPerHour: 0,
        hasTemperature: false,
        hasPressure: false,
      },
      {},
      1,
    );
    // tau = pi·D·(F·c0/(2·J·t_a))² (PHYSICS.md §1); the event is c_s = (1 − 0.99)·c0, i.e. at 0.99²·tau.
    const d_m2_s = params.diffusivity_cm2_s * 1e-4;
    const j_A_m2 = current_mA_cm2 * 10;
    const tau_s = Math.PI * d_m2_s * ((faraday_C_per_mol * 1300) / (2 * j_A_m2 * 0.84)) ** 2;
    const expected_s = tau_s * DEPLETION_FRACTION_EVENT ** 2;
    const labels = run.labels;
    expect(labels.kind).toBe('sand-depletion');
    expect(Math.abs(labels.onset_s! - expected_s) / expected_s).toBeLessThan(0.02);
    // The voltage diverges at depletion.
    const samples = collect(run.samples());
    const early = samples.find((s) => s.time_s > 60)!.v;
    const atTau = samples.find((s) => s.time_s > labels.onset_s!)!.v;
    expect(atTau).toBeGreaterThan(early + 0.1);
  });

  it('is deterministic by seed', () => {
    for (const scenario of SCENARIOS) {
      const a = simulateScenario({ scenario, seed: 11 });
      const b = simulateScenario({ scenario, seed: 11 });
      const c = simulateScenario({ scenario, seed: 12 });
      expect(collect(a.samples(), 3000)).toEqual(collect(b.samples(), 3000));
      expect(a.labels).toEqual(b.labels);
      expect(collect(c.samples(), 3000)).not.toEqual(collect(a.samples(), 3000));
    }
  });
});

describe('simulateScenario', () => {
  it('keeps healthy runs healthy: no event, polarization within bounds', () => {
    for (const seed of [1, 2, 3]) {
      const run = simulateScenario({ scenario: 'healthy', seed });
      expect(run.labels).toEqual({ kind: 'healthy' });
      const samples = collect(run.samples());
      expect(samples.at(-1)!.time_s).toBeGreaterThan(3 * 3600 - 10);
      for (const s of samples) expect(Math.abs(s.v)).toBeLessThan(0.2);
      // Under current the voltage never looks shorted.
      const loaded = samples.filter((s) => Math.abs(s.i) > 1e-4);
      expect(loaded.every((s) => Math.abs(s.v) > 0.01)).toBe(true);
    }
  });

  it.each(['sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const)(
    '%s is labelled and fails within 3 h of data time',
    (scenario) => {
      for (const seed of [1, 2]) {
        const labels = simulateScenario({ scenario, seed }).labels;
        expect(labels.kind).toBe(scenario);
        expect(labels.onset_s).toBeGreaterThan(600);
        expect(labels.hardShort_s).toBeGreaterThanOrEqual(labels.onset_s!);
        expect(labels.hardShort_s).toBeLessThan(3 * 3600);
      }
    },
  );

  it('shows each signature', () => {
    const seed = 4;
    const maxAbsV = (samples: SimulatedSample[], from_s: number, to_s: number): number =>
      Math.max(...samples.filter((s) => s.time_s >= from_s && s.time_s < to_s).map((s) => Math.abs(s.v)));

    const sand = simulateScenario({ scenario: 'sand-depletion', seed });
    const sandSamples = collect(sand.samples());
    const onset_s = sand.labels.onset_s!;
    // Voltage divergence at depletion, far above anything before.
    expect(maxAbsV(sandSamples, onset_s - 5, onset_s + 30)).toBeGreaterThan(
      1.5 * maxAbsV(sandSamples, 0, onset_s - 1200),
    );

    const voids = simulateScenario({ scenario: 'void-growth', seed });
    const voidSamples = collect(voids.samples());
    const voidOnset_s = voids.labels.onset_s!;
    // Within the last half-cycle before the event the stripping resistance rises at constant current.
    const resistance = (s: SimulatedSample): number => Math.abs(s.v / s.i);
    const before = voidSamples.filter((s) => s.time_s <= voidOnset_s);
    let start = before.length - 1;
    while (start > 0 && Math.sign(before[start - 1]!.i) === Math.sign(before.at(-1)!.i)) start--;
    const stepStart_s = before[start]!.time_s;
    const atStart = before
      .filter((s) => s.time_s > stepStart_s + 60 && s.time_s < stepStart_s + 120)
      .map(resistance);
    const atEnd = before.filter((s) => s.time_s > voidOnset_s - 30).map(resistance);
    expect(Math.max(...atEnd)).toBeGreaterThan(1.3 * Math.max(...atStart));
    const pressureEarly = voidSamples[100]!.p!;
    const pressureLate = voidSamples.filter((s) => s.time_s <= voidOnset_s).at(-1)!.p!;
    expect(pressureLate).toBeLessThan(pressureEarly - 0.3);

    const soft = simulateScenario({ scenario: 'soft-short', seed });
    const softSamples = collect(soft.samples());
    const { onset_s: softOnset_s, hardShort_s } = soft.labels;
    // Polarization under current collapses after the onset (and before the hard short).
    const meanLoaded = (from_s: number, to_s: number): number => {
      const xs = softSamples.filter((s) => s.time_s >= from_s && s.time_s < to_s && Math.abs(s.i) > 1e-4);
      return xs.reduce((sum, s) => sum + Math.abs(s.v), 0) / xs.length;
    };
    expect(meanLoaded(hardShort_s! - 1800, hardShort_s!)).toBeLessThan(0.6 * meanLoaded(0, softOnset_s!));

    for (const run of [simulateScenario({ scenario: 'hard-short', seed }), soft, sand]) {
      const after = collect(run.samples()).filter(
        (s) => s.time_s > run.labels.hardShort_s! + 5 && Math.abs(s.i) > 1e-4,
      );
      expect(after.length).toBeGreaterThan(10);
      for (const s of after) expect(Math.abs(s.v)).toBeLessThan(2e-3);
    }
  });
});
