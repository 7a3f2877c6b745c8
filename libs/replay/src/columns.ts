import { countSkip, type LineParser } from './drive.js';
import {
  conversionFor,
  convert,
  findColumn,
  findColumnMatching,
  parseDateTime_ms,
  parseDuration_s,
  toNumber,
  unitOf,
  type Table,
  type UnitConversion,
} from './fields.js';
import { ReaderError, type ReadSummary, type ReplaySample, type SampleField } from './types.js';

/** Slots of the Table every format fills (a format leaves the ones it lacks at -1). */
export const slot = {
  time: 0,
  voltage: 1,
  current: 2,
  temperature: 3,
  pressure: 4,
  cycle: 5,
  step: 6,
  /** State / step-type text giving the current direction. */
  direction: 7,
  /** Absolute date-time of the row (start time of the first row). */
  date: 8,
  /** BioLogic `freq/Hz`: a row with a frequency is an impedance point. */
  frequency: 9,
} as const;
export const slotCount = 10;

/** How the time column is written. */
export type TimeKind = 'number' | 'duration' | 'number-or-duration' | 'date';

/** What a format's header told it: where each quantity is and how to convert it. */
export interface ColumnPlan {
  table: Table;
  timeKind: TimeKind;
  /** Conversion of each numeric slot (time in seconds, voltage V, current A, °C, MPa). */
  conversions: Partial<Record<number, UnitConversion>>;
  /** Used when the file has no current column. */
  constantCurrent_A?: number;
  /**
   * Sign of the current from the direction field: +1 charge, -1 discharge (applied to |i|), 0 rest
   * (current 0), NaN keep the recorded value.
   */
  direction?: (text: string) => number;
  /** Fields use a comma decimal separator; 'detect' decides from the first data row's time and voltage. */
  commaDecimal?: boolean | 'detect';
  /** Epoch ms at time 0 of the time column (BioLogic `Acquisition started on`). */
  timeOrigin_ms?: number;
  startSource?: string;
  /** The header line is itself the first data row (headerless files). */
  headerIsData?: boolean;
}

/**
 * Reads a format's header lines through `header` (which returns the plan once it has seen the column
 * line, or undefined to keep reading header lines), then turns each data row into a sample.
 */
export class ColumnParser implements LineParser {
  private plan: ColumnPlan | undefined;
  private t0_s = NaN;
  private lastDirection = '';
  private lastDirectionSign = NaN;

  constructor(
    private readonly summary: ReadSummary,
    private readonly header: (line: string, lineNo: number) => ColumnPlan | undefined,
    private readonly headerDescription: string,
  ) {}

  line(text: string, lineNo: number, out: ReplaySample[], isLast: boolean): void {
    if (this.plan === undefined) {
      this.plan = this.header(lineNo === 1 ? stripBom(text) : text, lineNo);
      if (this.plan === undefined || !this.plan.headerIsData) return;
    }
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0)) {
      countSkip(this.summary, 'blank line');
      return;
    }
    this.summary.rows++;
    const plan = this.plan;
    plan.table.pick(lineNo === 1 ? stripBom(text) : text, lineNo, isLast);
    const fields = plan.table.fields;
    if (plan.commaDecimal === 'detect') {
      plan.commaDecimal = fields[slot.time]!.includes(',') || fields[slot.voltage]!.includes(',');
      if (plan.commaDecimal) this.summary.notes.push('comma decimal separator');
    }

    if (plan.table.fields[slot.frequency] !== '' && this.number(slot.frequency, lineNo, 'frequency') > 0) {
      countSkip(this.summary, 'impedance row');
      return;
    }
    let time_s: number;
    const timeText = fields[slot.time]!;
    switch (plan.timeKind) {
      case 'number':
        time_s = this.required(slot.time, lineNo, 'time');
        break;
      case 'duration':
        time_s = this.duration(timeText, lineNo);
        break;
      case 'number-or-duration':
        time_s = timeText.includes(':')
          ? this.duration(timeText, lineNo)
          : this.required(slot.time, lineNo, 'time');
        break;
      case 'date': {
        const ms = parseDateTime_ms(timeText);
        if (ms === undefined)
          throw new ReaderError(this.summary.format, lineNo, `date-time '${timeText}' not understood`);
        time_s = ms / 1000;
        break;
      }
    }
    const v = this.required(slot.voltage, lineNo, 'voltage');
    let i = plan.constantCurrent_A ?? this.required(slot.current, lineNo, 'current');
    if (plan.direction !== undefined) {
      const text = fields[slot.direction]!;
      if (text !== this.lastDirection) {
        this.lastDirection = text;
        this.lastDirectionSign = plan.direction(text);
      }
      const sign = this.lastDirectionSign;
      if (sign === 0) i = 0;
      else if (sign === 1 || sign === -1) i = sign * Math.abs(i);
    }

    if (Number.isNaN(this.t0_s)) this.first(time_s, lineNo);
    const sample: ReplaySample = { time_s: time_s - this.t0_s, v, i };
    if (fields[slot.temperature] !== '') sample.t = this.required(slot.temperature, lineNo, 'temperature');
    if (fields[slot.pressure] !== '') sample.p = this.required(slot.pressure, lineNo, 'pressure');
    if (fields[slot.cycle] !== '') sample.cycle = Math.round(this.required(slot.cycle, lineNo, 'cycle'));
    if (fields[slot.step] !== '') sample.step = Math.round(this.required(slot.step, lineNo, 'step'));
    out.push(sample);
  }

  end(lastLineNo: number): void {
    if (this.plan === undefined) {
      throw new ReaderError(
        this.summary.format,
        lastLineNo,
        `file ended before ${this.headerDescription} (empty or truncated file)`,
      );
    }
  }

  private first(time_s: number, lineNo: number): void {
    this.t0_s = time_s;
    const plan = this.plan!;
    if (plan.timeOrigin_ms !== undefined) {
      this.summary.start_ms = plan.timeOrigin_ms + time_s * 1000;
      if (plan.startSource !== undefined) this.summary.startSource = plan.startSource;
    } else if (plan.timeKind === 'date') {
      this.summary.start_ms = time_s * 1000;
      this.summary.startSource = `${this.summary.columns.time} of the first row`;
    } else if (plan.table.fields[slot.date] !== '') {
      const text = plan.table.fields[slot.date]!;
      const start_ms = parseDateTime_ms(text);
      if (start_ms === undefined) {
        throw new ReaderError(this.summary.format, lineNo, `date-time '${text}' not understood`);
      }
      this.summary.start_ms = start_ms;
      this.summary.startSource = `${plan.table.names[plan.table.columnOf(slot.date)]} of the first row`;
    }
  }

  /** A numeric field converted to Sandglass units; a ReaderError when it is missing or not a number. */
  private required(fieldSlot: number, lineNo: number, what: string): number {
    const value = this.number(fieldSlot, lineNo, what);
    const conversion = this.plan!.conversions[fieldSlot];
    return conversion === undefined ? value : convert(value, conversion);
  }

  private number(fieldSlot: number, lineNo: number, what: string): number {
    const plan = this.plan!;
    const text = plan.table.fields[fieldSlot]!;
    const value = toNumber(plan.commaDecimal ? text.replace(',', '.') : text);
    if (!Number.isFinite(value)) {
      const column = plan.table.names[plan.table.columnOf(fieldSlot)] ?? what;
      throw new ReaderError(
        this.summary.format,
        lineNo,
        `${what} '${text}' is not a number (column ${column})`,
      );
    }
    return value;
  }

  private duration(text: string, lineNo: number): number {
    const value = parseDuration_s(text);
    if (!Number.isFinite(value)) {
      throw new ReaderError(this.summary.format, lineNo, `time '${text}' is not a duration like HH:MM:SS`);
    }
    return value;
  }
}

function stripBom(text: string): string {
  if (text.charCodeAt(0) === 0xfeff) return text.slice(1);
  // A UTF-8 byte order mark decoded as latin-1.
  if (text.startsWith('\u00ef\u00bb\u00bf')) return text.slice(3);
  return text;
}

/** Where to find one quantity in a header. */
export interface ColumnSpec {
  slot: number;
  /** The quantity, for the summary and the unit conversion (direction/date/frequency have none). */
  field?: SampleField;
  /** Accepted names, tried in order (case and spacing ignored). */
  names?: readonly string[];
  /** Or a pattern tried after the names. */
  pattern?: RegExp;
  /** Unit when the name does not carry one. */
  defaultUnit?: string;
  required?: boolean;
}

/** Finds each spec's column in the header names and its unit conversion; records them in the summary. */
export function resolveColumns(
  summary: ReadSummary,
  names: readonly string[],
  specs: readonly ColumnSpec[],
  lineNo: number,
): { wanted: number[]; conversions: Partial<Record<number, UnitConversion>> } {
  const wanted: number[] = new Array<number>(slotCount).fill(-1);
  const conversions: Partial<Record<number, UnitConversion>> = {};
  for (const spec of specs) {
    let column = spec.names ? findColumn(names, spec.names) : -1;
    if (column < 0 && spec.pattern) column = findColumnMatching(names, spec.pattern);
    if (column < 0) {
      if (spec.required) {
        const label = spec.field ?? 'a needed';
        throw new ReaderError(
          summary.format,
          lineNo,
          `no ${label} column (looked for ${[...(spec.names ?? []), ...(spec.pattern ? [String(spec.pattern)] : [])].join(', ')}; found ${names.join(', ')})`,
        );
      }
      continue;
    }
    wanted[spec.slot] = column;
    const name = names[column]!;
    if (spec.field === undefined) continue;
    summary.columns[spec.field] = name;
    if (spec.field === 'cycle' || spec.field === 'step') continue;
    const unit = unitOf(name) ?? spec.defaultUnit;
    if (unit === undefined) continue;
    const conversion = conversionFor(spec.field, unit);
    if (conversion === undefined) {
      throw new ReaderError(
        summary.format,
        lineNo,
        `unknown ${spec.field} unit '${unit}' in column '${name}'`,
      );
    }
    conversions[spec.slot] = conversion;
  }
  return { wanted, conversions };
}
