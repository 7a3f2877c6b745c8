/**
 * Per-cycle statistics computed by libs/cycles from real cycler exports, against the cycler's own:
 * Neware's regular export carries a per-cycle table; the flat Neware, Arbin and Maccor exports carry the
 * cycler's running capacity and energy counters on every record (per step for Neware and Maccor, per
 * cycle for Arbin), whose final values per step or cycle are its own statistics. The goal of issue 17:
 * within 0.5 % on every complete cycle.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CycleTracker, type CycleStats } from '#cycles';
import { fixturePresent } from '../../../test/support/fixtures.js';
import { openReplay } from './read.js';
import { sniffFormat } from './sniff.js';
import type { CyclerCycle, ReadSummary } from './types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = path.resolve(repoRoot, '../shared/fixtures');
const local = path.resolve(repoRoot, 'test/fixtures');
const present = fixturePresent(shared);
const TOLERANCE = 0.005;

async function computed(file: string): Promise<{ cycles: Map<number, CycleStats>; summary: ReadSummary }> {
  const opened = await openReplay(file);
  const tracker = new CycleTracker();
  const cycles = new Map<number, CycleStats>();
  const t0 = Date.UTC(2026, 0, 1);
  for await (const batch of opened.reader) {
    for (const s of batch) {
      const closed = tracker.push(t0 + s.time_s * 1000, s.v, s.i, s.cycle);
      if (closed) cycles.set(closed.cycle, closed);
    }
  }
  const last = tracker.finish();
  if (last) cycles.set(last.cycle, last);
  return { cycles, summary: opened.reader.summary };
}

type Own = Pick<CyclerCycle, 'cycle' | 'chargeCapacity_mAh' | 'dischargeCapacity_mAh'> &
  Partial<Pick<CyclerCycle, 'chargeEnergy_mWh' | 'dischargeEnergy_mWh'>>;

/** Relative deviations of every statistic the cycler reports; returns the largest. */
function compare(cycles: Map<number, CycleStats>, own: Own[]): number {
  let worst = 0;
  expect(own.length).toBeGreaterThan(0);
  for (const row of own) {
    const ours = cycles.get(row.cycle);
    expect(ours, `cycle ${row.cycle} computed`).toBeDefined();
    expect(ours!.complete).toBe(true);
    const pairs: Array<[string, number, number | undefined]> = [
      ['charge capacity', ours!.chargeCapacity_mAh, row.chargeCapacity_mAh],
      ['discharge capacity', ours!.dischargeCapacity_mAh, row.dischargeCapacity_mAh],
      ['charge energy', ours!.chargeEnergy_mWh, row.chargeEnergy_mWh],
      ['discharge energy', ours!.dischargeEnergy_mWh, row.dischargeEnergy_mWh],
    ];
    for (const [what, value, reference] of pairs) {
      if (reference === undefined || Number.isNaN(reference)) continue;
      const deviation = Math.abs(value - reference) / reference;
      expect(deviation, `cycle ${row.cycle} ${what}: ${value} vs the cycler's ${reference}`).toBeLessThan(
        TOLERANCE,
      );
      worst = Math.max(worst, deviation);
    }
  }
  return worst;
}

/** Rows of a delimited export as records keyed by column name. */
async function table(file: string, delimiter: string, headerLine: (line: string) => boolean) {
  const lines = (await readFile(file, 'latin1')).split(/\r?\n/);
  const at = lines.findIndex(headerLine);
  const names = lines[at]!.replace(/^\uFEFF|^ï»¿/, '').split(delimiter);
  return lines
    .slice(at + 1)
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const fields = line.split(delimiter);
      return Object.fromEntries(names.map((name, k) => [name, fields[k] ?? '']));
    });
}

/** Sums the final value of per-step counters over each cycle's steps. */
function perStepCounters(
  rows: Record<string, string>[],
  key: (row: Record<string, string>) => string,
  cycleOf: (row: Record<string, string>) => number,
  counters: (row: Record<string, string>) => Omit<Own, 'cycle'>,
): Own[] {
  const lastOfStep = new Map<string, Record<string, string>>();
  for (const row of rows) lastOfStep.set(key(row), row);
  const byCycle = new Map<number, Own>();
  for (const row of lastOfStep.values()) {
    const cycle = cycleOf(row);
    const sum = byCycle.get(cycle) ?? {
      cycle,
      chargeCapacity_mAh: 0,
      dischargeCapacity_mAh: 0,
      chargeEnergy_mWh: 0,
      dischargeEnergy_mWh: 0,
    };
    const add = counters(row);
    sum.chargeCapacity_mAh += add.chargeCapacity_mAh;
    sum.dischargeCapacity_mAh += add.dischargeCapacity_mAh;
    sum.chargeEnergy_mWh! += add.chargeEnergy_mWh ?? 0;
    sum.dischargeEnergy_mWh! += add.dischargeEnergy_mWh ?? 0;
    byCycle.set(cycle, sum);
  }
  return [...byCycle.values()];
}

describe('cycle statistics against the cyclers’ own', () => {
  const regular = path.join(local, 'neware/nw_regular_export_ife_excerpt.csv');

  it('Neware regular export: sniffed, records read as samples, cycle lines as the cycler’s table', async () => {
    const head = (await readFile(regular, 'utf8')).split('\n').slice(0, 20);
    expect(sniffFormat(head).format).toBe('neware');
    const { cycles, summary } = await computed(regular);
    // Records are numbered 1..898 (DataPoint) in the excerpt: every one is a sample.
    expect(summary.samples).toBe(898);
    expect(summary.columns).toMatchObject({
      time: 'Total Time',
      voltage: 'Voltage(V)',
      current: 'Current(A)',
    });
    expect(summary.cyclerCycles?.map((c) => c.cycle)).toEqual([1, 2]);
    // `2,0.32780,0.33172,101.20,…`: Ah and percent in the file.
    expect(summary.cyclerCycles?.[1]?.chargeCapacity_mAh).toBeCloseTo(327.8, 9);
    expect(summary.cyclerCycles?.[1]?.coulombicEfficiency).toBeCloseTo(1.012, 9);
    const worst = compare(cycles, summary.cyclerCycles!);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(cycles.get(2)!.coulombicEfficiency).toBeCloseTo(summary.cyclerCycles![1]!.coulombicEfficiency, 3);
  });

  it.skipIf(!present)('Neware flat export: per-step Chg./DChg. counters summed per cycle', async () => {
    const file = path.join(shared, 'neware/neware_uio.csv');
    const rows = await table(file, ',', (line) => line.includes('DataPoint'));
    const own = perStepCounters(
      rows,
      (r) => `${r['Cycle Index']}/${r['Step Index']}`,
      (r) => Number(r['Cycle Index']),
      (r) => ({
        chargeCapacity_mAh: Number(r['Chg. Cap.(Ah)']) * 1000,
        dischargeCapacity_mAh: Number(r['DChg. Cap.(Ah)']) * 1000,
        chargeEnergy_mWh: Number(r['Chg. Energy(Wh)']) * 1000,
        dischargeEnergy_mWh: Number(r['DChg. Energy(Wh)']) * 1000,
      }),
    );
    const { cycles } = await computed(file);
    expect(own.map((c) => c.cycle)).toEqual([1, 2, 3, 4]);
    compare(cycles, own);
  });

  it.skipIf(!present)(
    'Arbin: Charge_/Discharge_Capacity and _Energy counters of the complete cycle',
    async () => {
      const file = path.join(shared, 'arbin/arbin_example.csv');
      const rows = await table(file, ',', (line) => line.startsWith('Data_Point'));
      // Cycle 1 of this file starts inside the cycle (its counter starts at 0.88 Ah): only cycle 2 is whole.
      const cycle2 = rows.filter((r) => r.Cycle_Index === '2');
      const end = cycle2.at(-1)!;
      const { cycles } = await computed(file);
      compare(cycles, [
        {
          cycle: 2,
          chargeCapacity_mAh: Number(end.Charge_Capacity) * 1000,
          dischargeCapacity_mAh: Number(end.Discharge_Capacity) * 1000,
          chargeEnergy_mWh: Number(end.Charge_Energy) * 1000,
          dischargeEnergy_mWh: Number(end.Discharge_Energy) * 1000,
        },
      ]);
    },
  );

  it.skipIf(!present)(
    'Maccor: per-step Cap. [Ah] and Ener. [Wh] by mode (C/D) summed per cycle',
    async () => {
      const file = path.join(shared, 'maccor/maccor_002.txt');
      const rows = await table(file, '\t', (line) => line.startsWith('Rec\t'));
      const data = rows.filter((r) => r.Md === 'C' || r.Md === 'D' || r.Md === 'R');
      const own = perStepCounters(
        data,
        (r) => `${r['Cycle C']}/${r.Step}/${r.Md}`,
        (r) => Number(r['Cycle C']),
        (r) => {
          const capacity = Number(r['Cap. [Ah]']) * 1000;
          const energy = Number(r['Ener. [Wh]']) * 1000;
          return {
            chargeCapacity_mAh: r.Md === 'C' ? capacity : 0,
            dischargeCapacity_mAh: r.Md === 'D' ? capacity : 0,
            chargeEnergy_mWh: r.Md === 'C' ? energy : 0,
            dischargeEnergy_mWh: r.Md === 'D' ? energy : 0,
          };
        },
      );
      const { cycles } = await computed(file);
      expect(own.map((c) => c.cycle)).toEqual([1, 2]);
      compare(cycles, own);
    },
  );
});
