import { slot, type ColumnParser } from './columns.js';
import { makeReader, newSummary, type LineParser } from './drive.js';
import { findColumn, findColumnMatching, parseDuration_s, splitHeader, toNumber } from './fields.js';
import { tableParser, type TableLayout } from './tables.js';
import {
  ReaderError,
  type ReaderOptions,
  type ReadSummary,
  type ReplayReader,
  type ReplaySample,
  type ReplaySource,
} from './types.js';

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

// Columns appended to each record line of the nested export.
const nestedCycle = 'Cycle ID';
const nestedStep = 'Step ID';
const nestedStepName = 'Step Name';
const nestedTestTime = 'Test Time(s)';

/**
 * The record layer of Neware's nested export (`Cycle ID,...` / `,Step ID,Step Name,...` /
 * `,,Record ID,Time(h:min:s.ms),Voltage(V),Current(mA),...,Realtime`): record lines carry the step
 * time only, so each gets the cycle, step and step name of the lines above it and a test time (the
 * durations of the steps before plus its step time) appended, and is read as a flat table.
 */
const nestedLayout: TableLayout = {
  format: 'neware',
  encoding: 'utf8',
  timeKind: 'number',
  direction: newareDirection,
  isHeader: (_line, lineNo) => lineNo === 3,
  specs: [
    { slot: slot.time, field: 'time', names: [nestedTestTime], required: true },
    { slot: slot.voltage, field: 'voltage', pattern: /^voltage\s*\(/i, required: true },
    { slot: slot.current, field: 'current', pattern: /^current\s*\(/i, required: true },
    {
      slot: slot.temperature,
      field: 'temperature',
      pattern: /^(T\d+|Temperature|Aux\.?\s*T\d*)\s*\(/i,
      defaultUnit: 'C',
    },
    { slot: slot.cycle, field: 'cycle', names: [nestedCycle] },
    { slot: slot.step, field: 'step', names: [nestedStep] },
    { slot: slot.direction, names: [nestedStepName] },
    { slot: slot.date, names: ['Realtime', 'Absolute Time'] },
  ],
};

class NestedNewareParser implements LineParser {
  private readonly table: ColumnParser;
  private timeColumn = -1;
  private stepIdColumn = -1;
  private stepNameColumn = -1;
  private stepDurationColumn = -1;
  /** The current step's duration from its step line (NaN when it has none). */
  private stepDuration_s = NaN;
  private cycle = '';
  private step = '';
  private stepName = '';
  private stepsBefore_s = 0;
  private stepTime_s = 0;

  constructor(
    private readonly summary: ReadSummary,
    options: ReaderOptions,
  ) {
    this.table = tableParser(nestedLayout, summary, options);
  }

  line(text: string, lineNo: number, out: ReplaySample[], isLast: boolean): void {
    if (lineNo === 2) {
      const names = splitHeader(text, ',');
      this.stepIdColumn = findColumn(names, ['Step ID']);
      this.stepNameColumn = findColumn(names, ['Step Name', 'Step Type']);
      this.stepDurationColumn = findColumnMatching(names, /^step time/i);
      if (this.stepIdColumn < 0 || this.stepNameColumn < 0) {
        throw new ReaderError('neware', lineNo, `step header line without Step ID and Step Name: '${text}'`);
      }
      return;
    }
    if (lineNo === 3) {
      const names = splitHeader(text, ',');
      this.timeColumn = findColumnMatching(names, /^time\s*\(/i);
      if (this.timeColumn < 0)
        throw new ReaderError('neware', lineNo, `record header without Time(h:min:s.ms): '${text}'`);
      this.table.line(
        [...names, nestedCycle, nestedStep, nestedStepName, nestedTestTime].join(','),
        lineNo,
        out,
        false,
      );
      return;
    }
    if (lineNo === 1) {
      this.summary.notes.push(
        'nested cycle/step/record export: records read, test time summed from step times',
      );
      return;
    }
    if (text.trim().length === 0 || text.charCodeAt(0) !== 44 /* , */) {
      // Blank lines go to the table to be counted; cycle lines start a cycle.
      if (text.trim().length === 0) this.table.line(text, lineNo, out, isLast);
      else this.cycle = fieldAt(text, 0).trim();
      return;
    }
    if (text.charCodeAt(1) !== 44) {
      const fields = text.split(',');
      this.step = fields[this.stepIdColumn]?.trim() ?? '';
      this.stepName = fields[this.stepNameColumn]?.trim() ?? '';
      // The step before lasted its step line's Step Time, or at least until its last record.
      this.stepsBefore_s += Number.isFinite(this.stepDuration_s) ? this.stepDuration_s : this.stepTime_s;
      this.stepTime_s = 0;
      const duration = this.stepDurationColumn < 0 ? '' : (fields[this.stepDurationColumn]?.trim() ?? '');
      this.stepDuration_s = duration.includes(':') ? parseDuration_s(duration) : toNumber(duration);
      return;
    }
    const record = text.endsWith(',') ? text.slice(0, -1) : text;
    const time = fieldAt(record, this.timeColumn);
    const stepTime_s = time.includes(':') ? parseDuration_s(time) : toNumber(time);
    if (!Number.isFinite(stepTime_s)) {
      throw new ReaderError('neware', lineNo, `record time '${time}' is not a duration like H:MM:SS.fff`);
    }
    this.stepTime_s = stepTime_s;
    const appended = `${record},${this.cycle},${this.step},${this.stepName},${this.stepsBefore_s + stepTime_s}`;
    this.table.line(appended, lineNo, out, isLast);
  }

  end(lastLineNo: number): void {
    this.table.end(lastLineNo);
  }
}

/** The `index`-th comma-separated field of a line ('' when the line is shorter). */
function fieldAt(line: string, index: number): string {
  let start = 0;
  for (let k = 0; k < index; k++) {
    const next = line.indexOf(',', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = line.indexOf(',', start);
  return line.slice(start, end < 0 ? line.length : end);
}

/** Whether a Neware CSV's first line is the cycle header of the nested export. */
export function isNestedNeware(firstLine: string): boolean {
  return /^\uFEFF?"?Cycle ID"?,/i.test(firstLine);
}

export function readNeware(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  const summary = newSummary('neware');
  let parser: LineParser | undefined;
  const dispatch: LineParser = {
    line(text, lineNo, out, isLast) {
      parser ??= isNestedNeware(text)
        ? new NestedNewareParser(summary, options)
        : tableParser(newareLayout, summary, options);
      parser.line(text, lineNo, out, isLast);
    },
    end(lastLineNo) {
      if (parser === undefined) throw new ReaderError('neware', lastLineNo, 'empty file');
      parser.end(lastLineNo);
    },
  };
  return makeReader(source, 'utf8', summary, dispatch);
}
