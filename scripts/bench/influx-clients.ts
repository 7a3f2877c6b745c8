/**
 * npm run bench:influx-clients [totalPoints] — the hand-written InfluxDB 1.x client (#store InfluxStore:
 * line protocol built by `encodeSamples`, one HTTP POST per batch over fetch) against the `influx` npm
 * client (node-influx 5.x, `writePoints`) writing the same points (16 cells interleaved, v, i, t, seq,
 * microsecond timestamps) to the project's test InfluxDB (scripts/services.sh up), each into a fresh
 * database. Both are checked to have stored every point. `@influxdata/influxdb-client` speaks the 2.x/3.x
 * API (buckets, tokens) and InfluxDB 1.6.7 has no /api/v2/write, so it is not measured here.
 * Figures are points/s (median of 3 runs, each after a warm-up batch); the machine is shared, so they are
 * noisy: compare the two clients within one run. Last line: one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InfluxDB, type IPoint } from 'influx';
import { InfluxStore, type CellSample } from '#store';

const TOTAL = Number(process.argv[2] ?? 100_000);
const CELLS = 16;
const RUNS = 3;
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

/** The same point node-influx needs: tags, fields, and the timestamp in µs as a string (precision 'u'). */
function toPoint(s: CellSample): IPoint {
  return {
    measurement: 'telemetry',
    tags: { cell: s.cellId, rig: s.rigId },
    fields: { v: s.v, i: s.i, t: s.t!, seq: s.seq! },
    timestamp: String(Math.round(s.ts * 1000)),
  };
}

function influxUrl(): string {
  const script = fileURLToPath(new URL('../services.sh', import.meta.url));
  const out = execFileSync('bash', [script, 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out.split('\n').find((l) => l.startsWith('SANDGLASS_TEST_INFLUX_URL='));
  if (!line) throw new Error('scripts/services.sh up did not print SANDGLASS_TEST_INFLUX_URL');
  return line.slice('SANDGLASS_TEST_INFLUX_URL='.length);
}

async function count(url: string, database: string): Promise<number> {
  const response = await fetch(
    `${url}/query?${new URLSearchParams({ db: database, q: 'SELECT count(v) FROM telemetry' })}`,
  );
  const body = (await response.json()) as { results: [{ series?: [{ values: [[string, number]] }] }] };
  return body.results[0].series?.[0]?.values[0][1] ?? 0;
}

async function dropDatabase(url: string, database: string): Promise<void> {
  await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `DROP DATABASE "${database}"` }),
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const url = influxUrl();
const results: Record<string, number> = {};

type Writer = {
  name: string;
  open(db: string): Promise<(batch: CellSample[]) => Promise<void>>;
  close(): Promise<void>;
};
const writers: Writer[] = [
  (() => {
    let store: InfluxStore | undefined;
    return {
      name: 'hand_written',
      async open(database: string) {
        store = new InfluxStore({ url, database });
        await store.open();
        return (batch: CellSample[]) => store!.writeSamples(batch);
      },
      async close() {
        await store?.close();
      },
    };
  })(),
  {
    name: 'node_influx',
    async open(database: string) {
      const parsed = new URL(url);
      const client = new InfluxDB({ host: parsed.hostname, port: Number(parsed.port), database });
      await client.createDatabase(database);
      return (batch: CellSample[]) => client.writePoints(batch.map(toPoint), { precision: 'u' });
    },
    async close() {},
  },
];

for (const batchSize of [1000, 10_000]) {
  for (const writer of writers) {
    const rates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const database = `sandglass_bench_clients_${process.pid}_${writer.name}_${batchSize}_${run}`;
      const write = await writer.open(database);
      try {
        await write(makeSamples(batchSize, -1e9)); // warm-up: connection, JIT
        const samples = makeSamples(TOTAL, 0);
        const start = performance.now();
        for (let k = 0; k < samples.length; k += batchSize) await write(samples.slice(k, k + batchSize));
        rates.push(TOTAL / ((performance.now() - start) / 1000));
        const stored = await count(url, database);
        if (stored !== TOTAL + batchSize)
          throw new Error(`${writer.name}: ${stored} points stored, expected ${TOTAL + batchSize}`);
      } finally {
        await writer.close();
        await dropDatabase(url, database);
      }
    }
    results[`${writer.name}_points_per_s_batch_${batchSize}`] = Math.round(median(rates));
    console.log(
      `${writer.name.padEnd(12)} batch ${batchSize}: ${Math.round(median(rates))} points/s (runs: ${rates.map(Math.round).join(', ')})`,
    );
  }
}
console.log(JSON.stringify({ points: TOTAL, cells: CELLS, runs: RUNS, ...results }));
