// npm run bench:ingest — throughput and latency of apps/ingest on this machine.
//
// Starts its own Mosquitto and InfluxDB with scripts/services.sh (on ports of their own, stopped at the
// end), then measures in one run:
//   a. ceiling: a bare mqtt.js subscriber counting single-sample QoS 1 messages from the publisher;
//   b. the real ingest process (dist/apps/ingest/src/main.js) on the same single-sample QoS 1 stream,
//      until every sample is durable in InfluxDB, detection on;
//   c. the same with messages of 50 samples;
//   d. p99 latency publish → stored in InfluxDB (or the embedded store) at a paced 10,000 samples/s.
// The publisher is a separate process (this file with `publish`), as a rig would be. Rates are samples
// per second from the first publish to the last sample counted (a) or stored (b, c). "Stored" is
// ingest's count of samples InfluxDB acknowledged (GET /health), which grows in WAL order, so the k-th
// stored sample is the k-th published one and (d) needs no per-sample query.
// The last line printed is one JSON object; `cpu_us_per_sample_single` and `cpu_us_per_sample_batched`
// are the ingest process's CPU time (user + system, /proc/<pid>/stat, all its threads) from the first
// publish until every sample is stored, divided by the samples: decoding, detection, the model, the WAL,
// the store writes and its HTTP answers to the polls. Both runs use `--cells` cells (default 100), each
// with the physics detectors and the failure model's feature window.
//
// (a) and (b) run in `rounds` alternating pairs; the JSON reports the pair with the median ratio.
// Each run prints the CPU time every process spent per sample (Linux /proc), which is what limits the
// rates: publisher, broker, ingest and database share the machine's two cores.
//
// Runs from the build: npm run build && node dist/scripts/bench/ingest.js
// Options: --single 100000 --rounds 5 --batched 600000 --paced-s 10 --cells 100
//          --step-ms 10 (data time between a cell's samples)
//          --store influx|embedded (embedded: ingest writes its own DuckDB store, no InfluxDB)
//          --mqtt-port 28830 --influx-port 28086 (the servers this bench starts)
import { spawn, type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { telemetryTopic } from '#contracts';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(
  path.dirname(here),
  here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);
const T0 = Date.UTC(2026, 0, 1);

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

function textOption<T extends string>(name: string, allowed: readonly T[]): T {
  const k = process.argv.indexOf(`--${name}`);
  const value = (k >= 0 ? process.argv[k + 1] : allowed[0]) as T;
  if (!allowed.includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return value;
}

/** Where ingest stores: the InfluxDB this bench starts, or its embedded DuckDB store in its data dir. */
const STORE = textOption('store', ['influx', 'embedded'] as const);
/**
 * Data time between a cell's samples: 10 ms (100 Hz) by default. The failure model predicts once a cell
 * has 2 minutes of data, which at 100 Hz the runs do not reach; `--step-ms 1000` (1 Hz, a cycler's usual
 * rate) has it predicting, and a state derived for every sample.
 */
const STEP_MS = option('step-ms', 10);
const STORE_NAME = STORE === 'influx' ? 'InfluxDB' : 'the embedded store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Publisher process: `node ingest.js publish <json options>`; reports {t0, t1, times?} over IPC.
export interface PublishJob {
  url: string;
  rig: string;
  cells: number;
  messages: number;
  samplesPerMessage: number;
  /** Data time between two samples of a cell (ms). */
  step_ms: number;
  /** Messages per second; 0 = as fast as the broker takes them. */
  rate: number;
  /** Report each message's publish time (epoch ms). */
  times: boolean;
}

async function publisher(job: PublishJob): Promise<void> {
  const client = mqtt.connect(job.url, {
    protocolVersion: 5,
    clientId: `bench-pub-${process.pid}`,
    clean: true,
  });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  const topics = Array.from({ length: job.cells }, (_, c) => telemetryTopic(job.rig, `c${c}`));
  const seqs = new Array<number>(job.cells).fill(0);
  const times = job.times ? new Float64Array(job.messages) : undefined;
  const window = 1000;
  let inFlight = 0;
  let release: (() => void) | undefined;
  const acked = () => {
    inFlight--;
    if (release && inFlight < window / 2) {
      const r = release;
      release = undefined;
      r();
    }
  };
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  for (let m = 0; m < job.messages; m++) {
    const cell = m % job.cells;
    const samples = [];
    for (let k = 0; k < job.samplesPerMessage; k++) {
      const seq = seqs[cell]!++;
      samples.push({ ts: T0 + seq * job.step_ms, v: 0.02 + (seq % 100) * 1e-5, i: 0.001, t: 25, seq });
    }
    const payload = JSON.stringify(job.samplesPerMessage === 1 ? samples[0] : samples);
    if (job.rate > 0) {
      const due = t0 + (m * 1000) / job.rate;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
    }
    if (times) times[m] = Date.now();
    inFlight++;
    client.publish(topics[cell]!, payload, { qos: 1 }, acked);
    if (inFlight >= window) await new Promise<void>((r) => (release = r));
    else if (m % 200 === 199) await new Promise((r) => setImmediate(r));
  }
  while (inFlight > 0) await sleep(5);
  const t1 = Date.now();
  const cpu = process.cpuUsage(cpu0);
  await client.endAsync();
  const published: Published = {
    t0,
    t1,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    ...(times && { times: Array.from(times) }),
  };
  process.send!(published);
}

export interface Published {
  /** First and last publish (epoch ms). */
  t0: number;
  t1: number;
  /** The publisher's CPU time while publishing. */
  cpu_s: number;
  times?: number[];
}

export function runPublisher(job: PublishJob): Promise<Published> {
  return new Promise((resolve, reject) => {
    const child = fork(here, ['publish', JSON.stringify(job)], { stdio: 'inherit' });
    child.once('message', (m) => resolve(m as Published));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`publisher exited with ${code}`)));
  });
}

// ---------------------------------------------------------------------------------------------------
export interface Services {
  mqttUrl: string;
  influxUrl: string;
  /** Process ids of the broker and the database, for CPU accounting. */
  pids: { broker: number; influxd: number };
  down: () => void;
}

/** CPU seconds (user + system, all threads) a process has used so far; 0 when it is gone. Linux /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th, in ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of each named process so far. */
export function cpuSnapshot(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
}

/**
 * CPU used between two snapshots, in µs per sample, to 0.1 µs (/proc counts 10 ms ticks: over 100,000
 * samples one tick is 0.1 µs per sample).
 */
export function cpuPerSample(
  before: Record<string, number>,
  after: Record<string, number>,
  samples: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((k) => [k, round1(((after[k]! - (before[k] ?? 0)) * 1e6) / samples)]),
  );
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

export const formatCpu = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function startServices(): Services {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-ingest-'));
  const env = {
    ...process.env,
    SANDGLASS_TEST_MQTT_PORT: String(option('mqtt-port', 28830)),
    SANDGLASS_TEST_INFLUX_PORT: String(option('influx-port', 28086)),
    SANDGLASS_SERVICES_DIR: dir,
  };
  const script = path.join(repoRoot, 'scripts/services.sh');
  const out = execFileSync('bash', [script, 'up'], { env, encoding: 'utf8' });
  const vars = Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const pid = (file: string) => Number(readFileSync(path.join(dir, file), 'utf8').trim());
  return {
    mqttUrl: vars.SANDGLASS_TEST_MQTT_URL!,
    influxUrl: vars.SANDGLASS_TEST_INFLUX_URL!,
    pids: { broker: pid('mosquitto.pid'), influxd: pid('influxd.pid') },
    down: () => {
      execFileSync('bash', [script, 'down'], { env, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Ingest {
  proc: ChildProcess;
  stored: () => Promise<number>;
  groups: () => Promise<{ perWalWrite: number; perStoreWrite: number }>;
  stop: () => Promise<void>;
}

export async function startIngest(services: Services, name: string): Promise<Ingest> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-wal-'));
  const args = [path.join(repoRoot, 'dist/apps/ingest/src/main.js')];
  if (process.env.BENCH_CPU_PROF) args.unshift('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`);
  // Node/V8 flags to try on ingest, e.g. BENCH_INGEST_NODE_ARGS="--max-semi-space-size=64".
  if (process.env.BENCH_INGEST_NODE_ARGS) args.unshift(...process.env.BENCH_INGEST_NODE_ARGS.split(' '));
  const proc = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      SANDGLASS_MQTT_URL: services.mqttUrl,
      ...(STORE === 'influx' && {
        SANDGLASS_INFLUX_URL: services.influxUrl,
        SANDGLASS_INFLUX_DB: `bench_${name}_${Date.now()}`,
      }),
      SANDGLASS_INGEST_CLIENT_ID: `bench-ingest-${name}-${Date.now()}`,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_INGEST_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  let port = 0;
  // Up to 60 s: loading the model and the embedded store takes long on a busy machine.
  for (let k = 0; k < 1200 && !port; k++) {
    await sleep(50);
    port = Number(/http-port=(\d+)/.exec(out)?.[1] ?? 0);
  }
  if (!port) throw new Error(`ingest did not start:\n${out}`);
  /**
   * Messages received per WAL group write (each write also sends that group's PUBACKs), and samples per
   * store write, from ingest's metrics.
   */
  const groups = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return {
      perWalWrite:
        metric('sandglass_ingest_messages_received_total') / metric('sandglass_ingest_wal_writes_total'),
      perStoreWrite:
        metric('sandglass_ingest_samples_stored_total') /
        metric('sandglass_ingest_store_batch_seconds_count'),
    };
  };
  const stored = async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      samples: { stored: number };
    };
    return health.samples.stored;
  };
  // Connected and subscribed before the publisher starts.
  for (let k = 0; k < 100; k++) {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      mqtt: { connected: boolean };
    };
    if (health.mqtt.connected) break;
    await sleep(50);
  }
  await sleep(300);
  return {
    proc,
    stored,
    groups,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls the stored count until `total`; returns when each sample was first seen stored. Every poll is
 * an HTTP request ingest answers, so throughput runs poll every 20 ms (0.4 % of a 5 s run) and only the
 * latency run, whose ingest is not saturated, polls every 5 ms.
 */
export async function waitStored(
  ingest: Ingest,
  total: number,
  poll_ms: number,
  timeout_ms = 120_000,
): Promise<number[]> {
  const seenAt: number[] = [];
  const deadline = Date.now() + timeout_ms;
  let last = 0;
  for (;;) {
    const n = await ingest.stored();
    const now = Date.now();
    for (let k = last; k < Math.min(n, total); k++) seenAt[k] = now;
    last = Math.max(last, Math.min(n, total));
    if (n >= total) return seenAt;
    if (now > deadline) throw new Error(`only ${n} of ${total} samples stored`);
    await sleep(poll_ms);
  }
}

async function ceiling(services: Services, messages: number, cells: number) {
  const client = mqtt.connect(services.mqttUrl, {
    protocolVersion: 5,
    clientId: `bench-ceiling-${Date.now()}`,
  });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  const rig = `ceiling-${Date.now()}`;
  await client.subscribeAsync(`sandglass/v1/${rig}/+/telemetry`, { qos: 1 });
  let count = 0;
  let last = 0;
  client.on('message', () => {
    count++;
    last = Date.now();
  });
  const pids = { broker: services.pids.broker, subscriber: process.pid };
  const before = cpuSnapshot(pids);
  const pub = await runPublisher({
    url: services.mqttUrl,
    rig,
    cells,
    messages,
    samplesPerMessage: 1,
    step_ms: STEP_MS,
    rate: 0,
    times: false,
  });
  while (count < messages) await sleep(5);
  const cpu = {
    publisher: round1((pub.cpu_s * 1e6) / messages),
    ...cpuPerSample(before, cpuSnapshot(pids), messages),
  };
  await client.endAsync();
  return { rate: messages / ((last - pub.t0) / 1000), cpu };
}

async function throughput(
  services: Services,
  name: string,
  messages: number,
  perMessage: number,
  cells: number,
) {
  const ingest = await startIngest(services, name);
  try {
    const rig = `${name}-${Date.now()}`;
    const total = messages * perMessage;
    const pids = {
      broker: services.pids.broker,
      ingest: ingest.proc.pid,
      ...(STORE === 'influx' && { influxd: services.pids.influxd }),
    };
    const before = cpuSnapshot(pids);
    const publishing = runPublisher({
      url: services.mqttUrl,
      rig,
      cells,
      messages,
      samplesPerMessage: perMessage,
      step_ms: STEP_MS,
      rate: 0,
      times: false,
    });
    const seenAt = await waitStored(ingest, total, 20);
    const pub = await publishing;
    const cpu: Record<string, number> = {
      publisher: round1((pub.cpu_s * 1e6) / total),
      ...cpuPerSample(before, cpuSnapshot(pids), total),
    };
    return {
      rate: total / ((seenAt[total - 1]! - pub.t0) / 1000),
      publishRate: total / ((pub.t1 - pub.t0) / 1000),
      cpu,
      groups: await ingest.groups(),
    };
  } finally {
    await ingest.stop();
  }
}

async function pacedLatency(services: Services, seconds: number, cells: number) {
  const ingest = await startIngest(services, 'paced');
  try {
    const rate = 10_000;
    const messages = rate * seconds;
    const rig = `paced-${Date.now()}`;
    const publishing = runPublisher({
      url: services.mqttUrl,
      rig,
      cells,
      messages,
      samplesPerMessage: 1,
      step_ms: STEP_MS,
      rate,
      times: true,
    });
    const seenAt = await waitStored(ingest, messages, 5);
    const { times } = await publishing;
    // The first second warms up (JIT, InfluxDB series creation); latencies over the rest (over all
    // of a one-second run).
    const warmUp = seconds > 1 ? rate : 0;
    const latencies = times!
      .slice(warmUp)
      .map((t, k) => seenAt[k + warmUp]! - t)
      .sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
    return { p50: q(0.5), p99: q(0.99), max: latencies.at(-1)! };
  } finally {
    await ingest.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function main(): Promise<void> {
  const single = option('single', 100_000);
  const rounds = option('rounds', 5);
  const batchedSamples = option('batched', 600_000);
  const pacedSeconds = option('paced-s', 10);
  const cells = option('cells', 100);
  console.log(`${cells} cells, store ${STORE}, ${STEP_MS} ms data time between a cell's samples`);
  const services = startServices();
  try {
    // The ceiling and ingest runs alternate, each pair back to back: on a shared (virtual) machine the
    // speed of the cores drifts by ±15 % between runs, and a ratio of two neighbouring runs is steadier
    // than one of two runs far apart. Reported: the median round.
    const pairs: { ceiling: number; single: number; cpu: number }[] = [];
    for (let round = 1; round <= rounds; round++) {
      const ceil = await ceiling(services, single, cells);
      console.log(
        `a${round}. ceiling (bare mqtt.js subscriber, ${single} single-sample QoS 1 messages): ` +
          `${Math.round(ceil.rate)} /s\n    CPU µs per sample: ${formatCpu(ceil.cpu)}`,
      );
      const one = await throughput(services, 'single', single, 1, cells);
      console.log(
        `b${round}. ingest, single-sample messages, stored in ${STORE_NAME}: ${Math.round(one.rate)} samples/s ` +
          `(publisher alone reached ${Math.round(one.publishRate)} /s), ratio ${(one.rate / ceil.rate).toFixed(3)}` +
          `\n    CPU µs per sample: ${formatCpu(one.cpu)}; ${one.groups.perWalWrite.toFixed(1)} messages ` +
          `per WAL write, ${Math.round(one.groups.perStoreWrite)} samples per store write`,
      );
      pairs.push({ ceiling: ceil.rate, single: one.rate, cpu: one.cpu.ingest! });
    }
    // --rounds 0 and --paced-s 0 leave those runs out (e.g. to profile the batched run alone): null figures.
    const mid = pairs.length > 0 ? median(pairs.map((p) => p.single / p.ceiling)) : NaN;
    const middle = pairs.find((p) => p.single / p.ceiling === mid);
    const batched = await throughput(services, 'batched', Math.round(batchedSamples / 50), 50, cells);
    console.log(
      `c. ingest, 50 samples per message: ${Math.round(batched.rate)} samples/s` +
        `\n   CPU µs per sample: ${formatCpu(batched.cpu)}`,
    );
    const paced = pacedSeconds > 0 ? await pacedLatency(services, pacedSeconds, cells) : undefined;
    if (paced)
      console.log(
        `d. publish → stored at 10k samples/s: p50 ${paced.p50} ms, p99 ${paced.p99} ms, max ${paced.max} ms`,
      );
    console.log(
      JSON.stringify({
        single_samples_per_s: middle ? Math.round(middle.single) : null,
        ceiling_samples_per_s: middle ? Math.round(middle.ceiling) : null,
        single_ratio_to_ceiling: middle ? Number(mid.toFixed(3)) : null,
        batched_samples_per_s: Math.round(batched.rate),
        p99_stored_ms_at_10k: paced?.p99 ?? null,
        cells,
        store: STORE,
        // The ingest process's CPU per sample: the median over the single-sample rounds, and the batched run.
        cpu_us_per_sample_single: middle ? median(pairs.map((p) => p.cpu)) : null,
        cpu_us_per_sample_batched: batched.cpu.ingest!,
      }),
    );
  } finally {
    services.down();
  }
}

// bench:peer imports this file for its publisher, services and CPU accounting.
if (process.argv[2] === 'publish') {
  await publisher(JSON.parse(process.argv[3]!) as PublishJob);
} else if (process.argv[1] === here) {
  await main();
}
