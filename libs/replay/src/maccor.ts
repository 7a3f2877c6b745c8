import { slot } from './columns.js';
import { normalizeName } from './fields.js';
import { readTable, type TableLayout } from './tables.js';
import type { ReaderOptions, ReplayReader, ReplaySource } from './types.js';

/**
 * Current direction from Maccor's `State` / `Md`: C charge, D discharge, R rest (current 0); other
 * states (S, O, P, ...) keep the recorded current.
 */
export function maccorDirection(state: string): number {
  switch (state.trim().toUpperCase()) {
    case 'C':
      return 1;
    case 'D':
      return -1;
    case 'R':
      return 0;
    default:
      return NaN;
  }
}

/**
 * Maccor text exports (latin-1, tab separated): an optional key/value header, then the column line
 * starting `Rec` / `Rec#`. Test time in one of three forms: decimal minutes (`Test (Min)`, MIMS
 * `TestTime`), other units named in the header (`Test (Sec)`, `Test (Hr)`), or a `[D ]HH:MM:SS` duration.
 * The sign of `Amps` differs between exports, so the direction comes from `State` or `Md`. Capacity
 * is per step and is not read.
 */
export const maccorLayout: TableLayout = {
  format: 'maccor',
  encoding: 'latin1',
  timeKind: 'number-or-duration',
  direction: maccorDirection,
  isHeader: (line) => {
    const tab = line.indexOf('\t');
    const first = normalizeName(tab < 0 ? line : line.slice(0, tab));
    return first === 'rec' || first === 'rec#' || first === 'rec.';
  },
  specs: [
    {
      slot: slot.time,
      field: 'time',
      names: [
        'Test (Min)',
        'Test (Sec)',
        'Test (Hr)',
        'TestTime',
        'Test Time',
        'Test Time (sec)',
        'Test Time (Min)',
      ],
      defaultUnit: 'min',
      required: true,
    },
    {
      slot: slot.voltage,
      field: 'voltage',
      names: ['Volts', 'Voltage [V]', 'Voltage', 'Voltage (V)', 'Voltage(V)'],
      defaultUnit: 'V',
      required: true,
    },
    {
      slot: slot.current,
      field: 'current',
      names: ['Amps', 'Current [A]', 'Current', 'Current (A)', 'Current(A)', 'Current [mA]'],
      defaultUnit: 'A',
      required: true,
    },
    {
      slot: slot.temperature,
      field: 'temperature',
      names: ['Temp 1', 'Temp1', 'Temperature'],
      defaultUnit: 'C',
    },
    { slot: slot.cycle, field: 'cycle', names: ['Cycle C', 'Cyc#', 'Cycle', 'Cycle P'] },
    { slot: slot.step, field: 'step', names: ['Step'] },
    { slot: slot.direction, names: ['State', 'Md'] },
    { slot: slot.date, names: ['DPt Time', 'DPT Time', 'DPtTime'] },
  ],
};

export function readMaccor(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  return readTable(maccorLayout, source, options);
}
