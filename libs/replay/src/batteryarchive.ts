import { slot } from './columns.js';
import { readTable, type TableLayout } from './tables.js';
import type { ReaderOptions, ReplayReader, ReplaySource } from './types.js';

/**
 * Battery Archive standard time series CSV (`Date_Time,Test_Time (s),Cycle_Index,Current (A),
 * Voltage (V),…,Cell_Temperature (C)`); current positive on charge. Empty temperature fields are
 * left out of the samples.
 */
export const batteryArchiveLayout: TableLayout = {
  format: 'batteryarchive',
  encoding: 'utf8',
  timeKind: 'number',
  specs: [
    {
      slot: slot.time,
      field: 'time',
      names: ['Test_Time (s)', 'Test_Time(s)'],
      defaultUnit: 's',
      required: true,
    },
    { slot: slot.voltage, field: 'voltage', names: ['Voltage (V)', 'Voltage(V)'], required: true },
    { slot: slot.current, field: 'current', names: ['Current (A)', 'Current(A)'], required: true },
    {
      slot: slot.temperature,
      field: 'temperature',
      names: ['Cell_Temperature (C)', 'Cell_Temperature(C)'],
      defaultUnit: 'C',
    },
    { slot: slot.cycle, field: 'cycle', names: ['Cycle_Index'] },
    { slot: slot.date, names: ['Date_Time'] },
  ],
};

export function readBatteryArchive(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  return readTable(batteryArchiveLayout, source, options);
}
