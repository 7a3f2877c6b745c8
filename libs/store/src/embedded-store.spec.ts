import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCellConfig, type AlertEvent, type CycleSummary, type StateMessage } from '#contracts';
import { describeTelemetryStoreConformance } from './conformance.js';
import { EmbeddedStore } from './embedded-store.js';

function mkdirFor(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  return dataDir;
}

const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTelemetryStoreConformance('EmbeddedStore (DuckDB file)', {
  make: async () => new EmbeddedStore({ dataDir: path.join(dir, 'conformance') }),
});

// Past its bound the store lists alerts with SQL instead of from memory: the same answers.
describeTelemetryStoreConformance('EmbeddedStore (alerts listed by DuckDB)', {
  make: async () => new EmbeddedStore({ dataDir: path.join(dir, 'conformance-sql'), alertsInMemoryMax: 0 }),
});

// Past its bound of rows the store downsamples with DuckDB's GROUP BY instead of in JS: the same answers.
describeTelemetryStoreConformance('EmbeddedStore (downsampled by DuckDB)', {
  make: async () =>
    new EmbeddedStore({ dataDir: path.join(dir, 'conformance-group-by'), rowsAveragedInJs: 0 }),
});

describe('EmbeddedStore', () => {
  const cell = { rigId: 'r1', cellId: 'c1' };
  const ts = Date.UTC(2026, 0, 1);

  it('keeps its data in the file across close and reopen', async () => {
    const dataDir = path.join(dir, 'reopen');
    const first = new EmbeddedStore({ dataDir });
    await first.open();
    await first.writeSamples([{ ...cell, ts: ts + 0.5, v: 3.3, i: 0.1, seq: 1 }]);
    const config = defaultCellConfig(cell.rigId, cell.cellId);
    await first.putCellConfig(config);
    const state: StateMessage = {
      ...cell,
      ts,
      v: 3.3,
      i: 0.1,
      risk: 'warning',
      levels: {},
      estimates: {},
      samples: 1,
      run: 0,
    };
    await first.writeStates([state]);
    const alert: AlertEvent = {
      id: 'a1',
      ts,
      ...cell,
      kind: 'thermal',
      severity: 'warning',
      state: 'raised',
      source: 'physics',
      message: 'warm',
      evidence: {},
    };
    await first.writeAlerts([alert, { ...alert, ts: ts + 1, state: 'cleared' }]);
    const cycle: CycleSummary = {
      ...cell,
      cycle: 3,
      start: ts,
      end: ts + 1000,
      chargeCapacity_mAh: 1,
      dischargeCapacity_mAh: 1,
      coulombicEfficiency: 1,
      chargeEnergy_mWh: 1,
      dischargeEnergy_mWh: 1,
      meanPolarization_V: 0.01,
      meanChargeVoltage_V: 0.01,
      meanDischargeVoltage_V: -0.01,
      duration_s: 1,
      chargeDuration_s: 0.5,
      dischargeDuration_s: 0.5,
      samples: 2,
      complete: true,
      source: 'segmented',
    };
    await first.writeCycles([cycle]);
    await first.close();
    expect(await first.ping()).toBe(false);
    const second = new EmbeddedStore({ dataDir });
    await second.open();
    expect(await second.queryTelemetry(cell, { limit: 10 })).toEqual([{ ts: ts + 0.5, v: 3.3, i: 0.1 }]);
    expect(await second.getCellConfig(cell)).toEqual(config);
    expect(await second.listCells()).toEqual([{ ...cell, configured: true, state }]);
    expect(await second.queryAlerts({ limit: 10 })).toEqual([{ ...alert, ts: ts + 1, state: 'cleared' }]);
    expect(await second.queryCycles(cell)).toEqual([cycle]);
    expect(await second.queryCycles({ ...cell, cellId: 'c2' })).toEqual([]);
    await second.close();
  });

  it('lets two stores of one file in one process share it until the last closes', async () => {
    const dataDir = path.join(dir, 'shared');
    const a = new EmbeddedStore({ dataDir });
    const b = new EmbeddedStore({ dataDir });
    await a.open();
    await b.open();
    await a.writeSamples([{ ...cell, ts, v: 1, i: 1 }]);
    expect(await b.countSamples(cell)).toBe(1);
    await a.close();
    expect(await b.countSamples(cell)).toBe(1);
    await b.close();
  });

  it('stores a batch that mixes new samples with already stored ones once per time, the last winning', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await store.open();
    const at = (k: number, v: number) => ({ ...cell, ts: ts + k, v, i: 0 });
    await store.writeSamples([at(0, 1), at(1, 1), at(2, 1)]);
    // A write-ahead-log replay overlapping what is stored, a new sample, and one repeated in the batch.
    await store.writeSamples([at(1, 2), at(2, 2), at(3, 2), at(3, 3), at(0.5, 2)]);
    expect((await store.queryTelemetry(cell, { limit: 10 })).map((p) => [p.ts - ts, p.v])).toEqual([
      [0, 1],
      [0.5, 2],
      [1, 2],
      [2, 2],
      [3, 3],
    ]);
    // The newest sample written again replaces itself.
    await store.writeSamples([at(3, 4)]);
    expect(await store.countSamples(cell)).toBe(5);
    await store.close();
  });

  it('stores a batch appended in several event-loop slices whole, and a reader meanwhile sees none of it', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await store.open();
    const n = 5000; // more than two slices of the appender
    const batch = Array.from({ length: n }, (_, k) => ({ ...cell, ts: ts + k, v: k, i: 0 }));
    let written = false;
    const writing = store.writeSamples(batch).then(() => (written = true));
    // Reads run between the slices; the open transaction is invisible to them: all or nothing.
    const seen = new Set<number>();
    while (!written) seen.add(await store.countSamples(cell));
    await writing;
    expect([...seen].filter((count) => count !== 0 && count !== n)).toEqual([]);
    expect(await store.countSamples(cell)).toBe(n);
    const last = await store.queryTelemetry(cell, { from: ts + n - 2, limit: 5 });
    expect(last.map((p) => p.v)).toEqual([n - 2, n - 1]);
    await store.close();
  });

  it('keeps the last checkpoint of a cell written twice in one batch', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await store.open();
    const first = { ...cell, ts, version: 1, state: '{"n":1}' };
    await store.writeCheckpoints([first, { ...first, ts: ts + 1, state: '{"n":2}' }]);
    expect(await store.readCheckpoints()).toEqual([{ ...first, ts: ts + 1, state: '{"n":2}' }]);
    await store.close();
  });

  it('downsamples rows of many result chunks to the earliest buckets within the limit', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await store.open();
    // 10,000 rows (several 2,048-row chunks) in 1,000 buckets of 10 s; limit 7 keeps the first seven.
    const n = 10_000;
    await store.writeSamples(
      Array.from({ length: n }, (_, k) => ({ ...cell, ts: ts + k * 1000, v: k, i: 1 })),
    );
    const points = await store.queryTelemetry(cell, { every: '10s', limit: 7 });
    expect(points.map((p) => [p.ts - ts, p.v, p.i])).toEqual(
      Array.from({ length: 7 }, (_, b) => [b * 10_000, b * 10 + 4.5, 1]),
    );
    await store.close();
  });

  it('keeps the rows of a data file written with primary keys (0.1) and stops indexing them', async () => {
    const dataDir = path.join(dir, 'keyed');
    const old = await DuckDBInstance.create(path.join(mkdirFor(dataDir), 'sandglass.duckdb'));
    const db = await old.connect();
    await db.run(`CREATE TABLE telemetry (rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL,
      v DOUBLE, i DOUBLE, t DOUBLE, p DOUBLE, seq BIGINT, cycle BIGINT, step BIGINT, PRIMARY KEY (rig, cell, ts_us))`);
    await db.run(
      `INSERT INTO telemetry VALUES ('r1', 'c1', ${ts * 1000}, 3.3, 0.1, NULL, NULL, 1, NULL, NULL)`,
    );
    db.closeSync();
    old.closeSync();
    const store = new EmbeddedStore({ dataDir });
    await store.open();
    await store.writeSamples([
      { ...cell, ts, v: 3.4, i: 0.2 },
      { ...cell, ts: ts + 1, v: 3.5, i: 0.2 },
    ]);
    expect(await store.queryTelemetry(cell, { limit: 10 })).toEqual([
      { ts, v: 3.4, i: 0.2 },
      { ts: ts + 1, v: 3.5, i: 0.2 },
    ]);
    await store.close();
    const check = await DuckDBInstance.create(path.join(dataDir, 'sandglass.duckdb'));
    const reader = await check.connect();
    const keys = await reader.runAndReadAll(
      "SELECT count(*)::INTEGER FROM duckdb_constraints() WHERE table_name = 'telemetry' AND constraint_type = 'PRIMARY KEY'",
    );
    expect(keys.getRows()).toEqual([[0]]);
    reader.closeSync();
    check.closeSync();
  });

  it('throws a StoreError when used before open', async () => {
    const store = new EmbeddedStore({ dataDir: ':memory:' });
    await expect(store.countSamples(cell)).rejects.toMatchObject({ name: 'StoreError', retryable: false });
  });
});
