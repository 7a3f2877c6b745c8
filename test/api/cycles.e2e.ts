import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DuckDBInstance } from '@duckdb/node-api';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CycleSummary,
  type Environment,
  type Sample,
  parseEnvironment,
  telemetryTopic,
} from '#contracts';
import { openReplay, type CyclerCycle } from '#replay';
import { IngestModule } from '#ingest';
import { type RunningApi, startApi, LiveFeed } from '#api';
import { describeWithServices, testServices } from '../support/services.js';
import { RecordingClient } from './live-client.js';

const RUN = Math.random().toString(36).slice(2, 8);
const RIG = `e2e-cycles-${RUN}`;
const CELL = 'nw-01';
const T0 = Date.UTC(2026, 2, 6, 12, 37, 25);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NEWARE = path.join(repoRoot, 'test/fixtures/neware/nw_regular_export_ife_excerpt.csv');

/**
 * Cycle analytics end to end: a real Neware export is published as a rig would (with the cycler's cycle
 * index), ingest closes each cycle and publishes it, the api relays it as a socket.io `cycle` event,
 * serves it at GET …/cycles (also from a fresh api: it is stored), and exports samples and cycles.
 */
describeWithServices('cycles and export: rig → Mosquitto → ingest → InfluxDB → api', () => {
  let env: Environment;
  let api: RunningApi;
  let ingest: INestApplicationContext;
  let rig: MqttClient;
  let dataDir: string;
  let live: RecordingClient;
  let own: CyclerCycle[];
  let published: Sample[];

  beforeAll(async () => {
    const services = testServices();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-cycles-'));
    env = parseEnvironment({
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_MQTT_URL: services.mqttUrl,
      SANDGLASS_INFLUX_URL: services.influxUrl,
      SANDGLASS_INFLUX_DB: `sandglass_cycles_${RUN}`,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_INGEST_CLIENT_ID: `ingest-cycles-${RUN}`,
      SANDGLASS_INGEST_RIGS: RIG,
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    ingest = await NestFactory.createApplicationContext(IngestModule.forRoot(env), {
      logger: ['error', 'warn'],
    });
    await ingest.init();
    api = await startApi(env, { dashboardDir: dataDir });
    await api.app.get(LiveFeed).ready();
    rig = await mqtt.connectAsync(services.mqttUrl, { clientId: `e2e-cycles-rig-${RUN}` });
    live = new RecordingClient(api.url);
    await live.connected();
    expect(await live.subscribe({ rigId: RIG, cellId: CELL })).toEqual({ ok: true });

    const opened = await openReplay(NEWARE);
    published = [];
    for await (const batch of opened.reader) {
      for (const s of batch) {
        published.push({ ts: T0 + s.time_s * 1000, v: s.v, i: s.i, cycle: s.cycle!, seq: published.length });
      }
    }
    own = opened.reader.summary.cyclerCycles!;
    // The excerpt ends after cycle 2's last rest: the cycler's next record (cycle 3) closes it.
    const last = published.at(-1)!;
    published.push({ ts: last.ts + 1000, v: last.v, i: 0.5, cycle: 3, seq: published.length });
  });

  afterAll(async () => {
    live?.close();
    await rig?.endAsync();
    await api?.close();
    await ingest?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes each completed cycle live, within 0.5 % of the cycler’s own statistics', async () => {
    for (let k = 0; k < published.length; k += 100) {
      await rig.publishAsync(telemetryTopic(RIG, CELL), JSON.stringify(published.slice(k, k + 100)), {
        qos: 1,
      });
    }
    const second = await live.next('cycle', (c) => c.cycle === 2);
    const first = live.of('cycle').find((c) => c.cycle === 1)!;
    for (const [ours, theirs] of [
      [first, own[0]!],
      [second, own[1]!],
    ] as const) {
      expect(ours).toMatchObject({ rigId: RIG, cellId: CELL, source: 'cycler', complete: true });
      expect(Math.abs(ours.chargeCapacity_mAh / theirs.chargeCapacity_mAh - 1)).toBeLessThan(0.005);
      expect(Math.abs(ours.dischargeCapacity_mAh / theirs.dischargeCapacity_mAh - 1)).toBeLessThan(0.005);
    }
    expect(first.start).toBe(T0);
    expect(second.end).toBe(published.at(-2)!.ts);
  });

  it('serves the stored cycles at GET …/cycles, also from a freshly started api', async () => {
    const url = (base: string) => `${base}/api/cells/${RIG}/${CELL}/cycles`;
    let cycles: CycleSummary[] = [];
    const deadline = Date.now() + 30_000;
    while (cycles.length < 2) {
      if (Date.now() > deadline) throw new Error('the cycles never reached the store');
      await new Promise((resolve) => setTimeout(resolve, 200));
      cycles = (await (await fetch(url(api.url))).json()) as CycleSummary[];
    }
    expect(cycles.map((c) => c.cycle)).toEqual([1, 2]);
    for (const key of [
      'cycle',
      'start',
      'end',
      'chargeCapacity_mAh',
      'dischargeCapacity_mAh',
      'coulombicEfficiency',
      'chargeEnergy_mWh',
      'dischargeEnergy_mWh',
      'meanPolarization_V',
    ]) {
      expect(cycles[1]).toHaveProperty(key);
    }
    expect(cycles[1]).toEqual(live.of('cycle').find((c) => c.cycle === 2));
    const again = await startApi(env, { dashboardDir: dataDir });
    try {
      expect(await (await fetch(url(again.url))).json()).toEqual(cycles);
    } finally {
      await again.close();
    }
  });

  it('exports samples as CSV and Parquet with Battery Data Format columns, and the cycle table', async () => {
    const base = `${api.url}/api/cells/${RIG}/${CELL}/export`;
    // The store keeps one sample per (cell, time): Neware logs a step's first record at the time of the
    // previous step's last one, and the later record wins.
    const stored = [...new Map(published.map((s) => [s.ts, s])).values()];
    const deadline = Date.now() + 30_000;
    let csv = '';
    while (csv.split('\n').length - 2 < stored.length) {
      if (Date.now() > deadline) throw new Error('the samples never reached the store');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const response = await fetch(`${base}?format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      csv = await response.text();
    }
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'Test Time / s,Unix Time / s,Voltage / V,Current / A,Temperature T1 / degC,Stack Pressure / MPa,Cycle Count / 1,Step Index / 1',
    );
    expect(lines).toHaveLength(stored.length + 1);
    const row = (k: number) => lines[k + 1]!.split(',').map((x) => (x === '' ? NaN : Number(x)));
    for (const k of [0, 500, stored.length - 1]) {
      expect(row(k)[0]).toBeCloseTo((stored[k]!.ts - T0) / 1000, 6);
      expect(row(k)[1]).toBeCloseTo(stored[k]!.ts / 1000, 6);
      expect(row(k)[2]).toBe(stored[k]!.v);
      expect(row(k)[3]).toBe(stored[k]!.i);
      expect(row(k)[6]).toBe(stored[k]!.cycle);
    }

    const window = await (await fetch(`${base}?format=csv&from=${T0 + 60_000}&to=${T0 + 600_000}`)).text();
    const inWindow = stored.filter((s) => s.ts >= T0 + 60_000 && s.ts <= T0 + 600_000);
    expect(window.trimEnd().split('\n')).toHaveLength(inWindow.length + 1);

    const parquet = await fetch(`${base}?format=parquet`);
    expect(parquet.status).toBe(200);
    const file = path.join(dataDir, 'samples.parquet');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, Buffer.from(await parquet.arrayBuffer()));
    const duck = await DuckDBInstance.create(':memory:');
    try {
      const db = await duck.connect();
      const read = await db.runAndReadAll(
        `SELECT count(*)::DOUBLE, sum("Voltage / V"), max("Cycle Count / 1") FROM read_parquet('${file}')`,
      );
      const [count, sumV, maxCycle] = read.getRows()[0]!;
      expect(count).toBe(stored.length);
      expect(sumV as number).toBeCloseTo(
        stored.reduce((a, s) => a + s.v, 0),
        6,
      );
      expect(Number(maxCycle)).toBe(3);
      db.closeSync();
    } finally {
      duck.closeSync();
    }

    const cyclesCsv = (await (await fetch(`${base}?format=csv&table=cycles`)).text()).trimEnd().split('\n');
    expect(cyclesCsv[0]).toMatch(
      /^Cycle Count \/ 1,Start Unix Time \/ s,End Unix Time \/ s,Charging Capacity \/ Ah,/,
    );
    expect(cyclesCsv).toHaveLength(3);
    expect(Number(cyclesCsv[2]!.split(',')[4])).toBeCloseTo(own[1]!.dischargeCapacity_mAh / 1000, 3);

    const bad = await fetch(`${base}?format=xlsx`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/format/);
  });
});
