import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotError, type Snapshot } from '#physics';
// Test-only: the project's simulator makes the sample stream.
import { simulateScenario } from '#simulator';
import type { CycleStats } from './cycle-stats.js';
import { CycleTracker, type CycleTrackerOptions } from './cycle-tracker.js';

const T0 = Date.UTC(2026, 0, 1);

interface Segment {
  /** Current in A (0 = rest). */
  i_A: number;
  duration_s: number;
  /** Voltage during the segment: constant, or a linear ramp [from, to]. */
  v: number | [number, number];
  cycle?: number;
}

/** Feeds a protocol sampled every `dt_s` (plus optional current noise) and returns the closed cycles. */
function run(
  segments: Segment[],
  options: CycleTrackerOptions & { dt_s?: number; noise_A?: (k: number) => number } = {},
): CycleStats[] {
  const tracker = new CycleTracker(options);
  const dt_s = options.dt_s ?? 1;
  const out: CycleStats[] = [];
  let t_s = 0;
  let k = 0;
  for (const seg of segments) {
    const n = Math.round(seg.duration_s / dt_s);
    for (let s = 0; s < n; s++, k++) {
      const frac = s / Math.max(1, n - 1);
      const v = typeof seg.v === 'number' ? seg.v : seg.v[0] + (seg.v[1] - seg.v[0]) * frac;
      const i = seg.i_A + (options.noise_A?.(k) ?? 0);
      const closed = tracker.push(T0 + t_s * 1000, v, i, seg.cycle);
      if (closed) out.push(closed);
      t_s += dt_s;
    }
  }
  const last = tracker.finish();
  if (last) out.push(last);
  return out;
}

const fullCycle = (charge_A: number, discharge_A: number, cycle?: number): Segment[] => [
  { i_A: charge_A, duration_s: 3600, v: [3.5, 4.2], cycle },
  { i_A: 0, duration_s: 600, v: 4.1, cycle },
  { i_A: -discharge_A, duration_s: 3000, v: [4.0, 3.0], cycle },
  { i_A: 0, duration_s: 600, v: 3.4, cycle },
];

describe('CycleTracker', () => {
  it('integrates capacity and energy of a full cell with the trapezoid rule, one cycle per charge + discharge', () => {
    const cycles = run([
      ...fullCycle(0.001, 0.001),
      ...fullCycle(0.001, 0.0009),
      ...fullCycle(0.001, 0.0008),
    ]);
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2, 3]);
    expect(cycles.every((c) => c.complete && c.source === 'segmented')).toBe(true);
    const [first, second] = cycles as [CycleStats, CycleStats];
    // 1 mA for 3600 s sampled each second: 3599 intervals of 1 s inside, one shared with the rest.
    expect(first.chargeCapacity_mAh).toBeCloseTo(1, 3);
    expect(first.dischargeCapacity_mAh).toBeCloseTo((1 * 3000) / 3600, 3);
    expect(second.dischargeCapacity_mAh).toBeCloseTo((0.9 * 3000) / 3600, 3);
    expect(second.coulombicEfficiency).toBeCloseTo(0.75, 3);
    // Mean charge voltage of a linear ramp 3.5→4.2 is 3.85 V; energy = 1 mA × 3.85 V × 1 h.
    expect(first.meanChargeVoltage_V).toBeCloseTo(3.85, 2);
    expect(first.chargeEnergy_mWh).toBeCloseTo(3.85, 2);
    expect(first.meanDischargeVoltage_V).toBeCloseTo(3.5, 2);
    expect(first.meanPolarization_V).toBeCloseTo(0.35, 2);
    // Cycles tile the time line: each starts where its charge began.
    expect(second.start).toBe(first.end);
    expect(first.start).toBe(T0);
    expect(second.start).toBe(T0 + 7800 * 1000);
  });

  it('uses the cycler index when samples carry one', () => {
    const cycles = run([...fullCycle(0.002, 0.002, 7), ...fullCycle(0.002, 0.001, 8)]);
    expect(cycles.map((c) => [c.cycle, c.source])).toEqual([
      [7, 'cycler'],
      [8, 'cycler'],
    ]);
    expect(cycles[1]!.dischargeCapacity_mAh).toBeCloseTo((1 * 3000) / 3600, 2);
  });

  it('treats a symmetric Li|Li cell as plating + stripping half-cycles with polarization = mean |V|', () => {
    const half = (sign: number): Segment => ({ i_A: sign * 2.8e-6, duration_s: 3600, v: sign * 0.02 });
    const cycles = run([half(1), half(-1), half(1), half(-1), half(1), half(-1)], {
      symmetric: true,
      dt_s: 30,
    });
    expect(cycles).toHaveLength(3);
    for (const c of cycles) {
      expect(c.chargeCapacity_mAh).toBeCloseTo(2.8e-3, 4);
      expect(c.meanPolarization_V).toBeCloseTo(0.02, 6);
      expect(c.coulombicEfficiency).toBeCloseTo(1, 2);
    }
  });

  it('does not split a step on noise around the set current or on a short pause', () => {
    const noisy = run(
      [
        { i_A: 0.01, duration_s: 1800, v: 3.8 },
        { i_A: 0, duration_s: 20, v: 3.8 }, // a 20 s interruption (DCIR pulse, relay)
        { i_A: 0.01, duration_s: 1800, v: 3.9 },
        { i_A: -0.01, duration_s: 3000, v: 3.6 },
        { i_A: 0, duration_s: 1200, v: 3.5 },
        { i_A: 0.01, duration_s: 1800, v: 3.8 },
        { i_A: -0.01, duration_s: 1800, v: 3.6 },
      ],
      { noise_A: (k) => 2e-4 * Math.sin(k * 1.7) },
    );
    expect(noisy.map((c) => c.cycle)).toEqual([1, 2]);
    expect(noisy[0]!.chargeCapacity_mAh).toBeCloseTo((10 * 3600) / 3600, 1);
  });

  it('starts a cycle with whichever direction the run began with (discharge-first protocols)', () => {
    const cycles = run([
      { i_A: -0.001, duration_s: 1800, v: 3.5 },
      { i_A: 0.001, duration_s: 1800, v: 3.9 },
      { i_A: -0.001, duration_s: 1800, v: 3.5 },
      { i_A: 0.001, duration_s: 1800, v: 3.9 },
    ]);
    expect(cycles.map((c) => c.complete)).toEqual([true, true]);
    expect(cycles[0]!.chargeCapacity_mAh).toBeCloseTo(0.5, 2);
  });

  it('conserves charge: the cycles together hold the integral of the whole stream', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            i: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
            n: fc.integer({ min: 1, max: 80 }),
          }),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        (blocks) => {
          const tracker = new CycleTracker();
          let t = 0;
          let total_C = 0;
          let last: number | undefined;
          let chargeSum = 0;
          let dischargeSum = 0;
          const take = (c: CycleStats | undefined) => {
            if (!c) return;
            chargeSum += c.chargeCapacity_mAh * 3.6;
            dischargeSum += c.dischargeCapacity_mAh * 3.6;
          };
          for (const b of blocks) {
            for (let k = 0; k < b.n; k++) {
              if (last !== undefined) total_C += 0.5 * (last + b.i) * 2;
              take(tracker.push(T0 + t * 1000, 1, b.i));
              last = b.i;
              t += 2;
            }
          }
          take(tracker.finish());
          expect(chargeSum - dischargeSum).toBeCloseTo(total_C, 9);
        },
      ),
    );
  });
});

describe('StepClassifier peak memory', () => {
  it('segments cycling at a tenth of an earlier pulse current once the pulse is days old', () => {
    const pulse: Segment[] = [
      { i_A: 0.1, duration_s: 60, v: 4 },
      { i_A: 0, duration_s: 3 * 86_400, v: 3.8 },
    ];
    const cycling = (n: number): Segment[] =>
      Array.from({ length: n }, () => [
        { i_A: 0.002, duration_s: 3600, v: 3.9 },
        { i_A: -0.002, duration_s: 3600, v: 3.7 },
      ]).flat();
    const cycles = run([...pulse, ...cycling(3)], { dt_s: 60 });
    // The pulse and the rest are cycle 1's charge; then 0.002 A (2 % of the pulse) cycles are told apart.
    expect(cycles.length).toBeGreaterThanOrEqual(3);
    expect(cycles.at(-1)!.dischargeCapacity_mAh).toBeCloseTo(2, 1);
  });
});

describe('CycleTracker checkpoints', () => {
  // A simulated run from the project's simulator (libs/simulator): charge/discharge with rests.
  const samples = (() => {
    const run = simulateScenario({ scenario: 'healthy', seed: 1 });
    return [...run.samples()].map((s) => ({ ts: T0 + s.time_s * 1000, v: s.v, i: s.i }));
  })();

  function cycles(
    tracker: CycleTracker,
    part: readonly { ts: number; v: number; i: number }[],
  ): CycleStats[] {
    const out: CycleStats[] = [];
    for (const s of part) {
      const closed = tracker.push(s.ts, s.v, s.i);
      if (closed) out.push(closed);
    }
    return out;
  }

  it.each([0.25, 0.5, 0.75])(
    'restored at %f of a run, closes the same cycles as the straight run',
    (fraction) => {
      const straight = cycles(new CycleTracker({ symmetric: true }), samples);
      expect(straight.length).toBeGreaterThanOrEqual(2);
      const cut = Math.floor(samples.length * fraction);
      const first = new CycleTracker({ symmetric: true });
      const before = cycles(first, samples.slice(0, cut));
      const resumed = new CycleTracker({ symmetric: true });
      resumed.restore(JSON.parse(JSON.stringify(first.snapshot())) as Snapshot);
      expect([...before, ...cycles(resumed, samples.slice(cut))]).toEqual(straight);
    },
  );

  it('refuses a checkpoint of another version', () => {
    const snapshot = new CycleTracker().snapshot();
    expect(() => new CycleTracker().restore({ ...snapshot, version: snapshot.version + 1 })).toThrow(
      SnapshotError,
    );
  });
});
