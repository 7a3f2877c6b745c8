// npm run bench:pipeline — CPU per sample of ingest's core in one process, without broker, database or
// network: decode and validation, per-cell admission, WAL append and flush, detection with the failure
// model's feature windows, cycle statistics, then the drainer's WAL read-back and line-protocol encoding.
// A steadier figure than bench:ingest on a shared machine (no other process in the measured path): the
// part of ingest's CPU per sample this code owns. Reports the median of --rounds runs (process CPU time).
// Options: --cells 100 --samples 50 (per message) --messages 20000 --rounds 5
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telemetryTopic } from '#contracts';
import { CycleAnalytics, physicsDetectorFactory, TelemetryIntake, WriteAheadLog } from '#ingest';
import { createFeatureWindow } from '#model';
import { encodeSampleBytes } from '#store';

function option(name: string, fallback: number): number {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 ? Number(process.argv[k + 1]) : fallback;
}

const cells = option('cells', 100);
const perMessage = option('samples', 50);
const messages = option('messages', 20_000);
const rounds = option('rounds', 5);
const T0 = Date.UTC(2026, 0, 1);

/** The payloads bench:ingest's publisher sends (10 ms between a cell's samples), made before timing. */
function payloads(): { topic: string; payload: Buffer }[] {
  const seqs = new Array<number>(cells).fill(0);
  const out: { topic: string; payload: Buffer }[] = [];
  for (let m = 0; m < messages; m++) {
    const cell = m % cells;
    const samples = [];
    for (let k = 0; k < perMessage; k++) {
      const seq = seqs[cell]!++;
      samples.push({ ts: T0 + seq * 10, v: 0.02 + (seq % 100) * 1e-5, i: 0.001, t: 25, seq });
    }
    const payload = JSON.stringify(perMessage === 1 ? samples[0] : samples);
    // A flat string per message, as mqtt.js decodes each topic from the packet's bytes.
    const topic = Buffer.from(telemetryTopic('rig', `c${cell}`)).toString('utf8');
    out.push({ topic, payload: Buffer.from(payload) });
  }
  return out;
}

function round(input: { topic: string; payload: Buffer }[]): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-bench-pipeline-'));
  const wal = new WriteAheadLog({ dir, maxBytes: 1 << 30, fsyncInterval_ms: 0 });
  wal.open();
  const quiet = { warn: () => {}, error: () => {}, log: () => {} };
  const intake = new TelemetryIntake(
    wal,
    { publishAlert: () => {}, publishState: () => {}, publishRejected: () => {}, publishCommand: () => {} },
    physicsDetectorFactory,
    quiet,
    {
      tracker: {
        model: {
          version: 'bench',
          horizon_s: 1,
          createFeatures: (config) => createFeatureWindow(config),
          predict: () => Promise.resolve([]),
        },
      },
      cycles: new CycleAnalytics(() => {}),
      configHold_ms: 0,
    },
  );
  let position = { segment: 0, offset: 0 };
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  let samples = 0;
  for (let m = 0; m < input.length; m++) {
    const { topic, payload } = input[m]!;
    const work = intake.accept(topic, payload);
    if (work) {
      samples += work.admitted.samples.length;
      intake.detect(work);
    }
    // Groups as ingest makes them under load: a WAL write per 100 messages, read back by the drainer.
    if (m % 100 === 99 || m === input.length - 1) {
      wal.flush();
      const batch = wal.read(position, 100_000);
      bytes += encodeSampleBytes(batch.samples).length;
      position = batch.end;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  wal.close();
  rmSync(dir, { recursive: true, force: true });
  if (bytes === 0) throw new Error('nothing encoded');
  return (cpu.user + cpu.system) / samples;
}

const input = payloads();
const results: number[] = [];
for (let r = 0; r < rounds; r++) {
  const us = round(input);
  results.push(us);
  console.log(`round ${r + 1}: ${us.toFixed(2)} µs CPU per sample`);
}
const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
console.log(
  JSON.stringify({ cells, samples_per_message: perMessage, cpu_us_per_sample: Number(median.toFixed(2)) }),
);
