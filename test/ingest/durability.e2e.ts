import * as fs from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { telemetryTopic } from '#contracts';
import { describeWithServices, testServices } from '../support/services.js';
import {
  T0,
  connectPublisher,
  influxStore,
  ownInfluxd,
  ownMosquitto,
  startIngest,
  storedCount,
  tempDir,
  until,
  type OwnServer,
  ownIngestSettings,
} from './support.js';

const sample = (seq: number) => ({ ts: T0 + seq * 10, v: 0.02, i: 0.0005, seq });

/**
 * Publishes `total` samples in messages of `perMessage`, QoS 1, without waiting for each PUBACK (mqtt.js
 * keeps the unacknowledged ones and resends them after a reconnect). Calls `midway` once, half-way.
 */
async function publishStream(
  pub: MqttClient,
  rig: string,
  cell: string,
  total: number,
  perMessage: number,
  midway: () => Promise<void>,
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let seq = 0; seq < total; seq += perMessage) {
    const batch = Array.from({ length: Math.min(perMessage, total - seq) }, (_, k) => sample(seq + k));
    pending.push(pub.publishAsync(telemetryTopic(rig, cell), JSON.stringify(batch), { qos: 1 }));
    if (seq === Math.floor(total / perMessage / 2) * perMessage) {
      await Promise.all(pending.splice(0));
      await midway();
    }
    if (pending.length >= 50) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

/** The ranges of seq numbers below `total` InfluxDB lacks for a cell, e.g. `4500–4999`: for failure messages. */
async function missingSeqs(influxUrl: string, db: string, rig: string, cell: string, total: number) {
  const q = `SELECT seq FROM telemetry WHERE rig='${rig}' AND cell='${cell}'`;
  const res = await fetch(`${influxUrl}/query?${new URLSearchParams({ db, q })}`);
  const body = (await res.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  const seen = new Set((body.results[0]?.series?.[0]?.values ?? []).map((row) => row[1]));
  const ranges: string[] = [];
  for (let seq = 0; seq < total; seq++) {
    if (seen.has(seq)) continue;
    const first = seq;
    while (seq + 1 < total && !seen.has(seq + 1)) seq++;
    ranges.push(first === seq ? `${first}` : `${first}–${seq}`);
  }
  return ranges.join(', ') || 'none';
}

describeWithServices('ingest: nothing lost across restarts and outages', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('SIGKILL mid-stream, then restart: every sample stored (broker session + WAL)', async () => {
    const { mqttUrl, influxUrl } = testServices();
    const settings = ownIngestSettings('ingest_kill', { mqttUrl, influxUrl });
    const { rig } = settings;
    let ingest = await startIngest(settings);
    cleanups.push(() => ingest.stop().then(() => undefined));
    const pub = await connectPublisher(mqttUrl);
    cleanups.push(() => pub.endAsync());
    const total = 20_000;
    // The publisher keeps going (its PUBACKs come from the broker) while ingest is killed mid-stream.
    const publishing = publishStream(pub, rig, 'k1', total, 10, () => Promise.resolve());
    await until(async () => (await ingest.health()).samples.accepted >= total / 4, 'a quarter accepted');
    expect(await ingest.stop('SIGKILL')).toBe(null);
    await publishing;
    // The rest of the stream waits in the broker's queue for ingest's persistent session.
    ingest = await startIngest(settings);
    const store = influxStore(influxUrl, settings.db);
    await until(
      async () => (await storedCount(store, rig, 'k1')) >= total,
      'all samples stored after restart',
      45_000,
    );
    expect(await storedCount(store, rig, 'k1')).toBe(total);
  });

  it('InfluxDB stopped mid-stream and started again: every sample stored once, spooled meanwhile', async () => {
    const { mqttUrl } = testServices();
    const dir = tempDir('sg-own-influx-');
    const influx: OwnServer = await ownInfluxd(dir);
    await influx.start();
    cleanups.push(async () => {
      await influx.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const settings = ownIngestSettings('ingest_outage', { mqttUrl, influxUrl: influx.url });
    const { rig, db } = settings;
    const ingest = await startIngest(settings);
    cleanups.push(() => ingest.stop().then(() => undefined));
    const pub = await connectPublisher(mqttUrl);
    cleanups.push(() => pub.endAsync());
    const total = 10_000;
    await publishStream(pub, rig, 'o1', total, 20, async () => {
      await until(async () => (await ingest.health()).samples.stored > 0, 'first samples stored');
      await influx.stop();
    });
    // Everything is acknowledged and in the WAL while InfluxDB is away.
    await until(async () => (await ingest.health()).samples.accepted >= total, 'all samples accepted');
    const during = await ingest.health();
    expect(during.samples.stored).toBeLessThan(total);
    expect(during.wal.unstoredBytes).toBeGreaterThan(0);
    await until(async () => !(await ingest.health()).store.writing, 'health to report the store down');
    expect((await ingest.health()).status).toBe('degraded');

    await influx.start();
    const store = influxStore(influx.url, db);
    await until(async () => (await ingest.health()).samples.stored >= total, 'WAL drained', 45_000);
    expect(await storedCount(store, rig, 'o1')).toBe(total);
    expect((await ingest.health()).wal.unstoredBytes).toBe(0);
    expect(await ingest.metrics()).toMatch(/sandglass_ingest_store_failures_total [1-9]/);
  });

  it('broker restarted mid-stream: nothing lost once publisher and ingest reconnect', async () => {
    const { influxUrl } = testServices();
    const dir = tempDir('sg-own-mosquitto-');
    const broker = await ownMosquitto(dir);
    await broker.start();
    cleanups.push(async () => {
      await broker.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const settings = ownIngestSettings('ingest_broker', { mqttUrl: broker.url, influxUrl });
    const { rig, db } = settings;
    const ingest = await startIngest(settings);
    cleanups.push(() => ingest.stop().then(() => undefined));
    const pub = await connectPublisher(broker.url);
    cleanups.push(() => pub.endAsync(true));
    const total = 10_000;
    await publishStream(pub, rig, 'b1', total, 10, async () => {
      await broker.stop();
      await broker.start();
      // The second half goes out once both clients are back, so what is tested is the broker's queue for
      // ingest's resumed session, not a publisher's own reconnect races.
      await until(
        async () => pub.connected && (await ingest.health()).mqtt.connected,
        'publisher and ingest to reconnect',
      );
      expect(ingest.output()).toMatch(/session resumed/);
    });
    const store = influxStore(influxUrl, db);
    await until(
      async () => (await storedCount(store, rig, 'b1')) >= total,
      'all samples stored',
      45_000,
    ).catch(async (error: unknown) => {
      const health = JSON.stringify(await ingest.health());
      const missing = await missingSeqs(influxUrl, db, rig, 'b1', total);
      throw new Error(
        `${String(error)}; stored ${await storedCount(store, rig, 'b1')}; missing seq ${missing}; ${health}\n` +
          `${ingest.output()}\nmosquitto: ${fs.readFileSync(`${dir}/mosquitto.log`, 'utf8').slice(-4000)}`,
      );
    });
    expect(await storedCount(store, rig, 'b1')).toBe(total);
  });

  it('a full WAL stops the acknowledgements; the broker holds the rest until the store is back', async () => {
    const { mqttUrl } = testServices();
    const dir = tempDir('sg-own-influx-full-');
    const influx: OwnServer = await ownInfluxd(dir);
    await influx.start();
    cleanups.push(async () => {
      await influx.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const settings = ownIngestSettings('ingest_full', { mqttUrl, influxUrl: influx.url });
    const { rig, db } = settings;
    const ingest = await startIngest({
      ...settings,
      env: { SANDGLASS_WAL_MAX_MB: '0.05' }, // about 50 kB: some 500 single-sample messages
    });
    cleanups.push(() => ingest.stop().then(() => undefined));
    await until(async () => (await ingest.health()).store.writing, 'the store to answer');
    await influx.stop();
    const pub = await connectPublisher(mqttUrl);
    cleanups.push(() => pub.endAsync());
    const total = 3000;
    await publishStream(pub, rig, 'f1', total, 1, () => Promise.resolve());
    // The broker took everything; ingest accepted only what fits in its WAL and says it is full.
    await until(async () => (await ingest.health()).status === 'down', 'health to report the WAL full');
    const full = await ingest.health();
    expect(full.wal.full).toBe(true);
    expect(full.samples.accepted).toBeLessThan(total);
    expect(ingest.output()).toMatch(/write-ahead log full/);

    await influx.start();
    const store = influxStore(influx.url, db);
    await until(async () => (await storedCount(store, rig, 'f1')) >= total, 'all samples stored', 45_000);
    expect(await storedCount(store, rig, 'f1')).toBe(total);
    expect((await ingest.health()).status).not.toBe('down');
  });
});
