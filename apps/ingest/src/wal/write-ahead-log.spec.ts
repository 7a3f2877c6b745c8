import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent, Sample } from '#contracts';
import { SampleColumns } from '#store';
import { encodeSamples, readRecord } from './wal-record.js';
import { WriteAheadLog, type WalPosition } from './write-ahead-log.js';

const T0 = Date.UTC(2026, 0, 1);
const sample = (k: number, extra: Partial<Sample> = {}): Sample => ({
  ts: T0 + k * 1000.5,
  v: 0.01 * k,
  i: 0.001,
  seq: k,
  ...extra,
});

function samplesIn(wal: WriteAheadLog, from: WalPosition): { samples: Sample[]; end: WalPosition } {
  const samples: Sample[] = [];
  let pos = from;
  for (;;) {
    const read = wal.read(pos, 1000);
    if (read.samples.length === 0 && read.alerts.length === 0) return { samples, end: pos };
    samples.push(...read.samples.toSamples());
    const { end } = read;
    pos = end;
  }
}

describe('WAL records', () => {
  it('round-trips samples with and without optional fields', () => {
    const samples = [sample(1, { t: 25.5, p: 5, cycle: 3, step: 7 }), sample(2)];
    const buf = encodeSamples('rig-01', 'ch.3_x', samples);
    const columns = new SampleColumns(1);
    expect(readRecord(buf, 0, buf.length, columns)).toEqual({
      kind: 'samples',
      count: 2,
      length: buf.length,
    });
    expect(columns.toSamples()).toEqual(samples.map((s) => ({ rigId: 'rig-01', cellId: 'ch.3_x', ...s })));
  });

  it('reports a cut record as incomplete and a flipped byte as corrupt', () => {
    const buf = encodeSamples('r', 'c', [sample(1)]);
    const columns = new SampleColumns();
    expect(readRecord(buf, 0, buf.length - 1, columns).kind).toBe('incomplete');
    const bad = Buffer.from(buf);
    bad[bad.length - 3]! ^= 0xff;
    expect(readRecord(bad, 0, bad.length, columns).kind).toBe('corrupt');
    // Records this process wrote itself are read back without the check.
    expect(readRecord(bad, 0, bad.length, columns, false).kind).toBe('samples');
    expect(columns.length).toBe(1);
  });
});

describe('WriteAheadLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-wal-'));
  });
  // A checkpoint write started before close() may still be finishing (it then removes its own temporary
  // file): retry while the directory is briefly not empty. Asynchronously: a synchronous rm blocks the
  // event loop that write needs to finish, so its retries could never succeed.
  afterEach(() => fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 }));

  it('returns appended samples in order once flushed, and only then', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    const start = wal.open();
    wal.appendSamples('rig', 'a', [sample(1), sample(2)]);
    wal.appendSamples('rig', 'b', [sample(3)]);
    expect(wal.read(start, 100).samples.length).toBe(0);
    wal.flush();
    expect(samplesIn(wal, start).samples.map((s) => s.seq)).toEqual([1, 2, 3]);
    wal.close();
  });

  it('continues an earlier read where it ended, as one batch', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    const start = wal.open();
    wal.appendSamples('rig', 'a', [sample(1), sample(2)]);
    wal.flush();
    const first = wal.read(start, 4);
    wal.appendSamples('rig', 'b', [sample(3), sample(4)]);
    wal.appendSamples('rig', 'b', [sample(5)]);
    wal.flush();
    const batch = wal.read(first.end, 4, first);
    // The limit counts the earlier samples too: the read stops after the record reaching 4.
    expect(batch.samples.toSamples().map((s) => [s.cellId, s.seq])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 3],
      ['b', 4],
    ]);
    expect(
      wal
        .read(batch.end, 10)
        .samples.toSamples()
        .map((s) => s.seq),
    ).toEqual([5]);
    wal.close();
  });

  it('replays from the checkpoint after a restart and deletes stored segments', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, segmentBytes: 1000, fsyncInterval_ms: 0 });
    const start = wal.open();
    for (let k = 0; k < 60; k++) {
      wal.appendSamples('rig', 'a', [sample(k)]);
      wal.flush();
    }
    const firstHalf = wal.read(start, 30);
    expect(firstHalf.samples.length).toBe(30);
    wal.commit(firstHalf.end);
    wal.close();
    const segmentsBefore = fs.readdirSync(dir).filter((f) => f.endsWith('.wal')).length;

    const again = new WriteAheadLog({ dir, maxBytes: 1 << 20, segmentBytes: 1000, fsyncInterval_ms: 0 });
    const from = again.open();
    expect(from).toEqual(firstHalf.end);
    const { samples, end } = samplesIn(again, from);
    expect(samples.map((s) => s.seq)).toEqual(Array.from({ length: 30 }, (_, k) => 30 + k));
    again.commit(end);
    expect(again.unstoredBytes).toBe(0);
    again.close();
    const segmentsAfter = fs.readdirSync(dir).filter((f) => f.endsWith('.wal')).length;
    expect(segmentsAfter).toBeLessThan(segmentsBefore);
  });

  it('deletes stored segments while running, once the checkpoint is on disk', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, segmentBytes: 500, fsyncInterval_ms: 0 });
    const from = wal.open();
    for (let k = 0; k < 50; k++) {
      wal.appendSamples('rig', 'a', [sample(k)]);
      wal.flush();
    }
    const segments = () => fs.readdirSync(dir).filter((f) => f.endsWith('.wal')).length;
    expect(segments()).toBeGreaterThan(5);
    wal.commit(samplesIn(wal, from).end);
    for (let k = 0; k < 200 && segments() > 2; k++) await new Promise((r) => setTimeout(r, 5));
    expect(segments()).toBeLessThanOrEqual(2);
    const checkpoint = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as WalPosition;
    expect(checkpoint).toEqual(wal.committed);
    wal.close();
  });

  it('skips a torn last record left by a crash and keeps what came before and after', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    wal.appendSamples('rig', 'a', [sample(1)]);
    wal.appendSamples('rig', 'a', [sample(2)]);
    wal.flush();
    wal.close();
    // A crash in the middle of a write: the last record is cut short.
    const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.wal'));
    const torn = encodeSamples('rig', 'a', [sample(3), sample(4)]);
    fs.appendFileSync(path.join(dir, segment!), torn.subarray(0, torn.length - 10));

    const warnings: string[] = [];
    const again = new WriteAheadLog({
      dir,
      maxBytes: 1 << 20,
      fsyncInterval_ms: 0,
      warn: (m) => warnings.push(m),
    });
    const from = again.open();
    again.appendSamples('rig', 'a', [sample(5)]);
    again.flush();
    expect(samplesIn(again, from).samples.map((s) => s.seq)).toEqual([1, 2, 5]);
    expect(warnings.join('\n')).toMatch(/torn record/);
    again.close();
  });

  it('skips the rest of a segment after a corrupt record', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    for (let k = 1; k <= 3; k++) wal.appendSamples('rig', 'a', [sample(k)]);
    wal.flush();
    wal.close();
    const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.wal'));
    const file = path.join(dir, segment!);
    const bytes = fs.readFileSync(file);
    const recordLength = bytes.length / 3;
    bytes[recordLength + 20]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const again = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    const from = again.open();
    expect(samplesIn(again, from).samples.map((s) => s.seq)).toEqual([1]);
    again.close();
  });

  it('carries alert records', () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    const from = wal.open();
    const alert: AlertEvent = {
      id: 'a1',
      ts: T0,
      rigId: 'r',
      cellId: 'c',
      kind: 'hard-short',
      severity: 'critical',
      state: 'raised',
      source: 'physics',
      message: 'short',
      evidence: { shortResistance_ohm: 0.1 },
    };
    wal.appendAlert(alert);
    wal.flush();
    const read = wal.read(from, 10);
    expect(read.alerts).toEqual([alert]);
    expect(read.samples.length).toBe(0);
    wal.close();
  });

  it('reports full past maxBytes with a warning, and not after the store caught up', () => {
    const warnings: string[] = [];
    const wal = new WriteAheadLog({
      dir,
      maxBytes: 2000,
      fsyncInterval_ms: 0,
      warn: (m) => warnings.push(m),
    });
    const from = wal.open();
    while (!wal.isFull) {
      wal.appendSamples('rig', 'a', [sample(1)]);
      wal.flush();
    }
    expect(warnings.some((w) => /\d+% full/.test(w))).toBe(true);
    expect(warnings.some((w) => /full .*no longer acknowledging/.test(w))).toBe(true);
    const { end } = samplesIn(wal, from);
    wal.commit(end);
    expect(wal.isFull).toBe(false);
    expect(wal.unstoredBytes).toBe(0);
    wal.close();
  });

  it('fsyncs in groups on its timer', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 5 });
    wal.open();
    wal.appendSamples('rig', 'a', [sample(1)]);
    wal.flush();
    for (let k = 0; k < 200 && wal.fsyncCount === 0; k++) await new Promise((r) => setTimeout(r, 5));
    expect(wal.fsyncCount).toBeGreaterThan(0);
    wal.close();
  });
});
