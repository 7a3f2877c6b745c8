import { ColumnParser, resolveColumns, slot, type ColumnPlan, type ColumnSpec } from './columns.js';
import { makeReader, newSummary } from './drive.js';
import { parseDateTime_ms, sniffDelimiter, splitHeader, Table, toNumber } from './fields.js';
import { ReaderError, type ReaderOptions, type ReplayReader, type ReplaySource } from './types.js';

export const biologicVoltageNames = ['Ewe/V', '<Ewe>/V', '<Ewe/V>', 'Ecell/V', '<Ecell>/V', 'Ewe/mV'];
export const biologicCurrentNames = ['I/mA', '<I>/mA', 'I/A', '<I>/A', 'I/µA', '<I>/µA'];

/**
 * BioLogic EC-Lab / BT-Lab `.mpt` text export (latin-1): the `Nb header lines : N` block with
 * `Acquisition started on`, the tab-separated column line, then rows with dot or comma decimals.
 * Also the export without the header block (first line the column names, or bare `time/s  Ewe/V`
 * numbers). Impedance rows (`freq/Hz` > 0) are skipped and counted. BioLogic's current is positive
 * when the working electrode is oxidised, which is charge, so it is Sandglass's sign already.
 */
export function readBiologic(source: ReplaySource, options: ReaderOptions = {}): ReplayReader {
  const summary = newSummary('biologic');
  let headerLines = 0;
  let acquisition_ms: number | undefined;

  const plan = (names: string[], delim: string, lineNo: number, headerIsData: boolean): ColumnPlan => {
    const specs: ColumnSpec[] = [
      { slot: slot.time, field: 'time', names: ['time/s'], required: true },
      { slot: slot.voltage, field: 'voltage', names: biologicVoltageNames, required: true },
      {
        slot: slot.current,
        field: 'current',
        names: biologicCurrentNames,
        required: options.current_A === undefined,
      },
      { slot: slot.temperature, field: 'temperature', names: ['Temperature/°C', 'Temperature/ºC', 'T/°C'] },
      { slot: slot.cycle, field: 'cycle', names: ['cycle number'] },
      { slot: slot.step, field: 'step', names: ['Ns'] },
      { slot: slot.frequency, names: ['freq/Hz'] },
    ];
    const { wanted, conversions } = resolveColumns(summary, names, specs, lineNo);
    for (const [n, mapping] of Object.entries(options.analogIn ?? {})) {
      const name = `Analog IN ${n}/V`;
      const column = names.findIndex((candidate) => candidate === name);
      if (column < 0)
        throw new ReaderError('biologic', lineNo, `no '${name}' column to read as ${mapping.as}`);
      const target = mapping.as === 'temperature' ? slot.temperature : slot.pressure;
      wanted[target] = column;
      conversions[target] = { scale: mapping.scale ?? 1, divide: 1, offset: mapping.offset ?? 0 };
      summary.columns[mapping.as] = name;
      summary.notes.push(`${name} read as ${mapping.as}`);
    }
    const hasCurrent = wanted[slot.current]! >= 0;
    if (!hasCurrent) summary.notes.push(`no current column: constant ${options.current_A} A`);
    return {
      table: new Table('biologic', delim, names, wanted),
      timeKind: 'number',
      conversions,
      ...(hasCurrent ? {} : { constantCurrent_A: options.current_A }),
      commaDecimal: 'detect',
      ...(acquisition_ms === undefined
        ? {}
        : { timeOrigin_ms: acquisition_ms, startSource: 'Acquisition started on + time/s' }),
      headerIsData,
    };
  };

  const header = (line: string, lineNo: number): ColumnPlan | undefined => {
    if (lineNo === 1) {
      if (line.startsWith('EC-Lab ASCII FILE') || line.startsWith('BT-Lab ASCII FILE')) return undefined;
      const delim = sniffDelimiter(line);
      const first = line.split(delim)[0]!.replace(',', '.');
      if (Number.isFinite(toNumber(first))) {
        summary.notes.push('no header: columns read as time/s, Ewe/V');
        return plan(['time/s', 'Ewe/V'], delim, lineNo, true);
      }
      summary.notes.push('no EC-Lab header block: first line read as the column names');
      return plan(splitHeader(line, delim), delim, lineNo, false);
    }
    if (lineNo === 2) {
      const match = /^Nb header lines\s*:\s*(\d+)/.exec(line);
      if (!match)
        throw new ReaderError('biologic', lineNo, `expected 'Nb header lines : N', found '${line}'`);
      headerLines = +match[1]!;
      if (headerLines < 3) throw new ReaderError('biologic', lineNo, `Nb header lines ${headerLines} < 3`);
    }
    if (line.startsWith('Acquisition started on')) {
      const text = line.slice(line.indexOf(':') + 1);
      acquisition_ms = parseDateTime_ms(text);
      if (acquisition_ms === undefined) {
        throw new ReaderError('biologic', lineNo, `acquisition start '${text.trim()}' not understood`);
      }
    }
    if (lineNo === headerLines) return plan(splitHeader(line, '\t'), '\t', lineNo, false);
    return undefined;
  };

  return makeReader(source, 'latin1', summary, new ColumnParser(summary, header, 'the column line'));
}
