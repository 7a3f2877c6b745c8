// npm run bench:replay — rows/s parsed by each replay reader on the real fixtures (../shared/fixtures),
// the largest one first. Each file is read from disk repeatedly for at least a second per format.
// Then the largest fixture's rows repeated 50 times into a temporary file (~100 MB), read once, with
// the peak heap, to show that memory stays constant whatever the file size. Last, the largest fixture
// published at --speed max through an in-process broker (Aedes) to a subscriber: samples/s published.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from '#broker';
import { createReplayJob, openReplay, type OpenReplayOptions } from '#replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures');

const files: { file: string; options: OpenReplayOptions }[] = [
  { file: 'biologic/mb.mpt', options: {} },
  { file: 'biologic/bcd.issue_241.mpt', options: {} },
  { file: 'arbin/arbin_example.csv', options: {} },
  { file: 'maccor/maccor_002.txt', options: {} },
  { file: 'neware/neware_uio.csv', options: {} },
  { file: 'generic/Q30_S001_1C.csv', options: { map: 'time=1,current=2,voltage=3,temperature=5' } },
];

async function rowsPerSecond(
  file: string,
  options: OpenReplayOptions,
): Promise<{ rows: number; rate: number }> {
  let rows = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < 1000 || rounds < 3) {
    const { reader } = await openReplay(file, options);
    for await (const _batch of reader) {
      // Parsing is the work being measured.
    }
    rows += reader.summary.rows;
    rounds++;
  }
  return { rows: rows / rounds, rate: rows / ((performance.now() - started) / 1000) };
}

async function main(): Promise<void> {
  const present: { file: string; options: OpenReplayOptions; bytes: number }[] = [];
  for (const entry of files) {
    const file = path.join(fixtures, entry.file);
    const bytes = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (bytes < 0) console.log(`skip ${entry.file}: not found under ${fixtures}`);
    else present.push({ ...entry, file, bytes });
  }
  present.sort((a, b) => b.bytes - a.bytes);
  for (const [k, entry] of present.entries()) {
    const { rows, rate } = await rowsPerSecond(entry.file, entry.options);
    const label = `${path.relative(fixtures, entry.file)}${k === 0 ? ' (largest)' : ''}`;
    const mb = (entry.bytes / 1e6).toFixed(2);
    console.log(
      `replay parse ${label.padEnd(40)} ${mb} MB ${rows} rows ${Math.round(rate).toLocaleString('en')} rows/s`,
    );
  }
  const largest = present[0];
  if (largest) {
    await bigFile(largest.file, largest.options);
    await publishRate(largest.file);
  }
}

/** Publishes a file at speed max (QoS 1 arrays) and counts what a subscriber receives. */
async function publishRate(file: string): Promise<void> {
  const broker = await startEmbeddedBroker({ port: 0 });
  // No ingest here: the broker may acknowledge and forward telemetry at once.
  broker.setTelemetrySink((_publish, done) => done());
  const subscriber = await mqtt.connectAsync(broker.url);
  let received = 0;
  subscriber.on('message', (_topic, payload) => {
    received += (JSON.parse(payload.toString()) as unknown[]).length;
  });
  await subscriber.subscribeAsync('sandglass/v1/bench/+/telemetry', { qos: 1 });
  const publisher = await mqtt.connectAsync(broker.url);
  const job = await createReplayJob(
    publisher,
    {
      source: { kind: 'file', path: file, format: 'auto' },
      rigId: 'bench',
      cellId: 'c1',
      speed: 'max',
      loop: false,
    },
    { now_ms: Date.now() },
  );
  const started = performance.now();
  const result = await job.publisher.run();
  while (received < result.rowsPublished) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `replay publish ${path.relative(fixtures, file)} ${result.rowsPublished} samples in ${result.messagesPublished} ` +
      `messages, ${Math.round(result.rowsPublished / seconds).toLocaleString('en')} samples/s published and received`,
  );
  await Promise.all([publisher.endAsync(), subscriber.endAsync()]);
  await broker.close();
}

async function bigFile(file: string, options: OpenReplayOptions): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sandglass-bench-replay-'));
  try {
    const text = (await readFile(file, 'latin1')).replace(/\r?\n$/, '');
    const newline = text.indexOf('\n');
    const [header, body] = [text.slice(0, newline + 1), text.slice(newline + 1)];
    const big = path.join(dir, path.basename(file));
    const out = createWriteStream(big, { encoding: 'latin1' });
    out.write(header);
    for (let k = 0; k < 50; k++) out.write(`${body}\n`);
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    const bytes = (await stat(big)).size;
    const { reader } = await openReplay(big, options);
    let peakHeap = 0;
    const started = performance.now();
    for await (const _batch of reader) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const seconds = (performance.now() - started) / 1000;
    const rate = Math.round(reader.summary.rows / seconds).toLocaleString('en');
    const label = `${path.basename(file)} x50 (generated)`;
    console.log(
      `replay parse ${label.padEnd(40)} ${(bytes / 1e6).toFixed(0)} MB ${reader.summary.rows} rows ${rate} rows/s, peak heap ${(peakHeap / 1e6).toFixed(0)} MB`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
