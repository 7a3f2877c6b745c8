import type { Duplex } from 'node:stream';
import type { IPublishPacket, MqttClient } from 'mqtt';

/**
 * Everything ingest knows about mqtt.js's internals, in one place: how to receive each PUBLISH before
 * mqtt.js acknowledges it, how to stop mqtt.js from sending that acknowledgement, and how to send it
 * ourselves later (after the write-ahead log write). mqtt.js has no supported API for a late PUBACK, so
 * this leans on three behaviours of mqtt.js 5.x, all pinned by test/ingest/puback-contract.e2e.ts against
 * the installed mqtt.js and a real Mosquitto; an mqtt.js upgrade that changes any of them fails there:
 *
 *  1. `client.handleMessage(packet, callback)` is called for every incoming PUBLISH, one at a time, and
 *     the next packet is read only after `callback` runs (lib/handlers/publish.js).
 *  2. `callback(error)` for a QoS 1 PUBLISH makes mqtt.js skip its PUBACK (and it does not close the
 *     connection or emit the error).
 *  3. `client.stream` is the socket; a 4-byte PUBACK written to it is delivered in order with mqtt.js's
 *     own writes.
 *
 * Why not the supported path (call `callback()` after the WAL write): mqtt.js reads the next packet only
 * after the callback, so holding it until the group's WAL write means one WAL write per message instead
 * of one per burst, and mqtt.js writes each PUBACK as three small buffers. (Reasoning from the code, not
 * re-measured in issue 18.)
 */
export type AckCallback = (error?: Error) => void;

/** Receives every incoming PUBLISH with mqtt.js's acknowledgement callback. */
export type PacketHandler = (packet: IPublishPacket, callback: AckCallback) => void;

export interface DeferredPubacks {
  /** Routes every incoming PUBLISH of `client` to `handler` (before mqtt.js acknowledges anything). */
  install(client: MqttClient, handler: PacketHandler): void;
  /** The client's current socket (it changes on reconnect). */
  stream(client: MqttClient): Duplex | undefined;
  /** Lets mqtt.js move on to the next packet without acknowledging this one: the caller will. */
  defer(callback: AckCallback): void;
  /** Sends the PUBACKs of `messageIds`, in this order, in one socket write. False if the socket is gone. */
  send(stream: Duplex, messageIds: readonly number[]): boolean;
}

/**
 * Handed to mqtt.js's `handleMessage` callback for a message whose PUBACK we send ourselves: an error
 * from handleMessage skips the PUBACK. One instance, never thrown, so no stack is captured per message.
 */
const ACK_DEFERRED = new Error('PUBACK deferred until the write-ahead log write');

/** PUBACK of MQTT 3.1.1 and MQTT 5 (success, no properties: remaining length 2). */
const PUBACK_HEADER = 0x40;

export const mqttJsDeferredPubacks: DeferredPubacks = {
  install(client, handler) {
    // Loud at start-up rather than silent acks: the hook must exist where behaviour 1 says it is.
    if (typeof (client as { handleMessage?: unknown }).handleMessage !== 'function') {
      throw new Error('mqtt.js has no client.handleMessage: deferred PUBACKs cannot work with this version');
    }
    client.handleMessage = handler;
  },
  stream(client) {
    return client.stream as Duplex | undefined;
  },
  defer(callback) {
    callback(ACK_DEFERRED);
  },
  send(stream, messageIds) {
    if (stream.destroyed || !stream.writable) return false;
    stream.write(pubackPackets(messageIds));
    return true;
  },
};

/** PUBACK packets for `ids`, back to back in one buffer. */
export function pubackPackets(ids: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(ids.length * 4);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    buf[4 * k] = PUBACK_HEADER;
    buf[4 * k + 1] = 2;
    buf[4 * k + 2] = id >> 8;
    buf[4 * k + 3] = id & 0xff;
  }
  return buf;
}
