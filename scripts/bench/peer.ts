// npm run bench:peer — Sandglass beside the pipeline a lab would otherwise assemble, in one run.
//
// The peer is Node-RED with the flow such a lab builds: `mqtt in` (QoS 1, parsed JSON) → a `function`
// node mapping a message's samples to points → `influxdb batch` (node-red-contrib-influxdb, the
// maintained InfluxDB node) writing them to InfluxDB 1.x. No validation, no write-ahead log, no
// detection. Both take the same load on the same Mosquitto and InfluxDB (scripts/services.sh, ports of
// this bench), from the same publisher process as bench:ingest (100 cells by default):
//   1. single-sample QoS 1 messages, as fast as the broker takes them;
//   2. messages of 50 samples, as fast as the broker takes them;
//   3. single-sample messages paced at 10,000 samples/s, for the latency publish → stored.
// Reported per run: samples stored per second (first publish → last sample stored), samples lost (the
// peer acknowledges on receipt, so what it fails to write is gone), p99 publish → stored (run 3), and
// CPU µs per published sample of each process (user + system, /proc).
//
// "Stored" for Sandglass is its count of samples InfluxDB acknowledged (GET /health, in WAL order); for
// Node-RED it is `SELECT count(v)` on its database, polled every 250 ms (writes may finish out of order,
// so the k-th stored sample is only about the k-th published one: its latencies are approximate). A run
// ends when every sample is stored or nothing more was stored for `--settle-s` seconds.
//
// Node-RED is not a dependency of Sandglass: on first use this script installs the pinned versions
// below with npm into a cache directory (~/.cache/sandglass/bench-peer, or $SANDGLASS_BENCH_PEER_DIR),
// 282 packages and 104 MB (65 s to install on the loaded 2-core machine), which `npm ci` would
// otherwise install for every user and CI run: +41 % packages over the lockfile's 693.
//
// Runs from the build: npm run build && node dist/scripts/bench/peer.js
// Options: --cells 100 --single 100000 --batched 600000 --paced-s 10 --settle-s 10
//          --mqtt-port 28830 --influx-port 28086 (the servers this bench starts)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import {
  cpuPerSample,
  cpuSnapshot,
  formatCpu,
  round1,
  runPublisher,
  startIngest,
  startServices,
  type Published,
  type Services,
} from './ingest.js';

// Node-RED 5 needs Node.js 22; the 4.1 line runs on the Node.js 20 Sandglass supports.
const NODE_RED = 'node-red@4.1.8';
const INFLUX_NODE = 'node-red-contrib-influxdb@0.7.0';
const STEP_MS = 10;

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The cache directory with Node-RED and the InfluxDB node installed (installs them the first time). */
function nodeRedHome(): string {
  const dir =
    process.env.SANDGLASS_BENCH_PEER_DIR ?? path.join(homedir(), '.cache', 'sandglass', 'bench-peer');
  const wanted = [NODE_RED, INFLUX_NODE];
  const installed = (spec: string) => {
    const [name, version] = [spec.slice(0, spec.lastIndexOf('@')), spec.slice(spec.lastIndexOf('@') + 1)];
    const file = path.join(dir, 'node_modules', name, 'package.json');
    return (
      existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version === version
    );
  };
  if (!wanted.every(installed)) {
    mkdirSync(dir, { recursive: true });
    console.log(`installing ${wanted.join(' and ')} into ${dir} (once)`);
    const started = Date.now();
    execFileSync(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...wanted],
      { stdio: 'inherit' },
    );
    console.log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return dir;
}

/** The lab's flow: MQTT in → function (samples → points) → InfluxDB batch out. */
function flow(services: Services, rig: string, database: string): unknown[] {
  const mqttUrl = new URL(services.mqttUrl);
  const influxUrl = new URL(services.influxUrl);
  const toPoints = `
const levels = msg.topic.split('/');
const tags = { rig: levels[2], cell: levels[3] };
const samples = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
msg.payload = samples.map((s) => ({
  measurement: 'telemetry',
  tags,
  fields: { v: s.v, i: s.i, t: s.t, seq: s.seq },
  timestamp: s.ts,
}));
return msg;`;
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    {
      id: 'broker',
      type: 'mqtt-broker',
      broker: mqttUrl.hostname,
      port: mqttUrl.port,
      clientid: `bench-peer-${Date.now()}`,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoConnect: true,
    },
    {
      id: 'db',
      type: 'influxdb',
      hostname: influxUrl.hostname,
      port: influxUrl.port,
      protocol: 'http',
      database,
      influxdbVersion: '1.x',
    },
    {
      id: 'in',
      type: 'mqtt in',
      z: 'tab',
      topic: `sandglass/v1/${rig}/+/telemetry`,
      qos: '1',
      datatype: 'json',
      broker: 'broker',
      nl: false,
      rap: false,
      inputs: 0,
      wires: [['points']],
    },
    { id: 'points', type: 'function', z: 'tab', func: toPoints, outputs: 1, wires: [['out']] },
    {
      id: 'out',
      type: 'influxdb batch',
      z: 'tab',
      influxdb: 'db',
      precision: 'ms',
      retentionPolicy: '',
      wires: [],
    },
  ];
}

interface Peer {
  proc: ChildProcess;
  stored: () => Promise<number>;
  stop: () => Promise<void>;
}

async function influxQuery(services: Services, q: string, db?: string): Promise<unknown> {
  const params = new URLSearchParams({ q, ...(db && { db }) });
  const response = await fetch(`${services.influxUrl}/query`, { method: 'POST', body: params });
  if (!response.ok) throw new Error(`InfluxDB ${response.status}: ${await response.text()}`);
  return response.json();
}

async function startNodeRed(home: string, services: Services, rig: string): Promise<Peer> {
  const database = `bench_peer_${Date.now()}`;
  await influxQuery(services, `CREATE DATABASE ${database}`);
  const userDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-node-red-'));
  const flowFile = path.join(userDir, 'flows.json');
  writeFileSync(flowFile, JSON.stringify(flow(services, rig, database)));
  // The InfluxDB node is found in the user directory's node_modules, as after an install from the palette.
  execFileSync('ln', ['-s', path.join(home, 'node_modules'), path.join(userDir, 'node_modules')]);
  const proc = spawn(
    process.execPath,
    [path.join(home, 'node_modules/node-red/red.js'), '--userDir', userDir, '--port', '0', flowFile],
    { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let k = 0; k < 1200 && !/Connected to broker/.test(out); k++) await sleep(50);
  if (!/Connected to broker/.test(out)) throw new Error(`Node-RED did not connect:\n${out}`);
  await sleep(500); // its subscription acknowledged
  const stored = async () => {
    const result = (await influxQuery(services, 'SELECT count(v) FROM telemetry', database)) as {
      results: { series?: { values: [string, number][] }[] }[];
    };
    return result.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  };
  return {
    proc,
    stored,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      proc.kill('SIGKILL');
      await influxQuery(services, `DROP DATABASE ${database}`).catch(() => undefined);
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `stored` until `total`, or until the publisher is done and the count has not grown for
 * `settle_ms`. Returns when each sample was first seen stored (as many as were).
 */
async function waitStored(
  stored: () => Promise<number>,
  total: number,
  poll_ms: number,
  settle_ms: number,
  published: () => boolean,
): Promise<number[]> {
  const seenAt: number[] = [];
  let last = 0;
  let quietSince = Infinity;
  for (;;) {
    const n = Math.min(await stored(), total);
    const now = Date.now();
    for (let k = last; k < n; k++) seenAt[k] = now;
    if (n > last || !published()) quietSince = Infinity;
    else quietSince = Math.min(quietSince, now);
    last = Math.max(last, n);
    if (n >= total || now - quietSince > settle_ms) return seenAt;
    await sleep(poll_ms);
  }
}

interface RunResult {
  stored: number;
  rate: number;
  cpu: Record<string, number>;
  p99_ms?: number;
}

async function run(
  who: 'sandglass' | 'node-red',
  home: string,
  services: Services,
  job: { cells: number; messages: number; perMessage: number; rate: number },
  settle_ms: number,
): Promise<RunResult> {
  const rig = `peer-${who}-${Date.now()}`;
  const target =
    who === 'node-red'
      ? await startNodeRed(home, services, rig)
      : await startIngest(services, `peer_${job.perMessage}`);
  try {
    const total = job.messages * job.perMessage;
    const pids = { broker: services.pids.broker, [who]: target.proc.pid, influxd: services.pids.influxd };
    const before = cpuSnapshot(pids);
    const publishing = runPublisher({
      url: services.mqttUrl,
      rig,
      cells: job.cells,
      messages: job.messages,
      samplesPerMessage: job.perMessage,
      step_ms: STEP_MS,
      rate: job.rate,
      times: job.rate > 0,
    });
    // Sandglass's count is a cheap in-memory read; the peer's is a query InfluxDB answers.
    let done = false;
    void publishing.then(() => (done = true));
    const seenAt = await waitStored(
      target.stored,
      total,
      who === 'node-red' ? 250 : job.rate > 0 ? 5 : 20,
      settle_ms,
      () => done,
    );
    const pub: Published = await publishing;
    const stored = seenAt.length;
    const result: RunResult = {
      stored,
      rate: stored > 0 ? stored / ((seenAt[stored - 1]! - pub.t0) / 1000) : 0,
      cpu: {
        publisher: round1((pub.cpu_s * 1e6) / total),
        ...cpuPerSample(before, cpuSnapshot(pids), total),
      },
    };
    if (pub.times) {
      // As bench:ingest: the first second warms up; latencies over the rest, of the samples stored.
      const warmUp = job.rate;
      const latencies = pub.times
        .slice(warmUp, stored)
        .map((t, k) => seenAt[k + warmUp]! - t)
        .sort((a, b) => a - b);
      result.p99_ms = latencies[Math.min(latencies.length - 1, Math.floor(0.99 * latencies.length))];
    }
    return result;
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const cells = option('cells', 100);
  const single = option('single', 100_000);
  const batched = option('batched', 600_000);
  const pacedSeconds = option('paced-s', 10);
  const settle_ms = option('settle-s', 10) * 1000;
  const home = nodeRedHome();
  console.log(`${cells} cells; peer: ${NODE_RED} with ${INFLUX_NODE} (mqtt in → function → influxdb batch)`);
  const services = startServices();
  const results: Record<string, Record<string, RunResult>> = {};
  try {
    const jobs = {
      single: { cells, messages: single, perMessage: 1, rate: 0 },
      batched: { cells, messages: Math.round(batched / 50), perMessage: 50, rate: 0 },
      paced: { cells, messages: pacedSeconds * 10_000, perMessage: 1, rate: 10_000 },
    };
    for (const [name, job] of Object.entries(jobs)) {
      if (job.messages === 0) continue;
      results[name] = {};
      for (const who of ['node-red', 'sandglass'] as const) {
        const r = await run(who, home, services, job, settle_ms);
        results[name][who] = r;
        const total = job.messages * job.perMessage;
        console.log(
          `${name} (${job.perMessage} per message${job.rate ? `, ${job.rate}/s` : ''}), ${who}: ` +
            `${r.stored} of ${total} stored (${total - r.stored} lost), ${Math.round(r.rate)} samples/s` +
            (r.p99_ms !== undefined ? `, p99 publish → stored ${r.p99_ms} ms` : '') +
            `\n    CPU µs per sample: ${formatCpu(r.cpu)}`,
        );
      }
    }
    const figure = (name: string, who: string, f: (r: RunResult) => number | undefined) => {
      const r = results[name]?.[who];
      return r ? (f(r) ?? null) : null;
    };
    const summary: Record<string, unknown> = { cells };
    for (const who of ['sandglass', 'node-red']) {
      const key = who.replace('-', '_');
      summary[`${key}_single_samples_per_s`] = figure('single', who, (r) => Math.round(r.rate));
      summary[`${key}_single_lost`] = figure('single', who, (r) => jobs.single.messages - r.stored);
      summary[`${key}_batched_samples_per_s`] = figure('batched', who, (r) => Math.round(r.rate));
      summary[`${key}_batched_lost`] = figure('batched', who, (r) => jobs.batched.messages * 50 - r.stored);
      summary[`${key}_p99_stored_ms_at_10k`] = figure('paced', who, (r) => r.p99_ms);
      summary[`${key}_cpu_us_per_sample_single`] = figure('single', who, (r) => r.cpu[who]);
      summary[`${key}_cpu_us_per_sample_batched`] = figure('batched', who, (r) => r.cpu[who]);
    }
    const ratio = (name: string) => {
      const s = results[name]?.sandglass?.rate;
      const p = results[name]?.['node-red']?.rate;
      return s && p ? Number((s / p).toFixed(2)) : null;
    };
    summary.batched_ratio = ratio('batched');
    summary.single_ratio = ratio('single');
    console.log(JSON.stringify(summary));
  } finally {
    services.down();
  }
}

await main();
