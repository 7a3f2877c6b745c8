import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from './embedded-store.js';
import { InfluxStore } from './influx-store.js';
import { StorageModule, TELEMETRY_STORE, createTelemetryStore } from './storage.module.js';
import type { TelemetryStore } from './telemetry-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-storage-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('StorageModule', () => {
  it('chooses InfluxDB when SANDGLASS_INFLUX_URL is set, else the embedded store', () => {
    const influx = createTelemetryStore({
      SANDGLASS_INFLUX_URL: 'http://127.0.0.1:8086',
      SANDGLASS_INFLUX_DB: 'lab',
      SANDGLASS_DATA_DIR: dir,
    });
    expect(influx).toBeInstanceOf(InfluxStore);
    expect((influx as InfluxStore).database).toBe('lab');
    const embedded = createTelemetryStore({ SANDGLASS_INFLUX_DB: 'sandglass', SANDGLASS_DATA_DIR: dir });
    expect(embedded).toBeInstanceOf(EmbeddedStore);
    expect((embedded as EmbeddedStore).file).toBe(path.join(dir, 'sandglass.duckdb'));
  });

  it('provides an opened store under TELEMETRY_STORE and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forRoot({ SANDGLASS_INFLUX_DB: 'sandglass', SANDGLASS_DATA_DIR: dir })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const store = app.get<TelemetryStore>(TELEMETRY_STORE);
    expect(store).toBeInstanceOf(EmbeddedStore);
    expect(await store.ping()).toBe(true);
    await app.close();
    expect(await store.ping()).toBe(false);
  });

  it('starts with a warning when InfluxDB does not answer yet', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StorageModule.forStore(
          new InfluxStore({ url: 'http://127.0.0.1:9', database: 'x', timeout_ms: 1000 }),
        ),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).resolves.toBeDefined();
    expect(await app.get<TelemetryStore>(TELEMETRY_STORE).ping()).toBe(false);
    await app.close();
  });
});
