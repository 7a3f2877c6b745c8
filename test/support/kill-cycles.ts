import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { telemetryTopic, type TelemetryPoint } from '#contracts';
import { startStandalone } from './standalone.js';

const T0 = Date.UTC(2026, 0, 1);

/** Where in a process's life a cycle ends it. */
export type KillPoint = 'start-up' | 'mid-stream' | 'mid-drain';
export type KillSignal = 'SIGKILL' | 'SIGTERM';
export interface Cycle {
  point: KillPoint;
  signal: KillSignal;
}

/** Every combination of point and signal, `rounds` times over. */
export function cyclePlan(rounds: number): Cycle[] {
  const plan: Cycle[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const point of ['start-up', 'mid-stream', 'mid-drain'] as const) {
      for (const signal of ['SIGKILL', 'SIGTERM'] as const) plan.push({ point, signal });
    }
  }
  return plan;
}

/**
 * A rig that publishes QoS 1 batches for its cells with a persistent session (clean = false), reconnects
 * every 250 ms while the broker is away, publishes again any message its client gave up on, and notes
 * each sample once its message was acknowledged.
 */
export class RetryingRig {
  readonly client: mqtt.MqttClient;
  /** Per cell, the sample numbers whose message got a PUBACK. */
  readonly acked = new Map<string, Set<number>>();
  published = 0;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private outstanding = 0;

  constructor(
    url: string,
    readonly rigId: string,
    readonly cells: readonly string[],
    private readonly samplesPerMessage = 5,
  ) {
    this.client = mqtt.connect(url, {
      clientId: `${rigId}-client`,
      clean: false,
      reconnectPeriod: 250,
      connectTimeout: 2000,
      keepalive: 5,
    });
    this.client.on('error', () => undefined);
    for (const cell of cells) this.acked.set(cell, new Set());
  }

  /** Publishes one message per cell every `every_ms`. */
  start(every_ms = 20): void {
    this.timer = setInterval(() => this.publishRound(), every_ms);
  }

  stopPublishing(): void {
    clearInterval(this.timer);
  }

  /** Messages published but not yet acknowledged. */
  get unacknowledged(): number {
    return this.outstanding;
  }

  ackedCount(): number {
    let n = 0;
    for (const set of this.acked.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    this.stopPublishing();
    await this.client.endAsync(true);
  }

  private publishRound(): void {
    const first = this.next;
    this.next += this.samplesPerMessage;
    for (const cell of this.cells) {
      const samples = Array.from({ length: this.samplesPerMessage }, (_, k) => ({
        ts: T0 + (first + k) * 10,
        v: 0.01,
        i: 0.001,
        seq: first + k,
      }));
      this.outstanding++;
      this.published += samples.length;
      this.send(cell, samples);
    }
  }

  /** Publishes until acknowledged: mqtt.js resends what was in flight, and reports an error for what it dropped. */
  private send(cell: string, samples: Array<{ seq: number }>): void {
    this.client.publish(telemetryTopic(this.rigId, cell), JSON.stringify(samples), { qos: 1 }, (error) => {
      if (error) {
        setTimeout(() => this.send(cell, samples), 250);
        return;
      }
      this.outstanding--;
      const set = this.acked.get(cell)!;
      for (const s of samples) set.add(s.seq);
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a run of cycles found. */
export interface CyclesReport {
  cycles: Array<Cycle & { exit: number | null }>;
  published: number;
  acked: number;
  /** Acknowledged samples missing from the store. */
  lost: number;
  /** Acknowledged samples stored more than once. */
  duplicated: number;
  /** Published samples whose acknowledgement never reached the rig's callback, yet are in the store. */
  unackedButStored: number;
}

export interface CyclesOptions {
  dataDir: string;
  /** Extra environment of the standalone process (e.g. SANDGLASS_MQTT_URL for an external broker). */
  env?: Record<string, string>;
  /** The rig's broker when it is not the process's embedded one (external broker). */
  rigBrokerUrl?: string;
  rigId: string;
  cells: readonly string[];
  plan: readonly Cycle[];
  /** Milliseconds of streaming before a mid-stream or mid-drain kill. */
  stream_ms?: number;
  log?: (line: string) => void;
}

/**
 * Runs the plan: each cycle starts `npm start` on the same data directory and ends it at its point with
 * its signal while the rig keeps publishing; then a last start stores everything, and every acknowledged
 * sample is looked up in the store through the REST api.
 */
export async function runKillCycles(options: CyclesOptions): Promise<CyclesReport> {
  const log = options.log ?? (() => undefined);
  const stream_ms = options.stream_ms ?? 2000;
  // The embedded broker's rigs port is fixed across restarts so the rig reconnects to the same address.
  const mqttPort = options.rigBrokerUrl ? undefined : String(await freePort());
  const env = { ...options.env, ...(mqttPort && { SANDGLASS_MQTT_PORT: mqttPort }) };
  const rigUrl = options.rigBrokerUrl ?? `mqtt://127.0.0.1:${mqttPort}`;
  // Ingest's persistent session exists before the rig starts, as in any deployment: an external broker
  // keeps nothing for a subscriber it has never seen.
  const first = await startStandalone(options.dataDir, env);
  await sleep(1000);
  await first.stop('SIGTERM');
  const rig = new RetryingRig(rigUrl, options.rigId, options.cells);
  rig.start();
  const cycles: CyclesReport['cycles'] = [];
  try {
    for (const cycle of options.plan) {
      if (cycle.point === 'start-up') {
        // Killed while starting: before or right around the banner.
        let child: ChildProcess | undefined;
        const exited = new Promise<number | null>((resolve) => {
          void startStandalone(options.dataDir, env, 60_000, (spawned) => {
            child = spawned;
            spawned.on('exit', (code) => resolve(code));
          }).catch(() => undefined);
        });
        await sleep(300 + Math.floor(Math.random() * 1200));
        child?.kill(cycle.signal);
        const exit = await exited;
        cycles.push({ ...cycle, exit });
        log(`${cycle.point} ${cycle.signal}: exit ${exit}, acked ${rig.ackedCount()}`);
        continue;
      }
      const app = await startStandalone(options.dataDir, env);
      await sleep(stream_ms);
      if (cycle.point === 'mid-stream') {
        app.process.kill(cycle.signal);
      } else {
        // Mid-drain: a SIGTERM starts the shutdown drain, the cycle's signal ends it part-way.
        app.process.kill('SIGTERM');
        await sleep(20 + Math.floor(Math.random() * 300));
        app.process.kill(cycle.signal);
      }
      const exit = await app.exited;
      cycles.push({ ...cycle, exit });
      log(`${cycle.point} ${cycle.signal}: exit ${exit}, acked ${rig.ackedCount()}`);
    }

    // The last start: the rig stops, every message it sent is acknowledged, everything gets stored.
    const final = await startStandalone(options.dataDir, env);
    try {
      await sleep(500);
      rig.stopPublishing();
      const deadline = Date.now() + 60_000;
      while (rig.unacknowledged > 0 && Date.now() < deadline) await sleep(100);
      const acked = rig.ackedCount();
      let stored = new Map<string, number[]>();
      while (Date.now() < deadline + 60_000) {
        stored = await storedSeqs(final.url, options.rigId, options.cells);
        const count = [...stored.values()].reduce((n, s) => n + s.length, 0);
        if (count >= acked) break;
        await sleep(500);
      }
      let lost = 0;
      let duplicated = 0;
      let unackedButStored = 0;
      for (const cell of options.cells) {
        const counts = new Map<number, number>();
        for (const seq of stored.get(cell) ?? []) counts.set(seq, (counts.get(seq) ?? 0) + 1);
        const acknowledged = rig.acked.get(cell)!;
        for (const seq of acknowledged) {
          const n = counts.get(seq) ?? 0;
          if (n === 0) lost++;
          if (n > 1) duplicated++;
        }
        for (const seq of counts.keys()) if (!acknowledged.has(seq)) unackedButStored++;
      }
      return { cycles, published: rig.published, acked, lost, duplicated, unackedButStored };
    } finally {
      await final.stop('SIGTERM');
    }
  } finally {
    await rig.close();
  }
}

/** The sample numbers stored per cell (recovered from their data time, 10 ms apart from T0). */
async function storedSeqs(
  url: string,
  rigId: string,
  cells: readonly string[],
): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  for (const cell of cells) {
    const seqs: number[] = [];
    let from = T0;
    for (;;) {
      const response = await fetch(`${url}/api/cells/${rigId}/${cell}/telemetry?from=${from}&limit=100000`);
      if (!response.ok) throw new Error(`telemetry query: ${response.status} ${await response.text()}`);
      const points = (await response.json()) as TelemetryPoint[];
      for (const p of points) seqs.push(Math.round((p.ts - T0) / 10));
      if (points.length < 100_000) break;
      from = points[points.length - 1]!.ts + 1;
    }
    result.set(cell, seqs);
  }
  return result;
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
