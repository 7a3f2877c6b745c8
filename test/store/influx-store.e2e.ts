import { afterAll, describe, expect, it } from 'vitest';
import { describeTelemetryStoreConformance } from '#store-testing';
import { InfluxStore, type CellSample } from '#store';
import { describeWithServices, testServices } from '../support/services.js';

// Each run gets its own databases so parallel or repeated runs never see each other's points.
const prefix = `sandglass_test_${process.pid}_${Date.now()}`;
const databases: string[] = [];
const database = (suffix: string) => {
  databases.push(`${prefix}_${suffix}`);
  return `${prefix}_${suffix}`;
};

async function influxql(q: string, db = ''): Promise<unknown> {
  const res = await fetch(`${testServices().influxUrl}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q, db }),
  });
  return res.json();
}

/** `SHOW FIELD KEYS` / `SHOW TAG KEYS` of one measurement as [key, type?] rows. */
async function keys(db: string, q: string): Promise<unknown[][]> {
  const body = (await influxql(q, db)) as { results: { series?: { values: unknown[][] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

afterAll(async () => {
  for (const name of databases) await influxql(`DROP DATABASE "${name}"`);
});

describeWithServices('InfluxStore against a real influxd', () => {
  const conformanceDb = database('conformance');
  describeTelemetryStoreConformance('InfluxStore (1.x HTTP API)', {
    make: async () => new InfluxStore({ url: testServices().influxUrl, database: conformanceDb }),
  });

  const cell = { rigId: 'r1', cellId: 'c1' };
  const samples = (n: number): CellSample[] =>
    Array.from({ length: n }, (_, k) => ({ ...cell, ts: Date.UTC(2026, 0, 1) + k, v: 3 + k / 1000, i: 0.5 }));

  it('writes the measurements, tags and field types other InfluxDB tools see', async () => {
    const name = database('schema');
    const store = new InfluxStore({ url: testServices().influxUrl, database: name });
    await store.open();
    const ts = Date.UTC(2026, 0, 1);
    await store.writeSamples([{ ...cell, ts, v: 3, i: 1, t: 25, p: 2, seq: 1, cycle: 2, step: 3 }]);
    await store.writeStates([
      {
        ...cell,
        ts,
        v: 3,
        i: 1,
        risk: 'warning',
        levels: {},
        estimates: { depletionFraction: 0.5, jOverJstar: 1 },
        samples: 1,
        run: 0,
      },
    ]);
    await store.writeAlerts([
      {
        id: 'a1',
        ts,
        ...cell,
        kind: 'thermal',
        severity: 'warning',
        state: 'raised',
        source: 'physics',
        message: 'hot',
        evidence: {},
      },
    ]);
    expect(await keys(name, 'SHOW FIELD KEYS FROM telemetry')).toEqual([
      ['cycle', 'integer'],
      ['i', 'float'],
      ['p', 'float'],
      ['seq', 'integer'],
      ['step', 'integer'],
      ['t', 'float'],
      ['v', 'float'],
    ]);
    expect(await keys(name, 'SHOW TAG KEYS FROM telemetry')).toEqual([['cell'], ['rig']]);
    expect(await keys(name, 'SHOW FIELD KEYS FROM cell_state')).toEqual(
      expect.arrayContaining([
        ['json', 'string'],
        ['risk', 'string'],
        ['depletionFraction', 'float'],
        ['jOverJstar', 'float'],
      ]),
    );
    expect(await keys(name, 'SHOW TAG KEYS FROM alert')).toEqual([['cell'], ['id'], ['kind'], ['rig']]);
  });

  it('splits a write into requests of at most linesPerRequest lines', async () => {
    const store = new InfluxStore({
      url: testServices().influxUrl,
      database: database('chunks'),
      linesPerRequest: 7,
    });
    await store.open();
    await store.writeSamples(samples(50));
    expect(await store.countSamples(cell)).toBe(50);
  });

  it('streams an export to a slow reader for longer than the request timeout', async () => {
    const store = new InfluxStore({
      url: testServices().influxUrl,
      database: database('slow'),
      timeout_ms: 2000,
    });
    await store.open();
    await store.writeSamples(samples(4000));
    let read = 0;
    const started = Date.now();
    for await (const page of store.readSamplePages(cell, { pageSize: 100 })) {
      read += page.length;
      await new Promise((resolve) => setTimeout(resolve, 150)); // a client downloading slowly
    }
    expect(read).toBe(4000);
    expect(Date.now() - started).toBeGreaterThan(2000);
  });

  it('creates the database again when it disappeared under a running store', async () => {
    const name = database('recreate');
    const store = new InfluxStore({ url: testServices().influxUrl, database: name });
    await store.open();
    await influxql(`DROP DATABASE "${name}"`);
    await store.writeSamples(samples(3));
    expect(await store.countSamples(cell)).toBe(3);
  });

  it('reports rejected data as a StoreError that is not retryable', async () => {
    const name = database('conflict');
    const store = new InfluxStore({ url: testServices().influxUrl, database: name });
    await store.open();
    // a string `v` in the same shard (field types are per shard) makes a float `v` a type conflict (HTTP 400)
    const res = await fetch(`${testServices().influxUrl}/write?db=${name}`, {
      method: 'POST',
      body: `telemetry,cell=c1,rig=r1 v="text" ${Date.UTC(2026, 0, 1) - 1}000000`,
    });
    expect(res.status).toBe(204);
    const error = await store.writeSamples(samples(2)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', retryable: false, status: 400 });
  });
});

describe('InfluxStore without a server', () => {
  it('reports an unreachable InfluxDB as a retryable StoreError and ping false', async () => {
    const store = new InfluxStore({ url: 'http://127.0.0.1:9', database: 'nowhere', timeout_ms: 2000 });
    expect(await store.ping()).toBe(false);
    await expect(store.open()).rejects.toMatchObject({ name: 'StoreError', retryable: true });
    const error = await store
      .writeSamples([{ rigId: 'r', cellId: 'c', ts: Date.UTC(2026, 0, 1), v: 1, i: 1 }])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', retryable: true });
  });
});
