import * as fs from 'node:fs';
import net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { telemetryTopic } from '#contracts';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { MqttConnection, MqttIntake } from './mqtt-intake.js';

const quiet = { warn() {}, error() {}, log() {} };
const none = { publishState() {}, publishAlert() {}, publishRejected() {}, publishCommand() {} };
const noDetector = () => ({ update: () => ({ estimates: {}, findings: [] }) });

describe('MqttConnection + MqttIntake on an in-process Aedes broker (MQTT 3.1.1 only)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('asked for MQTT 5, falls back to 3.1.1, and stores what a publisher sends', async () => {
    const aedes = await Aedes.createBroker();
    const server = net.createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve()))));
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandglass-aedes-'));
    const wal = new WriteAheadLog({ dir, maxBytes: 1 << 20, fsyncInterval_ms: 0 });
    const start = wal.open();
    cleanups.push(() => {
      wal.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const warnings: string[] = [];
    const connection = new MqttConnection(
      { url, clientId: 'ingest-test', protocolVersion: 5 },
      { ...quiet, warn: (m) => warnings.push(m) },
    );
    const intake = new MqttIntake(connection, new TelemetryIntake(wal, none, noDetector, quiet), wal, quiet);
    intake.start();
    cleanups.push(() => intake.stop());
    for (let k = 0; k < 200 && !connection.connected; k++) await new Promise((r) => setTimeout(r, 10));
    expect(connection.connected).toBe(true);
    expect(warnings.join('\n')).toMatch(/does not speak MQTT 5/);

    const pub = await mqtt.connectAsync(url, { protocolVersion: 4 });
    cleanups.push(() => pub.endAsync());
    await new Promise((r) => setTimeout(r, 100)); // the intake's SUBSCRIBE is in
    const T0 = Date.UTC(2026, 0, 1);
    for (let seq = 0; seq < 20; seq++) {
      await pub.publishAsync(telemetryTopic('rig', 'c1'), JSON.stringify({ ts: T0 + seq, v: 0, i: 0, seq }), {
        qos: 1,
      });
    }
    const seqs = () =>
      wal
        .read(start, 1000)
        .samples.toSamples()
        .map((s) => s.seq);
    for (let k = 0; k < 200 && seqs().length < 20; k++) await new Promise((r) => setTimeout(r, 10));
    expect(seqs()).toEqual(Array.from({ length: 20 }, (_, k) => k));
  });
});
