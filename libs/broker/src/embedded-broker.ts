import net from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import {
  isRigTelemetryTopic,
  mayPublish,
  mayPublishAnonymously,
  maySubscribe,
  type Principal,
  type TokenRegistry,
} from '#auth';
import { SessionJournalPersistence } from './session-journal.js';

export interface EmbeddedBrokerOptions {
  /** Preferred port of the rigs' listener; if taken, the next free ones are tried. 0 = any free port. */
  port: number;
  /** Address of the rigs' listener (default 127.0.0.1). */
  host?: string;
  portAttempts?: number;
  /** When given, clients log in with a token as password (rigs: user name = rig id); otherwise anonymous. */
  registry?: TokenRegistry;
  /**
   * Directory of the session journal: subscriptions of `clean = false` sessions and retained messages
   * survive a restart. Unset = in memory only.
   */
  sessionDir?: string;
}

/** A telemetry PUBLISH as the broker hands it to ingest. */
export interface TelemetryPublish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
}

/**
 * Takes every telemetry PUBLISH before the broker acknowledges or forwards it; the broker sends the
 * PUBACK only once `done()` is called (never, if `done(error)`: the client is disconnected and, having
 * no PUBACK, sends the message again).
 */
export type TelemetrySink = (publish: TelemetryPublish, done: (error?: Error | null) => void) => void;

/** Why a PUBLISH was refused (counted per reason). */
export type RefusedPublishReason = 'not-allowed' | 'retained-telemetry';

export interface ListenerAddress {
  host: string;
  port: number;
  url: string;
}

export interface EmbeddedBroker {
  /** Loopback listener for this process's own clients (ingest, api, demo rig); open from the start. */
  internalUrl: string;
  /** The rigs' listener once open (`listen()`), else undefined. */
  address: ListenerAddress | undefined;
  /** True when the preferred port was taken and another one was used. */
  movedFromPreferredPort: boolean;
  /** Refused PUBLISH packets per reason (the broker closes the connection of such a client). */
  readonly refusedPublishes: ReadonlyMap<RefusedPublishReason, number>;
  /** Telemetry waiting for a sink (none attached yet, or detached while ingest stops). */
  readonly waitingTelemetry: number;
  /** Opens the rigs' listener (start-up does it once ingest is ready). */
  listen(): Promise<ListenerAddress>;
  /** Stops accepting rigs and disconnects those connected (shutdown does it first). */
  closeListener(): Promise<void>;
  /** Ingest in-process: telemetry goes here before it is acknowledged; undefined = hold it. */
  setTelemetrySink(sink: TelemetrySink | undefined): void;
  close(): Promise<void>;
}

/** Back-compatible shape of a started broker (rigs' listener open): `url` and `port` of that listener. */
export interface StartedEmbeddedBroker extends EmbeddedBroker {
  url: string;
  port: number;
}

const NOT_AUTHORIZED = 5;
const BAD_USERNAME_OR_PASSWORD = 4;
const TELEMETRY_SUFFIX = '/telemetry';

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function urlOf(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `mqtt://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

async function listenOn(server: net.Server, port: number, host: string, attempts: number): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const candidate = port === 0 ? 0 : port + attempt;
    const bound = await new Promise<number>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(-1);
        else reject(error);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve((server.address() as net.AddressInfo).port);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(candidate, host);
    });
    if (bound >= 0) return bound;
  }
  return -1;
}

/**
 * The embedded MQTT broker of `npm start` (Aedes), with two listeners: a loopback one for this process's
 * own clients, open at once, and the rigs' one, opened by `listen()` once ingest is ready and closed
 * first at shutdown. Telemetry goes in-process to ingest's sink before the broker acknowledges it, so a
 * PUBACK means the message is in ingest's write-ahead log.
 *
 * Topic rights (as the production Mosquitto ACL): a rig publishes only its own `…/telemetry`, never
 * retained; `config`, `alerts`, `state` and `rejected` are written by Sandglass's services alone. With
 * authentication off, clients of the rigs' listener have a rig's rights for any rig id and clients of
 * the loopback listener are this process's services.
 */
export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const principals = new WeakMap<object, Principal>();
  const internalClients = new WeakSet<object>();
  const rigClients = new Set<Client>();
  const refused = new Map<RefusedPublishReason, number>();
  const registry = options.registry;
  let sink: TelemetrySink | undefined;
  const waiting: Array<{ publish: TelemetryPublish; done: (error?: Error | null) => void }> = [];

  const refuse = (reason: RefusedPublishReason, topic: string, callback: (error: Error) => void) => {
    refused.set(reason, (refused.get(reason) ?? 0) + 1);
    callback(
      authError(
        reason === 'retained-telemetry'
          ? `telemetry may not be retained (${topic})`
          : `not allowed to publish on ${topic}`,
        NOT_AUTHORIZED,
      ),
    );
  };

  const toSink = (packet: PublishPacket, done: (error?: Error | null) => void) => {
    const publish: TelemetryPublish = {
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      qos: packet.qos,
    };
    if (sink) sink(publish, done);
    else waiting.push({ publish, done });
  };

  const aedes = await Aedes.createBroker({
    // Keep up to 100k QoS 1 messages for a subscriber that falls behind, as the Mosquitto configs do.
    queueLimit: 100_000,
    ...(options.sessionDir && { persistence: new SessionJournalPersistence(options.sessionDir) }),
    ...(registry && {
      authenticate: (client, username, password, done) => {
        const principal = registry.authenticate(password?.toString('utf8'));
        if (!principal || (principal.role === 'rig' && principal.name !== username)) {
          done(authError('bad user name or password', BAD_USERNAME_OR_PASSWORD), false);
          return;
        }
        principals.set(client, principal);
        done(null, true);
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const principal = principals.get(client);
        if (!principal || !maySubscribe(principal, subscription.topic)) {
          callback(authError(`not allowed to subscribe to ${subscription.topic}`, NOT_AUTHORIZED));
          return;
        }
        callback(null, subscription);
      },
    }),
    authorizePublish: (client, packet, callback) => {
      // client null: the broker's own messages ($SYS, wills it publishes itself).
      if (client) {
        const request = { topic: packet.topic, retain: packet.retain };
        let allowed: boolean;
        if (registry) {
          const principal = principals.get(client);
          allowed = principal !== undefined && mayPublish(principal, request);
        } else {
          allowed = internalClients.has(client) || mayPublishAnonymously(request);
        }
        if (!allowed) {
          const retainedTelemetry = packet.retain && isRigTelemetryTopic(packet.topic);
          refuse(retainedTelemetry ? 'retained-telemetry' : 'not-allowed', packet.topic, callback);
          return;
        }
        if (packet.retain && packet.topic.endsWith(TELEMETRY_SUFFIX)) {
          refuse('retained-telemetry', packet.topic, callback);
          return;
        }
      }
      if (packet.topic.endsWith(TELEMETRY_SUFFIX)) {
        toSink(packet, (error) => callback(error ?? null));
        return;
      }
      callback(null);
    },
  });

  const internalServer = net.createServer((socket) => {
    socket.setNoDelay(true);
    internalClients.add(aedes.handle(socket));
  });
  const internalPort = await listenOn(internalServer, 0, '127.0.0.1', 1);

  const rigServer = net.createServer((socket) => {
    socket.setNoDelay(true);
    const client = aedes.handle(socket);
    rigClients.add(client);
    socket.once('close', () => rigClients.delete(client));
  });
  const host = options.host ?? '127.0.0.1';
  let address: ListenerAddress | undefined;
  let listening = false;

  const broker: EmbeddedBroker = {
    internalUrl: urlOf('127.0.0.1', internalPort),
    get address() {
      return address;
    },
    movedFromPreferredPort: false,
    refusedPublishes: refused,
    get waitingTelemetry() {
      return waiting.length;
    },
    listen: async () => {
      if (address) return address;
      const attempts = options.port === 0 ? 1 : (options.portAttempts ?? 20);
      const port = await listenOn(rigServer, options.port, host, attempts);
      if (port < 0) {
        throw new Error(
          `no free port for the embedded MQTT broker in ${options.port}–${options.port + attempts - 1}`,
        );
      }
      listening = true;
      broker.movedFromPreferredPort = options.port !== 0 && port !== options.port;
      address = { host, port, url: urlOf(host, port) };
      return address;
    },
    closeListener: async () => {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => rigServer.close(() => resolve()));
      for (const client of rigClients) client.conn.destroy();
      rigClients.clear();
      await closed;
    },
    setTelemetrySink: (next) => {
      sink = next;
      if (!sink) return;
      for (const { publish, done } of waiting.splice(0)) sink(publish, done);
    },
    close: async () => {
      await broker.closeListener();
      sink = undefined;
      // Held telemetry was never acknowledged: its senders send it again after a restart.
      waiting.length = 0;
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => internalServer.close(() => resolve()));
    },
  };
  return broker;
}

/** Creates the broker and opens the rigs' listener at once (tools and tests that need no ordering). */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<StartedEmbeddedBroker> {
  const broker = await createEmbeddedBroker(options);
  let address: ListenerAddress;
  try {
    address = await broker.listen();
  } catch (error) {
    await broker.close();
    throw error;
  }
  return Object.assign(broker, { url: address.url, port: address.port });
}
