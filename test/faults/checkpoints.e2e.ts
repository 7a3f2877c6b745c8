import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, expect, it } from 'vitest';
import { telemetryTopic, type AlertEvent, type CellConfig, type Sample } from '#contracts';
import { simulateScenario } from '#simulator';
import { describeWithServices, testServices } from '../support/services.js';
import { startStandalone, type Standalone } from '../support/standalone.js';
import { until } from '../support/until.js';
import { metricValue } from '../support/metrics.js';

/** How long to wait for anything here: a loaded machine runs the whole standalone slowly. */
const WAIT_MS = 90_000;

/**
 * Detection survives SIGKILL: a labelled simulated run (Sand depletion, void growth, a soft short, one cell
 * each) is published through the real Mosquitto to a standalone Sandglass (SANDGLASS_MQTT_URL set,
 * embedded store). Once uninterrupted; once with the process killed (SIGKILL) after its detector
 * checkpoints were written and more samples were accepted, the rest published while it is down, and a
 * restart on the same data directory. Both runs must send the same alert events (kind, severity, state,
 * data time), none twice, and store every sample.
 */

const T0 = Date.UTC(2026, 0, 5, 9);
const SCENARIOS = ['sand-depletion', 'void-growth', 'soft-short'] as const;
const PER_MESSAGE = 20;

const cells = SCENARIOS.map((scenario) => {
  const run = simulateScenario({ scenario, seed: 2 });
  const samples: Sample[] = [...run.samples()].map((s, k) => ({
    ts: T0 + Math.round(s.time_s * 1000),
    v: s.v,
    i: s.i,
    ...(s.t !== undefined ? { t: s.t } : {}),
    ...(s.p !== undefined ? { p: s.p } : {}),
    seq: k,
  }));
  return { cellId: scenario, config: run.config, samples };
});
const longest = Math.max(...cells.map((c) => c.samples.length));
const total = cells.reduce((n, c) => n + c.samples.length, 0);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-checkpoints-'));
  dirs.push(dir);
  return dir;
};

async function metric(app: Standalone, name: string): Promise<number> {
  return metricValue(await (await fetch(`${app.url}/metrics`)).text(), name) ?? 0;
}

async function configure(app: Standalone, rigId: string): Promise<void> {
  for (const { cellId, config } of cells) {
    const body: CellConfig = { ...config, rigId, cellId } as CellConfig;
    const res = await fetch(`${app.url}/api/cells/${rigId}/${cellId}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
  }
}

/** Publishes sample rows [from, to) of every cell, QoS 1 (the broker acknowledges; ingest may be down). */
async function publish(pub: mqtt.MqttClient, rigId: string, from: number, to: number): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let k = from; k < to; k += PER_MESSAGE) {
    for (const { cellId, samples } of cells) {
      const batch = samples.slice(k, Math.min(k + PER_MESSAGE, to));
      if (batch.length === 0) continue;
      pending.push(pub.publishAsync(telemetryTopic(rigId, cellId), JSON.stringify(batch), { qos: 1 }));
    }
    if (pending.length >= 60) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}

async function storedCount(app: Standalone, rigId: string): Promise<number> {
  let n = 0;
  for (const { cellId } of cells) {
    const res = await fetch(`${app.url}/api/cells/${rigId}/${cellId}/telemetry?limit=100000`);
    n += ((await res.json()) as unknown[]).length;
  }
  return n;
}

/** Every alert event on the rig's alert topics, as the api and any subscriber see them. */
async function alertWatcher(url: string, rigId: string) {
  const events: AlertEvent[] = [];
  const client = await mqtt.connectAsync(url, { protocolVersion: 4 });
  client.on('message', (_, payload) => events.push(JSON.parse(payload.toString()) as AlertEvent));
  await client.subscribeAsync(`sandglass/v1/${rigId}/+/alerts`, { qos: 1 });
  return { events, close: () => client.endAsync() };
}

const outcome = (events: AlertEvent[]) =>
  events
    .filter((e) => e.state !== 'acknowledged')
    .map((e) => `${e.cellId} ${e.kind} ${e.severity} ${e.state} ${e.ts}`)
    .sort();

describeWithServices('detector checkpoints: the same alerts after a SIGKILL as without one', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('Sand depletion, void growth and a soft short through Mosquitto, killed halfway and restarted', async () => {
    const { mqttUrl } = testServices();
    const tag = `ck${process.pid}${Date.now().toString(36)}`;
    const pub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `pub-${tag}` });
    cleanups.push(() => pub.endAsync());
    const env = (name: string) => ({
      SANDGLASS_MQTT_URL: mqttUrl,
      SANDGLASS_INGEST_CLIENT_ID: `ingest-${tag}-${name}`,
    });

    // Uninterrupted.
    const straightRig = `rig-${tag}-a`;
    const straightWatch = await alertWatcher(mqttUrl, straightRig);
    cleanups.push(straightWatch.close);
    const straight = await startStandalone(dataDir(), env('a'));
    cleanups.push(() => straight.stop());
    await configure(straight, straightRig);
    await publish(pub, straightRig, 0, longest);
    await until(
      async () => (await storedCount(straight, straightRig)) === total,
      'the straight run stored',
      WAIT_MS,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await straight.stop();
    const expected = outcome(straightWatch.events);
    for (const kind of SCENARIOS)
      expect(expected.some((e) => e.includes(` ${kind} `) && e.includes(' raised '))).toBe(true);

    // Killed: checkpoints are written for the first rows, more rows are accepted, then SIGKILL between
    // them and the next checkpoint; the rest is published while the process is down. The cut is placed
    // around the first alert, so the replay after the restart derives it again.
    const firstRaise = Math.min(
      ...cells
        .map(({ cellId, samples }) => {
          const ts = straightWatch.events.find((e) => e.cellId === cellId)?.ts ?? Infinity;
          return samples.findIndex((s) => s.ts === ts);
        })
        .filter((k) => k >= 0),
    );
    const checkpointAt = Math.max(PER_MESSAGE, Math.floor((firstRaise - 200) / PER_MESSAGE) * PER_MESSAGE);
    const killAt = Math.min(longest, Math.max(Math.floor(longest / 2), firstRaise + 200));
    const rig = `rig-${tag}-b`;
    const watch = await alertWatcher(mqttUrl, rig);
    cleanups.push(watch.close);
    const dir = dataDir();
    let app = await startStandalone(dir, env('b'));
    cleanups.push(() => app.stop());
    await configure(app, rig);
    await publish(pub, rig, 0, checkpointAt);
    await until(
      async () => (await metric(app, 'sandglass_ingest_checkpoints_written_total')) >= cells.length,
      'the first checkpoints',
      WAIT_MS,
    );
    const written = await metric(app, 'sandglass_ingest_checkpoints_written_total');
    await publish(pub, rig, checkpointAt, killAt);
    const acceptedBeforeKill = cells.reduce((n, c) => n + Math.min(killAt, c.samples.length), 0);
    await until(
      async () => (await metric(app, 'sandglass_ingest_samples_accepted_total')) >= acceptedBeforeKill,
      'the samples before the kill accepted',
      WAIT_MS,
    );
    // Still the first checkpoints (the next are 30 s away): the restart has samples to replay.
    expect(await metric(app, 'sandglass_ingest_checkpoints_written_total')).toBe(written);
    expect(await app.stop('SIGKILL')).toBe(null);
    await publish(pub, rig, killAt, longest);

    app = await startStandalone(dir, env('b'));
    await until(
      async () => (await storedCount(app, rig)) === total,
      'every sample stored after the restart',
      WAIT_MS,
    );
    await until(
      async () =>
        (await metric(app, 'sandglass_ingest_samples_accepted_total')) >= total - acceptedBeforeKill,
      'the rest accepted',
      WAIT_MS,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(outcome(watch.events)).toEqual(expected);
    expect(await metric(app, 'sandglass_ingest_checkpoint_replayed_samples_total')).toBeGreaterThan(0);
    expect(await metric(app, 'sandglass_ingest_checkpoints_dropped_total')).toBe(0);
    expect(await storedCount(app, rig)).toBe(total);
  }, 360_000);
});
