import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '#contracts';
import { asColumns, type CellSample, type SampleColumns } from '#store';
import { WalDrainer, type DrainSink } from './wal-drainer.js';
import { WriteAheadLog } from './write-ahead-log.js';
import { until as waitUntil } from '../../../../test/support/until.js';

const T0 = Date.UTC(2026, 0, 1);

/** In-memory store that can be switched off, like an InfluxDB that went away. */
class FakeSink implements DrainSink {
  samples: CellSample[] = [];
  alerts: AlertEvent[] = [];
  down = false;
  failures = 0;
  writeSamples(samples: readonly CellSample[] | SampleColumns): Promise<void> {
    if (this.down) {
      this.failures++;
      return Promise.reject(new Error('store down'));
    }
    this.samples.push(...asColumns(samples).toSamples());
    return Promise.resolve();
  }
  writeAlerts(alerts: readonly AlertEvent[]): Promise<void> {
    if (this.down) return Promise.reject(new Error('store down'));
    this.alerts.push(...alerts);
    return Promise.resolve();
  }
}

const until = (condition: () => boolean, what: string) => waitUntil(condition, what, 5_000, 5);

describe('WalDrainer', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-drain-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** What a drainer on the reopened log stores, once it has stored `count` samples. */
  const replayAfterRestart = async (count: number): Promise<CellSample[]> => {
    const again = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    again.open();
    const fresh = new FakeSink();
    const replayer = new WalDrainer(again, fresh);
    replayer.start();
    await until(() => fresh.samples.length >= count, 'the replay after a restart');
    await replayer.stop();
    again.close();
    return fresh.samples;
  };

  const append = (wal: WriteAheadLog, from: number, to: number, cellId = 'a'): void => {
    for (let k = from; k < to; k++) wal.appendSamples('rig', cellId, [{ ts: T0 + k, v: 1, i: 0.1, seq: k }]);
    wal.flush();
  };

  it('stores everything in order in batches and commits the checkpoint', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsyncInterval_ms: 0 });
    wal.open();
    const sink = new FakeSink();
    const batches: number[] = [];
    const drainer = new WalDrainer(wal, sink, { maxBatchSamples: 100 }, { stored: (n) => batches.push(n) });
    drainer.start();
    append(wal, 0, 450);
    drainer.notify();
    await until(() => sink.samples.length === 450, 'all samples stored');
    expect(sink.samples.map((s) => s.seq)).toEqual(Array.from({ length: 450 }, (_, k) => k));
    expect(sink.samples[0]).toMatchObject({ rigId: 'rig', cellId: 'a', ts: T0, v: 1, i: 0.1 });
    expect(Math.max(...batches)).toBeLessThanOrEqual(100);
    expect(wal.unstoredBytes).toBe(0);
    await drainer.stop();
    wal.close();
  });

  it('keeps the log while the store is down and stores each sample exactly once when it returns', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const sink = new FakeSink();
    sink.down = true;
    const drainer = new WalDrainer(wal, sink, { maxBatchSamples: 50, retryMin_ms: 1, retryMax_ms: 4 });
    drainer.start();
    append(wal, 0, 200);
    drainer.notify();
    await until(() => sink.failures >= 3, 'retries');
    expect(drainer.storeFailing).toBe(true);
    expect(wal.unstoredBytes).toBeGreaterThan(0);
    append(wal, 200, 300);
    sink.down = false;
    await until(() => sink.samples.length >= 300, 'catch-up');
    // Two writes may be in flight when the store goes away, so arrival order can differ by a batch.
    expect(sink.samples.map((s) => s.seq!).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, k) => k),
    );
    expect(drainer.storeFailing).toBe(false);
    await drainer.stop();
    wal.close();
  });

  it('replays what was not stored after a restart', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const sink = new FakeSink();
    const drainer = new WalDrainer(wal, sink, { maxBatchSamples: 1000 });
    drainer.start();
    append(wal, 0, 100);
    drainer.notify();
    await until(() => sink.samples.length === 100, 'first part');
    sink.down = true;
    append(wal, 100, 180, 'b');
    drainer.notify();
    await until(() => sink.failures > 0, 'a failed write');
    await drainer.stop();
    wal.close();

    const replayed = await replayAfterRestart(80);
    expect(replayed.map((s) => s.seq)).toEqual(Array.from({ length: 80 }, (_, k) => 100 + k));
    expect(replayed.every((s) => s.cellId === 'b')).toBe(true);
  });

  it('stops within its bound when the store never answers, and the unanswered batch is stored at the next start', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const hanging: DrainSink = {
      writeSamples: () => new Promise(() => undefined),
      writeAlerts: () => new Promise(() => undefined),
    };
    const drainer = new WalDrainer(wal, hanging, { maxBatchDelay_ms: 0 });
    drainer.start();
    append(wal, 0, 50);
    drainer.notify();
    const started = performance.now();
    await drainer.stop(200, 100);
    // Bounded by drainFor + settle, not by the store (generous: the machine may be slow, the store never answers).
    expect(performance.now() - started).toBeLessThan(5000);
    wal.close();

    expect(await replayAfterRestart(50)).toHaveLength(50);
  });

  it('skips a batch the store refuses as data, but keeps retrying refused credentials', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const sink = new FakeSink();
    let answer: { retryable: boolean; status: number } | undefined = { retryable: false, status: 400 };
    const original = sink.writeSamples.bind(sink);
    sink.writeSamples = (samples) => {
      if (!answer) return original(samples);
      sink.failures++;
      return Promise.reject(Object.assign(new Error('refused'), answer));
    };
    const refused: number[] = [];
    const drainer = new WalDrainer(
      wal,
      sink,
      { maxBatchSamples: 10, maxBatchDelay_ms: 0, retryMin_ms: 1, retryMax_ms: 2 },
      { refused: (_e, samples) => refused.push(samples.length) },
    );
    drainer.start();
    append(wal, 0, 10);
    drainer.notify();
    await until(() => refused.length === 1, 'the refused batch');
    expect(drainer.refusedSamples).toBe(10);
    answer = { retryable: false, status: 401 };
    append(wal, 10, 20);
    drainer.notify();
    await until(() => sink.failures >= 4, 'retries on 401');
    expect(drainer.storeFailing).toBe(true);
    answer = undefined;
    await until(() => sink.samples.length === 10, 'stored after credentials fixed');
    expect(sink.samples.map((s) => s.seq)).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    await drainer.stop();
    wal.close();
  });

  it('stores alert records with writeAlerts', async () => {
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const sink = new FakeSink();
    const drainer = new WalDrainer(wal, sink);
    drainer.start();
    const alert: AlertEvent = {
      id: 'x',
      ts: T0,
      rigId: 'rig',
      cellId: 'a',
      kind: 'thermal',
      severity: 'warning',
      state: 'raised',
      source: 'physics',
      message: 'hot',
      evidence: {},
    };
    wal.appendAlert(alert);
    wal.flush();
    drainer.notify();
    await until(() => sink.alerts.length === 1, 'alert stored');
    expect(sink.alerts[0]).toEqual(alert);
    await drainer.stop();
    wal.close();
  });
});
