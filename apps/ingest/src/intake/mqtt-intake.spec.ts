import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { IPublishPacket } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '#contracts';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { MqttIntake, type PacketHandler, type PacketSource } from './mqtt-intake.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet = { warn() {}, error() {}, log() {} };
const none = { publishState() {}, publishAlert() {}, publishRejected() {} };
const noDetector = () => ({ update: () => ({ estimates: {}, findings: [] }) });

/** A socket that records what actually leaves it (writes held by cork() do not). */
class RecordingSocket extends Writable {
  sent: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.sent.push(chunk.toString());
    done();
  }
  override _writev(chunks: { chunk: Buffer }[], done: () => void): void {
    for (const { chunk } of chunks) this.sent.push(chunk.toString());
    done();
  }
}

/** Stands in for the broker connection; `deliver` plays mqtt.js: the callback writes the PUBACK. */
class FakeConnection implements PacketSource {
  stream = new RecordingSocket() as unknown as PacketSource['stream'];
  handler: PacketHandler | undefined;
  start(handler: PacketHandler): void {
    this.handler = handler;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  deliver(seq: number, cellId = 'c1'): { acked: () => boolean } {
    let acked = false;
    const packet = {
      cmd: 'publish',
      topic: telemetryTopic('rig', cellId),
      payload: Buffer.from(JSON.stringify({ ts: T0 + seq, v: 0, i: 0, seq })),
      qos: 1,
      messageId: seq + 1,
    } as unknown as IPublishPacket;
    this.handler!(packet, () => {
      acked = true;
      this.stream!.write(`puback ${seq + 1}`);
    });
    return { acked: () => acked };
  }
  get sent(): string[] {
    return (this.stream as unknown as RecordingSocket).sent;
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

  function setup(maxBytes = 1 << 20) {
    wal = new WriteAheadLog({ dir, maxBytes, fsyncInterval_ms: 0 });
    const start = wal.open();
    const connection = new FakeConnection();
    const flushes: number[] = [];
    const intake = new MqttIntake(
      connection,
      new TelemetryIntake(wal, none, noDetector, quiet),
      wal,
      quiet,
      () => flushes.push(Date.now()),
    );
    intake.start();
    const walSeqs = () =>
      wal.read(start, 1000).records.flatMap((r) => (r.type === 'samples' ? r.samples.map((s) => s.seq) : []));
    return { connection, intake, walSeqs, flushes, start };
  }

  it('lets PUBACKs leave the socket only after their messages are written to the WAL, in one group', async () => {
    const { connection, walSeqs, flushes } = setup();
    for (let seq = 0; seq < 5; seq++) connection.deliver(seq);
    // mqtt.js was called back (so it moves on to the next packet), but nothing left the socket…
    expect(connection.sent).toEqual([]);
    expect(walSeqs()).toEqual([]);
    await tick();
    // …until the group write: then the WAL holds all five and their PUBACKs go out.
    expect(walSeqs()).toEqual([0, 1, 2, 3, 4]);
    expect(connection.sent.join(',')).toBe('puback 1,puback 2,puback 3,puback 4,puback 5');
    expect(flushes).toHaveLength(1);
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
    expect(held.acked()).toBe(false);
    expect(intake.holding).toBe(true);
    // The drainer stores everything and commits: room again.
    wal.commit(wal.read(start, 1000).end);
    for (let n = 0; n < 100 && !held.acked(); n++) await new Promise((r) => setTimeout(r, 10));
    expect(held.acked()).toBe(true);
    await tick();
    expect(walSeqs()).toContain(k);
  });

  it('acknowledges nothing after stop', async () => {
    const { connection, intake } = setup();
    await intake.stop();
    const late = connection.deliver(1);
    await tick();
    expect(late.acked()).toBe(false);
    expect(connection.sent).toEqual([]);
  });
});
