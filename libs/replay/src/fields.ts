import { ReaderError, type ReplayFormat, type SampleField } from './types.js';

/**
 * Picks the wanted columns out of delimited rows without splitting every field into an array: one
 * indexOf per field, a substring only for the wanted ones. Quoted fields take a slower exact path.
 */
export class Table {
  /** The wanted fields of the last picked row, by slot (absent slots hold ''). */
  readonly fields: string[];
  private readonly slotOf: Int32Array;

  constructor(
    private readonly format: ReplayFormat,
    readonly delim: string,
    /** Column names from the header line (trailing empty names dropped). */
    readonly names: readonly string[],
    /** Column index for each slot, -1 when the file lacks it. */
    private readonly wanted: readonly number[],
  ) {
    this.fields = wanted.map(() => '');
    this.slotOf = new Int32Array(names.length + 1).fill(-1);
    wanted.forEach((column, slot) => {
      if (column >= 0) this.slotOf[column] = slot;
    });
  }

  /** The column index of a slot, -1 when the file lacks it. */
  columnOf(slot: number): number {
    return this.wanted[slot] ?? -1;
  }

  /** A copy of this table that also reads `column` into `slot`. */
  withSlot(slot: number, column: number): Table {
    const wanted = [...this.wanted];
    wanted[slot] = column;
    return new Table(this.format, this.delim, this.names, wanted);
  }

  get width(): number {
    return this.names.length;
  }

  /**
   * Fills `fields` from one data row. Refuses a row whose field count differs from the header's (one
   * trailing delimiter is allowed): a garbled row, or a last line cut short.
   */
  pick(line: string, lineNo: number, isLast: boolean): void {
    const count = line.indexOf('"') === -1 ? this.pickPlain(line) : this.pickQuoted(line);
    if (count === this.width || (count === this.width + 1 && line.endsWith(this.delim))) return;
    throw new ReaderError(
      this.format,
      lineNo,
      `expected ${this.width} fields like the header, found ${count}${isLast ? ' (file truncated?)' : ''}`,
    );
  }

  private pickPlain(line: string): number {
    const slotOf = this.slotOf;
    const fields = this.fields;
    const delim = this.delim;
    const lastColumn = slotOf.length - 1;
    let start = 0;
    let column = 0;
    for (;;) {
      const end = line.indexOf(delim, start);
      const slot = column <= lastColumn ? slotOf[column]! : -1;
      if (slot >= 0) fields[slot] = line.slice(start, end === -1 ? line.length : end);
      column++;
      if (end === -1) return column;
      start = end + 1;
    }
  }

  private pickQuoted(line: string): number {
    const values = splitQuoted(line, this.delim);
    values.forEach((value, column) => {
      const slot = column < this.slotOf.length ? this.slotOf[column]! : -1;
      if (slot >= 0) this.fields[slot] = value;
    });
    return values.length;
  }
}

/** Splits one CSV line with RFC 4180 quoting ("a, b" and doubled "" inside quotes). */
export function splitQuoted(line: string, delim: string): string[] {
  const values: string[] = [];
  let value = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (quoted) {
      if (ch === '"') {
        if (line[k + 1] === '"') {
          value += '"';
          k++;
        } else quoted = false;
      } else value += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      values.push(value);
      value = '';
    } else value += ch;
  }
  values.push(value);
  return values;
}

/** Header names: split, unquoted, trimmed, a trailing empty name (trailing delimiter) dropped. */
export function splitHeader(line: string, delim: string): string[] {
  const names = splitQuoted(line, delim).map((name) => name.trim());
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return names;
}

/** Picks the delimiter of a header or data line: tab, then semicolon, then comma. */
export function sniffDelimiter(line: string): string {
  if (line.includes('\t')) return '\t';
  if (line.includes(';') && !line.includes(',')) return ';';
  return ',';
}

/** A number, or NaN for an empty, blank or non-numeric field. */
export function toNumber(text: string): number {
  if (text.length === 0) return NaN;
  const value = +text;
  if (value === 0 && text.trim().length === 0) return NaN;
  return value;
}

/** Index of the first name that equals one of the candidates (case and spacing ignored), or -1. */
export function findColumn(names: readonly string[], candidates: readonly string[]): number {
  const normalized = names.map(normalizeName);
  for (const candidate of candidates) {
    const index = normalized.indexOf(normalizeName(candidate));
    if (index >= 0) return index;
  }
  return -1;
}

/** Index of the first name matching the pattern, or -1. */
export function findColumnMatching(names: readonly string[], pattern: RegExp): number {
  return names.findIndex((name) => pattern.test(name.trim()));
}

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** The unit written in a column name: `Current(mA)`, `Current [A]`, `Current (A)`, `I/mA` → mA. */
export function unitOf(name: string): string | undefined {
  let trimmed = name.trim();
  if (trimmed.startsWith('<') && trimmed.endsWith('>')) trimmed = trimmed.slice(1, -1);
  const close = trimmed.at(-1);
  if (close === ')' || close === ']') {
    const open = trimmed.lastIndexOf(close === ')' ? '(' : '[');
    if (open >= 0) return trimmed.slice(open + 1, -1).trim();
  }
  const slash = trimmed.indexOf('/');
  if (slash >= 0) return trimmed.slice(slash + 1).trim();
  return undefined;
}

/**
 * Linear conversion into Sandglass units: value × scale / divide + offset. Sub-unit prefixes divide
 * (by 1000, not × 0.001) so a written `-0.57072818 mA` reads as exactly `-0.00057072818 A`.
 */
export interface UnitConversion {
  scale: number;
  divide: number;
  offset: number;
}

export function convert(value: number, conversion: UnitConversion): number {
  return conversion.divide === 1
    ? value * conversion.scale + conversion.offset
    : (value * conversion.scale) / conversion.divide + conversion.offset;
}

const conversions: Record<Exclude<SampleField, 'cycle' | 'step'>, Record<string, UnitConversion>> = {
  time: {
    s: { scale: 1, divide: 1, offset: 0 },
    sec: { scale: 1, divide: 1, offset: 0 },
    ms: { scale: 1, divide: 1000, offset: 0 },
    min: { scale: 60, divide: 1, offset: 0 },
    h: { scale: 3600, divide: 1, offset: 0 },
    hr: { scale: 3600, divide: 1, offset: 0 },
  },
  voltage: { v: { scale: 1, divide: 1, offset: 0 }, mv: { scale: 1, divide: 1000, offset: 0 } },
  current: {
    a: { scale: 1, divide: 1, offset: 0 },
    ma: { scale: 1, divide: 1000, offset: 0 },
    ua: { scale: 1, divide: 1e6, offset: 0 },
    µa: { scale: 1, divide: 1e6, offset: 0 },
    μa: { scale: 1, divide: 1e6, offset: 0 },
    na: { scale: 1, divide: 1e9, offset: 0 },
  },
  temperature: {
    c: { scale: 1, divide: 1, offset: 0 },
    '°c': { scale: 1, divide: 1, offset: 0 },
    ºc: { scale: 1, divide: 1, offset: 0 },
    '℃': { scale: 1, divide: 1, offset: 0 },
    degc: { scale: 1, divide: 1, offset: 0 },
    k: { scale: 1, divide: 1, offset: -273.15 },
  },
  pressure: {
    mpa: { scale: 1, divide: 1, offset: 0 },
    kpa: { scale: 1, divide: 1000, offset: 0 },
    pa: { scale: 1, divide: 1e6, offset: 0 },
    bar: { scale: 1, divide: 10, offset: 0 },
    psi: { scale: 0.006894757, divide: 1, offset: 0 },
  },
};

/** The conversion for a unit of a quantity, or undefined when the unit is unknown. */
export function conversionFor(
  field: Exclude<SampleField, 'cycle' | 'step'>,
  unit: string,
): UnitConversion | undefined {
  return conversions[field][unit.trim().toLowerCase()];
}

export function knownUnits(field: Exclude<SampleField, 'cycle' | 'step'>): string[] {
  return Object.keys(conversions[field]);
}

/**
 * A duration `H:MM:SS(.fff)` in seconds (hours may exceed 24), also with a day part
 * (`D:HH:MM:SS`, `D HH:MM:SS`, `Dd HH:MM:SS`, `D days, HH:MM:SS`); NaN otherwise.
 */
export function parseDuration_s(text: string): number {
  const c2 = text.lastIndexOf(':');
  if (c2 < 0) return NaN;
  const c1 = text.lastIndexOf(':', c2 - 1);
  const seconds = toNumber(text.slice(c2 + 1));
  if (c1 < 0) return toNumber(text.slice(0, c2)) * 60 + seconds;
  const minutes = toNumber(text.slice(c1 + 1, c2));
  const head = text.slice(0, c1);
  let split = head.length - 1;
  while (split >= 0) {
    const code = head.charCodeAt(split);
    if (code < 48 || code > 57) break;
    split--;
  }
  const hours = toNumber(head.slice(split + 1));
  let days = 0;
  if (split >= 0) {
    let digits = '';
    for (const ch of head.slice(0, split)) if (ch >= '0' && ch <= '9') digits += ch;
    days = toNumber(digits);
  }
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}

const isoDate = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?/;
const usDate = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*([AaPp][Mm])?/;

/**
 * Epoch milliseconds of a cycler date-time, read as UTC (the files carry no zone): `YYYY-MM-DD HH:MM:SS`,
 * `MM/DD/YYYY HH:MM:SS(.fff)( AM|PM)`, or epoch seconds. Undefined when it is none of these.
 */
export function parseDateTime_ms(text: string): number | undefined {
  const trimmed = text.trim();
  const iso = isoDate.exec(trimmed);
  if (iso) return utc(+iso[1]!, +iso[2]!, +iso[3]!, +iso[4]!, +iso[5]!, iso[6]);
  const us = usDate.exec(trimmed);
  if (us) {
    let hour = +us[4]!;
    const half = us[7]?.toUpperCase();
    if (half === 'PM' && hour < 12) hour += 12;
    if (half === 'AM' && hour === 12) hour = 0;
    let month = +us[1]!;
    let day = +us[2]!;
    // Month first as US-locale cyclers write it, unless the first number cannot be a month.
    if (month > 12 && day <= 12) [month, day] = [day, month];
    return utc(+us[3]!, month, day, hour, +us[5]!, us[6]);
  }
  const epoch = toNumber(trimmed);
  // Epoch seconds between 2000 and 2100 (Arbin TRI `DateTime`).
  if (epoch > 946_684_800 && epoch < 4_102_444_800) return epoch * 1000;
  return undefined;
}

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second?: string,
): number {
  const seconds = second === undefined ? 0 : +second;
  return Date.UTC(year, month - 1, day, hour, minute) + seconds * 1000;
}
