import { slot } from './columns.js';
import { readTable, type TableLayout } from './tables.js';
import type { ReaderOptions, ReplayReader, ReplaySource } from './types.js';

/**
 * Arbin CSV: MITS Pro exports with units in the header (`Test_Time(s)`, `Current(A)`, `Voltage(V)`,
 * `Date_Time`, `Aux_Temperature_1(C)`) and the older TRI style without units (`Test_Time`, `Current`,
 * `Voltage`, `DateTime` in epoch seconds, `Temperature`). Arbin's current is positive on charge.
 */
export const arbinLayout: TableLayout = {
  format: 'arbin',
  encoding: 'utf8',
  timeKind: 'number-or-duration',
  specs: [
    {
      slot: slot.time,
      field: 'time',
      names: ['Test_Time(s)', 'Test_Time (s)', 'Test_Time', 'Test Time (s)', 'Test Time'],
      defaultUnit: 's',
      required: true,
    },
    {
      slot: slot.voltage,
      field: 'voltage',
      names: ['Voltage(V)', 'Voltage (V)', 'Voltage'],
      defaultUnit: 'V',
      required: true,
    },
    {
      slot: slot.current,
      field: 'current',
      names: ['Current(A)', 'Current (A)', 'Current', 'Current(mA)'],
      defaultUnit: 'A',
      required: true,
    },
    {
      slot: slot.temperature,
      field: 'temperature',
      names: [
        'Temperature',
        'Temperature(C)',
        'Temperature (C)',
        'Aux_Temperature_1(C)',
        'Aux_Temperature_1 (C)',
      ],
      pattern: /^(aux_)?temperature/i,
      defaultUnit: 'C',
    },
    { slot: slot.cycle, field: 'cycle', names: ['Cycle_Index', 'Cycle Index'] },
    { slot: slot.step, field: 'step', names: ['Step_Index', 'Step Index'] },
    { slot: slot.date, names: ['Date_Time', 'DateTime', 'Date Time'] },
  ],
};

export function readArbin(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  return readTable(arbinLayout, source, options);
}
