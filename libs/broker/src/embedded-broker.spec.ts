import net from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenRegistry, hashToken } from '#auth';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';

const brokers: EmbeddedBroker[] = [];
const clients: mqtt.MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await Promise.all(brokers.splice(0).map((b) => b.close()));
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

describe('embedded broker (Aedes)', () => {
  it('relays QoS 1 messages between anonymous clients', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    const sub = await connect(broker.url);
    await sub.subscribeAsync('sandglass/v1/+/+/telemetry', { qos: 1 });
    const pub = await connect(broker.url);
    const received = nextMessage(sub);
    await pub.publishAsync('sandglass/v1/r1/c1/telemetry', '{"ts":1}', { qos: 1 });
    expect(await received).toEqual({ topic: 'sandglass/v1/r1/c1/telemetry', payload: '{"ts":1}' });
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

  it('lets a rig publish only under its own rig id, and refuses bad passwords', async () => {
    const registry = new TokenRegistry([
      { name: 'rig-01', role: 'rig', sha256: hashToken('rig-01-secret') },
      { name: 'ingest', role: 'service', sha256: hashToken('service-secret') },
    ]);
    const broker = await startEmbeddedBroker({ port: 0, registry });
    brokers.push(broker);
    const service = await connect(broker.url, { username: 'ingest', password: 'service-secret' });
    await service.subscribeAsync('sandglass/v1/+/+/telemetry', { qos: 1 });
    const received: string[] = [];
    service.on('message', (topic) => received.push(topic));

    const rig = await connect(broker.url, { username: 'rig-01', password: 'rig-01-secret' });
    await rig.publishAsync('sandglass/v1/rig-02/c1/telemetry', 'spoofed', { qos: 0 }).catch(() => undefined);
    const own = nextMessage(service);
    const rig2 = await connect(broker.url, { username: 'rig-01', password: 'rig-01-secret' });
    await rig2.publishAsync('sandglass/v1/rig-01/c1/telemetry', 'own', { qos: 1 });
    expect((await own).topic).toBe('sandglass/v1/rig-01/c1/telemetry');
    expect(received).not.toContain('sandglass/v1/rig-02/c1/telemetry');

    await expect(connect(broker.url, { username: 'rig-01', password: 'wrong' })).rejects.toThrow();
    await expect(connect(broker.url, { username: 'rig-02', password: 'rig-01-secret' })).rejects.toThrow();
    await expect(connect(broker.url)).rejects.toThrow();
  });
});
