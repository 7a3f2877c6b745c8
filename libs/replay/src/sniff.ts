import { biologicCurrentNames, biologicVoltageNames } from './biologic.js';
import { findColumn, normalizeName, sniffDelimiter, splitHeader, toNumber } from './fields.js';
import type { ReplayFormat } from './types.js';

export interface SniffResult {
  format: ReplayFormat;
  /** Why this format was chosen, for the user. */
  reason: string;
}

/**
 * Guesses a file's format from its first lines (for `--format auto`). A file with no known cycler
 * header is 'csv', which then needs a column map.
 */
export function sniffFormat(firstLines: readonly string[]): SniffResult {
  const lines = firstLines.map((line, k) =>
    k === 0 ? line.replace(/^(\uFEFF|\u00ef\u00bb\u00bf)/, '') : line,
  );
  const first = lines[0] ?? '';
  if (/^(EC|BT)-Lab ASCII FILE/.test(first)) {
    return { format: 'biologic', reason: `first line is '${first.trim()}'` };
  }
  if (/^"?Cycle ID"?,/i.test(first) && /^,"?Step ID"?,/i.test(lines[1] ?? '')) {
    return { format: 'neware', reason: 'lines 1-2 are the cycle and step headers of a nested Neware export' };
  }
  if (
    /^"?Cycle Index"?,/i.test(first) &&
    /^,"?Step Index"?,/i.test(lines[1] ?? '') &&
    /^,,/.test(lines[2] ?? '')
  ) {
    return {
      format: 'neware',
      reason: 'lines 1-3 are the cycle, step and record headers of a Neware regular export',
    };
  }
  for (const [k, line] of lines.slice(0, 60).entries()) {
    const delim = sniffDelimiter(line);
    const names = splitHeader(line, delim);
    const has = (candidates: readonly string[]): boolean => findColumn(names, candidates) >= 0;
    const lineNo = k + 1;
    if (delim === '\t' && has(['time/s']) && (has(biologicVoltageNames) || has(biologicCurrentNames))) {
      return {
        format: 'biologic',
        reason: `line ${lineNo} has BioLogic columns (time/s, Ewe/V...) without the EC-Lab header`,
      };
    }
    const firstName = normalizeName(names[0] ?? '');
    if (firstName === 'rec' || firstName === 'rec#') {
      return { format: 'maccor', reason: `line ${lineNo} is a Maccor column line starting '${names[0]}'` };
    }
    if (
      has(['Step Type']) &&
      (has(['Cumulative Time', 'Total Time', 'Date']) || names.some((n) => /^current\s*\(/i.test(n)))
    ) {
      return { format: 'neware', reason: `line ${lineNo} has Neware columns (Step Type, Current(...))` };
    }
    if (has(['Date_Time']) && has(['Test_Time (s)'])) {
      return {
        format: 'batteryarchive',
        reason: `line ${lineNo} has Battery Archive columns (Date_Time, Test_Time (s))`,
      };
    }
    if (has(['Test_Time', 'Test_Time(s)']) && has(['Voltage', 'Voltage(V)'])) {
      return { format: 'arbin', reason: `line ${lineNo} has Arbin columns (Test_Time, Voltage...)` };
    }
  }
  if (/^today's date/i.test(first))
    return { format: 'maccor', reason: 'first line starts Maccor\'s "Today\'s Date"' };
  const delim = sniffDelimiter(first);
  const fields = first.split(delim);
  if (
    delim === '\t' &&
    fields.length === 2 &&
    fields.every((f) => Number.isFinite(toNumber(f.replace(',', '.'))))
  ) {
    return {
      format: 'biologic',
      reason: 'two tab-separated numeric columns: a headerless BioLogic export (time/s, Ewe/V)',
    };
  }
  return { format: 'csv', reason: 'no known cycler header: generic CSV (needs a column map)' };
}
