import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { telemetryTopic } from '#contracts';
import { describeWithServices, testServices } from '../support/services.js';
import {
  T0,
  connectPublisher,
  influxStore,
  repoRoot,
  ownIngestSettings,
  startIngest,
  storedCount,
  until,
  type IngestProcess,
} from '../ingest/support.js';

const CELLS = 500;
const SECONDS = 120;

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

async function sampleProcess(ingest: IngestProcess) {
  const text = await ingest.metrics();
  return {
    rss_MB: metric(text, 'sandglass_ingest_process_resident_memory_bytes') / 2 ** 20,
    heap_MB: metric(text, 'sandglass_ingest_nodejs_heap_size_used_bytes') / 2 ** 20,
    lagP99_ms: metric(text, 'sandglass_ingest_nodejs_eventloop_lag_p99_seconds') * 1000,
  };
}

/**
 * Soak: 500 cells at 1 Hz for two minutes beside a replay at full speed, through the real broker, ingest
 * (detection on) and InfluxDB. Asserts nothing is lost and ingest stays healthy; records memory and
 * event-loop lag in test-results/soak.json (figures, not pass/fail: the machine is shared).
 */
describeWithServices('soak: 500 cells at 1 Hz plus a replay', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('stores every sample of every cell and stays healthy', async () => {
    const { mqttUrl, influxUrl } = testServices();
    const settings = ownIngestSettings('soak', { mqttUrl, influxUrl }, ['replay']);
    const rig = settings.rig;
    const replayRig = `${rig}-replay`;
    const ingest = await startIngest(settings);
    cleanups.push(() => ingest.stop());
    const pub = await connectPublisher(mqttUrl);
    cleanups.push(() => pub.endAsync(true));
    const idle = await sampleProcess(ingest);
    const samples: ReturnType<typeof sampleProcess> extends Promise<infer T> ? T[] : never = [];

    // The replay: one cell's long run sent as fast as the broker takes it, in arrays of 500.
    const replayCell = 'replay-01';
    const replayTotal = 100_000;
    const replay = (async () => {
      for (let seq = 0; seq < replayTotal; seq += 500) {
        const batch = Array.from({ length: 500 }, (_, k) => ({
          ts: T0 + (seq + k) * 100,
          v: 0.02,
          i: 0.0005,
          seq: seq + k,
        }));
        await pub.publishAsync(telemetryTopic(replayRig, replayCell), JSON.stringify(batch), { qos: 1 });
      }
    })();

    const started = Date.now();
    for (let second = 0; second < SECONDS; second++) {
      const sends: Promise<unknown>[] = [];
      for (let cell = 0; cell < CELLS; cell++) {
        const sample = { ts: T0 + second * 1000, v: 0.02 + cell * 1e-5, i: 0.0005, t: 25, seq: second };
        sends.push(pub.publishAsync(telemetryTopic(rig, `c${cell}`), JSON.stringify(sample), { qos: 1 }));
      }
      await Promise.all(sends);
      if (second % 10 === 9) samples.push(await sampleProcess(ingest));
      const due = started + (second + 1) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    await replay;

    const store = influxStore(influxUrl, settings.db);
    await until(
      async () => (await storedCount(store, replayRig, replayCell)) >= replayTotal,
      'replay stored',
      90_000,
    );
    for (const cell of [0, 1, 250, 499]) {
      await until(
        async () => (await storedCount(store, rig, `c${cell}`)) >= SECONDS,
        `cell c${cell} stored`,
        60_000,
      );
    }
    const health = await ingest.health();
    expect(health.status).toBe('ok');
    expect(health.samples.accepted).toBe(CELLS * SECONDS + replayTotal);

    const last = samples.at(-1)!;
    const figures = {
      cells: CELLS,
      seconds: SECONDS,
      replaySamples: replayTotal,
      idle,
      samples,
      memoryPerCell_kB: ((last.rss_MB - idle.rss_MB) * 1024) / CELLS,
      maxLagP99_ms: Math.max(...samples.map((s) => s.lagP99_ms)),
    };
    mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    writeFileSync(path.join(repoRoot, 'test-results/soak.json'), JSON.stringify(figures, null, 2));
    process.stdout.write(
      `soak: ${CELLS} cells x ${SECONDS} s + ${replayTotal} replayed: rss ${idle.rss_MB.toFixed(0)} -> ` +
        `${last.rss_MB.toFixed(0)} MB (${figures.memoryPerCell_kB.toFixed(1)} kB/cell), ` +
        `event-loop lag p99 max ${figures.maxLagP99_ms.toFixed(1)} ms\n`,
    );
  }, 400_000);
});
