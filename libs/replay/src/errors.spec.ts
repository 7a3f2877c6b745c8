import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePresent } from '../../../test/support/fixtures.js';
import { readAll } from './drive.js';
import { readerFor } from './read.js';
import { syntheticRun } from './synthetic-run.js';
import { ReaderError, type ReplayFormat, type ReplayReader, type ReplaySample } from './types.js';
import { writeArbin, writeBatteryArchive, writeMaccor, writeMpt, writeNeware } from './writers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const present = fixturePresent(fixtures);

/** Everything the reader yielded before it failed, and the failure. */
async function drain(reader: ReplayReader): Promise<{ samples: ReplaySample[]; error: unknown }> {
  const samples: ReplaySample[] = [];
  try {
    for await (const batch of reader) samples.push(...batch);
  } catch (error) {
    return { samples, error };
  }
  return { samples, error: undefined };
}

function reader(format: ReplayFormat, bytes: Buffer | string): ReplayReader {
  return readerFor(format, Readable.from([bytes]), {});
}

function startOfLine(bytes: Buffer, lineNo: number): number {
  let at = 0;
  for (let k = 1; k < lineNo; k++) at = bytes.indexOf(10, at) + 1;
  return at;
}

/** Cuts the file in the middle of line `lineNo` (after its `fieldsKept`-th delimiter). */
function cutInside(bytes: Buffer, lineNo: number, delimiter: string, fieldsKept: number): Buffer {
  let at = startOfLine(bytes, lineNo);
  for (let k = 0; k < fieldsKept; k++) at = bytes.indexOf(delimiter.charCodeAt(0), at) + 1;
  return bytes.subarray(0, at + 2);
}

function expectReaderError(error: unknown, lineNo: number, pattern: RegExp): void {
  expect(error).toBeInstanceOf(ReaderError);
  const readerError = error as ReaderError;
  expect(readerError.line).toBe(lineNo);
  expect(readerError.message).toMatch(new RegExp(`line ${lineNo}: `));
  expect(readerError.message).toMatch(pattern);
}

describe.skipIf(!present)(
  present ? 'truncated real files' : `truncated real files (SKIPPED: ${fixtures} not found)`,
  () => {
    const cases: { file: string; format: ReplayFormat; delimiter: string; lines: number[] }[] = [
      { file: 'biologic/mb.mpt', format: 'biologic', delimiter: '\t', lines: [92, 500, 1678] },
      { file: 'biologic/gcpl.issue_149.mpt', format: 'biologic', delimiter: '\t', lines: [150] },
      { file: 'arbin/arbin_example.csv', format: 'arbin', delimiter: ',', lines: [2, 1000] },
      { file: 'maccor/maccor_002.txt', format: 'maccor', delimiter: '\t', lines: [16, 4000] },
      { file: 'neware/neware_uio.csv', format: 'neware', delimiter: ',', lines: [9000] },
    ];
    for (const c of cases) {
      it(`${c.file} cut inside a row: a ReaderError naming the line, and only the correct rows before it`, async () => {
        const bytes = await readFile(path.join(fixtures, c.file));
        const whole = await readAll(reader(c.format, bytes));
        for (const lineNo of c.lines) {
          const { samples, error } = await drain(reader(c.format, cutInside(bytes, lineNo, c.delimiter, 3)));
          expectReaderError(
            error,
            lineNo,
            /expected \d+ fields like the header, found \d+ \(file truncated\?\)/,
          );
          // Every row before the cut line, and nothing else.
          const before = await readAll(reader(c.format, bytes.subarray(0, startOfLine(bytes, lineNo))));
          expect(samples).toEqual(whole.slice(0, before.length));
          expect(samples).toHaveLength(before.length);
        }
      });
    }

    it('mb.mpt cut inside its header: says the file ended before the column line', async () => {
      const bytes = await readFile(path.join(fixtures, 'biologic/mb.mpt'));
      const { samples, error } = await drain(reader('biologic', cutInside(bytes, 40, ' ', 1)));
      expectReaderError(error, 40, /file ended before the column line/);
      expect(samples).toEqual([]);
    });

    it('an Arbin row with a garbled voltage: the line and the column are named', async () => {
      const bytes = await readFile(path.join(fixtures, 'arbin/arbin_example.csv'), 'utf8');
      const lines = bytes.split('\r\n');
      lines[99] = lines[99]!.replace(/,(3\.\d+),/, ',3.3#7,');
      const { samples, error } = await drain(reader('arbin', lines.join('\r\n')));
      expectReaderError(error, 100, /voltage '3\.3#7' is not a number \(column Voltage\)/);
      expect(samples).toHaveLength(98);
    });

    it('an Arbin file read as BioLogic fails on line 2', async () => {
      const bytes = await readFile(path.join(fixtures, 'arbin/arbin_example.csv'));
      const { samples, error } = await drain(reader('biologic', bytes));
      expect(samples).toEqual([]);
      expect(error).toBeInstanceOf(ReaderError);
    });
  },
);

describe('garbled files written by the writers', () => {
  const run = syntheticRun({ seed: 21, steps: 4, samplesPerStep: 10, temperature: true });

  it('a garbled Nb header lines', async () => {
    const text = writeMpt(run).toString('latin1').replace('Nb header lines : 9', 'Nb header lines : x');
    const { error } = await drain(reader('biologic', Buffer.from(text, 'latin1')));
    expectReaderError(error, 2, /expected 'Nb header lines : N'/);
  });

  it('a Neware time that is not HH:MM:SS', async () => {
    const lines = writeNeware(run).toString('utf8').split('\n');
    const fields = lines[5]!.split(',');
    fields[5] = '0:xx:10';
    lines[5] = fields.join(',');
    const { samples, error } = await drain(reader('neware', lines.join('\n')));
    expectReaderError(error, 6, /time '0:xx:10' is not a duration/);
    expect(samples).toHaveLength(4);
  });

  it('a nested Neware export cut inside a record line', async () => {
    const bytes = writeNeware(run, { layout: 'nested' });
    const { samples, error } = await drain(reader('neware', cutInside(bytes, 12, ',', 4)));
    expectReaderError(error, 12, /expected \d+ fields like the header/);
    expect(samples.length).toBeGreaterThan(3);
  });

  it('a Maccor file missing its voltage column', async () => {
    const text = writeMaccor(run).toString('latin1').replace('\tVolts\t', '\tVolts2\t');
    const { error } = await drain(reader('maccor', Buffer.from(text, 'latin1')));
    expectReaderError(error, 2, /no voltage column/);
  });

  it('an Arbin Date_Time that is not a date', async () => {
    const lines = writeArbin(run).toString('utf8').split('\r\n');
    lines[1] = lines[1]!.replace(/^1,[^,]+,/, '1,yesterday,');
    const { samples, error } = await drain(reader('arbin', lines.join('\r\n')));
    expectReaderError(error, 2, /date-time 'yesterday' not understood/);
    expect(samples).toEqual([]);
  });

  it('a Battery Archive row with an extra field, and an empty file', async () => {
    const lines = writeBatteryArchive(run).toString('utf8').split('\n');
    lines[7] += ',9';
    const { samples, error } = await drain(reader('batteryarchive', lines.join('\n')));
    expectReaderError(error, 8, /expected 11 fields like the header, found 12/);
    expect(samples).toHaveLength(6);
    const empty = await drain(reader('batteryarchive', ''));
    expectReaderError(empty.error, 0, /file ended before the column line/);
  });
});
