import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { InfluxStore } from '#store';
import { until } from '../support/until.js';

export { until };

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const mainJs = path.join(repoRoot, 'dist/apps/ingest/src/main.js');

export const T0 = Date.UTC(2026, 0, 1);
let counter = 0;
/** A name unique to this test run (database, client id, rig). */
export const unique = (prefix: string): string =>
  `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.replace(/[^A-Za-z0-9_]/g, '_');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface IngestProcess {
  proc: ChildProcess;
  port: number;
  output: () => string;
  health: () => Promise<{
    status: string;
    samples: { accepted: number; stored: number };
    wal: { unstoredBytes: number; full: boolean };
    store: { writing: boolean };
    mqtt: { connected: boolean };
  }>;
  metrics: () => Promise<string>;
  /** Sends the signal and waits for the process to exit. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface IngestSettings {
  mqttUrl: string;
  influxUrl: string;
  db: string;
  clientId: string;
  dataDir: string;
  /** The rigs this ingest takes (SANDGLASS_INGEST_RIGS), so tests sharing a broker do not mix. */
  rigs: string[];
  env?: Record<string, string>;
  /** How long it may take to subscribe (default 20 s; several started at once on a loaded machine need more). */
  startTimeout_ms?: number;
}

/**
 * Settings of an ingest of a test's own: a unique rig (plus `extraRigs`), database, client id and WAL
 * directory, so tests sharing the servers never see each other's data.
 */
export function ownIngestSettings(
  prefix: string,
  urls: { mqttUrl: string; influxUrl: string },
  extraRigs: string[] = [],
): IngestSettings & { rig: string } {
  const rig = unique(prefix).replace(/_/g, '-');
  return {
    ...urls,
    rig,
    db: unique(prefix),
    rigs: [rig, ...extraRigs.map((suffix) => `${rig}-${suffix}`)],
    clientId: unique('ingest'),
    dataDir: tempDir(`sg-${prefix}-`),
  };
}

/** Spawns the built standalone ingest (`npm run build` first) and waits until it serves HTTP. */
export async function startIngest(settings: IngestSettings): Promise<IngestProcess> {
  if (!fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build first`);
  const proc = spawn(process.execPath, [mainJs], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      SANDGLASS_MQTT_URL: settings.mqttUrl,
      SANDGLASS_INFLUX_URL: settings.influxUrl,
      SANDGLASS_INFLUX_DB: settings.db,
      SANDGLASS_INGEST_CLIENT_ID: settings.clientId,
      SANDGLASS_DATA_DIR: settings.dataDir,
      SANDGLASS_INGEST_RIGS: settings.rigs.join(','),
      SANDGLASS_INGEST_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      NO_COLOR: '1',
      ...settings.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let port = 0;
  await until(
    () => {
      if (proc.exitCode !== null) throw new Error(`ingest exited early:\n${output}`);
      const match = /http-port=(\d+)/.exec(output);
      if (match) port = Number(match[1]);
      // Subscribed, not only connected: a sample published before the SUBACK would never reach ingest.
      return port > 0 && /subscribed to /.test(output);
    },
    'ingest to start',
    settings.startTimeout_ms ?? 20_000,
  );
  const base = `http://127.0.0.1:${port}`;
  return {
    proc,
    port,
    output: () => output,
    health: async () => (await fetch(`${base}/health`)).json() as ReturnType<IngestProcess['health']>,
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** A publisher with a persistent session, so unacknowledged QoS 1 messages are resent after a reconnect. */
export async function connectPublisher(url: string, clientId = unique('pub')): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 5,
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: 600 },
    reconnectPeriod: 200,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

export function influxStore(url: string, database: string): InfluxStore {
  return new InfluxStore({ url, database, timeout_ms: 5000 });
}

/** Number of samples of a cell in InfluxDB, 0 while the database does not exist or InfluxDB is down. */
export async function storedCount(store: InfluxStore, rigId: string, cellId: string): Promise<number> {
  try {
    return await store.countSamples({ rigId, cellId });
  } catch {
    return 0;
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A Mosquitto or influxd of a test's own, on free ports, configured like scripts/services.sh. */
export interface OwnServer {
  url: string;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

async function waitTcp(port: number, up: boolean): Promise<void> {
  const open = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  await until(async () => (await open()) === up, `port ${port} ${up ? 'open' : 'closed'}`, 20_000);
}

function serverProcess(command: string, args: string[], logFile: string, port: number) {
  let proc: ChildProcess | undefined;
  return {
    start: async () => {
      const log = fs.openSync(logFile, 'a');
      proc = spawn(command, args, { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      await waitTcp(port, true);
    },
    stop: async () => {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGTERM');
      await exited;
      await waitTcp(port, false);
    },
  };
}

export async function ownMosquitto(dir: string): Promise<OwnServer> {
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'mosquitto'), { recursive: true });
  // Started as root, Mosquitto drops to its own user: it must be able to write its persistence file.
  fs.chmodSync(dir, 0o777);
  fs.chmodSync(path.join(dir, 'mosquitto'), 0o777);
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${path.join(dir, 'mosquitto')}/`,
      'max_queued_messages 10000000',
      'max_queued_bytes 2147483648',
      'max_inflight_messages 1000',
      'set_tcp_nodelay true',
      '',
    ].join('\n'),
  );
  const bin = fs.existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
  return {
    url: `mqtt://127.0.0.1:${port}`,
    ...serverProcess(bin, ['-c', conf], path.join(dir, 'mosquitto.log'), port),
  };
}

export async function ownInfluxd(dir: string): Promise<OwnServer> {
  const port = await freePort();
  const rpcPort = await freePort();
  const data = path.join(dir, 'influxdb');
  const conf = path.join(dir, 'influxdb.conf');
  fs.writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${data}/meta"
[data]
  dir = "${data}/data"
  wal-dir = "${data}/wal"
  query-log-enabled = false
  wal-fsync-delay = "0s"
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
`,
  );
  const bin = fs.existsSync('/usr/bin/influxd') ? '/usr/bin/influxd' : 'influxd';
  return {
    url: `http://127.0.0.1:${port}`,
    ...serverProcess(bin, ['-config', conf], path.join(dir, 'influxd.log'), port),
  };
}
