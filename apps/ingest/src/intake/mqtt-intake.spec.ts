import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { IPublishPacket } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TelemetrySink } from '#broker';
import { configTopic, defaultCellConfig, telemetryTopic, type CellConfig, type Sample } from '#contracts';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { MqttIntake, type PacketHandler, type PacketSource } from './mqtt-intake.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet = { warn() {}, error() {}, log() {} };
const none = { publishState() {}, publishAlert() {}, publishRejected() {}, publishCommand() {} };
const noDetector = () => ({ update: () => ({ estimates: {}, findings: [] }) });

/** A socket that records the bytes that leave it, and how many writes carried them. */
class RecordingSocket extends Writable {
  bytes = Buffer.alloc(0);
  writes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.bytes = Buffer.concat([this.bytes, chunk]);
    this.writes++;
    done();
  }
}

/** The message ids of the PUBACK packets in `bytes` (4 bytes each: 0x40, 2, id). */
function pubackIds(bytes: Buffer): number[] {
  const ids: number[] = [];
  for (let o = 0; o < bytes.length; o += 4) {
    expect([bytes[o], bytes[o + 1]]).toEqual([0x40, 2]);
    ids.push(bytes.readUInt16BE(o + 2));
  }
  return ids;
}

/**
 * Stands in for the broker connection. `deliver` plays mqtt.js (handlers/publish.js): a callback without
 * an error writes the PUBACK, a callback with one writes none and moves on.
 */
class FakeConnection implements PacketSource {
  stream = new RecordingSocket() as unknown as PacketSource['stream'];
  handler: PacketHandler | undefined;
  start(handler: PacketHandler): void {
    this.handler = handler;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  deliver(seq: number, cellId = 'c1'): { calledBack: () => boolean } {
    let calledBack = false;
    const packet = {
      cmd: 'publish',
      topic: telemetryTopic('rig', cellId),
      payload: Buffer.from(JSON.stringify({ ts: T0 + seq, v: 0, i: 0, seq })),
      qos: 1,
      messageId: seq + 1,
    } as unknown as IPublishPacket;
    this.handler!(packet, (error) => {
      calledBack = true;
      if (!error) this.stream!.write(Buffer.from([0x40, 2, 0, seq + 1]));
    });
    return { calledBack: () => calledBack };
  }
  get socket(): RecordingSocket {
    return this.stream as unknown as RecordingSocket;
  }
  get acked(): number[] {
    return pubackIds(this.socket.bytes);
  }
}

/** Stands in for the embedded broker: `publish` plays a rig's QoS 1 PUBLISH handed to ingest's sink. */
class FakeEmbeddedBroker {
  sink: TelemetrySink | undefined;
  setTelemetrySink(sink: TelemetrySink | undefined): void {
    this.sink = sink;
  }
  publish(seq: number): { done: () => boolean; error: () => Error | null | undefined } {
    let done = false;
    let error: Error | null | undefined;
    this.sink!(
      {
        topic: telemetryTopic('rig', 'c1'),
        payload: Buffer.from(JSON.stringify({ ts: T0 + seq, v: 0, i: 0, seq })),
        qos: 1,
      },
      (e) => {
        done = true;
        error = e;
      },
    );
    return { done: () => done, error: () => error };
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MqttIntake', () => {
  let dir: string;
  let wal: WriteAheadLog;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-mqtt-intake-'));
  });
  afterEach(() => {
    wal.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function setup(maxBytes = 1 << 20, stored: Map<string, CellConfig> = new Map()) {
    wal = new WriteAheadLog({ dir, maxBytes, fsyncInterval_ms: 0 });
    const start = wal.open();
    const connection = new FakeConnection();
    const broker = new FakeEmbeddedBroker();
    const flushes: number[] = [];
    const telemetry = new TelemetryIntake(wal, none, noDetector, quiet);
    const applied: string[] = [];
    const applyConfig = telemetry.applyConfig.bind(telemetry);
    telemetry.applyConfig = (topic, payload) => {
      applied.push(payload.toString());
      applyConfig(topic, payload);
    };
    const intake = new MqttIntake(
      connection,
      telemetry,
      wal,
      quiet,
      () => flushes.push(Date.now()),
      broker,
      (rigId, cellId) => Promise.resolve(stored.get(`${rigId}/${cellId}`) ?? null),
    );
    // Whole bursts in one turn, however slow the machine; the budget has tests of its own.
    intake.turnBudget_ms = Infinity;
    intake.start();
    const walSeqs = () =>
      wal
        .read(start, 1000)
        .samples.toSamples()
        .map((s) => s.seq);
    return { connection, broker, intake, walSeqs, flushes, start, applied };
  }

  function configMessage(cellId: string, body: unknown, retain = true): IPublishPacket {
    return {
      cmd: 'publish',
      topic: configTopic('rig', cellId),
      payload: Buffer.from(JSON.stringify(body)),
      qos: 1,
      retain,
      messageId: 77,
    } as unknown as IPublishPacket;
  }

  it('applies the stored configuration, never a forged one, whatever a config message carries', async () => {
    const stored = { ...defaultCellConfig('rig', 'c1'), electrodeArea_cm2: 2 };
    const { connection, intake, applied } = setup(1 << 20, new Map([['rig/c1', stored]]));
    const forged = { ...stored, electrodeArea_cm2: 1000 };
    connection.handler!(configMessage('c1', forged), () => undefined);
    connection.handler!(configMessage('c2', defaultCellConfig('rig', 'c2')), () => undefined);
    await expect.poll(() => intake.configsIgnored).toBe(2);
    expect(applied.map((a) => (JSON.parse(a) as CellConfig).electrodeArea_cm2)).toEqual([2]);
    // The api's own message (the stored configuration) is applied without complaint.
    connection.handler!(configMessage('c1', stored, false), () => undefined);
    await expect.poll(() => applied.length).toBe(2);
    expect(intake.configsIgnored).toBe(2);
  });

  it('lets the embedded broker acknowledge in-process telemetry only after the WAL write', async () => {
    const { broker, walSeqs } = setup();
    const sent = [0, 1, 2].map((seq) => broker.publish(seq));
    expect(sent.map((s) => s.done())).toEqual([false, false, false]);
    expect(walSeqs()).toEqual([]);
    await tick();
    expect(walSeqs()).toEqual([0, 1, 2]);
    expect(sent.map((s) => s.done())).toEqual([true, true, true]);
    expect(sent.map((s) => s.error())).toEqual([undefined, undefined, undefined]);
  });

  it('holds in-process telemetry while the WAL is full, in order, and lets it in once there is room', async () => {
    const { broker, walSeqs, start } = setup(300);
    let k = 0;
    while (!wal.isFull) {
      broker.publish(k++);
      await tick();
    }
    const held = [broker.publish(k), broker.publish(k + 1)];
    await tick();
    expect(held.map((h) => h.done())).toEqual([false, false]);
    wal.commit(wal.read(start, 1000).end);
    for (let n = 0; n < 100 && !held[1]!.done(); n++) await new Promise((r) => setTimeout(r, 10));
    expect(held.map((h) => h.done())).toEqual([true, true]);
    expect(walSeqs().slice(-2)).toEqual([k, k + 1]);
  });

  it('detaches from the embedded broker on stop: later telemetry is never acknowledged by ingest', async () => {
    const { broker, intake } = setup();
    await intake.stop();
    expect(broker.sink).toBeUndefined();
  });

  it('lets PUBACKs leave the socket only after their messages are written to the WAL, in one group', async () => {
    const { connection, walSeqs, flushes } = setup();
    const delivered = [0, 1, 2, 3, 4].map((seq) => connection.deliver(seq));
    // mqtt.js was called back (so it moves on to the next packet), but nothing left the socket…
    expect(delivered.every((d) => d.calledBack())).toBe(true);
    expect(connection.acked).toEqual([]);
    expect(walSeqs()).toEqual([]);
    await tick();
    // …until the group write: then the WAL holds all five and their PUBACKs go out in order, in one write.
    expect(walSeqs()).toEqual([0, 1, 2, 3, 4]);
    expect(connection.acked).toEqual([1, 2, 3, 4, 5]);
    expect(connection.socket.writes).toBe(1);
    expect(flushes).toHaveLength(1);
  });

  it('sends waiting telemetry PUBACKs before mqtt.js acknowledges a configuration message', async () => {
    const { connection, walSeqs } = setup();
    connection.deliver(0);
    connection.deliver(1);
    const config = {
      cmd: 'publish',
      topic: configTopic('rig', 'c1'),
      payload: Buffer.from('{}'),
      qos: 1,
      messageId: 50,
    } as unknown as IPublishPacket;
    connection.handler!(config, () => connection.stream!.write(Buffer.from([0x40, 2, 0, 50])));
    // MQTT wants PUBACKs in the order the messages came: the WAL write and the two PUBACKs go first.
    expect(walSeqs()).toEqual([0, 1]);
    expect(connection.acked).toEqual([1, 2, 50]);
    await tick();
  });

  it('withholds the acknowledgement while the WAL is full and gives it once the store caught up', async () => {
    const { connection, intake, walSeqs, start } = setup(300);
    let k = 0;
    while (!wal.isFull) {
      connection.deliver(k++);
      await tick();
    }
    const held = connection.deliver(k);
    await tick();
    // Not called back: mqtt.js reads no further packet, and no PUBACK left for it.
    expect(held.calledBack()).toBe(false);
    expect(intake.holding).toBe(true);
    expect(connection.acked).not.toContain(k + 1);
    // The drainer stores everything and commits: room again.
    wal.commit(wal.read(start, 1000).end);
    for (let n = 0; n < 100 && !held.calledBack(); n++) await new Promise((r) => setTimeout(r, 10));
    expect(held.calledBack()).toBe(true);
    await tick();
    expect(walSeqs()).toContain(k);
    expect(connection.acked).toContain(k + 1);
  });

  it('takes in-process telemetry past the turn budget in later turns, in order, each after its WAL write', async () => {
    const { broker, intake, walSeqs } = setup();
    intake.turnBudget_ms = 0; // every message spends a whole turn
    const sent = [0, 1, 2].map((seq) => broker.publish(seq));
    await tick();
    // Message 2 waits for a turn of its own: not in the WAL, not acknowledged.
    expect(walSeqs()).not.toContain(2);
    expect(sent[2]!.done()).toBe(false);
    for (let n = 0; n < 10 && !sent[2]!.done(); n++) await tick();
    expect(walSeqs()).toEqual([0, 1, 2]);
    expect(sent.map((s) => [s.done(), s.error()])).toEqual([
      [true, undefined],
      [true, undefined],
      [true, undefined],
    ]);
  });

  it('holds an MQTT message past the turn budget unacknowledged until the next turn', async () => {
    const { connection, intake, walSeqs } = setup();
    intake.turnBudget_ms = 0;
    expect(connection.deliver(0).calledBack()).toBe(true);
    // Not called back: mqtt.js reads no further packet until the next turn takes this one.
    const second = connection.deliver(1);
    expect(second.calledBack()).toBe(false);
    for (let n = 0; n < 10 && !second.calledBack(); n++) await tick();
    expect(second.calledBack()).toBe(true);
    await tick();
    expect(walSeqs()).toEqual([0, 1]);
    expect(connection.acked).toEqual([1, 2]);
  });

  it('judges the samples a configuration releases in turns of their own, unasked', async () => {
    wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    wal.open();
    const judged: number[] = [];
    const detector = () => ({
      update: (s: Sample) => {
        judged.push(s.seq!);
        return { estimates: {}, findings: [] };
      },
    });
    const telemetry = new TelemetryIntake(wal, none, detector, quiet, {
      tracker: { releaseSlice_samples: 1 },
    });
    const broker = new FakeEmbeddedBroker();
    const intake = new MqttIntake(new FakeConnection(), telemetry, wal, quiet, () => undefined, broker);
    intake.turnBudget_ms = 0;
    intake.start();
    // The cell has no configuration yet: its samples are held.
    const sent = [0, 1, 2, 3].map((seq) => broker.publish(seq));
    for (let n = 0; n < 10 && !sent[3]!.done(); n++) await tick();
    expect(judged).toEqual([]);
    telemetry.applyConfig(
      configTopic('rig', 'c1'),
      Buffer.from(JSON.stringify(defaultCellConfig('rig', 'c1'))),
    );
    expect(judged).toEqual([]);
    expect(telemetry.hasBacklog).toBe(true);
    await tick();
    expect(judged).toEqual([0]); // one step per turn: the budget is spent by the first
    for (let n = 0; n < 10 && telemetry.hasBacklog; n++) await tick();
    expect(judged).toEqual([0, 1, 2, 3]);
    await intake.stop();
  });

  it('acknowledges nothing after stop', async () => {
    const { connection, intake } = setup();
    await intake.stop();
    const late = connection.deliver(1);
    await tick();
    expect(late.calledBack()).toBe(false);
    expect(connection.acked).toEqual([]);
  });
});
