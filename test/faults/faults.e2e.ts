import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { REJECT_REASONS, telemetryTopic, type Sample, type TelemetryPoint } from '#contracts';
import { describeWithServices } from '../support/services.js';
import {
  T0,
  connectPublisher,
  influxStore,
  ownInfluxd,
  ownMosquitto,
  ownIngestSettings,
  startIngest,
  storedCount,
  tempDir,
  until,
  type IngestProcess,
} from '../ingest/support.js';

const CELLS = ['f1', 'f2', 'f3'];
/** Data-time step between samples of a cell (ms). */
const STEP_MS = 100;

/** A cell's sample `seq`, with values that differ per cell and per sample so the checksum means something. */
function sampleOf(cell: number, seq: number): Sample {
  return { ts: T0 + seq * STEP_MS, v: 0.01 + cell * 0.001 + (seq % 997) * 1e-6, i: 0.0005 * (1 + cell), seq };
}

/** Count and a checksum over (ts, v, i) in data-time order: what was sent must be what is stored. */
function digest(points: { ts: number; v: number | null; i: number | null }[]): {
  count: number;
  sha256: string;
} {
  const hash = createHash('sha256');
  for (const p of [...points].sort((a, b) => a.ts - b.ts)) hash.update(`${p.ts.toFixed(3)}|${p.v}|${p.i}\n`);
  return { count: points.length, sha256: hash.digest('hex') };
}

/** Publishes every cell's samples in messages of 20, paced, QoS 1, through whatever happens to the servers. */
class PacedStream {
  private seq = 0;
  private stopped = false;
  readonly sent: Sample[][] = CELLS.map(() => []);
  private readonly done: Promise<void>;

  constructor(
    private readonly pub: MqttClient,
    private readonly rig: string,
    private readonly total: number,
    messagesPerSecond: number,
  ) {
    this.done = this.run(1000 / messagesPerSecond);
  }

  private async run(interval_ms: number): Promise<void> {
    const pending = new Set<Promise<unknown>>();
    while (this.seq < this.total && !this.stopped) {
      CELLS.forEach((cell, c) => {
        const batch = Array.from({ length: Math.min(20, this.total - this.seq) }, (_, k) =>
          sampleOf(c, this.seq + k),
        );
        this.sent[c]!.push(...batch);
        const sent = this.pub.publishAsync(telemetryTopic(this.rig, cell), JSON.stringify(batch), { qos: 1 });
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
      });
      this.seq += 20;
      await new Promise((resolve) => setTimeout(resolve, interval_ms));
    }
    await Promise.all(pending);
  }

  progress(): number {
    return this.seq / this.total;
  }

  finished(): Promise<void> {
    return this.done;
  }
}

describeWithServices('faults: nothing accepted is lost, bad input costs only itself', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('InfluxDB down for 60 s, broker restarted, ingest SIGKILLed: every sample stored exactly once (count and checksum)', async () => {
    const dir = tempDir('sg-faults-');
    const broker = await ownMosquitto(dir);
    const influx = await ownInfluxd(dir);
    await broker.start();
    await influx.start();
    cleanups.push(broker.stop, influx.stop);
    const settings = ownIngestSettings('faults', { mqttUrl: broker.url, influxUrl: influx.url });
    const rig = settings.rig;
    let ingest: IngestProcess = await startIngest(settings);
    cleanups.push(() => ingest.stop());
    const pub = await connectPublisher(broker.url);
    cleanups.push(() => pub.endAsync(true));

    // 3 cells × 12,000 samples, 3 × 400 samples/s: about 30 s of stream, stretched by the faults.
    const total = 12_000;
    const stream = new PacedStream(pub, rig, total, 20);
    const store = influxStore(influx.url, settings.db);

    await until(() => stream.progress() > 0.15, 'the stream to get going', 30_000);
    await influx.stop();
    const outageStart = Date.now();
    await until(() => stream.progress() > 0.35, 'samples accepted while InfluxDB is down', 60_000);
    expect((await ingest.health()).wal.unstoredBytes).toBeGreaterThan(0);

    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await broker.start();

    await until(() => stream.progress() > 0.55, 'the stream to resume after the broker restart', 60_000);
    expect(await ingest.stop('SIGKILL')).toBe(null);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ingest = await startIngest(settings);

    // InfluxDB comes back after a full minute; meanwhile the write-ahead log holds everything accepted.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 60_000 - (Date.now() - outageStart))));
    await influx.start();
    await stream.finished();

    for (const [c, cell] of CELLS.entries()) {
      await until(
        async () => (await storedCount(store, rig, cell)) >= total,
        `all of ${cell} stored`,
        90_000,
      );
      const stored: TelemetryPoint[] = await store.queryTelemetry(
        { rigId: rig, cellId: cell },
        { limit: 100_000 },
      );
      expect(digest(stored)).toEqual(digest(stream.sent[c]!));
    }
    expect((await ingest.health()).status).toBe('ok');
  }, 300_000);

  it('every bad-input class, binary garbage and a 10 MB payload cost the good cells nothing', async () => {
    const dir = tempDir('sg-garbage-');
    const broker = await ownMosquitto(dir);
    const influx = await ownInfluxd(dir);
    await broker.start();
    await influx.start();
    cleanups.push(broker.stop, influx.stop);
    const settings = ownIngestSettings('garbage', { mqttUrl: broker.url, influxUrl: influx.url });
    const rig = settings.rig;
    const ingest = await startIngest(settings);
    cleanups.push(() => ingest.stop());
    const pub = await connectPublisher(broker.url);
    cleanups.push(() => pub.endAsync(true));
    const rejected: { reason: string }[] = [];
    const watcher = await connectPublisher(broker.url);
    cleanups.push(() => watcher.endAsync(true));
    await watcher.subscribeAsync(`sandglass/v1/${rig}/+/rejected`, { qos: 0 });
    watcher.on('message', (_t, payload) =>
      rejected.push(JSON.parse(payload.toString()) as { reason: string }),
    );

    const total = 6000;
    const stream = new PacedStream(pub, rig, total, 25);
    const bad = (payload: string | Buffer) =>
      pub.publishAsync(telemetryTopic(rig, 'bad'), payload, { qos: 1 });
    const good = sampleOf(0, 0);
    const badPayloads: (string | Buffer)[] = [
      '{"ts": 1', // bad-json
      '42', // not-object
      JSON.stringify({ ts: good.ts, v: 1 }), // missing-field
      '{"ts": 1767225600000, "v": 1e999, "i": 0}', // not-finite
      JSON.stringify({ ...good, v: 1e6 }), // out-of-range
      JSON.stringify({ ...good, i: '1' }), // bad-type
      ' '.repeat(2 * 1024 * 1024), // too-large
      JSON.stringify({ ...good, ts: 1 }), // ts-out-of-range
      '[]', // empty
      Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 7919) % 256)), // binary garbage
      Buffer.alloc(10 * 1024 * 1024, 0x7b), // a 10 MB payload
    ];
    while (stream.progress() < 1) {
      await Promise.all(badPayloads.map(bad));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await stream.finished();

    const store = influxStore(influx.url, settings.db);
    for (const [c, cell] of CELLS.entries()) {
      await until(
        async () => (await storedCount(store, rig, cell)) >= total,
        `all of ${cell} stored`,
        60_000,
      );
      const stored = await store.queryTelemetry({ rigId: rig, cellId: cell }, { limit: 100_000 });
      expect(digest(stored)).toEqual(digest(stream.sent[c]!));
    }
    expect(await storedCount(store, rig, 'bad')).toBe(0);
    // `…/rejected` is rate-limited per cell; the counter counts every rejection.
    const seen = new Set(rejected.map((r) => r.reason));
    const expectedReasons = REJECT_REASONS.filter((r) => r !== 'bad-topic');
    await until(
      () => expectedReasons.every((r) => seen.has(r)) || rejected.length > 200,
      'rejections published',
      10_000,
    );
    const metrics = await ingest.metrics();
    for (const reason of expectedReasons) {
      expect(metrics, reason).toMatch(
        new RegExp(`sandglass_ingest_rejected_total\\{[^}]*reason="${reason}"[^}]*\\} [1-9]`),
      );
    }
    expect((await ingest.health()).status).toBe('ok');
  }, 180_000);
});
