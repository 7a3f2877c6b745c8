// npm run bench:health — `GET /api/health` latency while ingest runs at its maximum rate.
//
// Starts `npm start`'s built entry point on embedded defaults (no demo), floods it from a separate
// publisher process (QoS 1 messages of 100 samples over 10 cells, 200 in flight: as fast as ingest
// acknowledges), and probes /api/health every 20 ms, one probe at a time, for `--seconds`. Prints the
// probes' p50/p99/max latency, how many answered non-200, and ingest's accepted and stored rates, then
// the start time (ms since the epoch) and latency of each probe over 100 ms, to line up with a profile.
// The 10 cells have no configuration: their first seconds are held, then judged (the release path).
// Runs from the build: npm run build && node dist/scripts/bench/health.js [--seconds 20]
// BENCH_CPU_PROF=<dir> writes a CPU profile of the standalone process there; BENCH_NODE_ARGS adds Node.js
// flags to it (e.g. "--trace-gc").
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { telemetryTopic } from '#contracts';
import { startStandalone } from '../../test/support/standalone.js';
import { metricValue } from '../../test/support/metrics.js';
import type { LoopCpu } from './loop-cpu.js';

const T0 = Date.UTC(2026, 0, 1);
const CPU_SECONDS = 'sandglass_api_process_cpu_seconds_total';
const here = fileURLToPath(import.meta.url);
/** The built preload that measures the standalone's main-thread CPU per event-loop turn. */
const LOOP_CPU_PRELOAD = path.resolve(path.dirname(here), '../../dist/scripts/bench/loop-cpu.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

/** Publisher process: publishes until killed, keeping `inflight` QoS 1 messages outstanding. */
async function publish(url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { log: () => undefined } as mqtt.IClientOptions);
  const cells = 10;
  const perMessage = 100;
  const inflight = 200;
  let next = 0;
  const send = (): void => {
    const cell = `c${next % cells}`;
    const first = Math.floor(next / cells) * perMessage;
    next++;
    const samples = Array.from({ length: perMessage }, (_, k) => ({
      ts: T0 + (first + k) * 10,
      v: 0.01,
      i: 0.001,
    }));
    client.publish(telemetryTopic('bench', cell), JSON.stringify(samples), { qos: 1 }, () => send());
  };
  for (let k = 0; k < inflight; k++) send();
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function main(): Promise<void> {
  if (process.argv[2] === 'publish') return publish(process.argv[3]!);
  const seconds = option('seconds', 20);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-health-'));
  // BENCH_CPU_PROF=<dir>: a --cpu-prof profile of the standalone process, written when it exits (SIGTERM).
  const profile = process.env.BENCH_CPU_PROF;
  // BENCH_NODE_ARGS: more Node.js flags for the standalone process (e.g. --trace-gc), space-separated.
  const nodeArgs = [
    '--import',
    LOOP_CPU_PRELOAD,
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
  ];
  const loopCpuFile = path.join(dataDir, 'loop-cpu.json');
  const app = await startStandalone(dataDir, { LOOP_CPU_FILE: loopCpuFile }, undefined, undefined, nodeArgs);
  /** The standalone's main-thread CPU per event-loop turn since the previous call (Linux only). */
  const loopCpu = async (): Promise<LoopCpu | undefined> => {
    if (process.platform !== 'linux') return undefined; // no preload listening: SIGUSR2 would end it
    rmSync(loopCpuFile, { force: true });
    app.process.kill('SIGUSR2');
    for (let k = 0; k < 100 && !existsSync(loopCpuFile); k++) await sleep(50);
    return existsSync(loopCpuFile) ? (JSON.parse(readFileSync(loopCpuFile, 'utf8')) as LoopCpu) : undefined;
  };
  const publisher = fork(here, ['publish', app.mqttUrl], { stdio: 'inherit' });
  try {
    await sleep(2000);
    const before = await metrics(app.url);
    const accepted0 = metricValue(before, 'sandglass_ingest_samples_accepted_total') ?? NaN;
    const stored0 = metricValue(before, 'sandglass_ingest_samples_stored_total') ?? NaN;
    const cpu0 = metricValue(before, CPU_SECONDS) ?? NaN;
    await loopCpu();
    const latencies: number[] = [];
    /** Probes over 100 ms, with their wall-clock start, to line up with the process's own logs. */
    const slow: string[] = [];
    let notOk = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      const t = performance.now();
      const response = await fetch(`${app.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
      await response.text();
      const took_ms = performance.now() - t;
      latencies.push(took_ms);
      if (took_ms > 100) slow.push(`${Date.now() - Math.round(took_ms)}+${Math.round(took_ms)}`);
      if (response.status !== 200) notOk++;
      await sleep(20);
    }
    const elapsed = (performance.now() - started) / 1000;
    const turns = await loopCpu();
    // One scrape: each scrape resets the event-loop delay histogram, so a second one would see only the
    // milliseconds since the first (the max read that way was below the p99).
    const text = await metrics(app.url);
    const value = (name: string) => metricValue(text, name) ?? NaN;
    const lagP99_ms = value('sandglass_api_nodejs_eventloop_lag_p99_seconds') * 1000;
    const lagMax_ms = value('sandglass_api_nodejs_eventloop_lag_max_seconds') * 1000;
    const accepted = value('sandglass_ingest_samples_accepted_total') - accepted0;
    const stored = value('sandglass_ingest_samples_stored_total') - stored0;
    // The standalone process's CPU (all its threads) per accepted sample: comparable on a loaded machine.
    const cpuPerSample_us = ((value(CPU_SECONDS) - cpu0) * 1e6) / accepted;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(
      `health under load: ${latencies.length} probes in ${elapsed.toFixed(1)} s, p50 ${at(0.5).toFixed(1)} ms, ` +
        `p99 ${at(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms, ${notOk} not 200; ` +
        `ingest accepted ${Math.round(accepted / elapsed).toLocaleString('en')} samples/s, stored ` +
        `${Math.round(stored / elapsed).toLocaleString('en')} samples/s, ${cpuPerSample_us.toFixed(1)} µs CPU per ` +
        `accepted sample; event loop lag p99 ${lagP99_ms.toFixed(1)} ms, ` +
        `max ${lagMax_ms.toFixed(1)} ms`,
    );
    if (turns) {
      console.log(
        `main-thread CPU per event-loop turn (${turns.turns} turns): p50 ${turns.p50_ms.toFixed(1)} ms, ` +
          `p99 ${turns.p99_ms.toFixed(1)} ms, max ${turns.max_ms.toFixed(1)} ms, ${turns.over50} over 50 ms ` +
          '(without the waits for a core that a loaded machine adds to the probes)',
      );
    }
    if (slow.length > 0) console.log(`probes over 100 ms (start ms since epoch + ms): ${slow.join(' ')}`);
  } finally {
    publisher.kill('SIGKILL');
    await app.stop(profile ? 'SIGTERM' : 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
