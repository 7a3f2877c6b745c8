/**
 * npm run bench:export — export of one cell's samples (issue 17's goal: 1 million samples in under 5 s
 * with memory flat). Writes N samples (default 1,000,000; 1 s apart, every field present) of one cell
 * into an embedded store in a temporary directory, then streams them through the api's ExportService to
 * a file as CSV and as Parquet, and prints the time, the file size and the process's memory (RSS and
 * V8 heap, sampled every 20 ms) before and at its peak during each export. A quarter of the series is
 * exported too: with paged reads the peak does not grow with the length of the series. CPU time is
 * printed beside wall time: on a shared machine the wall time includes waiting for a core.
 * With SANDGLASS_INFLUX_URL set, the same runs against InfluxDB (a fresh database, dropped afterwards).
 *   tsx --conditions=source scripts/bench/export.ts [samples]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EmbeddedStore, InfluxStore, SampleColumns, type TelemetryStore } from '#store';
import { ExportService } from '#api';

const N = Number(process.argv[2] ?? 1_000_000);
const cell = { rigId: 'bench', cellId: 'c1' };
const T0 = Date.UTC(2026, 0, 1);
const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-export-'));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function fill(store: TelemetryStore): Promise<void> {
  const batch = 100_000;
  for (let start = 0; start < N; start += batch) {
    const columns = new SampleColumns(batch);
    for (let k = start; k < Math.min(N, start + batch); k++) {
      const j = columns.add(cell.rigId, cell.cellId, 1);
      columns.ts[j] = T0 + k * 1000;
      columns.v[j] = 3.7 + 0.3 * Math.sin(k / 3000);
      columns.i[j] = (k % 4000 < 2000 ? 1 : -1) * 0.0015;
      columns.t[j] = 25 + Math.sin(k / 10_000);
      columns.p[j] = 5;
      columns.seq[j] = k;
      columns.cycle[j] = 1 + Math.floor(k / 4000);
      columns.step[j] = k % 4000 < 2000 ? 1 : 2;
    }
    await store.writeSamples(columns);
  }
}

async function run(
  label: string,
  service: ExportService,
  format: 'csv' | 'parquet',
  samples: number,
): Promise<void> {
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  const out = path.join(dir, `export.${format}`);
  const started = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const body = await service.export(cell, {
    format,
    table: 'samples',
    ...(samples < N ? { to: T0 + (samples - 1) * 1000 } : {}),
  });
  await pipeline(body.stream, createWriteStream(out));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(startCpu);
  const cpu_s = (used.user + used.system) / 1e6;
  clearInterval(sampler);
  console.log(
    `${label} ${format.padEnd(8)} ${samples.toLocaleString('en').padStart(9)} samples: ${seconds.toFixed(2)} s ` +
      `wall (${((seconds / samples) * 1e6).toFixed(2)} µs/sample), ${cpu_s.toFixed(2)} s CPU; ` +
      `${mb(statSync(out).size)} MiB file; ` +
      `RSS ${mb(before.rss)} → peak ${mb(peakRss)} MiB, heap ${mb(before.heapUsed)} → peak ${mb(peakHeap)} MiB`,
  );
}

async function bench(label: string, store: TelemetryStore): Promise<void> {
  await store.open();
  const filled = process.hrtime.bigint();
  await fill(store);
  const seconds = Number(process.hrtime.bigint() - filled) / 1e9;
  console.log(`${label}: ${N.toLocaleString('en')} samples written in ${seconds.toFixed(1)} s`);
  const service = new ExportService(store);
  try {
    for (const format of ['csv', 'parquet'] as const) {
      await run(label, service, format, Math.floor(N / 4));
      await run(label, service, format, N);
    }
  } finally {
    await store.close();
  }
}

try {
  await bench('embedded', new EmbeddedStore({ dataDir: dir }));
  const influxUrl = process.env.SANDGLASS_INFLUX_URL;
  if (influxUrl) {
    const database = `sandglass_bench_export_${process.pid}`;
    try {
      await bench('influxdb', new InfluxStore({ url: influxUrl, database }));
    } finally {
      await fetch(`${influxUrl}/query`, {
        method: 'POST',
        body: new URLSearchParams({ q: `DROP DATABASE "${database}"` }),
      });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
