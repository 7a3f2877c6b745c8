import * as fs from 'node:fs';
import net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Test } from '@nestjs/testing';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseEnvironment,
  configTopic,
  defaultCellConfig,
  telemetryTopic,
  type AlertEvent,
  type CellConfig,
  type CycleSummary,
  type StateMessage,
} from '#contracts';
import {
  asColumns,
  StorageModule,
  type CellSample,
  type SampleColumns,
  type SamplePage,
  type TelemetryStore,
} from '#store';
import { IngestModule } from './ingest.module.js';
import { INGEST_METRICS_REGISTRY } from './ingest.tokens.js';

/** An in-memory store: what a host process (the api of `npm start`) would share with ingest. */
class MemoryStore implements TelemetryStore {
  samples: CellSample[] = [];
  states: StateMessage[] = [];
  alerts: AlertEvent[] = [];
  open = () => Promise.resolve();
  close = () => Promise.resolve();
  ping = () => Promise.resolve(true);
  writeSamples = (s: readonly CellSample[] | SampleColumns) =>
    Promise.resolve(void this.samples.push(...asColumns(s).toSamples()));
  writeStates = (s: readonly StateMessage[]) => Promise.resolve(void this.states.push(...s));
  writeAlerts = (a: readonly AlertEvent[]) => Promise.resolve(void this.alerts.push(...a));
  configs: CellConfig[] = [];
  putCellConfig = (c: CellConfig) => Promise.resolve(void this.configs.push(c));
  getCellConfig = (cell: { rigId: string; cellId: string }) =>
    Promise.resolve(this.configs.findLast((c) => c.rigId === cell.rigId && c.cellId === cell.cellId) ?? null);
  listCellConfigs = () => Promise.resolve(this.configs);
  listCells = () => Promise.resolve([]);
  queryTelemetry = () => Promise.resolve([]);
  queryAlerts = () => Promise.resolve([]);
  countSamples = () => Promise.resolve(this.samples.length);
  cycles: CycleSummary[] = [];
  writeCycles = (c: readonly CycleSummary[]) => Promise.resolve(void this.cycles.push(...c));
  queryCycles = () => Promise.resolve([] as CycleSummary[]);
  writeCheckpoints = () => Promise.resolve();
  readCheckpoints = () => Promise.resolve([]);
  // eslint-disable-next-line require-yield
  readSamplePages = async function* (): AsyncGenerator<SamplePage> {
    return;
  };
}

describe('IngestModule.forRoot in a host process (embedded Aedes broker, shared store)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('wires up, stores published telemetry and states, serves its metrics registry, and closes', async () => {
    const aedes = await Aedes.createBroker();
    const server = net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve()))));
    const mqttUrl = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-ingest-module-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    const store = new MemoryStore();
    const env = parseEnvironment({
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_INGEST_CLIENT_ID: 'in-process-ingest',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forStore(store), IngestModule.forRoot(env, { mqttUrl, provideStore: false })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await app.close();
    });

    const pub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4 });
    cleanups.push(() => pub.endAsync());
    const T0 = Date.UTC(2026, 0, 1);
    // The cell's configuration, stored and then published retained, as the api does (ingest applies what
    // the store holds): without one its samples would be held for a few seconds, waiting for it.
    await store.putCellConfig(defaultCellConfig('rig', 'c1'));
    await pub.publishAsync(configTopic('rig', 'c1'), JSON.stringify(defaultCellConfig('rig', 'c1')), {
      qos: 1,
      retain: true,
    });
    // The intake subscribes right after init; publish until it has the first message.
    for (let k = 0; k < 100 && store.samples.length === 0; k++) {
      await pub.publishAsync(
        telemetryTopic('rig', 'c1'),
        JSON.stringify({ ts: T0, v: 0.01, i: 0.001, seq: 0 }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const batch = Array.from({ length: 30 }, (_, k) => ({
      ts: T0 + (k + 1) * 100,
      v: 0.01,
      i: 0.001,
      seq: k + 1,
    }));
    await pub.publishAsync(telemetryTopic('rig', 'c1'), JSON.stringify(batch), { qos: 1 });
    for (let k = 0; k < 100 && store.samples.length < 31; k++) await new Promise((r) => setTimeout(r, 20));
    expect(new Set(store.samples.map((s) => s.seq)).size).toBe(31);

    // A refused message is counted on /metrics and kept in the dead-letter file for replay.
    await pub.publishAsync(telemetryTopic('rig', 'c1'), '{"ts": oops', { qos: 1 });
    const registry = app.get<Registry>(INGEST_METRICS_REGISTRY);
    await expect
      .poll(async () => await registry.metrics())
      .toMatch(/sandglass_ingest_rejected_total\{reason="bad-json"\} 1\n/);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/sandglass_ingest_samples_accepted_total 31\n/);
    for (const name of [
      'store_refused_samples',
      'detector_errors',
      'model_failures',
      'states_dropped',
      'rejections_unpublished',
      'dead_letters_dropped',
    ]) {
      expect(metrics).toMatch(new RegExp(`sandglass_ingest_${name}_total 0\n`));
    }

    await app.close();
    closed = true;
    const letters = fs.readFileSync(path.join(dataDir, 'dead-letters', 'dead-letters.jsonl'), 'utf8');
    expect(
      letters
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as object),
    ).toEqual([
      expect.objectContaining({
        reason: 'bad-json',
        topic: telemetryTopic('rig', 'c1'),
        payload: '{"ts": oops',
      }),
    ]);
    expect(await registry.metrics()).toMatch(/sandglass_ingest_dead_letters_written_total 1\n/);
    // Shutdown flushed the derived states to the store.
    expect(store.states.length).toBeGreaterThan(0);
    expect(store.states.at(-1)).toMatchObject({ rigId: 'rig', cellId: 'c1', ts: T0 + 3000 });
  });
});
