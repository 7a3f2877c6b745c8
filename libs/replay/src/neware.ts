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
 * exports (`Cycle ID,…` and the regular export's `Cycle Index,Chg. Cap.(Ah),…`) have parsers below.
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

/** Whether a Neware CSV's first line is the cycle header of the hierarchical "regular export" (BTS 8+). */
export function isRegularNeware(firstLine: string): boolean {
  return /^\uFEFF?"?Cycle Index"?,.*Chg\. Cap\./i.test(firstLine);
}

// Columns appended to each record line of the regular export.
const regularCycle = 'Cycle Index';
const regularStep = 'Step Index';
const regularStepType = 'Step Type';

/**
 * The record layer of Neware's regular export: `,,DataPoint,Time,Total Time,Current(A),Voltage(V),…`.
 * Record lines carry `Total Time` (H:MM:SS, hours past 24) and a signed current; each gets the cycle
 * and step of the lines above it appended and is read as a flat table.
 */
const regularLayout: TableLayout = {
  format: 'neware',
  encoding: 'utf8',
  timeKind: 'number-or-duration',
  direction: newareDirection,
  isHeader: (_line, lineNo) => lineNo === 3,
  specs: [
    {
      slot: slot.time,
      field: 'time',
      names: ['Total Time', 'Cumulative Time'],
      defaultUnit: 's',
      required: true,
    },
    { slot: slot.voltage, field: 'voltage', pattern: /^voltage\s*\(/i, required: true },
    { slot: slot.current, field: 'current', pattern: /^current\s*\(/i, required: true },
    { slot: slot.temperature, field: 'temperature', pattern: /^(T\d+)\s*\(/i, defaultUnit: 'C' },
    { slot: slot.cycle, field: 'cycle', names: [regularCycle] },
    { slot: slot.step, field: 'step', names: [regularStep] },
    { slot: slot.direction, names: [regularStepType] },
    { slot: slot.date, names: ['Date', 'Realtime'] },
  ],
};

/** Column of each cycler statistic in the cycle header line, -1 when absent. */
interface CycleColumns {
  count: number;
  cycle: number;
  charge: number;
  discharge: number;
  efficiency: number;
  chargeEnergy: number;
  dischargeEnergy: number;
  /** Multipliers to mAh / mWh from the header's unit (Ah or mAh, Wh or mWh). */
  capacityScale: number;
  energyScale: number;
}

/**
 * Neware's hierarchical "regular export" CSV (BTS 8.x): three header lines — cycle columns
 * (`Cycle Index,Chg. Cap.(Ah),DChg. Cap.(Ah),Chg.-DChg. Eff(%),Chg. Energy(Wh),…`), step columns behind
 * one empty field (`,Step Index,Step Number,Step Type,…`) and record columns behind two
 * (`,,DataPoint,Time,Total Time,Current(A),Voltage(V),…`) — and data lines nested the same way. Records
 * become samples; cycle lines become the cycler's own per-cycle table (`summary.cyclerCycles`). The
 * first cycle line may carry the first step line's fields after its own.
 */
class RegularNewareParser implements LineParser {
  private readonly table: ColumnParser;
  private cycleColumns: CycleColumns | undefined;
  private stepIndexColumn = -1;
  private stepTypeColumn = -1;
  private cycle = '';
  private step = '';
  private stepType = '';

  constructor(
    private readonly summary: ReadSummary,
    options: ReaderOptions,
  ) {
    this.table = tableParser(regularLayout, summary, options);
    summary.cyclerCycles = [];
  }

  line(text: string, lineNo: number, out: ReplaySample[], isLast: boolean): void {
    if (lineNo === 1) {
      this.cycleColumns = cycleColumns(splitHeader(text.replace(/^\uFEFF/, ''), ','));
      this.summary.notes.push(
        "Neware regular export: records read as samples, cycle lines as the cycler's own per-cycle table",
      );
      return;
    }
    if (lineNo === 2) {
      const names = splitHeader(text, ',');
      this.stepIndexColumn = findColumn(names, ['Step Index']);
      this.stepTypeColumn = findColumn(names, ['Step Type']);
      if (this.stepIndexColumn < 0 || this.stepTypeColumn < 0) {
        throw new ReaderError(
          'neware',
          lineNo,
          `step header line without Step Index and Step Type: '${text}'`,
        );
      }
      return;
    }
    if (lineNo === 3) {
      // Exports written without Unicode turn the ℃ of `T1(℃)` into `?`: Neware logs °C.
      const names = splitHeader(text, ',').map((name) => {
        if (!/^T\d+\s*\(\?\)$/.test(name)) return name;
        this.summary.notes.push(`${name} read as °C (the export lost its ℃ sign)`);
        return name.replace('(?)', '(C)');
      });
      this.table.line([...names, regularCycle, regularStep, regularStepType].join(','), lineNo, out, false);
      return;
    }
    if (text.trim().length === 0) {
      this.table.line(text, lineNo, out, isLast);
      return;
    }
    if (text.charCodeAt(0) !== 44 /* , */) {
      const fields = text.split(',');
      this.cycleLine(fields, lineNo);
      const columns = this.cycleColumns!;
      // The first cycle line carries the first step line after its own fields (without its empty one).
      if (fields.length > columns.count) this.stepLine(['', ...fields.slice(columns.count)]);
      return;
    }
    if (text.charCodeAt(1) !== 44) {
      this.stepLine(text.split(','));
      return;
    }
    const record = text.endsWith(',') ? text.slice(0, -1) : text;
    this.table.line(`${record},${this.cycle},${this.step},${this.stepType}`, lineNo, out, isLast);
  }

  end(lastLineNo: number): void {
    this.table.end(lastLineNo);
  }

  private cycleLine(fields: string[], lineNo: number): void {
    const c = this.cycleColumns!;
    this.cycle = fields[c.cycle]?.trim() ?? '';
    const cycle = Number(this.cycle);
    if (!Number.isInteger(cycle)) {
      throw new ReaderError('neware', lineNo, `cycle line without a cycle number: '${fields.join(',')}'`);
    }
    const at = (column: number, scale: number) => (column < 0 ? NaN : toNumber(fields[column] ?? '') * scale);
    this.summary.cyclerCycles!.push({
      cycle,
      chargeCapacity_mAh: at(c.charge, c.capacityScale),
      dischargeCapacity_mAh: at(c.discharge, c.capacityScale),
      coulombicEfficiency: at(c.efficiency, 0.01),
      chargeEnergy_mWh: at(c.chargeEnergy, c.energyScale),
      dischargeEnergy_mWh: at(c.dischargeEnergy, c.energyScale),
    });
  }

  private stepLine(fields: string[]): void {
    this.step = fields[this.stepIndexColumn]?.trim() ?? '';
    this.stepType = fields[this.stepTypeColumn]?.trim() ?? '';
  }
}

function cycleColumns(names: string[]): CycleColumns {
  const charge = findColumnMatching(names, /^chg\. cap\.\s*\(m?ah\)/i);
  const chargeEnergy = findColumnMatching(names, /^chg\. energy\s*\(m?wh\)/i);
  const unitScale = (column: number, base: string) =>
    column >= 0 && new RegExp(`\\(m${base}\\)`, 'i').test(names[column]!) ? 1 : 1000;
  return {
    count: names.length,
    cycle: findColumn(names, ['Cycle Index']),
    charge,
    discharge: findColumnMatching(names, /^dchg\. cap\.\s*\(m?ah\)/i),
    efficiency: findColumnMatching(names, /^chg\.-dchg\. eff/i),
    chargeEnergy,
    dischargeEnergy: findColumnMatching(names, /^dchg\. energy\s*\(m?wh\)/i),
    capacityScale: unitScale(charge, 'ah'),
    energyScale: unitScale(chargeEnergy, 'wh'),
  };
}

export function readNeware(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  const summary = newSummary('neware');
  let parser: LineParser | undefined;
  const dispatch: LineParser = {
    line(text, lineNo, out, isLast) {
      parser ??= isNestedNeware(text)
        ? new NestedNewareParser(summary, options)
        : isRegularNeware(text)
          ? new RegularNewareParser(summary, options)
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
