import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent, CellConfig, CycleSummary, StateMessage, TelemetryPoint } from '#contracts';
import type {
  CellKey,
  CellSample,
  DetectorCheckpoint,
  SamplePage,
  TelemetryStore,
} from './telemetry-store.js';

/**
 * The behaviour every TelemetryStore adapter must share, as one vitest suite. Adapters run it from their
 * own spec with a factory; the suite opens one store and gives every test its own rig id so tests do
 * not see each other's data. Not exported from the lib's index (it imports vitest).
 */
export interface ConformanceTarget {
  make: () => Promise<TelemetryStore>;
  /** Removes what the run left behind (a database, a directory), after the store is closed. */
  cleanup?: () => Promise<void>;
}

const BASE_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const RUN = Math.random().toString(36).slice(2, 8);

export function describeTelemetryStoreConformance(name: string, target: ConformanceTarget): void {
  describe(`TelemetryStore conformance: ${name}`, () => {
    let store: TelemetryStore;
    let rigs = 0;
    const rig = () => `rig-${RUN}-${++rigs}`;

    beforeAll(async () => {
      store = await target.make();
      await store.open();
    });
    afterAll(async () => {
      await store?.close();
      await target.cleanup?.();
    });

    const sample = (cell: CellKey, ts: number, extra: Partial<CellSample> = {}): CellSample => ({
      ...cell,
      ts,
      v: 3.5 + (ts - BASE_MS) / 1e6,
      i: 0.001,
      ...extra,
    });
    const all = (cell: CellKey) => store.queryTelemetry(cell, { limit: 100_000 });

    it('answers ping after open and counts nothing for an unknown cell', async () => {
      expect(await store.ping()).toBe(true);
      expect(await store.countSamples({ rigId: rig(), cellId: 'c1' })).toBe(0);
      expect(await all({ rigId: rig(), cellId: 'c1' })).toEqual([]);
    });

    it('round-trips samples with fractional milliseconds and optional fields, oldest first', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      const other = { rigId: cell.rigId, cellId: 'c2' };
      const samples: CellSample[] = [
        sample(cell, BASE_MS + 2.125, { v: -0.25, i: 1e-7, t: 25.5, p: 3.25, seq: 3, cycle: 1, step: 2 }),
        sample(cell, BASE_MS + 0.5, { v: 4.2, i: -12.75, seq: 1 }),
        sample(other, BASE_MS + 1, { v: 9, i: 9 }),
        sample(cell, BASE_MS + 1.001, { v: 3.75, i: 0, t: -20 }),
        sample(cell, BASE_MS + 0.501, { v: 3, i: 2, p: 0 }),
      ];
      await store.writeSamples(samples);
      const points = await all(cell);
      expect(points).toEqual<TelemetryPoint[]>([
        { ts: BASE_MS + 0.5, v: 4.2, i: -12.75 },
        { ts: BASE_MS + 0.501, v: 3, i: 2, p: 0 },
        { ts: BASE_MS + 1.001, v: 3.75, i: 0, t: -20 },
        { ts: BASE_MS + 2.125, v: -0.25, i: 1e-7, t: 25.5, p: 3.25 },
      ]);
      expect(await store.countSamples(cell)).toBe(4);
      expect(await store.countSamples(other)).toBe(1);
    });

    it('stores a sample written twice once, the last write winning', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      const batch = Array.from({ length: 20 }, (_, k) => sample(cell, BASE_MS + k * 10));
      await store.writeSamples(batch);
      await store.writeSamples(batch);
      await store.writeSamples([...batch.slice(0, 5), sample(cell, BASE_MS, { v: 1.5 })]);
      expect(await store.countSamples(cell)).toBe(20);
      const points = await all(cell);
      expect(points).toHaveLength(20);
      expect(points[0]).toEqual({ ts: BASE_MS, v: 1.5, i: 0.001 });
    });

    it('filters by from and to (both inclusive) and applies limit from the oldest', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      await store.writeSamples(Array.from({ length: 50 }, (_, k) => sample(cell, BASE_MS + k * 1000)));
      const window = await store.queryTelemetry(cell, {
        from: BASE_MS + 10_000,
        to: BASE_MS + 19_000,
        limit: 100,
      });
      expect(window.map((p) => p.ts)).toEqual(
        Array.from({ length: 10 }, (_, k) => BASE_MS + (10 + k) * 1000),
      );
      const first = await store.queryTelemetry(cell, { from: BASE_MS + 5000, limit: 3 });
      expect(first.map((p) => p.ts)).toEqual([BASE_MS + 5000, BASE_MS + 6000, BASE_MS + 7000]);
      const upTo = await store.queryTelemetry(cell, { to: BASE_MS + 2000, limit: 100 });
      expect(upTo).toHaveLength(3);
    });

    it('downsamples to means over epoch-aligned buckets of `every`', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      // 40 samples 250 ms apart starting 0.5 s into a second: buckets of 1 s hold 2, then 4 each, then 2.
      const start = BASE_MS + 500;
      const samples = Array.from({ length: 40 }, (_, k) =>
        sample(cell, start + k * 250, { v: k, i: 2 * k, ...(k < 10 ? { t: 100 + k } : {}) }),
      );
      await store.writeSamples(samples);
      const points = await store.queryTelemetry(cell, { every: '1s', limit: 1000 });
      const expected: TelemetryPoint[] = [];
      for (let second = 0; second <= 10; second++) {
        const inBucket = samples.filter((s) => Math.floor((s.ts - BASE_MS) / 1000) === second);
        if (inBucket.length === 0) continue;
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        const point: TelemetryPoint = {
          ts: BASE_MS + second * 1000,
          v: mean(inBucket.map((s) => s.v)),
          i: mean(inBucket.map((s) => s.i)),
        };
        const ts = inBucket.flatMap((s) => (s.t === undefined ? [] : [s.t]));
        if (ts.length > 0) point.t = mean(ts);
        expected.push(point);
      }
      expect(points).toHaveLength(expected.length);
      points.forEach((point, k) => {
        const want = expected[k]!;
        expect(point.ts).toBe(want.ts);
        expect(point.v).toBeCloseTo(want.v!, 9);
        expect(point.i).toBeCloseTo(want.i!, 9);
        if (want.t === undefined) expect(point.t ?? null).toBeNull();
        else expect(point.t).toBeCloseTo(want.t!, 9);
        expect(point.p ?? null).toBeNull();
      });
      const windowed = await store.queryTelemetry(cell, {
        every: '5s',
        from: BASE_MS + 1000,
        to: BASE_MS + 4999,
        limit: 10,
      });
      expect(windowed).toHaveLength(1);
      expect(windowed[0]!.ts).toBe(BASE_MS);
      // samples k = 2..17 are inside [1 s, 4.999 s]
      expect(windowed[0]!.v).toBeCloseTo((2 + 17) / 2, 9);
      const limited = await store.queryTelemetry(cell, { every: '1s', limit: 2 });
      expect(limited.map((p) => p.ts)).toEqual([BASE_MS, BASE_MS + 1000]);
      await expect(store.queryTelemetry(cell, { every: '0s', limit: 2 })).rejects.toMatchObject({
        name: 'StoreError',
        retryable: false,
      });
    });

    it('keeps the latest state per cell and lists cells with their configured flag', async () => {
      const rigId = rig();
      const older = state(rigId, 'a', BASE_MS + 1000, 'ok');
      const newer = state(rigId, 'a', BASE_MS + 2000, 'warning');
      await store.writeStates([newer, state(rigId, 'c', BASE_MS, 'critical')]);
      await store.writeStates([older, older]);
      await store.putCellConfig(config(rigId, 'b', 2));
      await store.putCellConfig(config(rigId, 'c', 3));
      const cells = (await store.listCells()).filter((c) => c.rigId === rigId);
      expect(cells).toEqual([
        { rigId, cellId: 'a', configured: false, state: newer },
        { rigId, cellId: 'b', configured: true, state: null },
        { rigId, cellId: 'c', configured: true, state: state(rigId, 'c', BASE_MS, 'critical') },
      ]);
    });

    it('puts, gets, lists and overwrites cell configurations', async () => {
      const rigId = rig();
      expect(await store.getCellConfig({ rigId, cellId: 'x' })).toBeNull();
      await store.putCellConfig(config(rigId, 'x', 1));
      await store.putCellConfig(config(rigId, 'y', 2));
      expect(await store.getCellConfig({ rigId, cellId: 'x' })).toEqual(config(rigId, 'x', 1));
      await store.putCellConfig(config(rigId, 'x', 5));
      expect(await store.getCellConfig({ rigId, cellId: 'x' })).toEqual(config(rigId, 'x', 5));
      const listed = (await store.listCellConfigs()).filter((c) => c.rigId === rigId);
      expect(listed).toEqual([config(rigId, 'x', 5), config(rigId, 'y', 2)]);
    });

    it('returns each alert at its latest event, newest first, with filters', async () => {
      const rigId = rig();
      const a1 = alert(rigId, 'c1', 'a1', BASE_MS + 1000, 'raised');
      const a1cleared = { ...a1, ts: BASE_MS + 5000, state: 'cleared' as const, message: 'cleared' };
      const a2 = alert(rigId, 'c1', 'a2', BASE_MS + 3000, 'raised');
      const a3 = alert(rigId, 'c2', 'a3 x,y=z\\w', BASE_MS + 4000, 'raised');
      const a3acked = { ...a3, ts: BASE_MS + 4500, state: 'acknowledged' as const, acknowledgedBy: 'ana' };
      await store.writeAlerts([a1, a2, a3]);
      await store.writeAlerts([a1cleared, a3acked, a1]);
      await store.writeAlerts([a1cleared]);
      const query = { rigId, limit: 100 };
      expect(await store.queryAlerts(query)).toEqual([a1cleared, a3acked, a2]);
      expect(await store.queryAlerts({ ...query, state: 'raised' })).toEqual([a2]);
      expect(await store.queryAlerts({ ...query, state: 'cleared' })).toEqual([a1cleared]);
      expect(await store.queryAlerts({ ...query, cellId: 'c1' })).toEqual([a1cleared, a2]);
      expect(await store.queryAlerts({ ...query, since: BASE_MS + 4500 })).toEqual([a1cleared, a3acked]);
      expect(await store.queryAlerts({ ...query, limit: 1 })).toEqual([a1cleared]);
      expect(await store.queryAlerts({ rigId: rig(), limit: 100 })).toEqual([]);
    });

    it('keeps the latest detector checkpoint per cell, its text and data time exactly', async () => {
      const r = rig();
      const mine = async () => (await store.readCheckpoints()).filter((c) => c.rigId === r);
      expect(await mine()).toEqual([]);
      // A checkpoint is JSON text of tens of kB with quotes, backslashes, newlines and non-ASCII in it.
      const state = JSON.stringify({
        note: 'a "quoted" \\ back\nslash, µm, ✓',
        values: Array.from({ length: 2000 }, (_, k) => k / 7),
      });
      const c1: DetectorCheckpoint = { rigId: r, cellId: 'c1', ts: BASE_MS + 0.125, version: 1, state };
      const c2: DetectorCheckpoint = { rigId: r, cellId: 'c2', ts: BASE_MS + 1000, version: 1, state: '{}' };
      await store.writeCheckpoints([c2, c1]);
      expect(await mine()).toEqual([c1, c2]);
      const later: DetectorCheckpoint = { ...c1, ts: BASE_MS + 30_000.5, version: 2, state: '{"n":2}' };
      await store.writeCheckpoints([later]);
      expect(await mine()).toEqual([later, c2]);
      await store.writeCheckpoints([]);
      expect(await mine()).toEqual([later, c2]);
    });

    it('stores cycles idempotently by (rig, cell, cycle) and lists them by cycle number', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      const other = { rigId: cell.rigId, cellId: 'c2' };
      const c1 = cycleOf(cell, 1, BASE_MS);
      const c2 = cycleOf(cell, 2, BASE_MS + 3_600_000);
      const c3 = cycleOf(cell, 3, BASE_MS + 7_200_000, {
        coulombicEfficiency: null,
        meanPolarization_V: null,
      });
      expect(await store.queryCycles(cell)).toEqual([]);
      await store.writeCycles([c3, c1]);
      await store.writeCycles([c2, c1, cycleOf(other, 1, BASE_MS)]);
      const replaced = { ...c2, dischargeCapacity_mAh: 0.5, end: c2.end + 10 };
      await store.writeCycles([replaced]);
      expect(await store.queryCycles(cell)).toEqual([c1, replaced, c3]);
      expect(await store.queryCycles(other)).toHaveLength(1);
      // The same cycle number found again with another start (segmentation after a restart) replaces it.
      const moved = cycleOf(cell, 3, BASE_MS + 7_300_000);
      await store.writeCycles([moved]);
      expect((await store.queryCycles(cell)).map((c) => [c.cycle, c.start])).toEqual([
        [1, c1.start],
        [2, c2.start],
        [3, moved.start],
      ]);
    });

    it('reads a cell’s raw samples in pages, oldest first, within from/to, with every field', async () => {
      const cell = { rigId: rig(), cellId: 'c1' };
      const n = 2_345;
      const samples = Array.from({ length: n }, (_, k) =>
        sample(cell, BASE_MS + k * 10 + 0.25, {
          seq: k,
          ...(k % 3 === 0 ? { t: 20 + k / 100 } : {}),
          ...(k % 5 === 0 ? { p: 1.5 } : {}),
          cycle: 1 + Math.floor(k / 1000),
          step: k % 7,
        }),
      );
      await store.writeSamples([...samples].reverse());
      await store.writeSamples([sample({ rigId: cell.rigId, cellId: 'c2' }, BASE_MS + 5)]);
      const read = async (query: { from?: number; to?: number; pageSize: number }) => {
        const pages: SamplePage[] = [];
        for await (const page of store.readSamplePages(cell, query)) pages.push(page);
        return pages;
      };
      const pages = await read({ pageSize: 1000 });
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages.every((p) => p.length > 0 && p.length <= 1000)).toBe(true);
      expect(pages.flatMap((p) => [...p.ts])).toEqual(samples.map((s) => s.ts));
      const flat = (name: 'v' | 'i' | 't' | 'p' | 'cycle' | 'step') => pages.flatMap((p) => [...p[name]]);
      const columns = {
        v: flat('v'),
        i: flat('i'),
        t: flat('t'),
        p: flat('p'),
        cycle: flat('cycle'),
        step: flat('step'),
      };
      const at = (k: number) => ({
        v: columns.v[k],
        i: columns.i[k],
        t: columns.t[k],
        p: columns.p[k],
        cycle: columns.cycle[k],
        step: columns.step[k],
      });
      for (const k of [0, 1, 999, 1000, 1234, n - 1]) {
        const s = samples[k]!;
        expect(at(k)).toEqual({
          v: s.v,
          i: s.i,
          t: s.t ?? NaN,
          p: s.p ?? NaN,
          cycle: s.cycle,
          step: s.step,
        });
      }
      const window = await read({ from: samples[10]!.ts, to: samples[1010]!.ts, pageSize: 500 });
      expect(window.every((p) => p.length <= 500)).toBe(true);
      expect(window.flatMap((p) => [...p.ts])).toEqual(samples.slice(10, 1011).map((s) => s.ts));
      expect(await read({ from: BASE_MS - 1000, to: BASE_MS - 1, pageSize: 10 })).toEqual([]);
    });

    it('round-trips a batch of 50,000 samples', async () => {
      const cells = [
        { rigId: rig(), cellId: 'c1' },
        { rigId: rig(), cellId: 'c2' },
      ];
      const samples: CellSample[] = [];
      for (let k = 0; k < 25_000; k++) {
        for (const cell of cells) samples.push(sample(cell, BASE_MS + k * 0.1, { seq: k, t: 25 }));
      }
      await store.writeSamples(samples);
      for (const cell of cells) {
        expect(await store.countSamples(cell)).toBe(25_000);
        const points = await all(cell);
        expect(points).toHaveLength(25_000);
        expect(points[0]!.ts).toBe(BASE_MS);
        expect(points[24_999]!.ts).toBe(BASE_MS + 2499.9);
        expect(points[12_345]).toEqual({ ts: BASE_MS + 1234.5, v: samples[24_690]!.v, i: 0.001, t: 25 });
      }
    });
  });
}

function state(rigId: string, cellId: string, ts: number, risk: StateMessage['risk']): StateMessage {
  return {
    rigId,
    cellId,
    ts,
    v: 3.9,
    i: 0.5,
    t: 25,
    risk,
    levels: risk === 'ok' ? {} : { 'sand-depletion': risk },
    estimates: { depletionFraction: 0.4, jOverJstar: 1.2, timeToDepletion_s: null },
    samples: 10,
    run: 0,
  };
}

function cycleOf(
  cell: CellKey,
  cycle: number,
  start: number,
  extra: Partial<CycleSummary> = {},
): CycleSummary {
  return {
    ...cell,
    cycle,
    start,
    end: start + 3_000_000,
    chargeCapacity_mAh: 1.25,
    dischargeCapacity_mAh: 1.2,
    coulombicEfficiency: 0.96,
    chargeEnergy_mWh: 4.8,
    dischargeEnergy_mWh: 4.3,
    meanPolarization_V: 0.2,
    meanChargeVoltage_V: 3.9,
    meanDischargeVoltage_V: 3.7,
    duration_s: 3000,
    chargeDuration_s: 1500,
    dischargeDuration_s: 1400,
    samples: 3000,
    complete: true,
    source: 'segmented',
    ...extra,
  };
}

function config(rigId: string, cellId: string, area_cm2: number): CellConfig {
  return {
    rigId,
    cellId,
    cellType: 'symmetric',
    electrodeArea_cm2: area_cm2,
    electrolyte: { preset: 'lp30', gap_um: 25 },
    thresholds: { 'sand-depletion.warning': 0.5 },
  };
}

function alert(
  rigId: string,
  cellId: string,
  id: string,
  ts: number,
  state: AlertEvent['state'],
): AlertEvent {
  return {
    id: `${rigId}-${id}`,
    ts,
    rigId,
    cellId,
    kind: 'sand-depletion',
    severity: 'warning',
    state,
    source: 'physics',
    message: 'J/J* = 1.2 "quoted", back\\slash',
    evidence: { jOverJstar: 1.2, model: 'v1', tau_s: null },
  };
}
