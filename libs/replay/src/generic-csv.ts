import { ColumnParser, slot, type ColumnPlan } from './columns.js';
import { makeReader, newSummary } from './drive.js';
import {
  conversionFor,
  findColumn,
  knownUnits,
  sniffDelimiter,
  splitHeader,
  splitQuoted,
  Table,
  toNumber,
  unitOf,
  type UnitConversion,
} from './fields.js';
import {
  ReaderError,
  type ReaderOptions,
  type ReplayReader,
  type ReplaySource,
  type SampleField,
} from './types.js';

type MappedField = Exclude<SampleField, 'cycle' | 'step'> | 'cycle' | 'step';
const mappedFields: readonly MappedField[] = [
  'time',
  'voltage',
  'current',
  'temperature',
  'pressure',
  'cycle',
  'step',
];
const defaultUnits: Record<Exclude<MappedField, 'cycle' | 'step'>, string> = {
  time: 's',
  voltage: 'V',
  current: 'A',
  temperature: 'C',
  pressure: 'MPa',
};

/** Where one quantity is in a generic CSV: a 1-based column index or a header name, and its unit. */
export interface ColumnRef {
  column: number | string;
  /** Unit of the values (time s|ms|min|h, voltage V|mV, current A|mA|uA, temperature C|K, pressure MPa|kPa|bar|psi). */
  unit?: string;
  /** Current only: the file counts discharge as positive, flip it. */
  invert?: boolean;
}

export type ColumnMap = Partial<Record<MappedField, ColumnRef>>;

/**
 * Parses `time=col,voltage=col,current=col:mA,temperature=col,pressure=col` (also cycle, step): `col` a
 * 1-based column index or a header name; `:unit` optional, `:-unit` on current flips its sign (for
 * files that count discharge as positive). Throws RangeError on a malformed map.
 */
export function parseColumnMap(text: string): ColumnMap {
  const map: ColumnMap = {};
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw new RangeError(`column map entry '${entry}' is not key=column`);
    const key = entry.slice(0, eq).trim().toLowerCase() as MappedField;
    if (!mappedFields.includes(key)) {
      throw new RangeError(`unknown column map key '${key}' (use ${mappedFields.join(', ')})`);
    }
    let reference = entry.slice(eq + 1).trim();
    let unit: string | undefined;
    let invert = false;
    const colon = reference.lastIndexOf(':');
    if (colon >= 0 && key !== 'cycle' && key !== 'step') {
      let candidate = reference.slice(colon + 1).trim();
      const flipped = candidate.startsWith('-');
      if (flipped) candidate = candidate.slice(1);
      if (conversionFor(key, candidate) === undefined) {
        throw new RangeError(`unknown ${key} unit '${candidate}' (use ${knownUnits(key).join(', ')})`);
      }
      if (flipped && key !== 'current') throw new RangeError(`only current can be flipped ('${entry}')`);
      unit = candidate;
      invert = flipped;
      reference = reference.slice(0, colon).trim();
    }
    if (reference === '') throw new RangeError(`column map entry '${entry}' names no column`);
    const index = /^\d+$/.test(reference) ? Number(reference) : undefined;
    if (index === 0) throw new RangeError(`column indexes are 1-based ('${entry}')`);
    map[key] = { column: index ?? reference, ...(unit ? { unit } : {}), ...(invert ? { invert } : {}) };
  }
  if (!map.time || !map.voltage) throw new RangeError('the column map needs at least time= and voltage=');
  return map;
}

export interface GenericCsvOptions extends ReaderOptions {
  map: ColumnMap | string;
  /** Whether the first line holds column names; by default decided from whether it is numeric. */
  header?: boolean;
}

/**
 * Generic delimited text (comma, semicolon or tab; UTF-8 with or without BOM; quoted fields) read
 * through a column map. The current is taken as written: positive must mean charge unless the map
 * flips it.
 */
export function readGenericCsv(source: ReplaySource, options: GenericCsvOptions): ReplayReader {
  const map = typeof options.map === 'string' ? parseColumnMap(options.map) : options.map;
  if (!map.current && options.current_A === undefined) {
    throw new RangeError('the column map has no current= and no constant current was given');
  }
  const summary = newSummary('csv');

  const header = (line: string, lineNo: number): ColumnPlan | undefined => {
    const delim = sniffDelimiter(line);
    const firstFields = splitQuoted(line, delim).map((field) => field.trim());
    const namedColumns = Object.values(map).some((ref) => typeof ref.column === 'string');
    const hasHeader =
      options.header ??
      (namedColumns ||
        Object.values(map).some((ref) => {
          const k = typeof ref.column === 'number' ? ref.column - 1 : -1;
          const text = k >= 0 && k < firstFields.length ? firstFields[k]! : '';
          return text !== '' && !Number.isFinite(toNumber(text));
        }));
    if (!hasHeader && namedColumns)
      throw new ReaderError('csv', lineNo, 'columns named in the map but the file has no header');
    const names = hasHeader ? splitHeader(line, delim) : firstFields.map((_, k) => `column ${k + 1}`);
    if (!hasHeader) summary.notes.push('no header line');
    const wanted: number[] = new Array<number>(slot.frequency + 1).fill(-1);
    const conversions: Partial<Record<number, UnitConversion>> = {};
    for (const field of mappedFields) {
      const ref = map[field];
      if (!ref) continue;
      const column = typeof ref.column === 'number' ? ref.column - 1 : findColumn(names, [ref.column]);
      if (column < 0 || column >= names.length) {
        throw new ReaderError('csv', lineNo, `${field} column '${ref.column}' not in ${names.join(', ')}`);
      }
      wanted[slot[field]] = column;
      summary.columns[field] = names[column]!;
      if (field === 'cycle' || field === 'step') continue;
      const named = hasHeader ? unitOf(names[column]!) : undefined;
      const unit = ref.unit ?? (named && conversionFor(field, named) ? named : defaultUnits[field]);
      const conversion = conversionFor(field, unit)!;
      conversions[slot[field]] = ref.invert
        ? { ...conversion, scale: -conversion.scale, offset: -conversion.offset }
        : conversion;
    }
    return {
      table: new Table('csv', delim, names, wanted),
      timeKind: 'number',
      conversions,
      ...(map.current ? {} : { constantCurrent_A: options.current_A }),
      headerIsData: !hasHeader,
    };
  };
  return makeReader(source, 'utf8', summary, new ColumnParser(summary, header, 'the first line'));
}
