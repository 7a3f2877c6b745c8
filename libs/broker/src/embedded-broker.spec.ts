import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenRegistry, hashToken } from '#auth';
import {
  createEmbeddedBroker,
  startEmbeddedBroker,
  type EmbeddedBroker,
  type TelemetryPublish,
} from './embedded-broker.js';

const brokers: EmbeddedBroker[] = [];
const clients: mqtt.MqttClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function connect(url: string, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

function nextMessage(client: mqtt.MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) =>
    client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })),
  );
}

function closed(client: mqtt.MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

/** A sink that records telemetry and acknowledges at once. */
function recordingSink(into: TelemetryPublish[]) {
  return (publish: TelemetryPublish, done: (error?: Error | null) => void) => {
    into.push(publish);
    done();
  };
}

const registry = () =>
  new TokenRegistry([
    { name: 'rig-01', role: 'rig', sha256: hashToken('rig-01-secret') },
    { name: 'ingest', role: 'service', sha256: hashToken('service-secret') },
  ]);

describe('embedded broker (Aedes)', () => {
  it('relays QoS 1 messages between anonymous clients once the sink has taken the telemetry', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    const taken: TelemetryPublish[] = [];
    broker.setTelemetrySink(recordingSink(taken));
    const sub = await connect(broker.internalUrl);
    await sub.subscribeAsync('sandglass/v1/+/+/telemetry', { qos: 1 });
    const pub = await connect(broker.url);
    const received = nextMessage(sub);
    await pub.publishAsync('sandglass/v1/r1/c1/telemetry', '{"ts":1}', { qos: 1 });
    expect(await received).toEqual({ topic: 'sandglass/v1/r1/c1/telemetry', payload: '{"ts":1}' });
    expect(taken.map((t) => [t.topic, t.payload.toString(), t.qos])).toEqual([
      ['sandglass/v1/r1/c1/telemetry', '{"ts":1}', 1],
    ]);
  });

  it('sends the PUBACK only after the sink is done, and holds telemetry while no sink is attached', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    const rig = await connect(broker.url);
    let acked = false;
    const publishing = rig
      .publishAsync('sandglass/v1/r1/c1/telemetry', 'a', { qos: 1 })
      .then(() => (acked = true));
    await expect.poll(() => broker.waitingTelemetry).toBe(1);
    const dones: Array<() => void> = [];
    broker.setTelemetrySink((_publish, done) => dones.push(() => done()));
    expect(broker.waitingTelemetry).toBe(0);
    await expect.poll(() => dones.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acked).toBe(false);
    dones[0]!();
    await publishing;
    expect(acked).toBe(true);
  });

  it('opens the rigs listener only on listen(), and closes it (dropping rigs) before anything else', async () => {
    const broker = await createEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    expect(broker.address).toBeUndefined();
    const service = await connect(broker.internalUrl);
    const { url } = await broker.listen();
    const rig = await connect(url);
    const rigClosed = closed(rig);
    await broker.closeListener();
    await rigClosed;
    await expect(connect(url)).rejects.toThrow();
    // This process's own clients keep their connection.
    expect(service.connected).toBe(true);
    await service.publishAsync('sandglass/v1/r1/c1/state', '{}', { qos: 1 });
  });

  it('moves to the next free port when the preferred one is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const broker = await startEmbeddedBroker({ port: taken });
      brokers.push(broker);
      expect(broker.port).not.toBe(taken);
      expect(broker.movedFromPreferredPort).toBe(true);
      await connect(broker.url);
    } finally {
      blocker.close();
    }
  });

  it('lets a rig publish only its own telemetry, never retained, and refuses bad passwords', async () => {
    const broker = await startEmbeddedBroker({ port: 0, registry: registry() });
    brokers.push(broker);
    const taken: TelemetryPublish[] = [];
    broker.setTelemetrySink(recordingSink(taken));
    const service = await connect(broker.internalUrl, { username: 'ingest', password: 'service-secret' });
    await service.subscribeAsync('sandglass/v1/#', { qos: 1 });
    const received: string[] = [];
    service.on('message', (topic) => received.push(topic));
    const forged = [
      ['sandglass/v1/rig-02/c1/telemetry', false],
      ['sandglass/v1/rig-01/c1/alerts', false],
      ['sandglass/v1/rig-01/c1/config', false],
      ['sandglass/v1/rig-01/c1/state', false],
      ['sandglass/v1/rig-01/c1/telemetry', true],
    ] as const;
    for (const [topic, retain] of forged) {
      const rig = await connect(broker.url, { username: 'rig-01', password: 'rig-01-secret' });
      const rigClosed = closed(rig);
      rig.publish(topic, 'forged', { qos: 1, retain });
      await rigClosed;
    }
    expect(broker.refusedPublishes.get('not-allowed')).toBe(4);
    expect(broker.refusedPublishes.get('retained-telemetry')).toBe(1);
    const own = nextMessage(service);
    const rig = await connect(broker.url, { username: 'rig-01', password: 'rig-01-secret' });
    await rig.publishAsync('sandglass/v1/rig-01/c1/telemetry', 'own', { qos: 1 });
    expect((await own).topic).toBe('sandglass/v1/rig-01/c1/telemetry');
    expect(received).toEqual(['sandglass/v1/rig-01/c1/telemetry']);
    expect(taken.map((t) => t.topic)).toEqual(['sandglass/v1/rig-01/c1/telemetry']);
    // A service (this process) may write config, retained.
    await service.publishAsync('sandglass/v1/rig-01/c1/config', '{}', { qos: 1, retain: true });
    await expect(connect(broker.url, { username: 'rig-01', password: 'wrong' })).rejects.toThrow();
    await expect(connect(broker.url, { username: 'rig-02', password: 'rig-01-secret' })).rejects.toThrow();
    await expect(connect(broker.url)).rejects.toThrow();
  });

  it('with authentication off, gives rigs-listener clients telemetry only and this process everything', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    broker.setTelemetrySink(recordingSink([]));
    const service = await connect(broker.internalUrl);
    await service.subscribeAsync('sandglass/v1/+/+/alerts', { qos: 1 });
    const alerts: string[] = [];
    service.on('message', (_topic, payload) => alerts.push(payload.toString()));
    const rig = await connect(broker.url);
    const rigClosed = closed(rig);
    rig.publish('sandglass/v1/r1/c1/alerts', 'forged', { qos: 1 });
    await rigClosed;
    await service.publishAsync('sandglass/v1/r1/c1/alerts', 'ours', { qos: 1 });
    await expect.poll(() => alerts).toEqual(['ours']);
  });

  it('keeps the subscriptions of a persistent session and retained messages across a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandglass-broker-'));
    dirs.push(dir);
    const first = await startEmbeddedBroker({ port: 0, sessionDir: dir });
    const sub = await connect(first.internalUrl, { clientId: 'watcher', clean: false });
    await sub.subscribeAsync('sandglass/v1/+/+/alerts', { qos: 1 });
    await sub.publishAsync('sandglass/v1/r1/c1/config', '{"v":1}', { qos: 1, retain: true });
    await sub.endAsync();
    await first.close();

    const second = await startEmbeddedBroker({ port: 0, sessionDir: dir });
    brokers.push(second);
    const publisher = await connect(second.internalUrl);
    const back = mqtt.connect(second.internalUrl, { clientId: 'watcher', clean: false, reconnectPeriod: 0 });
    clients.push(back);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve) => back.once('connect', resolve));
    expect(connack.sessionPresent).toBe(true);
    const alert = nextMessage(back);
    await publisher.publishAsync('sandglass/v1/r1/c1/alerts', 'after restart', { qos: 1 });
    expect(await alert).toEqual({ topic: 'sandglass/v1/r1/c1/alerts', payload: 'after restart' });
    const retained = nextMessage(publisher);
    await publisher.subscribeAsync('sandglass/v1/+/+/config', { qos: 1 });
    expect(await retained).toEqual({ topic: 'sandglass/v1/r1/c1/config', payload: '{"v":1}' });
  });
});
