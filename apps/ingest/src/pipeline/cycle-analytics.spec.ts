import { describe, expect, it } from 'vitest';
import { defaultCellConfig, type CycleSummary, type Sample } from '#contracts';
import type { Detector } from '../detection/detector.js';
import { CellTracker } from './cell-tracker.js';
import { CycleAnalytics, CycleRecorder } from './cycle-analytics.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet: Detector = { update: () => ({ estimates: {}, findings: [] }) };

/** Charge, rest, discharge, rest at ±1 mA, 10 s sampling, `cycles` times, from `t0`. */
function protocol(cycles: number, t0 = T0, withIndex = false): Sample[] {
  const out: Sample[] = [];
  let ts = t0;
  for (let c = 1; c <= cycles; c++) {
    for (const [i, n] of [
      [0.001, 360],
      [0, 60],
      [-0.001, 300],
      [0, 60],
    ] as const) {
      for (let k = 0; k < n; k++, ts += 10_000)
        out.push({ ts, v: 3.7 + i * 100, i, ...(withIndex ? { cycle: c } : {}) });
    }
  }
  return out;
}

function feed(analytics: CycleAnalytics, cell: CellTracker, samples: Sample[], chunk = 97): void {
  for (let k = 0; k < samples.length; k += chunk) {
    const admitted = cell.admit(samples.slice(k, k + chunk));
    cell.detect(admitted);
    analytics.add(cell, admitted);
  }
}

describe('CycleAnalytics', () => {
  it('emits each completed cycle of a cell with its rig and cell, whatever the message boundaries', () => {
    const cycles: CycleSummary[] = [];
    const analytics = new CycleAnalytics((c) => cycles.push(c));
    const cell = new CellTracker('rig', 'c1', defaultCellConfig('rig', 'c1'), () => quiet);
    feed(analytics, cell, protocol(4));
    // The fourth cycle is still open: nothing has started a fifth.
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2, 3]);
    expect(cycles[0]).toMatchObject({ rigId: 'rig', cellId: 'c1', source: 'segmented', complete: true });
    expect(cycles[1]!.chargeCapacity_mAh).toBeCloseTo(1, 2);
    expect(cycles[1]!.dischargeCapacity_mAh).toBeCloseTo((300 * 10) / 3600, 2);
    expect(analytics.completed).toBe(3);
  });

  it('drops the open cycle when the cell starts a new run (data time jumps back)', () => {
    const cycles: CycleSummary[] = [];
    const analytics = new CycleAnalytics((c) => cycles.push(c));
    const cell = new CellTracker('rig', 'c1', defaultCellConfig('rig', 'c1'), () => quiet);
    const run = protocol(2, T0, true);
    feed(analytics, cell, run.slice(0, 1000));
    feed(analytics, cell, run);
    // Run 1 closed cycle 1 (index change); run 2 closes cycle 1 again, then nothing closes cycle 2.
    expect(cycles.map((c) => [c.cycle, c.source])).toEqual([
      [1, 'cycler'],
      [1, 'cycler'],
    ]);
    expect(cycles[1]!.start).toBe(T0);
  });
});

describe('CycleRecorder', () => {
  const cycle = (n: number, source: CycleSummary['source'] = 'segmented'): CycleSummary => ({
    rigId: 'rig',
    cellId: 'c1',
    cycle: n,
    start: T0 + n * 1000,
    end: T0 + n * 1000 + 900,
    chargeCapacity_mAh: 1,
    dischargeCapacity_mAh: 0.9,
    coulombicEfficiency: 0.9,
    chargeEnergy_mWh: 3.8,
    dischargeEnergy_mWh: 3.2,
    meanPolarization_V: 0.1,
    meanChargeVoltage_V: 3.8,
    meanDischargeVoltage_V: 3.7,
    duration_s: 0.9,
    chargeDuration_s: 0.4,
    dischargeDuration_s: 0.4,
    samples: 10,
    complete: true,
    source,
  });

  it('numbers segmented cycles on from the last one stored, publishes and stores them in order', async () => {
    const stored: CycleSummary[] = [cycle(1), cycle(2), cycle(40, 'cycler')];
    const published: number[] = [];
    const recorder = new CycleRecorder(
      {
        queryCycles: () => Promise.resolve(stored),
        writeCycles: (c) => Promise.resolve(void stored.push(...c)),
      },
      (c) => published.push(c.cycle),
    );
    recorder.add(cycle(1));
    recorder.add(cycle(2));
    recorder.add(cycle(41, 'cycler'));
    await recorder.stop();
    expect(published).toEqual([3, 4, 41]);
    expect(stored.slice(3).map((c) => c.cycle)).toEqual([3, 4, 41]);
    expect(recorder.written).toBe(3);
  });

  it('keeps cycles while the store is down and drops the oldest beyond its bound, counted', async () => {
    let up = false;
    const written: number[] = [];
    const recorder = new CycleRecorder(
      {
        queryCycles: () => Promise.reject(new Error('down')),
        writeCycles: (c) =>
          up
            ? Promise.resolve(void written.push(...c.map((x) => x.cycle)))
            : Promise.reject(new Error('down')),
      },
      () => undefined,
      500,
      3,
    );
    for (let n = 1; n <= 5; n++) recorder.add(cycle(n));
    await recorder.stop();
    expect(recorder.dropped).toBe(2);
    up = true;
    await recorder.flush();
    expect(written).toEqual([3, 4, 5]);
  });
});
