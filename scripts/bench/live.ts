// npm run bench:live — the live path under load, on the real servers of scripts/services.sh (Mosquitto,
// InfluxDB) or SANDGLASS_MQTT_URL / SANDGLASS_INFLUX_URL when set.
//
// Processes, as in production: this one runs the api (ApiModule over HTTP + socket.io); a real ingest
// process (dist/apps/ingest/src/main.js); a load process publishing telemetry as rigs do; a process
// holding the socket.io dashboards; a latency probe process (MQTT publisher + one socket.io client).
//
// 1. Alert latency at a background load of 10k samples/s (100 cells × 100 Hz, batches of 10, QoS 1)
//    with a few dashboards connected:
//    a. full path: MQTT publish of the sample that triggers a sand-depletion alert (a fresh cell
//       configured far above J*) → ingest → api → socket.io client;
//    b. relay only: MQTT publish of an alert event (as ingest does) → api → socket.io client.
// 2. Dashboards served: the telemetry load stops and a publisher sends the state ingest would (100
//    cells at 1 Hz); N socket.io clients each subscribed to everything, N stepped up; per step the share
//    of state frames delivered (within 3 s), the alert latency (relay) to the probe client, and the api
//    process's event-loop delay and CPU. Each step sends --step-probes alert probes (200: a p99 needs
//    at least 100, and with 200 it is the 2nd worst, not the worst) evenly over the step's --step-s.
//
// Runs from the build (decorator metadata): npm run build && node dist/scripts/bench/live.js
// Options: --rate 10000 --cells 100 --probes 100 --clients 100,250,500,1000 --step-s 10 --step-probes 200
// --batched: the dashboards subscribe with `batch: true` (one `states` message per tick, as the dashboard
// does) instead of one `state` message per cell. The fleet goal: --cells 1000 --clients 500.
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import {
  type AlertEvent,
  type CellConfig,
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type Sample,
  type StateMessage,
  type ServerToClientEvents,
  alertsTopic,
  configTopic,
  parseEnvironment,
  stateTopic,
  telemetryTopic,
} from '#contracts';
import { type Socket, io } from 'socket.io-client';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(
  path.dirname(here),
  here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);
// One id for the whole run: the forked children inherit it through the environment.
process.env.BENCH_LIVE_RUN ??= Math.random().toString(36).slice(2, 7);
const RUN = process.env.BENCH_LIVE_RUN;
const LOAD_RIG = `bench-load-${RUN}`;
const PROBE_RIG = `bench-probe-${RUN}`;

function option(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k > 0 && process.argv[k + 1] ? process.argv[k + 1]! : fallback;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(latencies_ms: number[]): string {
  const s = [...latencies_ms].sort((a, b) => a - b);
  return `n=${s.length} p50=${quantile(s, 0.5).toFixed(1)} ms p99=${quantile(s, 0.99).toFixed(1)} ms max=${(s[s.length - 1] ?? NaN).toFixed(1)} ms`;
}

// ---------------------------------------------------------------------------------------------------
// Child: load — telemetry of `cells` healthy cells at `rate` samples/s in total, batches of 10.
// ---------------------------------------------------------------------------------------------------
async function runLoad(mqttUrl: string, cells: number, rate: number): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `bench-load-${RUN}-${process.pid}` });
  const perCell_Hz = rate / cells;
  const batch = 10;
  const tick_ms = (batch / perCell_Hz) * 1000;
  let published = 0;
  let seq = 0;
  let next = performance.now();
  const started = performance.now();
  let stopped = false;
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) stopped = true;
  });
  setInterval(() => {
    const elapsed_s = (performance.now() - started) / 1000;
    process.send?.({ loadRate: published / elapsed_s });
  }, 2000).unref();
  while (!stopped) {
    const now = Date.now();
    for (let c = 0; c < cells; c++) {
      const samples: Sample[] = [];
      for (let k = 0; k < batch; k++) {
        samples.push({
          ts: now - tick_ms + (k * tick_ms) / batch,
          v: 0.01 + 0.001 * Math.sin(seq / 50),
          i: 1e-5,
          t: 25,
          p: 5,
          seq: seq + k,
        });
      }
      client.publish(
        telemetryTopic(LOAD_RIG, `cell-${String(c).padStart(3, '0')}`),
        JSON.stringify(samples),
        {
          qos: 1,
        },
      );
      published += batch;
    }
    seq += batch;
    next += tick_ms;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await client.endAsync();
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------
// Child: states — the derived state ingest publishes, 1 Hz for each of `cells` cells, spread evenly.
// ---------------------------------------------------------------------------------------------------
async function runStates(mqttUrl: string, cells: number): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `bench-states-${RUN}-${process.pid}` });
  const rigId = `bench-states-${RUN}`;
  let n = 0;
  process.on('message', () => process.send?.({ sequence: n }));
  let next = performance.now();
  for (;;) {
    const cellId = `cell-${String(n % cells).padStart(3, '0')}`;
    const state: StateMessage = {
      rigId,
      cellId,
      ts: Date.now(),
      v: 0.012,
      i: 0.00113,
      t: 25,
      p: 5,
      risk: 'ok',
      levels: {},
      estimates: {
        depletionFraction: 0.12,
        timeToDepletion_s: null,
        jOverJstar: 0.4,
        currentDensity_A_m2: 10,
      },
      samples: n,
      run: 0,
    };
    client.publish(stateTopic(rigId, cellId), JSON.stringify(state), { qos: 0 });
    n++;
    next += 1000 / cells;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

// ---------------------------------------------------------------------------------------------------
// Children: dashboards and the latency probe.
// ---------------------------------------------------------------------------------------------------
type Dashboard = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Frames of the bench's state publisher received, by its sequence number, summed over all clients. */
type Received = Map<number, number>;

/**
 * A dashboard that speaks the socket.io wire protocol (Engine.IO 4 over a WebSocket) directly: connect
 * to `/live`, subscribe to everything, answer heartbeats, and count `state` frames without decoding
 * them. The server side is the real socket.io; a full socket.io-client per dashboard would make this
 * process, not the api, the bottleneck (one socket.io-client process tops out near 25k frames/s here).
 */
class LightDashboard {
  private readonly socket: WebSocket;
  readonly ready: Promise<void>;

  constructor(apiUrl: string, onState: (text: string) => void, batch: boolean) {
    this.socket = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const prefix = `42${LIVE_NAMESPACE},["${batch ? 'states' : 'state'}"`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.socket.addEventListener('error', () => reject(new Error('websocket error')));
      this.socket.addEventListener('message', (event: MessageEvent) => {
        const text = String(event.data);
        if (text.startsWith(prefix)) onState(text);
        else if (text === '2') this.socket.send('3');
        else if (text.startsWith('0')) this.socket.send(`40${LIVE_NAMESPACE},`);
        else if (text.startsWith(`40${LIVE_NAMESPACE},`))
          this.socket.send(`42${LIVE_NAMESPACE},1["subscribe",${batch ? '{"batch":true}' : '{}'}]`);
        else if (text.startsWith(`43${LIVE_NAMESPACE},1`)) {
          if (text.includes('"ok":true')) resolve();
          else reject(new Error(`subscribe refused: ${text}`));
        }
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

async function openDashboards(
  apiUrl: string,
  n: number,
  received: Received,
  batch: boolean,
): Promise<LightDashboard[]> {
  const marker = `"bench-states-${RUN}"`;
  // A frame holds one state, or (batched) several: each begins with its rigId.
  const onState = (text: string) => {
    for (const state of text.split('{"rigId":').slice(1)) {
      if (!state.startsWith(marker)) continue;
      const sequence = Number(/"samples":(\d+)/.exec(state)?.[1]);
      received.set(sequence, (received.get(sequence) ?? 0) + 1);
    }
  };
  const dashboards: LightDashboard[] = [];
  for (let k = 0; k < n; k += 50) {
    const group = Array.from(
      { length: Math.min(50, n - k) },
      () => new LightDashboard(apiUrl, onState, batch),
    );
    dashboards.push(...group);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // A loaded machine (shared by other jobs) can take long to open them.
      timer = setTimeout(() => reject(new Error('not subscribed within 120 s')), 120_000);
    });
    try {
      await Promise.race([Promise.all(group.map((d) => d.ready)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
  return dashboards;
}

interface ProbeRequest {
  probe: 'full' | 'relay';
  count: number;
  interval_ms: number;
}

/** Dashboards: N clients subscribed to everything, counting the state frames they receive. */
async function runDashboards(apiUrl: string, batch: boolean): Promise<void> {
  let dashboards: LightDashboard[] = [];
  const received: Received = new Map();
  process.on('message', (m: { dashboards?: number; countFrom?: number; countTo?: number }) => {
    void (async () => {
      try {
        if (m.dashboards !== undefined) {
          for (const dashboard of dashboards) dashboard.close();
          dashboards = await openDashboards(apiUrl, m.dashboards, received, batch);
          process.send?.({ dashboardsOpen: dashboards.length });
        } else if (m.countFrom !== undefined && m.countTo !== undefined) {
          let frames = 0;
          for (let k = m.countFrom; k < m.countTo; k++) frames += received.get(k) ?? 0;
          process.send?.({ frames });
        }
      } catch (error) {
        process.send?.({ error: (error as Error).message });
      }
    })();
  });
  process.send?.({ ready: true });
}

/**
 * The latency probe, in a process of its own so a busy dashboards process does not delay it: an MQTT
 * publisher and one socket.io client subscribed to the probe rig. Probes go out on a fixed schedule
 * (not one after the other), and one whose alert has not arrived 5 s after the last probe is lost.
 */
async function runProbe(apiUrl: string, mqttUrl: string): Promise<void> {
  const publisher = await mqtt.connectAsync(mqttUrl, { clientId: `bench-probe-${RUN}-${process.pid}` });
  (publisher.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  const probe: Dashboard = io(apiUrl + LIVE_NAMESPACE, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve) => probe.once('connect', () => resolve()));
  await probe.timeout(30_000).emitWithAck('subscribe', { rigId: PROBE_RIG });
  const sentAt = new Map<string, number>();
  const triggerTs = new Map<string, number>();
  const latencies: number[] = [];
  let misattributed = 0;
  probe.on('alert', (alert: AlertEvent) => {
    const t = performance.now();
    const key = alert.state === 'raised' ? alert.cellId : alert.id;
    const t0 = sentAt.get(key);
    if (t0 === undefined) return;
    sentAt.delete(key);
    if (alert.state === 'raised' && triggerTs.get(key) !== alert.ts) misattributed++;
    else latencies.push(t - t0);
  });
  let serial = 0;

  /** Full path: a fresh cell configured far above J*; its first current-carrying sample raises the alert. */
  const configure = async (cellId: string): Promise<void> => {
    const config: CellConfig = {
      rigId: PROBE_RIG,
      cellId,
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
    // Through the api, which stores it and tells ingest (ingest applies stored configurations only).
    const res = await fetch(`${apiUrl}/api/cells/${PROBE_RIG}/${cellId}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    if (!res.ok) throw new Error(`configuring ${cellId}: ${res.status} ${await res.text()}`);
  };
  const fullProbe = async (cellId: string): Promise<void> => {
    // The detectors need a time step: a first sample starts the cell, the second (1 s of data time
    // later) raises the alert, and its publish starts the clock. An alert whose data time is not the
    // second sample's was raised by something else and is not counted.
    const ts = Date.now();
    await publisher.publishAsync(
      telemetryTopic(PROBE_RIG, cellId),
      JSON.stringify({ ts: ts - 1000, v: 0.05, i: 5e-4, t: 25, seq: 0 } satisfies Sample),
      { qos: 1 },
    );
    triggerTs.set(cellId, ts);
    sentAt.set(cellId, performance.now());
    publisher.publish(
      telemetryTopic(PROBE_RIG, cellId),
      JSON.stringify({ ts, v: 0.05, i: 5e-4, t: 25, seq: 1 } satisfies Sample),
      { qos: 1 },
    );
  };
  /** Relay only: an alert event published as ingest publishes it. */
  const relayProbe = (): void => {
    const id = `relay-${RUN}-${serial++}`;
    const alert: AlertEvent = {
      id,
      ts: Date.now(),
      rigId: PROBE_RIG,
      cellId: 'relay',
      kind: 'soft-short',
      severity: 'warning',
      state: 'acknowledged',
      source: 'physics',
      message: 'bench probe',
      evidence: {},
      emittedAt: Date.now(),
    };
    sentAt.set(id, performance.now());
    publisher.publish(alertsTopic(PROBE_RIG, 'relay'), JSON.stringify(alert), { qos: 1 });
  };

  process.on('message', (m: Partial<ProbeRequest>) => {
    void (async () => {
      latencies.length = 0;
      sentAt.clear();
      const count = m.count ?? 0;
      const cells = Array.from({ length: count }, () => `full-${serial++}`);
      // Configurations go out first (QoS 1, in order), so ingest has them before the samples.
      if (m.probe === 'full') for (const cellId of cells) await configure(cellId);
      // A fixed schedule: a late timer does not push the later probes back (or bunch them up).
      const start = performance.now();
      for (let k = 0; k < count; k++) {
        if (m.probe === 'full') await fullProbe(cells[k]!);
        else relayProbe();
        await sleep(start + (k + 1) * (m.interval_ms ?? 100) - performance.now());
      }
      const deadline = performance.now() + 5000;
      while (sentAt.size > 0 && performance.now() < deadline) await sleep(50);
      process.send?.({ latencies: [...latencies], failures: sentAt.size + misattributed });
      misattributed = 0;
      if (m.probe === 'full') {
        for (const cellId of cells)
          await publisher.publishAsync(configTopic(PROBE_RIG, cellId), '', { qos: 1 });
      }
    })();
  });
  process.send?.({ ready: true });
}

// ---------------------------------------------------------------------------------------------------
// Main: services, ingest, api, then the measurements.
// ---------------------------------------------------------------------------------------------------
function request<T>(child: ChildProcess, message: object, key: keyof T & string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T & { error?: string }) => {
      if (m.error) {
        child.off('message', onMessage);
        reject(new Error(m.error));
      } else if (key in (m as object)) {
        child.off('message', onMessage);
        resolve(m);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function services(): { mqttUrl: string; influxUrl: string } {
  if (process.env.SANDGLASS_MQTT_URL && process.env.SANDGLASS_INFLUX_URL) {
    return { mqttUrl: process.env.SANDGLASS_MQTT_URL, influxUrl: process.env.SANDGLASS_INFLUX_URL };
  }
  const out = execFileSync('bash', [path.join(repoRoot, 'scripts/services.sh'), 'up'], { encoding: 'utf8' });
  const vars = Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { mqttUrl: vars.SANDGLASS_TEST_MQTT_URL!, influxUrl: vars.SANDGLASS_TEST_INFLUX_URL! };
}

async function main(): Promise<void> {
  const rate = Number(option('rate', '10000'));
  const cells = Number(option('cells', '100'));
  const probes = Number(option('probes', '100'));
  const steps = option('clients', '100,250,500,1000').split(',').map(Number);
  const step_s = Number(option('step-s', '10'));
  const stepProbes = Number(option('step-probes', '200'));
  const { mqttUrl, influxUrl } = services();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-live-'));
  const db = `sandglass_bench_live_${RUN}`;
  const children: ChildProcess[] = [];
  const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopAll();
      process.exit(130);
    });
  }

  console.log(`bench:live — broker ${mqttUrl}, InfluxDB ${influxUrl} (database ${db})`);
  // The machine is shared: say how busy it was, since every figure below depends on it.
  const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
  console.log(`at start: ${load()}`);
  const ingest = spawn(process.execPath, [path.join(repoRoot, 'dist/apps/ingest/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      SANDGLASS_MQTT_URL: mqttUrl,
      SANDGLASS_INFLUX_URL: influxUrl,
      SANDGLASS_INFLUX_DB: db,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_INGEST_CLIENT_ID: `bench-ingest-${RUN}`,
      SANDGLASS_INGEST_RIGS: `${LOAD_RIG},${PROBE_RIG}`,
      SANDGLASS_INGEST_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(ingest);
  const ingestPort = await new Promise<number>((resolve, reject) => {
    ingest.stdout!.on('data', (chunk: Buffer) => {
      const match = /sandglass-ingest http-port=(\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    ingest.once('exit', (code) => reject(new Error(`ingest exited with ${code}`)));
  });
  const ingestAccepted = async (): Promise<number> => {
    const health = (await (await fetch(`http://127.0.0.1:${ingestPort}/health`)).json()) as {
      samples: { accepted: number };
    };
    return health.samples.accepted;
  };

  // The api in this process, as `node dist/apps/api/src/main.js` would run it.
  const { startApi } = await import('#api');
  const { LiveFeed } = await import('#api');
  const api = await startApi(
    parseEnvironment({
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_MQTT_URL: mqttUrl,
      SANDGLASS_INFLUX_URL: influxUrl,
      SANDGLASS_INFLUX_DB: db,
      SANDGLASS_LOG_LEVEL: 'warn',
    }),
    { dashboardDir: dataDir },
  );
  await api.app.get(LiveFeed).ready();

  const loadProcess = fork(here, ['load', mqttUrl, String(cells), String(rate)]);
  children.push(loadProcess);
  let loadRate = 0;
  loadProcess.on('message', (m: { loadRate?: number }) => {
    if (m.loadRate !== undefined) loadRate = m.loadRate;
  });
  // Node 20 has WebSocket behind a flag (the light dashboards use it).
  const batched = process.argv.includes('--batched');
  const clients = fork(here, ['dashboards', api.url, batched ? 'batched' : 'per-cell'], {
    execArgv: [...process.execArgv, '--experimental-websocket'],
  });
  const prober = fork(here, ['probe', api.url, mqttUrl]);
  children.push(clients, prober);
  await Promise.all(
    [clients, prober].map((c) => new Promise<void>((resolve) => c.once('message', () => resolve()))),
  );
  console.log(`load: ${cells} cells, ${rate} samples/s target; warming up 5 s`);
  await sleep(5000);
  const accepted0 = await ingestAccepted();
  const acceptedAt0 = performance.now();

  // 1. Alert latency under load, with 10 dashboards connected.
  await request(clients, { dashboards: 10 }, 'dashboardsOpen');
  const full = await request<{ latencies: number[]; failures: number }>(
    prober,
    { probe: 'full', count: probes, interval_ms: 100 },
    'latencies',
  );
  const relay = await request<{ latencies: number[]; failures: number }>(
    prober,
    { probe: 'relay', count: probes, interval_ms: 50 },
    'latencies',
  );
  const ingestRate = ((await ingestAccepted()) - accepted0) / ((performance.now() - acceptedAt0) / 1000);
  console.log(
    `background load: ${loadRate.toFixed(0)} samples/s published, ${ingestRate.toFixed(0)} samples/s accepted by ingest`,
  );
  console.log(
    `alert latency, full path (MQTT publish of the triggering sample → ingest → api → socket.io): ${summary(full.latencies)}${full.failures ? `, ${full.failures} lost` : ''}`,
  );
  console.log(
    `alert latency, relay only (MQTT publish of the alert event → api → socket.io): ${summary(relay.latencies)}${relay.failures ? `, ${relay.failures} lost` : ''}`,
  );

  // 2. Dashboards served: the telemetry load stops and a publisher sends the state ingest would send
  //    (1 Hz per cell), so the api's share of the machine is not eaten by ingest and InfluxDB.
  loadProcess.send({ stop: true });
  const states = fork(here, ['states', mqttUrl, String(cells)]);
  children.push(states);
  const sequence = async () => (await request<{ sequence: number }>(states, {}, 'sequence')).sequence;
  console.log(
    `\ndashboards subscribed to everything (${cells} cells' state at 1 Hz each, ${batched ? 'batched `states` per tick' : 'one `state` per cell'}), ${step_s} s per step:`,
  );
  console.log(
    'clients | state frames delivered | alert p50 / p99 (relay) | api event-loop p99 | api CPU | api CPU per state delivered',
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  for (const n of steps) {
    try {
      await request(clients, { dashboards: n }, 'dashboardsOpen');
    } catch (error) {
      console.log(`${String(n).padStart(7)} | could not open them all: ${(error as Error).message}`);
      break;
    }
    await sleep(2000);
    const from = await sequence();
    lag.reset();
    lag.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const probe = await request<{ latencies: number[]; failures: number }>(
      prober,
      { probe: 'relay', count: stepProbes, interval_ms: (step_s * 1000) / stepProbes },
      'latencies',
    );
    const to = await sequence();
    const elapsed_ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    lag.disable();
    // Frames still in flight get 3 s to arrive; later ones count as not delivered.
    await sleep(3000);
    const { frames } = await request<{ frames: number }>(clients, { countFrom: from, countTo: to }, 'frames');
    const delivered = frames / ((to - from) * n);
    const s = [...probe.latencies].sort((a, b) => a - b);
    console.log(
      `${String(n).padStart(7)} | ${(100 * delivered).toFixed(1).padStart(5)}% of ${((to - from) / (elapsed_ms / 1000)).toFixed(0)}/s each` +
        ` | ${quantile(s, 0.5).toFixed(1)} / ${quantile(s, 0.99).toFixed(1)} ms (n=${s.length})${probe.failures ? ` (${probe.failures} lost)` : ''}` +
        ` | ${(lag.percentile(99) / 1e6).toFixed(1)} ms | ${((100 * (cpu.user + cpu.system)) / 1000 / elapsed_ms).toFixed(0)}%` +
        // CPU time, not wall time: comparable on a machine other jobs load.
        ` | ${((cpu.user + cpu.system) / Math.max(1, frames)).toFixed(2)} µs`,
    );
  }
  states.kill('SIGTERM');

  console.log(`at end: ${load()}`);
  clients.kill('SIGTERM');
  prober.kill('SIGTERM');
  await api.close();
  ingest.kill('SIGTERM');
  await new Promise((resolve) => ingest.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}

const role = process.argv[2];
const run =
  role === 'load'
    ? runLoad(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]))
    : role === 'states'
      ? runStates(process.argv[3]!, Number(process.argv[4]))
      : role === 'dashboards'
        ? runDashboards(process.argv[3]!, process.argv[4] === 'batched')
        : role === 'probe'
          ? runProbe(process.argv[3]!, process.argv[4]!)
          : main().then(() => process.exit(0));
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
