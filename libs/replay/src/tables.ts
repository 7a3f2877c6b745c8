import {
  ColumnParser,
  resolveColumns,
  slot,
  type ColumnPlan,
  type ColumnSpec,
  type TimeKind,
} from './columns.js';
import { makeReader, newSummary } from './drive.js';
import { sniffDelimiter, splitHeader, Table } from './fields.js';
import type { ReaderOptions, ReadSummary, ReplayFormat, ReplayReader, ReplaySource } from './types.js';

/** How a format with one header line of named columns is laid out. */
export interface TableLayout {
  format: ReplayFormat;
  encoding: 'latin1' | 'utf8';
  /** The column specs (the current spec's `required` is relaxed when a constant current is given). */
  specs: readonly ColumnSpec[];
  timeKind: TimeKind;
  /** True for the column line; lines before it are the format's preamble. Default: the first line. */
  isHeader?: (line: string, lineNo: number) => boolean;
  direction?: (text: string) => number;
  /** Adjusts the plan once the columns are known (e.g. a fallback time column). */
  refine?: (plan: ColumnPlan, summary: ReadSummary, lineNo: number) => void;
}

/** A reader for CSV/TSV exports with a column line (Arbin, Battery Archive, Neware, Maccor). */
export function readTable(layout: TableLayout, source: ReplaySource, options: ReaderOptions): ReplayReader {
  const summary = newSummary(layout.format);
  return makeReader(source, layout.encoding, summary, tableParser(layout, summary, options));
}

/** The line parser behind `readTable`, for formats that pick between layouts. */
export function tableParser(layout: TableLayout, summary: ReadSummary, options: ReaderOptions): ColumnParser {
  const header = (line: string, lineNo: number): ColumnPlan | undefined => {
    if (layout.isHeader ? !layout.isHeader(line, lineNo) : lineNo !== 1) return undefined;
    const delim = sniffDelimiter(line);
    const names = splitHeader(line, delim);
    const specs = layout.specs.map((spec) =>
      spec.slot === slot.current ? { ...spec, required: options.current_A === undefined } : spec,
    );
    const { wanted, conversions } = resolveColumns(summary, names, specs, lineNo);
    const hasCurrent = wanted[slot.current]! >= 0;
    if (!hasCurrent) summary.notes.push(`no current column: constant ${options.current_A} A`);
    const plan: ColumnPlan = {
      table: new Table(layout.format, delim, names, wanted),
      timeKind: layout.timeKind,
      conversions,
      ...(hasCurrent ? {} : { constantCurrent_A: options.current_A }),
      ...(layout.direction && wanted[slot.direction]! >= 0 ? { direction: layout.direction } : {}),
    };
    if (plan.direction) summary.notes.push(`current direction from column ${names[wanted[slot.direction]!]}`);
    layout.refine?.(plan, summary, lineNo);
    return plan;
  };
  return new ColumnParser(summary, header, 'the column line');
}
