import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configTopic,
  defaultCellConfig,
  telemetryTopic,
  type AlertEvent,
  type CellConfig,
  type RejectedMessage,
  type SafetyCommand,
  type Sample,
  type StateMessage,
} from '#contracts';
import type { DetectorResult } from '../detection/detector.js';
import type { DeadLetter } from '../dead-letters/dead-letter-file.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { TelemetryIntake, type IngestOutput } from './telemetry-intake.js';

const T0 = Date.UTC(2026, 0, 1);

class Outputs implements IngestOutput {
  states: StateMessage[] = [];
  alerts: AlertEvent[] = [];
  rejected: { rigId: string; cellId: string; message: RejectedMessage }[] = [];
  publishState(state: StateMessage): void {
    this.states.push(state);
  }
  publishAlert(alert: AlertEvent): void {
    this.alerts.push(alert);
  }
  publishRejected(rigId: string, cellId: string, message: RejectedMessage): void {
    this.rejected.push({ rigId, cellId, message });
  }
  commands: { topic: string; command: SafetyCommand; alertsBefore: number }[] = [];
  publishCommand(topic: string, command: SafetyCommand): void {
    this.commands.push({ topic, command, alertsBefore: this.alerts.length });
  }
}

const logger = {
  warnings: [] as string[],
  lines: [] as string[],
  warn(m: string) {
    this.warnings.push(m);
  },
  error() {},
  log(m: string) {
    this.lines.push(m);
  },
};

/** Warns while i is above the cell's `limit_A` threshold (default 1 A). */
const factory = (config: CellConfig) => ({
  update: (s: Sample): DetectorResult => ({
    estimates: {},
    findings:
      s.i > (config.thresholds.limit_A ?? 1)
        ? [
            {
              kind: 'sand-depletion' as const,
              level: 'warning' as const,
              message: 'high',
              evidence: { i: s.i },
            },
          ]
        : [],
  }),
});

describe('TelemetryIntake', () => {
  let dir: string;
  let wal: WriteAheadLog;
  let out: Outputs;
  let now: number;
  let intake: TelemetryIntake;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-intake-'));
    wal = new WriteAheadLog({ dir, maxBytes: 1 << 24, fsyncInterval_ms: 0 });
    wal.open();
    out = new Outputs();
    now = 1_000_000;
    logger.warnings = [];
    logger.lines = [];
    intake = new TelemetryIntake(wal, out, factory, logger, {
      now: () => now,
      configHold_ms: 5000,
      tracker: { alerts: { clearHold_ms: 0, clearHoldSamples: 1 } },
    });
    // Most cells here are configured; the hold for unconfigured ones has its own tests.
    for (const cellId of ['a', 'b', 'c'])
      intake.loadConfigs([{ ...defaultCellConfig('rig', cellId), thresholds: {} }]);
  });
  afterEach(() => {
    wal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const send = (rig: string, cell: string, payload: unknown) => {
    const buf = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const work = intake.accept(telemetryTopic(rig, cell), buf);
    if (work) intake.detect(work);
    wal.flush();
  };
  const walSamples = () => {
    const found: { cellId: string; seq: number | undefined }[] = [];
    let pos = { segment: 0, offset: 0 };
    for (;;) {
      const { samples, end } = wal.read(pos, 10_000);
      if (samples.length === 0) return found;
      for (const s of samples.toSamples()) found.push({ cellId: s.cellId, seq: s.seq });
      pos = end;
    }
  };
  const good = (seq: number, i = 0.1) => ({ ts: T0 + seq * 100, v: 0.01, i, seq });

  it('publishes one safety stop per alert of a kind in safety.stopOn, before the alert, and records it on every later event', () => {
    intake.loadConfigs([
      {
        ...defaultCellConfig('rig', 'a'),
        thresholds: {},
        safety: { stopOn: ['sand-depletion'], minSeverity: 'warning' },
      },
    ]);
    send('rig', 'a', [good(1, 2), good(2, 2), good(3, 2)]); // raised (warning), still open
    send('rig', 'b', [good(1, 2)]); // no safety configuration: no command
    now += 10;
    send('rig', 'a', [good(4, 0.1)]); // cleared
    send('rig', 'a', [good(5, 2)]); // a new alert: a new stop
    expect(out.commands.map((c) => c.topic)).toEqual([
      'sandglass/v1/rig/a/command',
      'sandglass/v1/rig/a/command',
    ]);
    const [first, second] = out.commands;
    // The command leaves before the alert event that reports it.
    expect(first!.alertsBefore).toBe(0);
    const aAlerts = out.alerts.filter((e) => e.cellId === 'a');
    expect(aAlerts.map((e) => [e.state, e.id === first!.command.alertId])).toEqual([
      ['raised', true],
      ['cleared', true],
      ['raised', false],
    ]);
    expect(first!.command).toMatchObject({ action: 'stop', ts: 1_000_000 });
    expect(first!.command.reason).toMatch(/^warning sand-depletion: high/);
    expect(second!.command.alertId).toBe(aAlerts[2]!.id);
    for (const event of aAlerts.slice(0, 2))
      expect(event.safetyStop).toEqual({ ts: 1_000_000, topic: 'sandglass/v1/rig/a/command' });
    expect(out.alerts.find((e) => e.cellId === 'b')!.safetyStop).toBeUndefined();
    expect(intake.counters.safetyStops).toBe(2);
    expect(logger.warnings.filter((w) => w.startsWith('SAFETY STOP rig/a'))).toHaveLength(2);
  });

  it('keeps each refused message once in the dead letters, with the refused elements of an array', () => {
    const letters: DeadLetter[] = [];
    intake = new TelemetryIntake(wal, out, factory, logger, {
      now: () => now,
      deadLetters: { add: (l) => letters.push(l) },
    });
    send('rig', 'a', [good(1), { ts: T0, v: 'x', i: 0 }, good(2), { ts: T0, i: 0 }]);
    send('rig', 'b', 'not json');
    intake.accept('sandglass/v1/rig/b/telemetry/extra', Buffer.from('{}'));
    expect(letters.map((l) => [l.topic, l.reason, l.rejected?.map((r) => r.index)])).toEqual([
      [telemetryTopic('rig', 'a'), 'bad-type', [1, 3]],
      [telemetryTopic('rig', 'b'), 'bad-json', undefined],
      ['sandglass/v1/rig/b/telemetry/extra', 'bad-topic', undefined],
    ]);
    expect(letters[1]!.payload).toBe('not json');
    expect(walSamples().map((s) => s.seq)).toEqual([1, 2]);
  });

  it('keeps good samples of mixed arrays and rejects each bad class with its reason', () => {
    send('rig', 'a', [good(1), { ts: T0, v: 'x', i: 0 }, good(2), { ts: T0, i: 0 }, good(3)]);
    send('rig', 'b', 'not json');
    send('rig', 'b', []);
    send('rig', 'b', 42);
    send('rig', 'b', { ts: 5, v: 0, i: 0 });
    send('rig', 'b', { ts: T0, v: 1e9, i: 0 });
    send('rig', 'b', good(7));
    expect(walSamples()).toEqual([
      { cellId: 'a', seq: 1 },
      { cellId: 'a', seq: 2 },
      { cellId: 'a', seq: 3 },
      { cellId: 'b', seq: 7 },
    ]);
    expect(Object.fromEntries(intake.counters.rejected)).toEqual({
      'bad-type': 1,
      'missing-field': 1,
      'bad-json': 1,
      empty: 1,
      'not-object': 1,
      'ts-out-of-range': 1,
      'out-of-range': 1,
    });
    expect(out.rejected[0]).toEqual({
      rigId: 'rig',
      cellId: 'a',
      message: expect.objectContaining({ reason: 'bad-type', index: 1, receivedAt: now }) as unknown,
    });
    expect(out.rejected.find((r) => r.message.reason === 'bad-json')?.message.payload).toBe('not json');
    expect(intake.counters.samplesAccepted).toBe(4);
  });

  it('cuts the payload of a rejection to 1 KiB', () => {
    send('rig', 'a', 'x'.repeat(5000));
    expect(out.rejected[0]!.message.payload).toHaveLength(1024);
  });

  it('rate-limits rejection messages per cell but counts all, and the flood does not touch other cells', () => {
    for (let k = 0; k < 500; k++) send('rig', 'flood', '{');
    send('rig', 'quiet', '{');
    send('rig', 'quiet', good(1));
    expect(intake.counters.rejected.get('bad-json')).toBe(501);
    expect(out.rejected.filter((r) => r.cellId === 'flood')).toHaveLength(20);
    expect(out.rejected.filter((r) => r.cellId === 'quiet')).toHaveLength(1);
    expect(walSamples()).toEqual([{ cellId: 'quiet', seq: 1 }]);
  });

  it("stores another process's cell (storeOnly) without judging it, tracking it or sequencing it", () => {
    const store = (payload: unknown) => {
      const n = intake.storeOnly(telemetryTopic('rig', 'b'), Buffer.from(JSON.stringify(payload)));
      wal.flush();
      return n;
    };
    expect(store([good(1, 2), good(2, 2), { ts: 'bad' }])).toBe(2);
    // A repeated sample goes to the WAL again: the store keeps one point per cell and time.
    expect(store([good(2, 2)])).toBe(1);
    expect(walSamples()).toEqual([
      { cellId: 'b', seq: 1 },
      { cellId: 'b', seq: 2 },
      { cellId: 'b', seq: 2 },
    ]);
    expect(intake.cell('rig', 'b')).toBeUndefined();
    expect(out.alerts).toEqual([]);
    expect(out.states).toEqual([]);
    expect(intake.counters.samplesAccepted).toBe(3);
  });

  it('drops duplicate seqs before the WAL', () => {
    send('rig', 'a', [good(1), good(2)]);
    send('rig', 'a', [good(2), good(3)]);
    expect(walSamples().map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(intake.counters.duplicates).toBe(1);
  });

  it("holds an unconfigured cell's samples, then judges them with the defaults after the hold, warning once", () => {
    send('rig', 'new', good(1, 2));
    send('rig', 'new', good(2, 2));
    expect(out.alerts).toEqual([]);
    expect(out.states).toEqual([]);
    now += 5000;
    send('rig', 'new', good(3, 2));
    expect(logger.warnings.filter((w) => /default configuration/.test(w))).toHaveLength(1);
    // Raised at the data time of the first held sample, as if monitored from the start.
    expect(out.alerts.map((a) => [a.state, a.ts])).toEqual([['raised', T0 + 100]]);
    const config = { ...defaultCellConfig('rig', 'new'), thresholds: { limit_A: 5 } };
    intake.applyConfig(configTopic('rig', 'new'), Buffer.from(JSON.stringify(config)));
    send('rig', 'new', good(4, 2));
    expect(out.alerts.map((a) => a.state)).toEqual(['raised', 'cleared']);
    // Alerts go to the WAL too, so they are stored even if the process dies right after.
    expect(wal.read({ segment: 0, offset: 0 }, 100_000).alerts).toHaveLength(2);
  });

  it('gives the same alerts whether the configuration comes before or after the first samples', () => {
    const config = (cellId: string) => ({
      ...defaultCellConfig('rig', cellId),
      thresholds: { limit_A: 0.5 },
    });
    const stream = [good(1, 0.1), good(2, 2), good(3, 2), good(4, 0.1), good(5, 0.1)];
    intake.applyConfig(configTopic('rig', 'before'), Buffer.from(JSON.stringify(config('before'))));
    for (const sample of stream) send('rig', 'before', sample);
    send('rig', 'after', stream.slice(0, 3));
    expect(out.alerts.filter((a) => a.cellId === 'after')).toEqual([]);
    intake.applyConfig(configTopic('rig', 'after'), Buffer.from(JSON.stringify(config('after'))));
    for (const sample of stream.slice(3)) send('rig', 'after', sample);
    const seen = (cellId: string) =>
      out.alerts.filter((a) => a.cellId === cellId).map((a) => [a.kind, a.severity, a.state, a.ts]);
    expect(seen('before')).toEqual([
      ['sand-depletion', 'warning', 'raised', T0 + 200],
      ['sand-depletion', 'warning', 'cleared', T0 + 400],
    ]);
    expect(seen('after')).toEqual(seen('before'));
    expect(logger.warnings.some((w) => /default configuration/.test(w))).toBe(false);
  });

  it('releases samples held for an overdue configuration on the periodic tick', () => {
    send('rig', 'quiet', good(1, 2));
    intake.releaseOverdue();
    expect(out.alerts).toEqual([]);
    now += 5000;
    intake.releaseOverdue();
    expect(out.alerts.map((a) => [a.cellId, a.state])).toEqual([['quiet', 'raised']]);
  });

  it('ignores a configuration for another cell than its topic', () => {
    const config = { ...defaultCellConfig('rig', 'b'), thresholds: { limit_A: 5 } };
    intake.applyConfig(configTopic('rig', 'a'), Buffer.from(JSON.stringify(config)));
    expect(logger.warnings.some((w) => /invalid configuration/.test(w))).toBe(true);
  });

  it('restores open alerts and records acknowledgements from the api', () => {
    send('rig', 'a', good(1, 2));
    const [raised] = out.alerts;
    const other = new TelemetryIntake(wal, new Outputs(), factory, logger);
    other.loadConfigs([defaultCellConfig('rig', 'a')]);
    other.restoreAlerts([raised!]);
    other.applyAlert(
      Buffer.from(JSON.stringify({ ...raised!, state: 'acknowledged', acknowledgedBy: 'op' })),
    );
    // The ack arrived before the cell's first sample in this process: restored alerts still get it.
    other.accept(telemetryTopic('rig', 'a'), Buffer.from(JSON.stringify(good(2, 2))));
    expect(other.cell('rig', 'a')!.alerts.openAlerts).toMatchObject([
      { id: raised!.id, state: 'acknowledged', acknowledgedBy: 'op' },
    ]);
  });

  it('publishes state at most once per second of data time per cell', () => {
    for (let k = 0; k < 30; k++) send('rig', 'a', good(k));
    expect(out.states.map((s) => s.ts - T0)).toEqual([0, 1000, 2000]);
    expect(out.states[2]).toMatchObject({ rigId: 'rig', cellId: 'a', samples: 21, run: 0, risk: 'ok' });
  });

  it('counts a message on a topic that is not a telemetry topic as bad-topic', () => {
    intake.accept('sandglass/v1/bad id/x/telemetry', Buffer.from('{}'));
    expect(intake.counters.rejected.get('bad-topic')).toBe(1);
  });

  it('reports a telemetry topic with extra levels on the rejected topic of the cell it names', () => {
    intake.accept('sandglass/v1/rig/a/extra/telemetry', Buffer.from(JSON.stringify(good(1))));
    intake.accept('sandglass/v1/rig/telemetry', Buffer.from(JSON.stringify(good(1))));
    expect(intake.counters.rejected.get('bad-topic')).toBe(2);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]).toMatchObject({ rigId: 'rig', cellId: 'a', message: { reason: 'bad-topic' } });
    expect(out.rejected[0]!.message.detail).toContain('sandglass/v1/rig/a/extra/telemetry');
  });

  it('logs a few "new run" lines per cell when data time jumps back and forth, then one a minute', () => {
    const day = 24 * 3600_000;
    for (let k = 0; k < 40; k++) send('rig', 'a', { ts: T0 + (k % 2) * day + k, v: 0.01, i: 0.1 });
    const runLines = () => logger.lines.filter((l) => l.includes('new run'));
    expect(intake.counters.newRuns).toBeGreaterThanOrEqual(19);
    expect(runLines()).toHaveLength(3);
    now += 61_000;
    send('rig', 'a', { ts: T0 + 100, v: 0.01, i: 0.1 });
    expect(runLines()).toHaveLength(4);
    expect(runLines()[3]).toMatch(/new runs since the last line/);
  });
});
