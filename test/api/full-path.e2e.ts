import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Sample, configTopic, parseEnvironment, telemetryTopic } from '#contracts';
import { IngestModule } from '#ingest';
import { type RunningApi, startApi, LiveFeed } from '#api';
import { describeWithServices, testServices } from '../support/services.js';
import { RecordingClient } from './live-client.js';

const RUN = Math.random().toString(36).slice(2, 8);
const RIG = `e2e-full-${RUN}`;
const CELL = 'ch-01';
const T0 = Date.UTC(2026, 0, 1, 12);

/**
 * The whole live path with real processes' modules: a rig publishes telemetry over Mosquitto, ingest
 * (IngestModule, its own application context and store connection, as a separate process would have)
 * detects Li+ depletion and publishes state and an alert, the api relays them to a socket.io client.
 */
describeWithServices('full live path: rig → Mosquitto → ingest → api → socket.io', () => {
  let api: RunningApi;
  let ingest: INestApplicationContext;
  let rig: MqttClient;
  let dataDir: string;
  let live: RecordingClient;

  beforeAll(async () => {
    const services = testServices();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-full-path-'));
    const env = parseEnvironment({
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      // Authentication (issue 8) has tests of its own; these exercise the api itself.
      SANDGLASS_AUTH: 'off',
      SANDGLASS_MQTT_URL: services.mqttUrl,
      SANDGLASS_INFLUX_URL: services.influxUrl,
      SANDGLASS_INFLUX_DB: `sandglass_full_${RUN}`,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_INGEST_CLIENT_ID: `ingest-full-${RUN}`,
      SANDGLASS_INGEST_RIGS: RIG,
      SANDGLASS_LOG_LEVEL: 'warn',
    });
    ingest = await NestFactory.createApplicationContext(IngestModule.forRoot(env), {
      logger: ['error', 'warn'],
    });
    await ingest.init();
    api = await startApi(env, { dashboardDir: dataDir });
    await api.app.get(LiveFeed).ready();
    rig = await mqtt.connectAsync(services.mqttUrl, { clientId: `e2e-full-rig-${RUN}` });
    live = new RecordingClient(api.url);
    await live.connected();
    expect(await live.subscribe({ rigId: RIG, cellId: CELL })).toEqual({ ok: true });
  });

  afterAll(async () => {
    live?.close();
    // Clear the retained configuration this test left on the broker.
    await rig?.publishAsync(configTopic(RIG, CELL), '', { qos: 1, retain: true });
    await rig?.endAsync();
    await api?.close();
    await ingest?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('configures a cell above J*, streams its samples, and delivers state and a sand-depletion alert', async () => {
    // A slow electrolyte and a wide gap: J* = 2 F c0 D / (t_a L) = 0.048 mA/cm²; the cell runs at
    // 0.5 mA/cm² (J/J* ≈ 10), Sand's time ≈ 46 s of data time.
    const put = await fetch(`${api.url}/api/cells/${RIG}/${CELL}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        electrodeArea_cm2: 1,
        electrolyte: {
          kind: 'polymer',
          diffusivity_cm2_s: 1e-7,
          concentration_mol_L: 0.1,
          cationTransference: 0.2,
          gap_um: 500,
        },
      }),
    });
    expect(put.status).toBe(200);
    const { derived } = (await put.json()) as { derived: { limitingCurrentDensity_mA_cm2: number } };
    expect(derived.limitingCurrentDensity_mA_cm2).toBeCloseTo(0.0482, 3);

    // Two minutes of data time at 1 Hz, 0.5 mA on 1 cm², sent as a rig would (QoS 1, batches of 10).
    const samples: Sample[] = Array.from({ length: 120 }, (_, k) => ({
      ts: T0 + k * 1000,
      v: 0.02 + k * 1e-4,
      i: 5e-4,
      t: 25,
      seq: k,
    }));
    for (let k = 0; k < samples.length; k += 10) {
      await rig.publishAsync(telemetryTopic(RIG, CELL), JSON.stringify(samples.slice(k, k + 10)), { qos: 1 });
    }

    const state = await live.next('state', (s) => s.rigId === RIG && s.cellId === CELL);
    expect(state.v).toBeGreaterThan(0);
    const alert = await live.next('alert', (a) => a.kind === 'sand-depletion' && a.state === 'raised');
    expect(alert).toMatchObject({ rigId: RIG, cellId: CELL });
    expect(alert.ts).toBeGreaterThanOrEqual(T0);
    expect(alert.ts).toBeLessThanOrEqual(T0 + 119_000);
    expect(Number(alert.evidence.jOverJstar)).toBeGreaterThan(5);

    // Once ingest has stored the alert (its write-ahead log drains in batches), the api lists it and an
    // acknowledgement reaches the socket.
    const listed = async () => {
      const response = await fetch(`${api.url}/api/alerts?rigId=${RIG}&cellId=${CELL}`);
      return ((await response.json()) as Array<{ id: string }>).some((a) => a.id === alert.id);
    };
    const deadline = Date.now() + 30_000;
    while (!(await listed())) {
      if (Date.now() > deadline) throw new Error('the alert never reached the store');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ack = await fetch(`${api.url}/api/alerts/${encodeURIComponent(alert.id)}/ack`, { method: 'POST' });
    expect(ack.status).toBe(200);
    await live.next('alert', (a) => a.id === alert.id && a.state === 'acknowledged');
  });
});
