import { createRequire } from 'node:module';
import net, { type AddressInfo } from 'node:net';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { mqttJsDeferredPubacks, type AckCallback } from '#ingest';
import { describeWithServices, testServices } from '../support/services.js';
import { until } from '../support/until.js';

/**
 * Contract of the deferred-PUBACK adapter (apps/ingest/src/intake/deferred-puback.ts) with the INSTALLED
 * mqtt.js and a real Mosquitto. Ingest acknowledges telemetry only after its write-ahead log write by
 * leaning on mqtt.js internals; if an mqtt.js upgrade changes them, these tests fail, naming the version.
 *
 * What the client sends is read on the wire: a TCP proxy between client and broker parses the MQTT packets
 * going to the broker (fixed header + remaining length), so nothing here depends on mqtt.js to report it.
 */
const mqttVersion = (createRequire(import.meta.url)('mqtt/package.json') as { version: string }).version;
const RUN = Math.random().toString(36).slice(2, 8);
const WAIT_MS = 20_000;

/** MQTT control packet types (MQTT 3.1.1 §2.2.1). */
const PUBACK = 4;
const SUBSCRIBE = 8;

interface WirePacket {
  type: number;
  body: Buffer;
}

/** A TCP proxy to the broker recording each client → broker packet, in order, per connection. */
class WireTap {
  readonly packets: WirePacket[] = [];
  private server!: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  async start(brokerPort: number, brokerHost: string): Promise<void> {
    this.server = net.createServer((client) => {
      const broker = net.connect(brokerPort, brokerHost);
      this.sockets.add(client).add(broker);
      let pending: Buffer = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        broker.write(chunk);
        pending = this.parse(Buffer.concat([pending, chunk]));
      });
      broker.pipe(client);
      const close = () => {
        client.destroy();
        broker.destroy();
      };
      client.on('close', close).on('error', close);
      broker.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Splits complete packets off `buffer`; returns the incomplete rest. */
  private parse(buffer: Buffer): Buffer {
    for (;;) {
      if (buffer.length < 2) return buffer;
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      for (;;) {
        if (offset >= buffer.length) return buffer;
        const byte = buffer[offset++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) break;
      }
      if (buffer.length < offset + length) return buffer;
      this.packets.push({ type: buffer[0]! >> 4, body: buffer.subarray(offset, offset + length) });
      buffer = buffer.subarray(offset + length);
    }
  }

  /** Message ids of the PUBACKs seen so far. */
  pubackIds(): number[] {
    return this.packets.filter((p) => p.type === PUBACK).map((p) => p.body.readUInt16BE(0));
  }

  /** Drops every proxied connection at once, as a crash or a network failure would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Waits for a behaviour of mqtt.js, naming its version when it does not come. */
const waitFor = (what: string, condition: () => boolean): Promise<void> =>
  until(condition, `mqtt.js ${mqttVersion}: ${what}`, WAIT_MS, 10);

describeWithServices(`deferred PUBACK contract with mqtt.js ${mqttVersion} and Mosquitto`, () => {
  let brokerUrl: URL;
  const cleanups: Array<() => Promise<unknown> | void> = [];
  beforeAll(() => {
    brokerUrl = new URL(testServices().mqttUrl);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An ingest-like consumer (persistent session, QoS 1) behind the tap, its packets routed to `onPacket`. */
  async function consumer(
    tap: WireTap,
    clientId: string,
    topic: string,
    protocolVersion: 4 | 5,
    onPacket: (packet: IPublishPacket, callback: AckCallback) => void,
  ): Promise<MqttClient> {
    const client = mqtt.connect(`mqtt://127.0.0.1:${tap.port}`, {
      clientId,
      clean: false,
      protocolVersion,
      ...(protocolVersion === 5 && { properties: { sessionExpiryInterval: 300 } }),
      reconnectPeriod: 0,
      manualConnect: true,
    });
    mqttJsDeferredPubacks.install(client, onPacket);
    client.connect();
    cleanups.push(() => client.endAsync(true));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return client;
  }

  async function publisher(): Promise<MqttClient> {
    const client = await mqtt.connectAsync(brokerUrl.href, {
      clientId: `contract-pub-${RUN}-${Math.random()}`,
    });
    cleanups.push(() => client.endAsync());
    return client;
  }

  async function tap(): Promise<WireTap> {
    const wire = new WireTap();
    await wire.start(Number(brokerUrl.port), brokerUrl.hostname);
    cleanups.push(() => wire.stop());
    return wire;
  }

  it.each([4, 5] as const)(
    'MQTT %s: no PUBACK leaves before the adapter sends it; the adapter’s PUBACK completes the delivery',
    async (protocolVersion) => {
      const wire = await tap();
      const topic = `contract/${RUN}/v${protocolVersion}/telemetry`;
      const received: IPublishPacket[] = [];
      const client = await consumer(
        wire,
        `contract-${RUN}-v${protocolVersion}`,
        topic,
        protocolVersion,
        (p, cb) => {
          received.push(p);
          if (p.topic === topic) mqttJsDeferredPubacks.defer(cb);
          else cb();
        },
      );
      const pub = await publisher();
      await pub.publishAsync(topic, 'one', { qos: 1 });
      await pub.publishAsync(topic, 'two', { qos: 1 });
      await waitFor('both messages at handleMessage (behaviour 1)', () => received.length === 2);
      expect(received.map((p) => [p.qos, String(p.payload)])).toEqual([
        [1, 'one'],
        [1, 'two'],
      ]);

      // Had mqtt.js written a PUBACK on the deferred callback, it would be on the wire before anything the
      // client writes next (one socket, in order). A SUBSCRIBE is the marker: once the broker has it, any
      // PUBACK mqtt.js wrote must have gone first.
      const marker = wire.packets.length;
      await client.subscribeAsync(`contract/${RUN}/marker`, { qos: 1 });
      await waitFor('the marker SUBSCRIBE on the wire', () =>
        wire.packets.slice(marker).some((p) => p.type === SUBSCRIBE),
      );
      expect(wire.pubackIds(), `mqtt.js ${mqttVersion} acknowledged a deferred message itself`).toEqual([]);
      expect(client.connected, `mqtt.js ${mqttVersion} closed the connection on a deferred ack`).toBe(true);

      // The adapter's PUBACKs go out, in order, and the broker takes them: the session holds nothing, so a
      // reconnect delivers nothing again.
      const ids = received.map((p) => p.messageId!);
      expect(mqttJsDeferredPubacks.send(mqttJsDeferredPubacks.stream(client)!, ids)).toBe(true);
      await waitFor('the adapter’s PUBACKs on the wire (behaviour 3)', () => wire.pubackIds().length === 2);
      expect(wire.pubackIds()).toEqual(ids);
    },
    60_000,
  );

  it.each([4, 5] as const)(
    'MQTT %s: a message never acknowledged is delivered again after a disconnect; an acknowledged one is not',
    async (protocolVersion) => {
      const wire = await tap();
      const topic = `contract/${RUN}/redeliver-v${protocolVersion}/telemetry`;
      const clientId = `contract-redeliver-${RUN}-v${protocolVersion}`;
      const first: IPublishPacket[] = [];
      const client = await consumer(wire, clientId, topic, protocolVersion, (p, cb) => {
        first.push(p);
        mqttJsDeferredPubacks.defer(cb);
      });
      const pub = await publisher();
      await pub.publishAsync(topic, 'acked', { qos: 1 });
      await pub.publishAsync(topic, 'not-acked', { qos: 1 });
      await waitFor('both messages at handleMessage', () => first.length === 2);
      // Only the first is acknowledged; then the connection dies (a crash before the WAL write).
      mqttJsDeferredPubacks.send(mqttJsDeferredPubacks.stream(client)!, [first[0]!.messageId!]);
      await waitFor('the one PUBACK on the wire', () => wire.pubackIds().length === 1);
      // The broker has read the PUBACK once a later packet of the same connection is answered.
      await client.subscribeAsync(`contract/${RUN}/marker`, { qos: 1 });
      wire.cut();
      await client.endAsync(true);

      const again: IPublishPacket[] = [];
      await consumer(wire, clientId, topic, protocolVersion, (p, cb) => {
        again.push(p);
        cb();
      });
      await waitFor('the unacknowledged message delivered again', () => again.length >= 1);
      // Give a wrongly redelivered 'acked' message the same chance to arrive: a PINGREQ round trip.
      await new Promise((r) => setTimeout(r, 300));
      expect(again.map((p) => String(p.payload))).toEqual(['not-acked']);
      expect(again[0]!.dup).toBe(true);
    },
    60_000,
  );
});
