// npm run bench:safety — trigger sample published → safety stop command received, under load.
//
// Starts `npm start`'s process from the build (embedded broker and store, auth off, no demo rig) on a
// data directory of its own, configures --cells cells with `safety: {stopOn: [hard-short]}` and gives
// each the simulator's hard-short run (seed = cell index, 1 s per sample of data time, the short at a
// random 2200–3500 s, the run ending 5 min after it). A separate publisher process (as a rig would be)
// sends all cells together, --batch samples per message, paced to --rate samples per second in total.
// This process subscribes to every cell's `…/alerts` and `…/command`; for each stop command it finds the
// hard-short alert it names, whose `ts` is the data time of the sample that raised it, and the wall time
// that sample's message was published: latency = command received − trigger sample published.
// It also checks every hard-short alert got exactly one command, and that no other command came.
//
// Options: --cells 200 --rate 10000 --batch 10 --outage 0
// --outage S: the webhook receiver is down for the first S seconds after publishing starts (a closed
// port), then back on the same address; the bench then waits for every alert state change seen on MQTT
// to arrive as a distinct idempotency key, and reports how long that took after recovery and the
// notify counters from /metrics (nothing lost, nothing given up, retries counted).
// Last line: one JSON object. Runs from the build: npm run build && node dist/scripts/bench/safety.js
// The machine is shared: figures vary from run to run; read them with the CPU line printed beside them.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import {
  AlertEventSchema,
  SafetyCommandSchema,
  TOPIC_ROOT,
  telemetryTopic,
  type AlertEvent,
  type SafetyCommand,
} from '#contracts';
import { simulateScenario } from '#simulator';

const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(
  path.dirname(here),
  here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);
const standaloneMain = path.join(repoRoot, 'dist/apps/standalone/src/main.js');
const RIG = 'bench-safety';

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wall clock with sub-millisecond resolution, comparable between processes on one machine. */
const wallNow = () => performance.timeOrigin + performance.now();
function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const cellId = (c: number) => `c${c}`;
/** Data time of every run's first sample (the runs are simulated from t = 0 s). */
const T0 = Date.UTC(2026, 0, 1);

// ---------------------------------------------------------------------------------------------------
// Publisher process: `node safety.js publish <json>`; reports each message's publish time over IPC.
interface PublishJob {
  url: string;
  cells: number;
  rate: number;
  batch: number;
}

/** One published message: cell index, data time of its first and last sample, wall time published. */
type Sent = [cell: number, firstTs: number, lastTs: number, at: number];

async function publisher(job: PublishJob): Promise<void> {
  const runs = Array.from({ length: job.cells }, (_, c) =>
    [...simulateScenario({ scenario: 'hard-short', seed: c + 1 }).samples()].map((s, seq) => ({
      ts: T0 + s.time_s * 1000,
      v: s.v,
      i: s.i,
      ...(s.t !== undefined && { t: s.t }),
      seq,
    })),
  );
  const client = await mqtt.connectAsync(job.url, {
    clientId: `bench-safety-pub-${process.pid}`,
    clean: true,
  });
  (client.stream as unknown as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
  const topics = runs.map((_, c) => telemetryTopic(RIG, cellId(c)));
  const next = new Array<number>(job.cells).fill(0);
  const sent: Sent[] = [];
  const total = runs.reduce((n, r) => n + r.length, 0);
  let published = 0;
  let cursor = 0;
  let inFlight = 0;
  const t0 = wallNow();
  process.send!({ started: t0, total });
  while (published < total) {
    const due = Math.min(total, Math.floor(((wallNow() - t0) / 1000) * job.rate));
    // Round robin over the cells still running, one message each, until the paced count is reached.
    while (published < due && inFlight < 5000) {
      let c = cursor;
      while (next[c]! >= runs[c]!.length) c = (c + 1) % job.cells;
      cursor = (c + 1) % job.cells;
      const run = runs[c]!;
      const batch = run.slice(next[c], next[c]! + job.batch);
      next[c]! += batch.length;
      published += batch.length;
      sent.push([c, batch[0]!.ts, batch.at(-1)!.ts, wallNow()]);
      inFlight++;
      client.publish(topics[c]!, JSON.stringify(batch), { qos: 1 }, () => inFlight--);
    }
    await sleep(2);
  }
  const t1 = wallNow();
  while (inFlight > 0) await sleep(10);
  process.send!({ done: true, t0, t1, published, sent });
  await client.endAsync();
}

// ---------------------------------------------------------------------------------------------------
// The process under test
async function startStandalone(
  dataDir: string,
  webhookUrl: string,
): Promise<{ child: ChildProcess; api: string; mqtt: string }> {
  const child = spawn(process.execPath, [standaloneMain], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SANDGLASS_DATA_DIR: dataDir,
      SANDGLASS_HTTP_PORT: '0',
      SANDGLASS_HTTP_HOST: '127.0.0.1',
      SANDGLASS_MQTT_PORT: '0',
      SANDGLASS_MQTT_HOST: '127.0.0.1',
      SANDGLASS_DEMO: '0',
      SANDGLASS_AUTH: 'off',
      SANDGLASS_LOG_LEVEL: 'error',
      // The bench configures every cell over REST at once.
      SANDGLASS_WRITE_RATE_PER_MIN: '100000',
      SANDGLASS_NOTIFY_WEBHOOK_URL: webhookUrl,
      SANDGLASS_NOTIFY_WEBHOOK_SECRET: 'bench-webhook-secret',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Ctrl-C')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`standalone did not start:\n${out}`);
    await sleep(50);
  }
  const api = /dashboard\s+(http:\/\/\S+)/.exec(out)?.[1];
  const broker = /MQTT\s+(mqtt:\/\/\S+)/.exec(out)?.[1];
  if (!api || !broker) throw new Error(`banner without addresses:\n${out}`);
  return { child, api, mqtt: broker };
}

/** CPU seconds (user + system) a process used so far (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const cells = option('cells', 200);
  const rate = option('rate', 10_000);
  const batch = option('batch', 10);
  const outage_s = option('outage', 0);
  if (!(cells > 0 && rate > 0 && batch > 0)) throw new Error('--cells, --rate and --batch must be positive');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-safety-'));
  // A webhook receiver: when each idempotency key first arrived (and how many POSTs in all).
  const webhooks = new Map<string, number>();
  let webhookPosts = 0;
  const receiver = http.createServer((req, res) => {
    const at = wallNow();
    webhookPosts++;
    const key = String(req.headers['idempotency-key']);
    if (!webhooks.has(key)) webhooks.set(key, at);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const webhookUrl = `http://127.0.0.1:${port}/hook`;
  // An outage: the port closed until outage_s after publishing starts (see below).
  if (outage_s > 0) await new Promise((r) => receiver.close(r));
  const app = await startStandalone(dataDir, webhookUrl);
  try {
    for (let c = 0; c < cells; c++) {
      const {
        rigId: _r,
        cellId: _c,
        ...body
      } = simulateScenario({ scenario: 'hard-short', seed: c + 1 }).config;
      const response = await fetch(`${app.api}/api/cells/${RIG}/${cellId(c)}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, safety: { stopOn: ['hard-short'], minSeverity: 'critical' } }),
      });
      if (!response.ok) throw new Error(`config ${c}: ${response.status} ${await response.text()}`);
    }

    const alerts = new Map<string, AlertEvent>();
    /** Idempotency key of every alert state change seen on MQTT (all kinds): what the receiver must get. */
    const expectedKeys = new Set<string>();
    /** Alert produced in ingest → alert event received here (the same path as the command's). */
    const alertDelays: number[] = [];
    const commands: { command: SafetyCommand; cell: string; at: number }[] = [];
    const watcher = await mqtt.connectAsync(app.mqtt, { clientId: `bench-safety-watch-${process.pid}` });
    watcher.on('message', (topic, payload) => {
      const at = wallNow();
      const cell = topic.split('/')[3]!;
      const value: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/command')) commands.push({ command: SafetyCommandSchema.parse(value), cell, at });
      else {
        const alert = AlertEventSchema.parse(value);
        expectedKeys.add(
          alert.state === 'raised' ? `${alert.id}:raised:${alert.severity}` : `${alert.id}:${alert.state}`,
        );
        if (alert.kind === 'hard-short' && alert.state === 'raised' && !alerts.has(alert.id)) {
          alerts.set(alert.id, alert);
          if (alert.emittedAt !== undefined) alertDelays.push(at - alert.emittedAt);
        }
      }
    });
    await watcher.subscribeAsync([`${TOPIC_ROOT}/${RIG}/+/command`, `${TOPIC_ROOT}/${RIG}/+/alerts`], {
      qos: 1,
    });

    const cpu0 = cpuSeconds(app.child.pid);
    const job: PublishJob = { url: app.mqtt, cells, rate, batch };
    const child = fork(here, ['publish', JSON.stringify(job)], { stdio: 'inherit' });
    let total = 0;
    let recoveredAt: number | undefined;
    const recovery =
      outage_s > 0 &&
      sleep(outage_s * 1000).then(async () => {
        await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
        recoveredAt = wallNow();
        console.log(`webhook receiver back after ${outage_s} s`);
      });
    const result = await new Promise<{ t0: number; t1: number; published: number; sent: Sent[] }>(
      (resolve, reject) => {
        child.on(
          'message',
          (m: { started?: number; total?: number; done?: boolean } & Record<string, never>) => {
            if (m.total) {
              total = m.total;
              console.log(`publishing ${total.toLocaleString('en')} samples of ${cells} cells at ${rate}/s…`);
            }
            if (m.done) resolve(m as unknown as { t0: number; t1: number; published: number; sent: Sent[] });
          },
        );
        child.once('exit', (code) => code !== 0 && reject(new Error(`publisher exited ${code}`)));
      },
    );
    const cpu1 = cpuSeconds(app.child.pid);
    if (recovery) {
      await recovery;
      // Back-off is at most SANDGLASS_NOTIFY_RETRY_MAX_MS (60 s) plus jitter: allow a few steps.
      const until = Date.now() + 300_000;
      while (Date.now() < until && [...expectedKeys].some((k) => !webhooks.has(k))) await sleep(200);
    }
    // Commands for the last triggers may still be on their way.
    const deadline = Date.now() + 15_000;
    while (
      Date.now() < deadline &&
      (commands.length < alerts.size ||
        alerts.size < cells ||
        [...alerts.values()].some((a) => !webhooks.has(`${a.id}:raised:${a.severity}`)))
    )
      await sleep(100);
    await sleep(500);

    // Publish time of the message carrying each cell's sample at data time ts.
    const sentByCell = new Map<number, Sent[]>();
    for (const s of result.sent) {
      const list = sentByCell.get(s[0]) ?? [];
      list.push(s);
      sentByCell.set(s[0], list);
    }
    const publishedAt = (cell: string, ts: number): number | undefined =>
      sentByCell.get(Number(cell.slice(1)))?.find((s) => s[1] <= ts && ts <= s[2])?.[3];

    const latencies: number[] = [];
    /** Split of each latency: published → alert produced in ingest (`emittedAt`) → command received. */
    const toDetect: number[] = [];
    const toReceive: number[] = [];
    const perAlert = new Map<string, number>();
    let unmatched = 0;
    for (const { command, cell, at } of commands) {
      perAlert.set(command.alertId, (perAlert.get(command.alertId) ?? 0) + 1);
      const alert = alerts.get(command.alertId);
      const sentAt = alert && publishedAt(cell, alert.ts);
      if (!alert || sentAt === undefined) unmatched++;
      else {
        latencies.push(at - sentAt);
        if (alert.emittedAt !== undefined) {
          toDetect.push(alert.emittedAt - sentAt);
          toReceive.push(at - alert.emittedAt);
        }
      }
    }
    // Trigger sample published → webhook of the raised alert received.
    const webhookLatencies: number[] = [];
    let webhooksMissing = 0;
    for (const alert of alerts.values()) {
      const received = webhooks.get(`${alert.id}:raised:${alert.severity}`);
      const sentAt = publishedAt(alert.cellId, alert.ts);
      if (received === undefined || sentAt === undefined) webhooksMissing++;
      else webhookLatencies.push(received - sentAt);
    }
    for (const list of [latencies, toDetect, toReceive, alertDelays, webhookLatencies])
      list.sort((a, b) => a - b);
    const withoutCommand = [...alerts.keys()].filter((id) => !perAlert.has(id)).length;
    const repeated = [...perAlert.values()].filter((n) => n > 1).length;
    const seconds = (result.t1 - result.t0) / 1000;
    const achieved = Math.round(result.published / seconds);
    const cpuPerSecond = (cpu1 - cpu0) / seconds;
    const p = (q: number) => Math.round(quantile(latencies, q) * 10) / 10;
    console.log(
      `published ${result.published.toLocaleString('en')} samples in ${seconds.toFixed(1)} s ` +
        `(${achieved.toLocaleString('en')} samples/s; sandglass process ${(cpuPerSecond * 100).toFixed(0)} % of a core)`,
    );
    console.log(
      `hard-short alerts ${alerts.size}/${cells} cells, stop commands ${commands.length} ` +
        `(alerts without one ${withoutCommand}, alerts with more than one ${repeated}, unmatched ${unmatched})`,
    );
    console.log(
      `trigger sample published → stop command received: n=${latencies.length} p50 ${p(0.5)} ms, ` +
        `p99 ${p(0.99)} ms, max ${p(1)} ms`,
    );
    console.log(
      `  of which published → alert produced in ingest: p50 ${quantile(toDetect, 0.5).toFixed(1)} ms, ` +
        `p99 ${quantile(toDetect, 0.99).toFixed(1)} ms; produced → command received: ` +
        `p50 ${quantile(toReceive, 0.5).toFixed(1)} ms, p99 ${quantile(toReceive, 0.99).toFixed(1)} ms (alert events on the same path: ` +
        `p50 ${quantile(alertDelays, 0.5).toFixed(1)} ms)`,
    );
    let outage: Record<string, number> | undefined;
    if (recoveredAt !== undefined) {
      const lost = [...expectedKeys].filter((k) => !webhooks.has(k)).length;
      const lastAt = Math.max(
        ...[...expectedKeys].map((k) => webhooks.get(k) ?? NaN).filter(Number.isFinite),
      );
      const metrics = await (await fetch(`${app.api}/metrics`)).text();
      const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
      outage = {
        outage_s,
        state_changes: expectedKeys.size,
        delivered_keys: expectedKeys.size - lost,
        lost,
        last_delivery_after_recovery_ms: Math.round(lastAt - recoveredAt),
        attempts_failed: metric('sandglass_notify_attempts_failed_total'),
        given_up: metric('sandglass_notify_given_up_total'),
        pending: metric('sandglass_notify_pending'),
      };
      console.log(
        `receiver down ${outage_s} s: ${expectedKeys.size} alert state changes, ${lost} not delivered; ` +
          `the last delivered ${((lastAt - recoveredAt) / 1000).toFixed(1)} s after recovery; ` +
          `failed attempts ${outage.attempts_failed}, given up ${outage.given_up}, pending ${outage.pending}`,
      );
    }
    const w = (q: number) => Math.round(quantile(webhookLatencies, q) * 10) / 10;
    console.log(
      `trigger sample published → webhook received: n=${webhookLatencies.length} p50 ${w(0.5)} ms, ` +
        `p99 ${w(0.99)} ms, max ${w(1)} ms (hard-short alerts without a webhook ${webhooksMissing}; ` +
        `${webhookPosts} POSTs for ${webhooks.size} distinct keys)`,
    );
    console.log(
      JSON.stringify({
        bench: 'safety',
        cells,
        rate,
        batch,
        achieved_samples_per_s: achieved,
        alerts: alerts.size,
        commands: commands.length,
        alerts_without_command: withoutCommand,
        alerts_with_repeated_command: repeated,
        p50_ms: p(0.5),
        p99_ms: p(0.99),
        max_ms: p(1),
        webhook_p50_ms: w(0.5),
        webhook_p99_ms: w(0.99),
        webhooks_missing: webhooksMissing,
        sandglass_cpu_cores: Math.round(cpuPerSecond * 100) / 100,
        ...(outage && { outage }),
      }),
    );
    await watcher.endAsync();
    void total;
  } finally {
    app.child.kill('SIGTERM');
    await new Promise((r) => app.child.once('exit', r));
    receiver.closeAllConnections();
    receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'publish') {
  publisher(JSON.parse(process.argv[3]!) as PublishJob).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
