import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { telemetryTopic } from '#contracts';
import { simulateScenario } from '#simulator';

const root = path.resolve(import.meta.dirname, '../..');
export const STANDALONE_MAIN = path.join(root, 'dist/apps/standalone/src/main.js');

/** A running `npm start` process (the built entry point) and what its banner printed. */
export interface Standalone {
  process: ChildProcess;
  /** First dashboard address of the banner. */
  url: string;
  /** First MQTT address of the banner. */
  mqttUrl: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawns the standalone process on `dataDir` with quiet defaults (ports 0, no demo, auth off, log level
 * warn) overridden by `env`, and waits for its banner. Rejects with its output when it exits first.
 */
export async function startStandalone(
  dataDir: string,
  env: Record<string, string> = {},
  bannerTimeout_ms = 60_000,
  onSpawn?: (child: ChildProcess) => void,
  /** Node.js flags for the process, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs: readonly string[] = [],
): Promise<Standalone> {
  const child = spawn(process.execPath, [...nodeArgs, STANDALONE_MAIN], {
    env: {
      ...process.env,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_MQTT_PORT: '0',
      SANDGLASS_MQTT_HOST: '127.0.0.1',
      SANDGLASS_DEMO: '0',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn?.(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + bannerTimeout_ms;
  while (!out.includes('Ctrl-C')) {
    if (gone) throw new Error(`standalone exited before its banner:\n${out}\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no banner within ${bannerTimeout_ms} ms:\n${out}\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /dashboard\s+(http:\/\/\S+)/.exec(out)?.[1];
  const mqttUrl = /MQTT\s+(mqtts?:\/\/\S+)/.exec(out)?.[1];
  if (!url || !mqttUrl) throw new Error(`banner without addresses:\n${out}`);
  return {
    process: child,
    url,
    mqttUrl,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Configures `rigId/cellId` over REST with the simulator's `scenario` run (seed `seed`) and publishes
 * the whole run on its telemetry topic, 100 samples a message, ending about now (data time).
 */
export async function publishScenario(
  app: Standalone,
  rigId: string,
  cellId: string,
  scenario: 'hard-short',
  seed: number,
): Promise<void> {
  const run = simulateScenario({ scenario, seed });
  const { rigId: _r, cellId: _c, ...body } = run.config;
  const put = await fetch(`${app.url}/api/cells/${rigId}/${cellId}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (put.status !== 200) throw new Error(`config of ${rigId}/${cellId}: ${put.status} ${await put.text()}`);
  const rig = await mqtt.connectAsync(app.mqttUrl);
  const samples = [...run.samples()];
  const start_ms = Date.now() - samples.at(-1)!.time_s * 1000 - 1000;
  for (let k = 0; k < samples.length; k += 100) {
    const batch = samples
      .slice(k, k + 100)
      .map((s, j) => ({ ts: start_ms + s.time_s * 1000, v: s.v, i: s.i, seq: k + j }));
    await rig.publishAsync(telemetryTopic(rigId, cellId), JSON.stringify(batch), { qos: 1 });
  }
  await rig.endAsync();
}
