import { describe, expect, it } from 'vitest';
import type { CycleSummary, TelemetryPoint } from '#contracts';
import { alignedCycleColumns, cellCycleColumns, parseCellList, voltageCapacityCurve } from './cycles.js';

const cycle = (n: number, discharge_mAh: number, ce: number | null): CycleSummary => ({
  rigId: 'r',
  cellId: 'c',
  cycle: n,
  start: n * 1000,
  end: n * 1000 + 900,
  chargeCapacity_mAh: 1,
  dischargeCapacity_mAh: discharge_mAh,
  coulombicEfficiency: ce,
  chargeEnergy_mWh: 3.8,
  dischargeEnergy_mWh: 3.4,
  meanPolarization_V: 0.1 * n,
  meanChargeVoltage_V: 3.8,
  meanDischargeVoltage_V: 3.7,
  duration_s: 0.9,
  chargeDuration_s: 0.4,
  dischargeDuration_s: 0.4,
  samples: 9,
  complete: true,
  source: 'segmented',
});

describe('cycle plots', () => {
  it('gives one cell’s capacities and CE in percent against cycle number', () => {
    expect(cellCycleColumns([cycle(1, 0.98, 0.98), cycle(2, 0.97, null)])).toEqual([
      [1, 2],
      [1, 1],
      [0.98, 0.97],
      [98, null],
    ]);
  });

  it('aligns several cells on the union of their cycle numbers, null where a cell has none', () => {
    const a = [cycle(1, 0.9, 0.9), cycle(2, 0.8, 0.8)];
    const b = [cycle(2, 0.7, 0.95), cycle(3, 0.6, 0.96)];
    expect(alignedCycleColumns([a, b], 'dischargeCapacity_mAh')).toEqual([
      [1, 2, 3],
      [0.9, 0.8, null],
      [null, 0.7, 0.6],
    ]);
    expect(alignedCycleColumns([a, b], 'coulombicEfficiency')[2]).toEqual([null, 95, 96]);
  });

  it('integrates the voltage–capacity curve of a cycle per direction with the trapezoid rule', () => {
    const points: TelemetryPoint[] = [];
    // 1 h at +1 mA, 10 min rest, 30 min at −2 mA, sampled every minute.
    for (let m = 0; m <= 60; m++) points.push({ ts: m * 60_000, v: 3.5 + m / 100, i: 0.001 });
    for (let m = 61; m <= 70; m++) points.push({ ts: m * 60_000, v: 4, i: 0 });
    for (let m = 71; m <= 100; m++) points.push({ ts: m * 60_000, v: 4 - (m - 71) / 100, i: -0.002 });
    const curve = voltageCapacityCurve(points);
    expect(curve.charge.capacity_mAh.at(-1)).toBeCloseTo(1, 9);
    expect(curve.charge.v).toHaveLength(61);
    expect(curve.discharge.capacity_mAh[0]).toBe(0);
    expect(curve.discharge.capacity_mAh.at(-1)).toBeCloseTo((2 * 29) / 60, 9);
  });

  it('reads the compare route’s cell list, skipping malformed and repeated entries', () => {
    expect(parseCellList('r1/c1,r1/c2,bad,r1/c1,a/b/c')).toEqual([
      { rigId: 'r1', cellId: 'c1' },
      { rigId: 'r1', cellId: 'c2' },
    ]);
    expect(parseCellList(null)).toEqual([]);
  });
});
