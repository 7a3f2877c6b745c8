import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from './drive.js';
import { openReplay, type OpenReplayOptions } from './read.js';
import { syntheticRun } from './synthetic-run.js';
import type { ReplayFormat, ReplaySample } from './types.js';
import {
  csvMapFor,
  writeArbin,
  writeBatteryArchive,
  writeCsv,
  writeMaccor,
  writeMpt,
  writeNeware,
} from './writers.js';

const start_ms = Date.UTC(2025, 2, 14, 8, 0, 0);

interface Case {
  name: string;
  format: ReplayFormat;
  run: ReplaySample[];
  write: (run: ReplaySample[]) => Buffer;
  options?: OpenReplayOptions;
  /** Fields the format does not carry. */
  drops?: ('t' | 'p' | 'step')[];
  /** Time resolution of the format's time column (s). */
  time_s?: number;
  /** The format's start time is whole seconds. */
  wholeSecondStart?: boolean;
  skipped?: Record<string, number>;
}

const run = (seed: number, extra: { temperature?: boolean; pressure?: boolean } = {}) =>
  syntheticRun({ seed, steps: 8, samplesPerStep: 15, ...extra });
const runWholeSeconds = (seed: number) =>
  run(seed, { temperature: true }).map((s) => ({ ...s, time_s: Math.round(s.time_s) }));

const cases: Case[] = [
  {
    name: 'EC-Lab .mpt with impedance rows, temperature and Analog IN pressure',
    format: 'biologic',
    run: run(1, { temperature: true, pressure: true }),
    write: (r) => writeMpt(r, { start_ms, impedanceEvery: 10 }),
    options: { analogIn: { 1: { as: 'pressure' } } },
    skipped: { 'impedance row': 12 },
  },
  {
    name: 'EC-Lab .mpt with comma decimals and <I>/mA, <Ewe>/V',
    format: 'biologic',
    run: run(2),
    write: (r) => writeMpt(r, { start_ms, commaDecimal: true, spelling: 'averaged' }),
  },
  {
    name: 'BT-Lab .mpt with Ecell/V',
    format: 'biologic',
    run: run(3, { temperature: true }),
    write: (r) => writeMpt(r, { start_ms, spelling: 'btlab' }),
  },
  {
    name: 'Arbin MITS Pro (units in the header)',
    format: 'arbin',
    run: run(4, { temperature: true }),
    write: (r) => writeArbin(r, { start_ms, style: 'mits' }),
  },
  {
    name: 'Arbin TRI style (no units, epoch DateTime)',
    format: 'arbin',
    run: run(5, { temperature: true }),
    write: (r) => writeArbin(r, { start_ms, style: 'tri' }),
    wholeSecondStart: true,
  },
  {
    name: 'Maccor Test (Min)',
    format: 'maccor',
    run: run(6, { temperature: true }),
    write: (r) => writeMaccor(r, { start_ms, timeForm: 'min' }),
    wholeSecondStart: true,
  },
  {
    name: 'Maccor MIMS TestTime with key/value header',
    format: 'maccor',
    run: run(7),
    write: (r) => writeMaccor(r, { start_ms, timeForm: 'testtime' }),
    wholeSecondStart: true,
    skipped: { 'blank line': 1 },
  },
  {
    name: 'Maccor Test Time as a duration',
    format: 'maccor',
    run: run(8),
    write: (r) => writeMaccor(r, { start_ms, timeForm: 'duration' }),
    wholeSecondStart: true,
    time_s: 1e-3,
  },
  {
    name: 'Neware flat CSV, Current(mA)',
    format: 'neware',
    run: runWholeSeconds(9),
    write: (r) => writeNeware(r, { start_ms, currentUnit: 'mA' }),
    wholeSecondStart: true,
  },
  {
    name: 'Neware flat CSV, unsigned Current(A), direction from Step Type',
    format: 'neware',
    run: run(10),
    write: (r) => writeNeware(r, { start_ms, currentUnit: 'A', unsigned: true }),
    wholeSecondStart: true,
    time_s: 1e-3,
  },
  {
    name: 'Neware nested cycle/step/record export, test time summed from step times',
    format: 'neware',
    run: run(16, { temperature: true }),
    write: (r) => writeNeware(r, { start_ms, layout: 'nested' }),
    wholeSecondStart: true,
    time_s: 1e-3,
  },
  {
    name: 'Battery Archive time series',
    format: 'batteryarchive',
    run: run(11, { temperature: true }),
    write: (r) => writeBatteryArchive(r, { start_ms }),
    drops: ['step'],
    wholeSecondStart: true,
  },
  {
    name: 'generic CSV with header, mA and pressure',
    format: 'csv',
    run: run(12, { temperature: true, pressure: true }),
    write: (r) => writeCsv(r, { currentUnit: 'mA' }),
    options: { map: csvMapFor(run(12, { temperature: true, pressure: true }), { currentUnit: 'mA' }) },
    drops: ['step'],
  },
  {
    name: 'generic CSV headerless with BOM, semicolons',
    format: 'csv',
    run: run(13),
    write: (r) => writeCsv(r, { header: false, bom: true, delimiter: ';' }),
    options: { map: 'time=1,current=2,voltage=3' },
    drops: ['step'],
  },
];

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sandglass-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectSameRun(read: ReplaySample[], written: ReplaySample[], c: Case): void {
  expect(read).toHaveLength(written.length);
  const timeDigits = c.time_s === undefined ? 6 : Math.round(-Math.log10(c.time_s)) - 1;
  read.forEach((sample, k) => {
    const expected = written[k]!;
    expect(sample.time_s).toBeCloseTo(expected.time_s - written[0]!.time_s, timeDigits);
    expect(sample.v).toBeCloseTo(expected.v, 8);
    expect(sample.i).toBeCloseTo(expected.i, 10);
    // Sign and zero survive exactly (rests are exactly zero, charge positive).
    expect(Math.sign(sample.i)).toBe(Math.sign(expected.i));
    if (expected.t !== undefined && !c.drops?.includes('t')) expect(sample.t).toBeCloseTo(expected.t, 5);
    if (expected.p !== undefined && !c.drops?.includes('p')) expect(sample.p).toBeCloseTo(expected.p, 5);
    expect(sample.cycle).toBe(c.format === 'csv' ? undefined : expected.cycle);
    if (!c.drops?.includes('step')) expect(sample.step).toBe(expected.step);
  });
}

describe('round trip: write a run in each format, sniff it, read it back', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const file = path.join(dir, `${c.name.replace(/\W+/g, '-')}.txt`);
      await writeFile(file, c.write(c.run));
      const opened = await openReplay(file, { format: 'auto', ...c.options });
      expect(opened.format, opened.reason).toBe(c.format);
      const samples = await readAll(opened.reader);
      expectSameRun(samples, c.run, c);
      const summary = opened.reader.summary;
      expect(summary.skipped).toEqual(c.skipped ?? {});
      expect(summary.samples).toBe(c.run.length);
      if (c.format === 'csv') expect(summary.start_ms).toBeUndefined();
      else if (c.wholeSecondStart) expect(summary.start_ms).toBe(Math.floor(start_ms / 1000) * 1000);
      else expect(summary.start_ms).toBeCloseTo(start_ms, 0);
    });
  }

  it('reads the same from a stream cut into tiny chunks (lines and UTF-8 characters split across chunks)', async () => {
    const samples = run(14, { temperature: true });
    const bytes = writeNeware(samples, { start_ms });
    const chunks: Buffer[] = [];
    for (let k = 0; k < bytes.length; k += 7) chunks.push(bytes.subarray(k, k + 7));
    const opened = await openReplay(Readable.from(chunks), { format: 'auto' });
    expect(opened.format).toBe('neware');
    const whole = await readAll(opened.reader);
    expect(opened.reader.summary.columns.temperature).toBe('T1(℃)');
    const fromFile = await openReplay(Readable.from([bytes]), { format: 'neware' });
    expect(whole).toEqual(await readAll(fromFile.reader));
    expect(whole).toHaveLength(samples.length);
  });

  it('yields the run in batches, constant memory per batch, in file order', async () => {
    const long = syntheticRun({ seed: 15, steps: 40, samplesPerStep: 500 });
    const opened = await openReplay(Readable.from([writeMpt(long, { start_ms })]), { format: 'biologic' });
    let count = 0;
    let batches = 0;
    let previous = -Infinity;
    for await (const batch of opened.reader) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(8192);
      for (const sample of batch) {
        expect(sample.time_s).toBeGreaterThan(previous);
        previous = sample.time_s;
        count++;
      }
    }
    expect(count).toBe(long.length);
    expect(batches).toBeGreaterThanOrEqual(3);
  });

  it('refuses a file without a current column unless a constant current is given', async () => {
    const text = 'time/s\tEwe/V\n0\t3.5\n1\t3.6\n';
    const refused = await openReplay(Readable.from([text]), { format: 'auto' });
    await expect(readAll(refused.reader)).rejects.toThrow(/no current column/);
    const opened = await openReplay(Readable.from([text]), { format: 'auto', current_A: 0.0004 });
    expect(opened.format).toBe('biologic');
    expect(await readAll(opened.reader)).toEqual([
      { time_s: 0, v: 3.5, i: 0.0004 },
      { time_s: 1, v: 3.6, i: 0.0004 },
    ]);
  });

  it('reads an EC-Lab file whose header is only 3 lines, with Analog IN 2/V as temperature', async () => {
    const text =
      'EC-Lab ASCII FILE\r\nNb header lines : 3\r\ntime/s\tEwe/V\t<I>/mA\tAnalog IN 2/V\t\r\n' +
      '5\t3.5\t-1\t0.25\t\r\n6\t3.4\t-1\t0.26\t\r\n';
    const opened = await openReplay(Readable.from([text]), {
      analogIn: { 2: { as: 'temperature', scale: 100 } },
    });
    expect(opened.format).toBe('biologic');
    expect(await readAll(opened.reader)).toEqual([
      { time_s: 0, v: 3.5, i: -0.001, t: 25 },
      { time_s: 1, v: 3.4, i: -0.001, t: 26 },
    ]);
    expect(opened.reader.summary.start_ms).toBeUndefined();
    expect(opened.reader.summary.notes).toContain('Analog IN 2/V read as temperature');
    const unmapped = await openReplay(Readable.from([text]), {});
    expect((await readAll(unmapped.reader))[0]).toEqual({ time_s: 0, v: 3.5, i: -0.001 });
  });

  it('reads a headerless two-column BioLogic text export as time/s, Ewe/V', async () => {
    const opened = await openReplay(Readable.from(['10\t3,5\r\n12,5\t3,75\r\n']), { current_A: 0 });
    expect(opened.format).toBe('biologic');
    expect(await readAll(opened.reader)).toEqual([
      { time_s: 0, v: 3.5, i: 0 },
      { time_s: 2.5, v: 3.75, i: 0 },
    ]);
  });
});
