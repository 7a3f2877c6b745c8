import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePresent } from '../../../test/support/fixtures.js';
import { readAll } from './drive.js';
import { openReplay, type OpenReplayOptions } from './read.js';
import { sniffFormat } from './sniff.js';
import type { ReplayFormat, ReplaySample } from './types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const present = fixturePresent(fixtures);
const title = present ? 'real cycler fixtures' : `real cycler fixtures (SKIPPED: ${fixtures} not found)`;

async function read(file: string, options: OpenReplayOptions = {}) {
  const opened = await openReplay(path.join(fixtures, file), options);
  const samples = await readAll(opened.reader);
  return { ...opened, samples, summary: opened.reader.summary };
}

function first(samples: ReplaySample[]): ReplaySample {
  return samples[0]!;
}
function last(samples: ReplaySample[]): ReplaySample {
  return samples.at(-1)!;
}

describe.skipIf(!present)(title, () => {
  it('sniffs the format of every fixture', async () => {
    const expected: Record<string, ReplayFormat> = {
      'biologic/mb.mpt': 'biologic',
      'biologic/gcpl.issue_149.mpt': 'biologic',
      'biologic/bcd.issue_241.mpt': 'biologic',
      'arbin/arbin_example.csv': 'arbin',
      'batteryarchive/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv': 'batteryarchive',
      'maccor/maccor_002.txt': 'maccor',
      'maccor/maccor_example.001': 'maccor',
      'neware/neware_uio.csv': 'neware',
      'generic/Q30_S001_1C.csv': 'csv',
    };
    for (const [file, format] of Object.entries(expected)) {
      const head = (await readFile(path.join(fixtures, file))).subarray(0, 8192).toString('latin1');
      const result = sniffFormat(head.split(/\r?\n/).slice(0, -1));
      expect(result.format, `${file}: ${result.reason}`).toBe(format);
      expect(result.reason.length).toBeGreaterThan(10);
    }
  });

  it('BioLogic mb.mpt: skips the interleaved impedance rows, currents in A, charge positive', async () => {
    const { samples, summary, format } = await read('biologic/mb.mpt');
    expect(format).toBe('biologic');
    expect(summary.rows).toBe(1588);
    expect(summary.skipped).toEqual({ 'impedance row': 560 });
    expect(samples).toHaveLength(1028);
    expect(summary.samples).toBe(1028);
    expect(summary.columns).toMatchObject({ time: 'time/s', voltage: 'Ewe/V', current: 'I/mA' });
    expect(first(samples)).toEqual({ time_s: 0, v: 2.6495004e-4, i: 0, cycle: 0, step: 0 });
    // Acquisition started on : 08/23/2021 11:44:40.646, first row at time/s 1151.097054670608.
    expect(summary.start_ms).toBeCloseTo(Date.UTC(2021, 7, 23, 11, 44, 40, 646) + 1151097.054670608, 3);
    expect(last(samples).time_s).toBeCloseTo(33933.07396 - 1151.097054670608 - 266.93, 0);
    // ±2.8 µA galvanostatic steps: the file's I/mA ±2.80e-3 becomes ±2.80e-6 A.
    const loaded = samples.filter((s) => s.i !== 0);
    expect(loaded.length).toBeGreaterThan(500);
    for (const s of loaded) expect(Math.abs(Math.abs(s.i) - 2.8e-6)).toBeLessThan(0.05e-6);
    // Li|LLZO|Li symmetric cell: the overpotential follows the current's sign (ohmic), so the sign was kept.
    const agreeing = loaded.filter((s) => Math.sign(s.v) === Math.sign(s.i)).length;
    expect(agreeing / loaded.length).toBeGreaterThan(0.95);
    // Time is relative to the first yielded row and never runs backwards.
    for (let k = 1; k < samples.length; k++)
      expect(samples[k]!.time_s).toBeGreaterThan(samples[k - 1]!.time_s);
  });

  it('BioLogic gcpl.issue_149.mpt: comma decimals and <I>/mA', async () => {
    const { samples, summary } = await read('biologic/gcpl.issue_149.mpt');
    expect(samples).toHaveLength(132);
    expect(summary.notes).toContain('comma decimal separator');
    expect(summary.columns.current).toBe('<I>/mA');
    expect(first(samples)).toMatchObject({ time_s: 0, v: 3.4228721, i: 0 });
    expect(summary.start_ms).toBeCloseTo(Date.UTC(2024, 0, 10, 11, 2, 29, 886) + 30152.99923827115, 3);
    // ±0.03 mA steps (the averaged <I> of a step's first point is partial): ±3e-5 A; charge raises the
    // voltage and discharge lowers it, so the sign is Sandglass's.
    for (const s of samples) expect(Math.abs(s.i)).toBeLessThan(3.002e-5);
    const charging = samples.filter((s) => s.i > 2.99e-5);
    const discharging = samples.filter((s) => s.i < -2.99e-5);
    expect(charging.length).toBeGreaterThan(10);
    expect(discharging.length).toBeGreaterThan(10);
    expect(charging.slice(0, 9).at(-1)!.v).toBeGreaterThan(charging[0]!.v);
    expect(discharging.slice(0, 6).at(-1)!.v).toBeLessThan(discharging[0]!.v);
    expect(last(samples).v).toBeCloseTo(3.4320145, 7);
  });

  it('BT-Lab bcd.issue_241.mpt: Ecell/V, CRLF, half cell lithiated at negative current', async () => {
    const { samples, summary } = await read('biologic/bcd.issue_241.mpt');
    expect(samples).toHaveLength(2550);
    expect(summary.columns.voltage).toBe('Ecell/V');
    expect(first(samples)).toMatchObject({ time_s: 0, v: 0.81357974, i: -5.7072818e-4, cycle: 0 });
    expect(last(samples)).toMatchObject({ v: 0.99994922, i: 5.6978446e-4, cycle: 1 });
    expect(last(samples).time_s).toBeCloseTo(799578.1021393016 - 728075.5286810044, 6);
    // Negative current lithiates the working electrode: its potential falls toward 0.01 V.
    const firstStep = samples.slice(0, 200).filter((s) => s.i < 0);
    expect(firstStep.at(-1)!.v).toBeLessThan(firstStep[0]!.v);
    for (const s of samples) expect(s.v).toBeGreaterThan(0);
  });

  it('Arbin TRI-style CSV: no units in the header, epoch DateTime, temperature', async () => {
    const { samples, summary, format } = await read('arbin/arbin_example.csv');
    expect(format).toBe('arbin');
    expect(samples).toHaveLength(2142);
    expect(summary.start_ms).toBe(1499006353000);
    expect(first(samples)).toEqual({ time_s: 0, v: 3.2796359, i: -9.63e-5, t: 29.18314, cycle: 1, step: 10 });
    expect(last(samples)).toEqual({ time_s: 6308.4823, v: 2.4080653, i: 0, t: 29.30785, cycle: 2, step: 13 });
    for (const s of samples) {
      expect(s.t).toBeGreaterThan(27);
      expect(s.t).toBeLessThan(33);
    }
    // Arbin counts charge positive: the voltage rises through the first +1.1 A step.
    const charging = samples.filter((s) => s.step === 11);
    expect(charging[0]!.i).toBeCloseTo(1.0999289, 6);
    expect(charging.at(-1)!.v).toBeGreaterThan(charging[0]!.v);
  });

  it('Battery Archive time series: Date_Time start, empty temperatures left out', async () => {
    const { samples, summary } = await read(
      'batteryarchive/CALCE_CX2-33_prism_LCO_25C_0-100_0.5-0.5C_d_timeseries.csv',
    );
    expect(samples).toHaveLength(15);
    expect(summary.start_ms).toBe(Date.UTC(2010, 8, 2, 14, 35, 40));
    expect(first(samples)).toEqual({ time_s: 0, v: 3.843, i: 0, cycle: 1 });
    expect(last(samples).time_s).toBeCloseTo(450.16 - 30.009, 9);
    expect(last(samples)).toMatchObject({ v: 4.032, i: 0.675 });
    for (const s of samples) expect(s.t).toBeUndefined();
  });

  it('Maccor MIMS export: TestTime in minutes, direction from Md, key/value header', async () => {
    const { samples, summary } = await read('maccor/maccor_002.txt');
    expect(samples).toHaveLength(7446);
    expect(summary.skipped).toEqual({ 'blank line': 1 });
    expect(summary.start_ms).toBe(Date.UTC(2021, 4, 11, 15, 40, 24));
    expect(first(samples)).toEqual({ time_s: 0, v: 0.1783, i: 0, cycle: 1, step: 1 });
    expect(samples[1]!.time_s).toBe(60);
    // Last row: TestTime 3809.841833 min, Current [A] +0.00016037 written unsigned with Md = D.
    expect(last(samples).time_s).toBeCloseTo(3809.841833 * 60, 6);
    expect(last(samples)).toMatchObject({ v: 1.3, i: -0.00016037, cycle: 2, step: 5 });
    expect(samples.some((s) => s.i > 0)).toBe(true);
  });

  it('Maccor text export with Test (Min) and State', async () => {
    const { samples, summary } = await read('maccor/maccor_example.001');
    expect(samples).toHaveLength(8);
    expect(summary.columns.time).toBe('Test (Min)');
    expect(summary.start_ms).toBe(Date.UTC(2016, 2, 31, 16, 5, 31));
    expect(last(samples)).toEqual({ time_s: 1.1667 * 60, v: 3.30617227, i: 0, cycle: 0, step: 1 });
  });

  it('Neware flat CSV: cumulative HH:MM:SS past 24 h, Step Type direction', async () => {
    const { samples, summary } = await read('neware/neware_uio.csv');
    expect(samples).toHaveLength(9065);
    expect(summary.columns).toMatchObject({ time: 'Cumulative Time', current: 'Current(A)' });
    expect(summary.start_ms).toBe(Date.UTC(2022, 4, 18, 16, 27, 52));
    expect(first(samples)).toEqual({ time_s: 0, v: 2.917, i: 0, cycle: 1, step: 1 });
    expect(last(samples)).toEqual({
      time_s: 144 * 3600 + 2 * 60 + 18,
      v: 0.4251,
      i: 0.00099171,
      cycle: 4,
      step: 13,
    });
    const discharge = samples.filter((s) => s.i < 0);
    expect(discharge).toHaveLength(4667);
    for (const s of discharge) expect(s.i).toBeGreaterThan(-0.0011);
  });

  it('generic headerless CSV with a BOM through a column map', async () => {
    const { samples, summary, format, reason } = await read('generic/Q30_S001_1C.csv', {
      map: 'time=1,current=2,voltage=3,temperature=5',
    });
    expect(format).toBe('csv');
    expect(reason).toMatch(/generic/);
    expect(samples).toHaveLength(3548);
    expect(summary.notes).toContain('no header line');
    expect(summary.start_ms).toBeUndefined();
    expect(first(samples)).toEqual({ time_s: 0, v: 4.1432, i: 0.028243, t: 22.95407 });
    expect(last(samples)).toEqual({ time_s: 3548.01952, v: 2.4978, i: -2.9895, t: 33.745651 });
    // A 1C discharge of a 3 Ah cell: about -3 A, and the cell warms by about 11 °C.
    expect(samples[100]!.i).toBeCloseTo(-3, 0);
  });
});
