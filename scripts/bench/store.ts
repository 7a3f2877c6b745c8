/**
 * Write throughput of both TelemetryStore adapters: points/s for batches of 1,000 and 10,000 samples
 * (16 cells interleaved, every field present the way ingest writes them), plus the line-protocol
 * encoder alone. InfluxDB is the project's test instance (scripts/services.sh up), in a fresh database.
 *   tsx --conditions=source scripts/bench/store.ts [totalPoints]
 * Last line: one JSON object with the figures.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedStore, InfluxStore, encodeSamples, type CellSample, type TelemetryStore } from '#store';

const TOTAL = Number(process.argv[2] ?? 200_000);
const CELLS = 16;
const BASE_MS = Date.UTC(2026, 0, 1);

function makeSamples(total: number, offset_ms: number): CellSample[] {
  const samples: CellSample[] = [];
  for (let k = 0; k < total; k++) {
    const n = Math.floor(k / CELLS);
    samples.push({
      rigId: 'bench',
      cellId: `cell-${k % CELLS}`,
      ts: BASE_MS + offset_ms + n * 10 + 0.125,
      v: 3.7 + 0.1 * Math.sin(n / 100),
      i: 0.0015 * Math.cos(n / 50),
      t: 25 + Math.sin(n / 1000),
      seq: n,
    });
  }
  return samples;
}

async function measure(store: TelemetryStore, batch: number, offset_ms: number): Promise<number> {
  const samples = makeSamples(TOTAL, offset_ms);
  // one warm-up batch (connection, JIT) not counted
  await store.writeSamples(makeSamples(batch, offset_ms - 1e9));
  const start = performance.now();
  for (let k = 0; k < samples.length; k += batch) await store.writeSamples(samples.slice(k, k + batch));
  return TOTAL / ((performance.now() - start) / 1000);
}

function servicesEnv(): Record<string, string> {
  const script = fileURLToPath(new URL('../services.sh', import.meta.url));
  const out = execFileSync('bash', [script, 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (line.startsWith('SANDGLASS_') && eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

const round = (x: number) => Math.round(x);
const results: Record<string, number> = {};

{
  const samples = makeSamples(TOTAL, 0);
  encodeSamples(samples.slice(0, 10_000));
  const start = performance.now();
  let bytes = 0;
  for (let k = 0; k < samples.length; k += 10_000) bytes += encodeSamples(samples, k, k + 10_000).length;
  const seconds = (performance.now() - start) / 1000;
  results.encode_lines_per_s = round(TOTAL / seconds);
  console.log(
    `line-protocol encode: ${results.encode_lines_per_s} lines/s (${(bytes / TOTAL).toFixed(0)} B/line)`,
  );
}

const influxUrl = servicesEnv().SANDGLASS_TEST_INFLUX_URL;
if (!influxUrl) throw new Error('scripts/services.sh up did not print SANDGLASS_TEST_INFLUX_URL');
const database = `sandglass_bench_${process.pid}`;
const influx = new InfluxStore({ url: influxUrl, database });
await influx.open();
try {
  for (const batch of [1000, 10_000]) {
    const rate = await measure(influx, batch, batch * 1e7);
    results[`influx_points_per_s_batch_${batch}`] = round(rate);
    console.log(`InfluxStore  batch ${batch}: ${round(rate)} points/s`);
  }
  // every point of cell-0 once: two timed runs of TOTAL / CELLS plus the two warm-up batches
  const expected = (2 * TOTAL) / CELLS + Math.ceil(1000 / CELLS) + Math.ceil(10_000 / CELLS);
  const count = await influx.countSamples({ rigId: 'bench', cellId: 'cell-0' });
  if (count !== expected) throw new Error(`cell-0 holds ${count} points, expected ${expected}`);
} finally {
  await influx.close();
  await fetch(`${influxUrl}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `DROP DATABASE "${database}"` }),
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-store-'));
const embedded = new EmbeddedStore({ dataDir: dir });
await embedded.open();
try {
  for (const batch of [1000, 10_000]) {
    const rate = await measure(embedded, batch, batch * 1e7);
    results[`embedded_points_per_s_batch_${batch}`] = round(rate);
    console.log(`EmbeddedStore batch ${batch}: ${round(rate)} points/s`);
  }
  // A store that has run for a while: the write rate must not fall as the table grows (an index would).
  const grown = 2_000_000;
  for (let k = 0; k < grown; k += 10_000) await embedded.writeSamples(makeSamples(10_000, 1e12 + k * 10));
  const rate = await measure(embedded, 10_000, 2e12);
  results.embedded_points_per_s_batch_10000_after_2M = round(rate);
  console.log(`EmbeddedStore batch 10000 with ${grown + 2 * TOTAL} rows stored: ${round(rate)} points/s`);
  // Replaying what is already stored (the WAL-replay case): every row is an overwrite.
  const start = performance.now();
  const again = makeSamples(TOTAL, 10_000 * 1e7);
  for (let k = 0; k < again.length; k += 10_000) await embedded.writeSamples(again.slice(k, k + 10_000));
  results.embedded_replay_points_per_s_batch_10000 = round(TOTAL / ((performance.now() - start) / 1000));
  console.log(
    `EmbeddedStore replay of stored points, batch 10000: ${results.embedded_replay_points_per_s_batch_10000} points/s`,
  );
} finally {
  await embedded.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify({ points: TOTAL, cells: CELLS, ...results }));
