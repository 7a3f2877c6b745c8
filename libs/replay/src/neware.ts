import { slot } from './columns.js';
import { readTable, type TableLayout } from './tables.js';
import { ReaderError, type ReaderOptions, type ReplayReader, type ReplaySource } from './types.js';

/** Current direction from Neware's `Step Type` (`CC Chg`, `CCCV Chg`, `CC DChg`, `Rest`, ...). */
export function newareDirection(stepType: string): number {
  const type = stepType.toLowerCase();
  if (type.includes('dchg') || type.includes('discharge')) return -1;
  if (type.includes('chg') || type.includes('charge')) return 1;
  if (type.includes('rest')) return 0;
  return NaN;
}

/**
 * Neware flat CSV (one row per record): `Step Type`, `Current(mA)` or `Current(A)`, `Voltage(V)`,
 * `Cumulative Time`/`Total Time` as `HH:MM:SS` (hours may exceed 24) or seconds, `Date`. The current's
 * direction comes from `Step Type` (exports differ on whether the current is signed). The nested
 * cycle/step/record export is not supported.
 */
export const newareLayout: TableLayout = {
  format: 'neware',
  encoding: 'utf8',
  timeKind: 'number-or-duration',
  direction: newareDirection,
  specs: [
    {
      slot: slot.time,
      field: 'time',
      names: ['Cumulative Time', 'Total Time', 'Test Time', 'Total Time(s)'],
      pattern: /^(cumulative|total) time/i,
      defaultUnit: 's',
    },
    {
      slot: slot.voltage,
      field: 'voltage',
      names: ['Voltage(V)', 'Voltage'],
      pattern: /^voltage\s*\(/i,
      required: true,
    },
    {
      slot: slot.current,
      field: 'current',
      names: ['Current(mA)', 'Current(A)'],
      pattern: /^current\s*\(/i,
      required: true,
    },
    {
      slot: slot.temperature,
      field: 'temperature',
      pattern: /^(T\d+|Temperature|Aux\.?\s*T\d*)\s*\(/i,
      defaultUnit: 'C',
    },
    { slot: slot.cycle, field: 'cycle', names: ['Cycle Index', 'Cycle ID', 'Cycle'] },
    { slot: slot.step, field: 'step', names: ['Step Index', 'Step ID', 'Step Number'] },
    { slot: slot.direction, names: ['Step Type', 'Status'] },
    { slot: slot.date, names: ['Date', 'Realtime', 'Absolute Time', 'System Time'] },
  ],
  refine(plan, summary, lineNo) {
    const table = plan.table;
    if (table.columnOf(slot.time) >= 0) return;
    // No cumulative time column: the absolute date of each row is the time.
    const dateColumn = table.columnOf(slot.date);
    if (dateColumn < 0) {
      throw new ReaderError(
        'neware',
        lineNo,
        `no time column (Cumulative Time, Total Time or Date) in ${table.names.join(', ')}`,
      );
    }
    plan.table = table.withSlot(slot.time, dateColumn);
    plan.timeKind = 'date';
    summary.columns.time = table.names[dateColumn]!;
  },
};

export function readNeware(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  return readTable(newareLayout, source, options);
}
