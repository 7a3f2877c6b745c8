import { describe, expect, it } from 'vitest';
// Test-only: the project's simulator (libs/simulator) makes labelled physics-based runs.
import { simulateScenario } from '#simulator';
import { CellMonitor, type CellSample, type MonitorResult } from './cell-monitor.js';
import { DataGapDetector, PressureDetector, ThermalDetector } from './condition-detectors.js';
import { DepletionTracker } from './depletion-tracker.js';
import { HardShortDetector } from './hard-short-detector.js';
import { restoreSnapshot, SnapshotError, takeSnapshot, type Snapshot } from './snapshot.js';
import { SoftShortDetector } from './soft-short-detector.js';
import { defaultThresholds } from './thresholds.js';

// 2026-01-05T09:00:00Z, the data time given to each run's start.
const start_ms = 1_767_603_600_000;
const scenarios = ['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const;

function samplesOf(scenario: (typeof scenarios)[number], seed: number) {
  const run = simulateScenario({ scenario, seed });
  const samples: CellSample[] = [];
  for (const s of run.samples())
    samples.push({ ts: start_ms + s.time_s * 1000, v: s.v, i: s.i, t: s.t, p: s.p });
  return { config: run.config, samples };
}

/** A checkpoint as it comes back from the store: through JSON text. */
function throughJson(snapshot: Snapshot): Snapshot {
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot;
}

describe('CellMonitor checkpoints on simulator runs', () => {
  it.each(scenarios.map((scenario) => [scenario, 1] as const))(
    '%s (seed %i): restored at a third and at two thirds, every later result equals the straight run',
    (scenario, seed) => {
      const { config, samples } = samplesOf(scenario, seed);
      const straight = new CellMonitor(config);
      const expected: MonitorResult[] = samples.map((s) => straight.update(s));
      expect(expected.some((r) => r.events.length > 0) || scenario === 'healthy').toBe(true);
      for (const fraction of [1 / 3, 2 / 3]) {
        const cut = Math.floor(samples.length * fraction);
        const first = new CellMonitor(config);
        for (const s of samples.slice(0, cut)) first.update(s);
        const resumed = new CellMonitor(config);
        resumed.restore(throughJson(first.snapshot()));
        const results = samples.slice(cut).map((s) => resumed.update(s));
        expect(results).toEqual(expected.slice(cut));
        // The checkpoint is the state, not a copy of the past: equal after the same samples.
        expect(resumed.snapshot()).toEqual(straight.snapshot());
      }
    },
  );

  it('is plain JSON with a type and a version at every level', () => {
    const { config, samples } = samplesOf('soft-short', 1);
    const monitor = new CellMonitor(config);
    for (const s of samples.slice(0, 2000)) monitor.update(s);
    const snapshot = monitor.snapshot();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot).toMatchObject({ type: 'CellMonitor', version: 1 });
    const nested = JSON.stringify(snapshot).match(/"type":"[A-Za-z]+","version":\d+/g) ?? [];
    expect(new Set(nested)).toEqual(
      new Set([
        '"type":"CellMonitor","version":1',
        '"type":"DepletionTracker","version":1',
        '"type":"SoftShortDetector","version":1',
        '"type":"HardShortDetector","version":1',
        '"type":"ThermalDetector","version":1',
        '"type":"PressureDetector","version":1',
        '"type":"DataGapDetector","version":1',
      ]),
    );
  });
});

describe('checkpoints that do not fit are refused, never misread', () => {
  const t = defaultThresholds;
  const detectors = () => [
    new SoftShortDetector('full', t),
    new HardShortDetector('full', t),
    new ThermalDetector(t),
    new PressureDetector(t, 5),
    new DataGapDetector(t),
    new DepletionTracker({
      diffusivity_m2_s: 3e-10,
      concentration_mol_m3: 1000,
      anionTransference: 0.62,
      gap_m: 25e-6,
    }),
  ];

  it.each(detectors().map((d) => [d.constructor.name, d] as const))(
    '%s: round trip, version and shape',
    (_, d) => {
      const snapshot = throughJson(d.snapshot());
      expect(snapshot.version).toBe(1);
      const fresh = detectors().find((x) => x.constructor === d.constructor)!;
      fresh.restore(snapshot);
      expect(fresh.snapshot()).toEqual(snapshot);
      expect(() => fresh.restore({ ...snapshot, version: 0 })).toThrow(SnapshotError);
      const [field] = Object.keys(snapshot.state);
      const renamed: Snapshot['state'] = { ...snapshot.state, renamedField: snapshot.state[field!]! };
      delete renamed[field!];
      expect(() => fresh.restore({ ...snapshot, state: renamed })).toThrow(/fields differ/);
    },
  );

  it('refuses a checkpoint of another class', () => {
    const soft = new SoftShortDetector('full', t);
    expect(() => new HardShortDetector('full', t).restore(soft.snapshot())).toThrow(
      /not of a HardShortDetector/,
    );
  });

  it('refuses a field of another kind', () => {
    class Counter {
      count = 0;
      window = new Float64Array(3);
    }
    const snapshot = takeSnapshot(new Counter(), 2);
    expect(() =>
      restoreSnapshot(new Counter(), { ...snapshot, state: { ...snapshot.state, count: 'x' } }, 2),
    ).toThrow(/string where the object has a number/);
    expect(() =>
      restoreSnapshot(new Counter(), { ...snapshot, state: { ...snapshot.state, window: [1, 2, 3] } }, 2),
    ).toThrow(/array where the object has a Float64Array/);
  });

  it('keeps NaN, ±Infinity, -0, undefined, typed arrays, maps and sets through JSON', () => {
    class Odd {
      values = [NaN, Infinity, -Infinity, -0, 1.5];
      missing: number | undefined = undefined;
      window = Float64Array.from([NaN, 2]);
      byKey = new Map<number, { a: number }>([[3, { a: NaN }]]);
      seen = new Set(['x']);
      nested: { at: number } | null = { at: 1 };
    }
    const source = new Odd();
    source.missing = 4;
    source.nested = null;
    const target = new Odd();
    restoreSnapshot(target, JSON.parse(JSON.stringify(takeSnapshot(source, 1))) as Snapshot, 1);
    expect(target).toEqual(source);
    expect(Object.is(target.values[3], -0)).toBe(true);
  });
});
