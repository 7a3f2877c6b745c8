// npm run bench:standalone — the embedded default (`npm start`: embedded broker, embedded store, ingest,
// api, one process) under a lab's load, as a user meets it.
//
// Paced (default): N cells publish one sample a second each (v, i, t, p), a few dashboards hold socket.io
// connections subscribed to everything with batched states (`{ batch: true }`, as apps/dashboard does;
// --per-cell-states for one `state` event per cell and state instead) and poll REST as the dashboard
// does, and latency probes (fresh cells configured far above J*, whose second sample raises a
// sand-depletion alert) measure trigger sample published → socket.io alert. The process's CPU and RSS are sampled from /proc every second.
// At the end SIGINT, and the time to exit.
//   --cells 1000 --duration-s 600 --dashboards 2 --probe-every-s 5
// --demo: the demo rig of `npm start` only (no cells of the bench's own), e.g. --demo --duration-s 1800.
//
// Max (--mode max): --cells (default 100) publish batches of --batch samples as fast as the broker
// acknowledges them; reports the embedded store's sustained rate (samples durably stored per second,
// detection on). Then SIGTERM with the backlog still in the write-ahead log, the time to exit, a restart
// on the same data directory, and whether every acknowledged sample is in the store.
//
// Last line: one JSON object. Runs from the build: npm run build && node dist/scripts/bench/standalone.js
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import {
  LIVE_NAMESPACE,
  telemetryTopic,
  type AlertEvent,
  type CellConfigBody,
  type ClientToServerEvents,
  type Sample,
  type ServerToClientEvents,
} from '#contracts';
import { EmbeddedStore } from '#store';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(
  path.dirname(here),
  here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);
/** What `npm start` runs after its build. */
const startScript = path.join(repoRoot, 'scripts/start.sh');

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 && process.argv[k + 1] ? process.argv[k + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RUN = Math.random().toString(36).slice(2, 7);
const LOAD_RIG = `bench-${RUN}`;
const PROBE_RIG = `probe-${RUN}`;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const round1 = (x: number) => Math.round(x * 10) / 10;

// ---------------------------------------------------------------------------------------------------
// The process under test
// ---------------------------------------------------------------------------------------------------

interface Standalone {
  child: ChildProcess;
  apiUrl: string;
  mqttUrl: string;
  exited: Promise<number | null>;
}

/** Starts `npm start`'s process (from the build) and reads the addresses from its banner. */
async function startStandalone(dataDir: string, demo: boolean): Promise<Standalone> {
  const child = spawn('bash', [startScript], {
    cwd: repoRoot,
    env: {
      ...process.env,
      // e.g. BENCH_STANDALONE_NODE_ARGS="--heapsnapshot-signal=SIGUSR2" to look inside under load
      NODE_OPTIONS: process.env.BENCH_STANDALONE_NODE_ARGS ?? '',
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_DEMO: demo ? '1' : '0',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_MQTT_PORT: option('mqtt-port', '18990'),
      SANDGLASS_WRITE_RATE_PER_MIN: '1000000',
      SANDGLASS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`  [sandglass] ${d.toString()}`));
  const banner = new Promise<{ apiUrl: string; mqttUrl: string }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const api = /dashboard\s+(http:\/\/\S+)/.exec(out)?.[1];
      const broker = /MQTT\s+(mqtt:\/\/\S+)/.exec(out)?.[1];
      if (api && broker) resolve({ apiUrl: api, mqttUrl: broker });
    });
    void exited.then((code) =>
      reject(new Error(`sandglass exited with ${code} before it was ready:\n${out}`)),
    );
  });
  const { apiUrl, mqttUrl } = await banner;
  return { child, apiUrl, mqttUrl, exited };
}

/** CPU (share of one core) and RSS of a process, from /proc. */
class ProcessSampler {
  cpuPct: number[] = [];
  rss_mb: number[] = [];
  private timer: NodeJS.Timeout;
  private last: { ticks: number; at: number } | undefined;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 1000);
  }

  private sample(): void {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ticks = Number(stat[11]) + Number(stat[12]);
      const at = performance.now();
      if (this.last) this.cpuPct.push(((ticks - this.last.ticks) / 100 / ((at - this.last.at) / 1000)) * 100);
      this.last = { ticks, at };
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
      if (rss) this.rss_mb.push(Number(rss) / 1024);
    } catch {
      // the process has exited
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function metric(apiUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${new URL(apiUrl).origin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

/** SIGINT or SIGTERM, and the seconds until the process has exited. */
async function stopTimed(standalone: Standalone, signal: NodeJS.Signals): Promise<number> {
  const started = performance.now();
  standalone.child.kill(signal);
  const code = await Promise.race([standalone.exited, sleep(60_000).then(() => 'hung' as const)]);
  if (code === 'hung') standalone.child.kill('SIGKILL');
  return (performance.now() - started) / 1000;
}

async function connectMqtt(url: string, id: string): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: `${id}-${RUN}`, reconnectPeriod: 500 });
  (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return client;
}

async function putConfig(apiUrl: string, rigId: string, cellId: string, body: CellConfigBody): Promise<void> {
  const response = await fetch(`${apiUrl}/api/cells/${rigId}/${cellId}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`PUT config ${rigId}/${cellId}: ${response.status} ${await response.text()}`);
}

/** A healthy symmetric Li|Li cell in LP30-like electrolyte, far below its limiting current. */
const HEALTHY: CellConfigBody = {
  cellType: 'symmetric',
  electrodeArea_cm2: 1.13,
  electrolyte: { preset: 'lp30', gap_um: 25 },
  stack: { nominalPressure_MPa: 1 },
  thresholds: {},
};

/** Far above J* (as bench:live's probes): the second sample with current raises sand-depletion. */
const DEPLETING: CellConfigBody = {
  cellType: 'symmetric',
  electrodeArea_cm2: 1,
  electrolyte: {
    kind: 'polymer',
    diffusivity_cm2_s: 1e-7,
    concentration_mol_L: 0.1,
    cationTransference: 0.2,
    gap_um: 500,
  },
  thresholds: {},
};

// ---------------------------------------------------------------------------------------------------
// Paced: cells at 1 Hz, dashboards, probes
// ---------------------------------------------------------------------------------------------------

type Dashboard = Socket<ServerToClientEvents, ClientToServerEvents>;

async function paced(): Promise<Record<string, number>> {
  const demo = flag('demo');
  const cells = demo ? 0 : Number(option('cells', '1000'));
  const duration_s = Number(option('duration-s', demo ? '1800' : '600'));
  const dashboards = Number(option('dashboards', '2'));
  const perCellStates = flag('per-cell-states');
  const probeEvery_s = Number(option('probe-every-s', '5'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-standalone-'));
  const standalone = await startStandalone(dataDir, demo);
  const sampler = new ProcessSampler(standalone.child.pid!);
  console.log(
    `sandglass at ${standalone.apiUrl}, ${standalone.mqttUrl}; ${cells} cells at 1 Hz for ${duration_s} s`,
  );
  try {
    for (let c = 0; c < cells; c++) await putConfig(standalone.apiUrl, LOAD_RIG, `c${c}`, HEALTHY);
    const publisher = await connectMqtt(standalone.mqttUrl, 'bench-load');
    const prober = await connectMqtt(standalone.mqttUrl, 'bench-probe');

    // Dashboards: socket.io clients subscribed to everything, counting what they get.
    let statesReceived = 0;
    const sockets: Dashboard[] = [];
    for (let d = 0; d < dashboards; d++) {
      const socket: Dashboard = io(standalone.apiUrl + LIVE_NAMESPACE, {
        transports: ['websocket'],
        forceNew: true,
      });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      await socket.timeout(30_000).emitWithAck('subscribe', perCellStates ? {} : { batch: true });
      socket.on('state', () => statesReceived++);
      socket.on('states', (states) => (statesReceived += states.length));
      sockets.push(socket);
    }

    // Probes: trigger sample published → alert on a socket.io client of its own.
    const probeSocket: Dashboard = io(standalone.apiUrl + LIVE_NAMESPACE, {
      transports: ['websocket'],
      forceNew: true,
    });
    await new Promise<void>((resolve) => probeSocket.once('connect', () => resolve()));
    await probeSocket.timeout(30_000).emitWithAck('subscribe', { rigId: PROBE_RIG });
    const probeSent = new Map<string, { ts: number; at: number }>();
    const alertLatencies_ms: number[] = [];
    probeSocket.on('alert', (alert: AlertEvent) => {
      const sent = probeSent.get(alert.cellId);
      if (!sent || alert.state !== 'raised' || alert.ts !== sent.ts) return;
      alertLatencies_ms.push(performance.now() - sent.at);
      probeSent.delete(alert.cellId);
    });
    let probes = 0;
    /** Probes under way (awaited before the publishers end). */
    const probing = new Set<Promise<void>>();
    const probe = async () => {
      const cellId = `p${probes++}`;
      await putConfig(standalone.apiUrl, PROBE_RIG, cellId, DEPLETING);
      const ts = Date.now();
      await prober.publishAsync(
        telemetryTopic(PROBE_RIG, cellId),
        JSON.stringify({ ts: ts - 1000, v: 0.05, i: 5e-4, t: 25, seq: 0 } satisfies Sample),
        { qos: 1 },
      );
      probeSent.set(cellId, { ts, at: performance.now() });
      prober.publish(
        telemetryTopic(PROBE_RIG, cellId),
        JSON.stringify({ ts, v: 0.05, i: 5e-4, t: 25, seq: 1 }),
        {
          qos: 1,
        },
      );
    };

    // REST as the dashboard polls it: cells, alerts, and one cell's recent history, every second.
    const restLatencies_ms: number[] = [];
    const restByPath = new Map<string, number[]>();
    let restFailures = 0;
    const poll = async () => {
      const cell = `c${Math.floor(Math.random() * Math.max(1, cells))}`;
      const paths = ['/api/cells', '/api/alerts?limit=200'];
      if (cells > 0)
        paths.push(`/api/cells/${LOAD_RIG}/${cell}/telemetry?from=${Date.now() - 600_000}&every=10s`);
      await Promise.all(
        paths.map(async (p) => {
          const started = performance.now();
          try {
            const response = await fetch(standalone.apiUrl + p, { signal: AbortSignal.timeout(10_000) });
            await response.arrayBuffer();
            if (!response.ok) restFailures++;
          } catch {
            restFailures++;
          }
          const latency_ms = performance.now() - started;
          restLatencies_ms.push(latency_ms);
          const route = p.split('?')[0]!.replace(/\/c\d+\//, '/{cell}/');
          restByPath.set(route, [...(restByPath.get(route) ?? []), latency_ms]);
        }),
      );
    };

    // Reading /metrics restarts the event-loop delay histogram: the figure at the end covers the load only.
    await metric(standalone.apiUrl, 'sandglass_ingest_nodejs_eventloop_lag_p99_seconds');
    // Load: every cell one sample a second, spread over the second.
    let published = 0;
    const started = performance.now();
    const end = started + duration_s * 1000;
    const t0 = Date.now();
    let nextPoll = started;
    let nextProbe = started + 2000;
    let nextReport = started + 10_000;
    for (let tick = 0; performance.now() < end; tick++) {
      const slotStart = started + tick * 100;
      // 10 slots a second, a tenth of the cells in each
      for (let c = tick % 10; c < cells; c += 10) {
        const second = Math.floor(tick / 10);
        const sign = Math.floor(second / 600) % 2 === 0 ? 1 : -1;
        const sample: Sample = {
          ts: t0 + second * 1000 + (c % 10) * 100,
          v: sign * (0.02 + 0.0005 * Math.sin(second / 30 + c)),
          i: sign * 2e-4,
          t: 25 + 0.1 * Math.sin(second / 300),
          p: 1,
          seq: second,
        };
        publisher.publish(telemetryTopic(LOAD_RIG, `c${c}`), JSON.stringify(sample), { qos: 1 });
        published++;
      }
      const now = performance.now();
      if (now >= nextPoll) {
        nextPoll += 1000;
        void poll();
      }
      if (now >= nextProbe) {
        nextProbe += probeEvery_s * 1000;
        const probed: Promise<void> = probe()
          .catch((error: Error) => console.warn(`  probe failed: ${error.message}`))
          .finally(() => probing.delete(probed));
        probing.add(probed);
      }
      if (now >= nextReport) {
        nextReport += 10_000;
        console.log(
          `  t=${Math.round((now - started) / 1000)} s: published ${published}, cpu ${round1(sampler.cpuPct.at(-1) ?? NaN)} %, ` +
            `rss ${Math.round(sampler.rss_mb.at(-1) ?? NaN)} MB, rest p99 ${round1(quantile(restLatencies_ms, 0.99))} ms, ` +
            `alert p99 ${round1(quantile(alertLatencies_ms, 0.99))} ms (${alertLatencies_ms.length})`,
        );
      }
      await sleep(Math.max(0, slotStart + 100 - performance.now()));
    }
    const seconds = (performance.now() - started) / 1000;
    for (const [route, latencies] of restByPath) {
      console.log(
        `  GET ${route}: p50 ${round1(quantile(latencies, 0.5))} ms, p99 ${round1(quantile(latencies, 0.99))} ms`,
      );
    }
    await Promise.allSettled(probing);
    const eventLoopLag_ms =
      (await metric(standalone.apiUrl, 'sandglass_ingest_nodejs_eventloop_lag_p99_seconds')) * 1000;
    const heap_mb = (await metric(standalone.apiUrl, 'sandglass_ingest_nodejs_heap_size_used_bytes')) / 1e6;
    const storeMemory_mb = (await metric(standalone.apiUrl, 'sandglass_store_memory_bytes')) / 1e6;
    await sleep(3000);
    const stored = await metric(standalone.apiUrl, 'sandglass_ingest_samples_stored_total');
    const accepted = await metric(standalone.apiUrl, 'sandglass_ingest_samples_accepted_total');
    const loadAlerts = (
      (await (
        await fetch(`${standalone.apiUrl}/api/alerts?rigId=${LOAD_RIG}&limit=10000`)
      ).json()) as unknown[]
    ).length;
    for (const socket of [...sockets, probeSocket]) socket.close();
    await publisher.endAsync(true);
    await prober.endAsync(true);
    const shutdown_s = await stopTimed(standalone, 'SIGINT');
    sampler.stop();
    const steady = sampler.cpuPct.slice(Math.min(10, sampler.cpuPct.length - 1));
    return {
      cells,
      samples_per_s: Math.round((demo ? accepted : published) / seconds),
      cpu_pct: round1(steady.reduce((a, b) => a + b, 0) / steady.length),
      rss_mb_max: Math.round(Math.max(...sampler.rss_mb)),
      rss_mb_end: Math.round(sampler.rss_mb.at(-1) ?? NaN),
      rest_p99_ms: round1(quantile(restLatencies_ms, 0.99)),
      alerts_p99_ms: round1(quantile(alertLatencies_ms, 0.99)),
      shutdown_s: round1(shutdown_s),
      duration_s: Math.round(seconds),
      rest_requests: restLatencies_ms.length,
      rest_failures: restFailures,
      probes,
      probes_answered: alertLatencies_ms.length,
      samples_accepted: accepted,
      samples_stored: stored,
      states_received_per_dashboard_per_s: Math.round(statesReceived / Math.max(1, dashboards) / seconds),
      load_cell_alerts: loadAlerts,
      event_loop_p99_ms: round1(eventLoopLag_ms),
      heap_mb_end: Math.round(heap_mb),
      store_memory_mb_end: Math.round(storeMemory_mb),
    };
  } finally {
    sampler.stop();
    if (standalone.child.exitCode === null) standalone.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Max: the embedded store's sustained rate, then a stop with a full backlog and a restart
// ---------------------------------------------------------------------------------------------------

async function max(): Promise<Record<string, number>> {
  const cells = Number(option('cells', '100'));
  const batch = Number(option('batch', '100'));
  const duration_s = Number(option('duration-s', '60'));
  const inflight = Number(option('inflight', '64'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-standalone-'));
  let standalone = await startStandalone(dataDir, false);
  const sampler = new ProcessSampler(standalone.child.pid!);
  console.log(`sandglass at ${standalone.apiUrl}; ${cells} cells, batches of ${batch}, for ${duration_s} s`);
  try {
    for (let c = 0; c < cells; c++) await putConfig(standalone.apiUrl, LOAD_RIG, `c${c}`, HEALTHY);
    const publisher = await connectMqtt(standalone.mqttUrl, 'bench-max');
    publisher.on('error', () => undefined);
    const t0 = Date.now() - 86_400_000;
    const next = new Array<number>(cells).fill(0);
    let acked = 0;
    let outstanding = 0;
    let publishing = true;
    let cell = 0;
    const pump = () => {
      while (publishing && outstanding < inflight) {
        const c = cell++ % cells;
        const samples: Sample[] = [];
        for (let k = 0; k < batch; k++) {
          const n = next[c]!++;
          const sign = Math.floor(n / 3600) % 2 === 0 ? 1 : -1;
          samples.push({
            ts: t0 + n * 1000,
            v: sign * (0.02 + 0.0005 * Math.sin(n / 30)),
            i: sign * 2e-4,
            t: 25,
            p: 1,
            seq: n,
          });
        }
        outstanding++;
        publisher.publish(telemetryTopic(LOAD_RIG, `c${c}`), JSON.stringify(samples), { qos: 1 }, (error) => {
          outstanding--;
          if (!error) acked += batch;
          pump();
        });
      }
    };
    const started = performance.now();
    pump();
    const stored: { at: number; n: number }[] = [];
    while (performance.now() - started < duration_s * 1000) {
      await sleep(1000);
      stored.push({
        at: performance.now(),
        n: await metric(standalone.apiUrl, 'sandglass_ingest_samples_stored_total'),
      });
      if (stored.length % 5 === 0) {
        const heap_mb =
          (await metric(standalone.apiUrl, 'sandglass_ingest_nodejs_heap_size_used_bytes')) / 1e6;
        const external_mb =
          (await metric(standalone.apiUrl, 'sandglass_ingest_nodejs_external_memory_bytes')) / 1e6;
        console.log(
          `  t=${Math.round((performance.now() - started) / 1000)} s: acked ${acked}, stored ${stored.at(-1)!.n}, ` +
            `rss ${Math.round(sampler.rss_mb.at(-1) ?? NaN)} MB (JS heap ${Math.round(heap_mb)} MB, external ${Math.round(external_mb)} MB)`,
        );
      }
    }
    // Sustained: over the run after its first tenth (start-up, JIT).
    const from = stored[Math.floor(stored.length / 10)]!;
    const to = stored.at(-1)!;
    const storedPerS = (to.n - from.n) / ((to.at - from.at) / 1000);
    const accepted = await metric(standalone.apiUrl, 'sandglass_ingest_samples_accepted_total');
    const backlog = accepted - to.n;
    // Stop while still publishing: the backlog stays in the write-ahead log.
    const shutdown_s = await stopTimed(standalone, 'SIGTERM');
    publishing = false;
    sampler.stop();
    await publisher.endAsync(true);
    const ackedAtStop = acked;

    standalone = await startStandalone(dataDir, false);
    let previous = -1;
    for (;;) {
      await sleep(2000);
      const wal = await metric(standalone.apiUrl, 'sandglass_ingest_wal_bytes');
      const n = await metric(standalone.apiUrl, 'sandglass_ingest_samples_stored_total');
      if (wal === 0 && n === previous) break;
      previous = n;
    }
    await stopTimed(standalone, 'SIGINT');
    const store = new EmbeddedStore({ dataDir });
    await store.open();
    let inStore = 0;
    for (let c = 0; c < cells; c++) inStore += await store.countSamples({ rigId: LOAD_RIG, cellId: `c${c}` });
    await store.close();
    return {
      cells,
      batch,
      store_samples_per_s: Math.round(storedPerS),
      rss_mb_max: Math.round(Math.max(...sampler.rss_mb)),
      cpu_pct: round1(sampler.cpuPct.reduce((a, b) => a + b, 0) / sampler.cpuPct.length),
      backlog_samples_at_stop: backlog,
      shutdown_s: round1(shutdown_s),
      acked_samples: ackedAtStop,
      stored_after_restart: inStore,
      acked_not_stored: Math.max(0, ackedAtStop - inStore),
    };
  } finally {
    sampler.stop();
    if (standalone.child.exitCode === null) standalone.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const result = option('mode', 'paced') === 'max' ? await max() : await paced();
console.log(JSON.stringify(result));
process.exit(0);
