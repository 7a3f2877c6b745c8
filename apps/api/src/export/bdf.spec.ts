import { describe, expect, it } from 'vitest';
import type { CycleSummary } from '#contracts';
import { CYCLE_COLUMNS, SAMPLE_COLUMNS, cycleRow, cyclesCsvHeader, cyclesCsvRows } from './bdf.js';

describe('Battery Data Format columns', () => {
  it('names sample columns with BDF preferred labels', () => {
    expect(SAMPLE_COLUMNS.slice(0, 4)).toEqual([
      'Test Time / s',
      'Unix Time / s',
      'Voltage / V',
      'Current / A',
    ]);
    expect(SAMPLE_COLUMNS).toContain('Cycle Count / 1');
  });

  it('writes the cycle table in Ah, Wh and seconds, absent values as empty fields', () => {
    const cycle: CycleSummary = {
      rigId: 'r',
      cellId: 'c',
      cycle: 3,
      start: 1_767_225_600_000,
      end: 1_767_229_200_500,
      chargeCapacity_mAh: 1250,
      dischargeCapacity_mAh: 1200,
      coulombicEfficiency: 0.96,
      chargeEnergy_mWh: 4800,
      dischargeEnergy_mWh: 4300,
      meanPolarization_V: null,
      meanChargeVoltage_V: 3.9,
      meanDischargeVoltage_V: null,
      duration_s: 3600.5,
      chargeDuration_s: 1800,
      dischargeDuration_s: 1700,
      samples: 3601,
      complete: false,
      source: 'segmented',
    };
    expect(cycleRow(cycle)).toHaveLength(CYCLE_COLUMNS.length);
    expect(cyclesCsvHeader()).toBe(CYCLE_COLUMNS.join(',') + '\n');
    expect(cyclesCsvRows([cycle])).toBe('3,1767225600,1767229200.5,1.25,1.2,0.96,4.8,4.3,,3.9,,3600.5,0\n');
  });
});
