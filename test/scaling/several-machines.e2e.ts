import { loadavg } from 'node:os';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import {
  parseEnvironment,
  telemetryTopic,
  type AlertEvent,
  type CellConfig,
  type ReplayStatus,
  type Sample,
} from '#contracts';
import { LiveFeed, LiveGateway, startApi, type RunningApi } from '#api';
import { simulateScenario } from '#simulator';
import { RecordingClient } from '../api/live-client.js';
import {
  startIngest,
  tempDir,
  unique,
  until,
  type IngestProcess,
  type IngestSettings,
} from '../ingest/support.js';
import { describeWithServices, testServices } from '../support/services.js';
import { metricValue } from '../support/metrics.js';

/**
 * Several machines on one: 3 ingest processes share 6 rigs by hash partitioning
 * (SANDGLASS_INGEST_PARTITION=hash: each rig subscribed by exactly one process, so its cells' samples stay
 * in order; Mosquitto's `$share` groups would hand consecutive messages to different processes), and 2
 * api instances share socket.io broadcasts through Redis. Every rig runs the same simulated Sand
 * depletion, so every cell must raise the same alerts. Halfway, the process with the most rigs is
 * SIGKILLed: the other two take its rigs within 10 s, continuing from the checkpoints; the cells that
 * moved must still raise the same alerts as those that did not, and a socket.io client on each api
 * instance must see every alert once, in order per cell.
 */

const RIGS = 6;
const PER_MESSAGE = 20;
const T0 = Date.UTC(2026, 1, 2, 8);
const run = simulateScenario({ scenario: 'sand-depletion', seed: 3 });
const samples: Sample[] = [...run.samples()].map((s, k) => ({
  ts: T0 + Math.round(s.time_s * 1000),
  v: s.v,
  i: s.i,
  ...(s.t !== undefined ? { t: s.t } : {}),
  seq: k,
}));
const CELL = 'ch-01';
/** A cell only the messages queued for a killed process carry. */
const GAP_CELL = 'ch-02';
const uptimeLoad = () => `load average ${loadavg()[0]!.toFixed(1)}`;

async function metric(ingest: IngestProcess, name: string): Promise<number> {
  return metricValue(await ingest.metrics(), name) ?? 0;
}

const key = (e: AlertEvent) => `${e.id} ${e.kind} ${e.severity} ${e.state} ${e.ts}`;
/** An alert as it would be on any cell: what the same data must give wherever it was judged. */
const outcome = (e: AlertEvent) => `${e.kind} ${e.severity} ${e.state} ${e.ts}`;

describeWithServices('several machines: 3 ingest processes, 2 api instances over Redis', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('partitions rigs, takes over a killed process within 10 s and delivers every alert once', async () => {
    const { mqttUrl, influxUrl, redisUrl } = testServices();
    const tag = unique('sm').replace(/_/g, '-');
    const rigs = Array.from({ length: RIGS }, (_, k) => `${tag}-r${k}`);
    const db = unique('sandglass_sm');

    const settings: IngestSettings[] = ['a', 'b', 'c'].map((name) => ({
      mqttUrl,
      influxUrl,
      db,
      clientId: `${tag}-ingest-${name}`,
      dataDir: tempDir('sg-sm-'),
      rigs,
      // Started together; on a loaded machine their start-ups spread over many seconds.
      env: { SANDGLASS_INGEST_PARTITION: 'hash', SANDGLASS_INGEST_SETTLE_MS: '20000' },
      startTimeout_ms: 90_000,
    }));
    const ingests: IngestProcess[] = await Promise.all(settings.map((s) => startIngest(s)));
    for (const ingest of ingests) cleanups.push(() => ingest.stop('SIGKILL'));
    const owned = async (list: IngestProcess[]) =>
      Promise.all(list.map((i) => metric(i, 'sandglass_ingest_rigs_owned')));
    await until(
      async () => (await owned(ingests)).reduce((a, b) => a + b, 0) === RIGS,
      'every rig taken',
      60_000,
    );
    // Each rig by exactly one process (a claim each, and no rig counted twice above).
    const takenLines = ingests.map(
      (i) => /partition: took ([^ ]+(?:, [^ ]+)*) in/.exec(i.output())?.[1] ?? '',
    );
    const taken = takenLines.flatMap((line) => (line ? line.split(', ') : []));
    expect(taken.sort()).toEqual([...rigs].sort());

    const apis: RunningApi[] = [];
    for (let k = 0; k < 2; k++) {
      const api = await startApi(
        parseEnvironment({
          SANDGLASS_HTTP_PORT: '0',
          SANDGLASS_HTTP_HOST: '127.0.0.1',
          SANDGLASS_AUTH: 'off',
          SANDGLASS_MQTT_URL: mqttUrl,
          SANDGLASS_INFLUX_URL: influxUrl,
          SANDGLASS_INFLUX_DB: db,
          SANDGLASS_REDIS_URL: redisUrl,
          SANDGLASS_LOG_LEVEL: 'warn',
        }),
        { dashboardDir: tempDir('sg-sm-api-') },
      );
      cleanups.push(() => api.close());
      await api.app.get(LiveFeed).ready();
      apis.push(api);
    }
    // A dashboard on each instance: one batched (as the dashboard subscribes), one per-cell.
    const clients = apis.map((api) => new RecordingClient(api.url));
    for (const client of clients) cleanups.push(async () => client.close());
    await Promise.all(clients.map((c) => c.connected()));
    expect(await clients[0]!.subscribe({ batch: true })).toEqual({ ok: true });
    expect(await clients[1]!.subscribe({})).toEqual({ ok: true });

    // What ingest published: the reference every client is held to.
    const published: AlertEvent[] = [];
    const watcher = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4 });
    cleanups.push(() => watcher.endAsync());
    watcher.on('message', (_, payload) => {
      const event = JSON.parse(payload.toString()) as AlertEvent;
      if (event.cellId === CELL) published.push(event);
    });
    await watcher.subscribeAsync(
      rigs.map((rig) => `sandglass/v1/${rig}/+/alerts`),
      { qos: 1 },
    );

    for (const rig of rigs) {
      const body = { ...run.config, rigId: rig, cellId: CELL } as CellConfig;
      const res = await fetch(`${apis[0]!.url}/api/cells/${rig}/${CELL}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    const pub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `${tag}-pub` });
    cleanups.push(() => pub.endAsync());
    const publish = async (from: number, to: number) => {
      const pending: Promise<unknown>[] = [];
      for (let k = from; k < to; k += PER_MESSAGE) {
        for (const rig of rigs) {
          const batch = samples.slice(k, Math.min(k + PER_MESSAGE, to));
          pending.push(pub.publishAsync(telemetryTopic(rig, CELL), JSON.stringify(batch), { qos: 1 }));
        }
        if (pending.length >= 60) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    };
    const stored = async (ofRigs = rigs, cellId = CELL) => {
      let n = 0;
      for (const rig of ofRigs) {
        const res = await fetch(`${apis[1]!.url}/api/cells/${rig}/${cellId}/telemetry?limit=100000`);
        n += ((await res.json()) as unknown[]).length;
      }
      return n;
    };

    // A first checkpoint of every cell (written at once), then more samples: a process killed now has
    // samples after its checkpoints, which the next owner replays from the store.
    const half = Math.floor(samples.length / 2);
    await publish(0, Math.floor(half / 2));
    await until(
      async () =>
        (
          await Promise.all(ingests.map((i) => metric(i, 'sandglass_ingest_checkpoints_written_total')))
        ).reduce((a, b) => a + b, 0) >= RIGS,
      'the checkpoints',
    );
    await publish(Math.floor(half / 2), half);
    await until(async () => (await stored()) === half * RIGS, 'the first half stored', 120_000);

    const counts = await owned(ingests);
    const victim = counts.indexOf(Math.max(...counts));
    const survivors = ingests.filter((_, k) => k !== victim);
    const killedAt = Date.now();
    expect(await ingests[victim]!.stop('SIGKILL')).toBe(null);
    // Published at once, before the survivors can have subscribed to the killed process's rigs (they
    // restore the cells first): the broker queues these for its session only. A cell at rest, which the
    // other cells' alerts do not depend on; they must be stored once that process is back (below).
    const victimRigs = [
      ...ingests[victim]!.output().matchAll(/partition: took ([^ ]+(?:, [^ ]+)*) in/g),
    ].flatMap((m) => m[1]!.split(', '));
    const gap: Sample[] = Array.from({ length: 40 }, (_, k) => ({ ts: T0 + k * 1000, v: 0, i: 0, seq: k }));
    await Promise.all(
      victimRigs.map((rig) =>
        pub.publishAsync(telemetryTopic(rig, GAP_CELL), JSON.stringify(gap), { qos: 1 }),
      ),
    );
    await until(
      async () => (await owned(survivors)).reduce((a, b) => a + b, 0) === RIGS,
      'the killed process’s rigs taken over',
      20_000,
    );
    const takeover_ms = Date.now() - killedAt;
    expect(takeover_ms).toBeLessThan(10_000);
    // The rigs continued from their checkpoints (and the samples stored after them).
    const continued = survivors.map((i) =>
      [...i.output().matchAll(/(\d+) cells continued from their detector checkpoints \((\d+) samples/g)].map(
        (m) => [Number(m[1]), Number(m[2])],
      ),
    );
    expect(continued.flat().reduce((n, [cells]) => n + cells!, 0)).toBeGreaterThanOrEqual(counts[victim]!);
    console.log(
      `takeover of ${counts[victim]} rigs in ${takeover_ms} ms (${uptimeLoad()}); ` +
        `[cells restored, samples replayed] per survivor: ${JSON.stringify(continued)}`,
    );

    await publish(half, samples.length);
    await until(async () => (await stored()) === samples.length * RIGS, 'every sample stored', 180_000);
    const final = published.filter((e) => e.state !== 'acknowledged');
    await until(
      async () =>
        clients.every(
          (c) =>
            c.of('alert').filter((e) => rigs.includes(e.rigId) && e.cellId === CELL).length >= final.length,
        ) && final.length > 0,
      'the alerts at both clients',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Every cell, moved or not, raised the same alerts from the same data.
    const perRig = rigs.map((rig) =>
      published
        .filter((e) => e.rigId === rig && e.state !== 'acknowledged')
        .map(outcome)
        .sort(),
    );
    expect(perRig[0]!.some((o) => o.startsWith('sand-depletion') && o.includes(' raised '))).toBe(true);
    // Some of them after the takeover, so the moved detectors had to carry on from their state.
    expect(published.some((e) => e.ts > samples[half]!.ts)).toBe(true);
    for (const outcomes of perRig) expect(outcomes).toEqual(perRig[0]);

    const reference = published
      .filter((e) => e.state !== 'acknowledged')
      .map(key)
      .sort();
    expect(new Set(reference).size).toBe(reference.length);
    for (const client of clients) {
      // Only this test's rigs: other tests may share the broker, and these clients see every rig.
      const alerts = client
        .of('alert')
        .filter((e) => e.state !== 'acknowledged' && rigs.includes(e.rigId) && e.cellId === CELL);
      // Once each, and all of them.
      expect(alerts.map(key).sort()).toEqual(reference);
      // In data-time order per cell.
      for (const rig of rigs) {
        const times = alerts.filter((e) => e.rigId === rig).map((e) => e.ts);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }
    }
    // The batched client got states, the other per-cell ones.
    expect(clients[0]!.of('states').length).toBeGreaterThan(0);
    expect(clients[1]!.of('state').length).toBeGreaterThan(0);

    // No sample judged twice or dropped: every sample accepted by exactly one process.
    expect(await Promise.all(survivors.map((i) => metric(i, 'sandglass_ingest_duplicates_total')))).toEqual([
      0, 0,
    ]);

    // The killed process comes back after its rigs moved: it owns none now, and what the broker had
    // queued for it (the gap cell, and copies of what the survivors stored) is stored and counted.
    const comeback = await startIngest({
      ...settings[victim]!,
      env: { SANDGLASS_INGEST_PARTITION: 'hash', SANDGLASS_INGEST_SETTLE_MS: '3000' },
    });
    cleanups.push(() => comeback.stop('SIGKILL'));
    await until(
      async () => (await stored(victimRigs, GAP_CELL)) === gap.length * victimRigs.length,
      'the queued messages stored',
      60_000,
    );
    expect(await metric(comeback, 'sandglass_ingest_not_owned_total')).toBeGreaterThan(0);
    expect(await stored()).toBe(samples.length * RIGS);
    expect(await metric(comeback, 'sandglass_ingest_rigs_owned')).toBe(0);

    // An event one api instance emits to everyone reaches the other instance's client through Redis.
    const status: ReplayStatus = {
      id: `${tag}-replay`,
      rigId: rigs[0]!,
      cellId: CELL,
      source: 'test',
      state: 'running',
      speed: 1,
      rowsPublished: 1,
      rowsTotal: 2,
      dataTime: T0,
    };
    apis[0]!.app.get(LiveGateway).broadcastReplay(status);
    await until(
      () => clients[1]!.of('replay').some((r) => r.id === status.id),
      'the replay status via Redis',
      10_000,
    );
    expect(clients[0]!.of('replay').filter((r) => r.id === status.id)).toHaveLength(1);
  }, 420_000);
});
