import type { Duplex } from 'node:stream';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import {
  alertsTopic,
  channelFilter,
  cyclesTopic,
  parseTopic,
  TOPIC_ROOT,
  type CellConfig,
  rejectedTopic,
  stateTopic,
  type AlertEvent,
  type CycleSummary,
  type RejectedMessage,
  type SafetyCommand,
  type StateMessage,
} from '#contracts';
import type { TelemetryPublish } from '#broker';
import type { InProcessTelemetrySource } from '../ingest.tokens.js';
import type {
  IngestLogger,
  IngestOutput,
  PendingDetection,
  TelemetryIntake,
} from '../pipeline/telemetry-intake.js';
import type { WriteAheadLog } from '../wal/write-ahead-log.js';
import { mqttJsDeferredPubacks, type AckCallback, type PacketHandler } from './deferred-puback.js';

export type { PacketHandler } from './deferred-puback.js';

export interface MqttIntakeOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Rigs this process takes; undefined = every rig. */
  rigs?: readonly string[];
  reconnectMin_ms?: number;
  reconnectMax_ms?: number;
  /**
   * 4 (MQTT 3.1.1, the default: the embedded Aedes broker has no MQTT 5) or 5. A broker that refuses
   * version 5 at connect is retried with 4 automatically.
   */
  protocolVersion?: 4 | 5;
  /** MQTT 5 only: how long the broker keeps the session (and queues QoS 1 messages) while away (s). */
  sessionExpiry_s?: number;
  /** Telemetry comes in-process from the embedded broker: subscribe only to configuration and alerts. */
  telemetryInProcess?: boolean;
  /**
   * Hash partitioning: telemetry is subscribed only for the rigs given to `setTelemetryRigs` (none at
   * first), configuration and alerts for all of `rigs`; the will clears this process's presence.
   */
  partitioned?: { will: { topic: string; payload: string; qos: 1; retain: true } };
}

/** Reads a cell's configuration as the api stored it (the store). */
export type StoredConfigReader = (rigId: string, cellId: string) => Promise<CellConfig | null>;

/** At most one warning per cell and kind this often. */
const WARN_EVERY_MS = 60_000;

/** Called after each WAL flush (the drainer's wake-up). */
export type FlushListener = () => void;

type Ack = AckCallback;

const TELEMETRY_SUFFIX = '/telemetry';

/**
 * Ingest's work per event-loop turn (decoding, WAL appends, detection, judging released samples) before
 * the rest waits for the next turn, so the api in the same process answers in between: one read of a
 * fast rig's socket carries hundreds of messages, and judging them in one go held `/api/health` for a
 * second (issue 15). 2 ms rather than 5: health p99 40-46 against 43-56 ms in bench:health, and the WAL
 * drainer, which stores a slice per turn, kept up better (stored 128k against 100k samples/s).
 */
export const TURN_BUDGET_MS = 2;

/**
 * The broker connection of ingest: a persistent MQTT 5 session (clean = false, a stable client id, a
 * long session expiry so the broker queues QoS 1 messages while ingest is away), subscriptions at QoS 1,
 * reconnects with exponential backoff, TCP_NODELAY on every new socket. Publishes the pipeline's outputs.
 */
export class MqttConnection implements IngestOutput {
  private client: MqttClient | undefined;
  private reconnect_ms: number;
  private stopping = false;
  private protocolVersion: 4 | 5;
  connected = false;
  /** Times the client (re)connected. */
  connects = 0;
  /** Partitioned: the rigs whose telemetry this process takes now. */
  private telemetryRigs = new Set<string>();
  private readonly connectListeners: Array<() => void> = [];

  constructor(
    private readonly options: MqttIntakeOptions,
    private readonly logger: IngestLogger,
  ) {
    this.reconnect_ms = options.reconnectMin_ms ?? 200;
    this.protocolVersion = options.protocolVersion ?? 4;
  }

  /** The current socket (it changes on reconnect). */
  get stream(): Duplex | undefined {
    return this.client && mqttJsDeferredPubacks.stream(this.client);
  }

  start(handler: PacketHandler): void {
    const { options } = this;
    const clientOptions: IClientOptions = {
      // MQTT 3.1.1 by default: the embedded Aedes broker speaks no MQTT 5, and a 3.1.1 persistent
      // session (clean = false) is kept by the broker until the client comes back. Under MQTT 5 the
      // session needs an explicit expiry.
      protocolVersion: this.protocolVersion,
      clientId: options.clientId,
      clean: false,
      ...(this.protocolVersion === 5 && {
        properties: { sessionExpiryInterval: options.sessionExpiry_s ?? 7 * 24 * 3600 },
      }),
      // The broker publishes it when the connection drops without a DISCONNECT (a killed process).
      ...(options.partitioned && { will: options.partitioned.will }),
      reconnectPeriod: this.reconnect_ms,
      connectTimeout: 10_000,
      queueQoSZero: false,
      manualConnect: true,
      // mqtt.js calls its debug logger several times per packet; with DEBUG unset that is pure overhead
      // on the hot path (a few per cent of ingest's CPU in the bench profile).
      ...(!process.env.DEBUG && { log: () => undefined }),
    };
    if (options.username !== undefined) clientOptions.username = options.username;
    if (options.password !== undefined) clientOptions.password = options.password;
    const client = mqtt.connect(options.url, clientOptions);
    this.client = client;
    mqttJsDeferredPubacks.install(client, handler);
    client.on('connect', (connack) => {
      this.connected = true;
      this.connects++;
      this.reconnect_ms = options.reconnectMin_ms ?? 200;
      client.options.reconnectPeriod = this.reconnect_ms;
      // Small PUBACKs must not wait for Nagle's algorithm.
      (client.stream as Partial<{ setNoDelay: (on: boolean) => void }>).setNoDelay?.(true);
      this.logger.log(
        `connected to ${options.url} as ${options.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`,
      );
      this.subscribe(client, connack.sessionPresent);
      for (const listener of this.connectListeners) listener();
    });
    client.on('close', () => {
      if (this.connected && !this.stopping)
        this.logger.warn(`disconnected from ${options.url}; reconnecting`);
      this.connected = false;
      // Exponential backoff between reconnect attempts, reset by a successful connect.
      client.options.reconnectPeriod = this.reconnect_ms;
      this.reconnect_ms = Math.min(options.reconnectMax_ms ?? 5000, this.reconnect_ms * 2);
    });
    client.on('error', (error) => {
      const code = (error as { code?: number }).code;
      // CONNACK "unacceptable protocol version" (3.1.1: 1, MQTT 5: 0x84): fall back to 3.1.1.
      if (this.protocolVersion === 5 && !this.connected && (code === 1 || code === 0x84)) {
        this.logger.warn(`${options.url} does not speak MQTT 5; using MQTT 3.1.1`);
        this.protocolVersion = 4;
        client.end(true, {}, () => this.start(handler));
        return;
      }
      this.logger.warn(`mqtt: ${error.message}`);
    });
    client.connect();
  }

  /** Disconnects cleanly (QoS 1 publishes in flight get up to 2 s), then forcibly. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => client.end(true, {}, () => resolve()), 2000);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  publishState(state: StateMessage): void {
    this.client?.publish(stateTopic(state.rigId, state.cellId), JSON.stringify(state), { qos: 0 });
  }

  publishAlert(alert: AlertEvent): void {
    this.client?.publish(alertsTopic(alert.rigId, alert.cellId), JSON.stringify(alert), { qos: 1 });
  }

  publishCycle(cycle: CycleSummary): void {
    this.client?.publish(cyclesTopic(cycle.rigId, cycle.cellId), JSON.stringify(cycle), { qos: 1 });
  }

  /** Never retained: a stop kept by the broker would stop the channel again whenever the rig reconnects. */
  publishCommand(topic: string, command: SafetyCommand): void {
    this.client?.publish(topic, JSON.stringify(command), { qos: 1, retain: false });
  }

  publishRejected(rigId: string, cellId: string, message: RejectedMessage): void {
    this.client?.publish(rejectedTopic(rigId, cellId), JSON.stringify(message), { qos: 0 });
  }

  /** Called after each (re)connect, once the subscriptions are sent. */
  onConnect(listener: () => void): void {
    this.connectListeners.push(listener);
  }

  /** Publishes a small retained QoS 1 message (partition presence and claims); an empty one clears it. */
  publishRetained(topic: string, payload: string): void {
    this.client?.publish(topic, payload, { qos: 1, retain: true });
  }

  /** Subscribes at QoS 1; resolves at the SUBACK. */
  subscribeFilters(filters: readonly string[]): Promise<void> {
    const client = this.client;
    if (!client || filters.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) =>
      client.subscribe([...filters], { qos: 1 }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Partitioned: takes the telemetry of exactly these rigs from now on. Resolves once the broker
   * acknowledged the change (a rig's messages published before that reach this process's session only
   * if it was already subscribed).
   */
  async setTelemetryRigs(rigs: ReadonlySet<string>): Promise<void> {
    const added = [...rigs].filter((r) => !this.telemetryRigs.has(r));
    const removed = [...this.telemetryRigs].filter((r) => !rigs.has(r));
    this.telemetryRigs = new Set(rigs);
    const client = this.client;
    if (!client || !this.connected) return; // the next connect subscribes the new set
    await this.subscribeFilters(added.flatMap(telemetryFilters));
    if (removed.length > 0) {
      await new Promise<void>((resolve) =>
        client.unsubscribe(removed.flatMap(telemetryFilters), () => resolve()),
      );
    }
  }

  private subscribe(client: MqttClient, sessionPresent: boolean): void {
    const rigs = this.options.rigs ?? ['+'];
    const subscriptions: Record<string, { qos: 1; nl?: boolean }> = {};
    const telemetryRigs = this.options.partitioned ? this.telemetryRigs : rigs;
    if (!this.options.telemetryInProcess) {
      for (const rig of telemetryRigs)
        for (const filter of telemetryFilters(rig)) subscriptions[filter] = { qos: 1 };
    }
    if (this.options.partitioned && sessionPresent) {
      // A resumed session still holds the rigs this process had before; another one has them now.
      const others = rigs.filter((r) => !this.telemetryRigs.has(r)).flatMap(telemetryFilters);
      if (others.length > 0) client.unsubscribe(others);
    }
    for (const rig of rigs) {
      subscriptions[channelFilter('config', rig)] = { qos: 1 };
      // No-local (MQTT 5): our own alert events need not come back; the api's acknowledgements do.
      // Under 3.1.1 they do come back and are ignored (only `acknowledged` events are applied).
      subscriptions[channelFilter('alerts', rig)] =
        this.protocolVersion === 5 ? { qos: 1, nl: true } : { qos: 1 };
    }
    client.subscribe(subscriptions, (error) => {
      if (error) this.logger.error(`subscribe failed: ${error.message}`);
      // Publishes that reach the broker before its SUBACK are not delivered to a new session: this line
      // tells a rig (and the tests) that ingest is listening.
      else this.logger.log(`subscribed to ${Object.keys(subscriptions).length} topic filters`);
    });
  }
}

/**
 * A rig's telemetry filters: `…/{rig}/+/telemetry`, and topics with extra levels (`…/{cell}/x/telemetry`,
 * never the 3-level state or alerts topics) so ingest can refuse them with a reason and a count instead
 * of the broker dropping them unseen.
 */
function telemetryFilters(rig: string): string[] {
  return [channelFilter('telemetry', rig), `${TOPIC_ROOT}/${rig}/+/+/+/#`];
}

/** What MqttIntake needs of the connection (a fake in unit tests). */
export type PacketSource = Pick<MqttConnection, 'start' | 'stop' | 'stream'>;

/**
 * Acknowledges MQTT messages only after they are in the write-ahead log.
 *
 * mqtt.js hands incoming packets one at a time to `handleMessage(packet, callback)` and would write the
 * PUBACK when the callback runs. Here the handler decodes, validates and appends to the WAL's memory
 * buffer, notes the message id and defers the acknowledgement (deferred-puback.ts, the one place that
 * knows how), so mqtt.js goes on to the next packet without acknowledging. Once the current burst of
 * packets is processed (setImmediate), one synchronous write puts the whole group in the WAL and only then
 * one socket write sends the group's PUBACKs, in the order the messages arrived (mqtt.js would have
 * written three small buffers per PUBACK). A process
 * killed before the WAL write sent no PUBACK for those messages, and the broker redelivers them. When the
 * WAL is full the callback is withheld, which stops mqtt.js reading further packets; the broker keeps
 * them until there is room. Past the turn's budget (`turnBudget_ms`) a message waits the same way, for
 * the next turn: other callbacks of the event loop run in between.
 */
export class MqttIntake {
  /** Message ids waiting for the WAL write, per socket (a reconnect starts a new one). */
  private readonly pendingAcks = new Map<Duplex, number[]>();
  /** In-process telemetry (embedded broker) whose PUBACK waits for the WAL write. */
  private pendingInProcess: Array<(error?: Error | null) => void> = [];
  /** In-process telemetry waiting for room in the WAL or for the next turn, in arrival order. */
  private readonly heldInProcess: Array<{ publish: TelemetryPublish; done: (error?: Error | null) => void }> =
    [];
  private flushScheduled = false;
  private turnScheduled = false;
  /** When this turn's work began (undefined: none yet this turn). */
  private turnStarted_ms: number | undefined;
  /** Work per event-loop turn (ms); tests change it. */
  turnBudget_ms = TURN_BUDGET_MS;
  private held: { packet: IPublishPacket; callback: Ack; stream: Duplex | undefined } | undefined;
  private heldTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private failed = false;
  private flushedForStop = false;

  constructor(
    private readonly connection: PacketSource,
    private readonly intake: TelemetryIntake,
    private readonly wal: WriteAheadLog,
    private readonly logger: IngestLogger,
    private readonly onFlush: FlushListener = () => undefined,
    private readonly telemetrySource?: InProcessTelemetrySource,
    private readonly storedConfig?: StoredConfigReader,
    private readonly partition?: PartitionHooks,
  ) {}

  /** Telemetry messages of rigs another process owns (hash partitioning): stored, not judged. */
  notOwnedStored = 0;

  /** Retained telemetry (a stale copy on subscribe) acknowledged and dropped. */
  retainedTelemetryIgnored = 0;
  /** Configuration messages not applied as sent (none stored, differing from the store, store down). */
  configsIgnored = 0;
  private readonly configReads = new Map<string, Promise<void>>();
  private readonly lastWarning = new Map<string, number>();

  /** True when a WAL write failed: nothing more is acknowledged. */
  get walFailed(): boolean {
    return this.failed;
  }

  /** True while a message waits for room in the WAL. */
  get holding(): boolean {
    return this.held !== undefined || this.heldInProcess.length > 0;
  }

  start(): void {
    this.intake.onBacklog(() => this.scheduleTurn());
    this.connection.start((packet, callback) => this.onPacket(packet, callback));
    this.telemetrySource?.setTelemetrySink((publish, done) => this.onInProcess(publish, done));
  }

  /**
   * Stops acknowledging, flushes what was accepted (and lets those PUBACKs out), and disconnects.
   * Messages not acknowledged stay with the broker for the next start.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    // The broker holds what arrives from now on (unacknowledged; its senders send it again).
    this.telemetrySource?.setTelemetrySink(undefined);
    this.release();
    this.heldInProcess.length = 0;
    this.flush();
    this.flushedForStop = !this.failed;
    await this.connection.stop();
  }

  /**
   * True once `stop()` wrote everything acknowledged to the WAL: from then on the process may end at
   * any moment without losing an acknowledged message (the next start stores the rest).
   */
  get acknowledgedAllWritten(): boolean {
    return this.flushedForStop;
  }

  /**
   * Telemetry from the embedded broker of this process: the same decode, validate and WAL append as a
   * message from an external broker, and `done` (which lets the broker send the PUBACK) only after the
   * WAL write. Messages keep their arrival order: while any wait for room in the WAL, later ones wait too.
   */
  private onInProcess(publish: TelemetryPublish, done: (error?: Error | null) => void): void {
    if (this.stopping || this.failed) return;
    if (this.heldInProcess.length > 0 || this.wal.isFull || this.budgetSpent()) {
      this.heldInProcess.push({ publish, done });
      this.scheduleTurn();
      return;
    }
    this.processInProcess(publish, done);
  }

  private processInProcess(publish: TelemetryPublish, done: (error?: Error | null) => void): void {
    const work = this.intake.accept(publish.topic, publish.payload);
    this.pendingInProcess.push(done);
    if (work) this.intake.detect(work);
    this.scheduleFlush();
  }

  private onPacket(packet: IPublishPacket, callback: Ack): void {
    // While stopping (or after a WAL failure) nothing is acknowledged: the broker keeps the message.
    if (this.stopping || this.failed) return;
    const stream = this.connection.stream;
    if (packet.topic.endsWith(TELEMETRY_SUFFIX) && (this.wal.isFull || this.budgetSpent())) {
      this.hold(packet, callback, stream);
      return;
    }
    this.process(packet, callback, stream);
  }

  private process(packet: IPublishPacket, callback: Ack, stream: Duplex | undefined): void {
    const topic = packet.topic;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (topic.endsWith(TELEMETRY_SUFFIX) && packet.retain) {
      // A retained copy sent because ingest (re)subscribed (MQTT-3.3.1-8): telemetry is never retained,
      // and a message published live reached ingest as it was published.
      this.retainedTelemetryIgnored++;
      if (this.pendingAcks.size > 0) this.flush();
      callback();
      return;
    }
    if (topic.endsWith(TELEMETRY_SUFFIX)) {
      let work: PendingDetection | undefined;
      if (!this.partition || this.partition.owns(rigOf(topic))) work = this.intake.accept(topic, payload);
      else {
        // Queued for this process's session before another process took the rig over: stored (and
        // acknowledged after the WAL write, like any sample), not judged (docs/scaling.md).
        this.notOwnedStored++;
        this.intake.storeOnly(topic, payload);
      }
      if (packet.qos === 1 && stream && packet.messageId !== undefined) {
        let acks = this.pendingAcks.get(stream);
        if (!acks) this.pendingAcks.set(stream, (acks = []));
        acks.push(packet.messageId);
        mqttJsDeferredPubacks.defer(callback);
      } else {
        // QoS 0 has no acknowledgement (and QoS 2 is never granted): nothing to hold back.
        if (packet.qos !== 0) this.flush();
        callback();
      }
      if (work) this.intake.detect(work);
      this.scheduleFlush();
      return;
    }
    // mqtt.js acknowledges this one itself: the telemetry PUBACKs before it must leave first.
    if (this.pendingAcks.size > 0) this.flush();
    // Only the exact `sandglass/v1/{rig}/{cell}/{channel}` topics (the extra-level subscription brings
    // others, which are no one's configuration or alert).
    const channel = parseTopic(topic)?.channel;
    if (channel === 'config') this.onConfigMessage(topic, payload);
    else if (channel === 'alerts') this.intake.applyAlert(payload);
    else if (this.partition?.handles(topic)) this.partition.onMessage(topic, payload);
    callback();
  }

  /**
   * A `…/config` message says "this cell's configuration changed"; what is applied is the configuration
   * the api stored, read back from the store. A retained or live configuration published by anyone else
   * (a rig, an old retained message) therefore changes nothing. Reads are chained per cell so they apply
   * in the order the messages came.
   */
  private onConfigMessage(topic: string, payload: Buffer): void {
    const address = parseTopic(topic);
    if (!address || !this.storedConfig) {
      if (!this.storedConfig) this.intake.applyConfig(topic, payload);
      return;
    }
    const read = this.storedConfig;
    const key = `${address.rigId}/${address.cellId}`;
    const previous = this.configReads.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => read(address.rigId, address.cellId))
      .then(
        (stored) => {
          if (!stored) {
            this.configsIgnored++;
            this.warnThrottled(key, `${key}: ignoring a configuration message for a cell with none stored`);
            return;
          }
          const storedJson = JSON.stringify(stored);
          if (!sameJson(stored, payload)) {
            this.configsIgnored++;
            this.warnThrottled(
              key,
              `${key}: a configuration message differs from the stored one; applying the stored one`,
            );
          }
          this.intake.applyConfig(topic, Buffer.from(storedJson));
        },
        (error: unknown) => {
          this.configsIgnored++;
          this.warnThrottled(
            key,
            `${key}: configuration not applied, the store did not answer (${String(error)})`,
          );
        },
      )
      .finally(() => {
        if (this.configReads.get(key) === next) this.configReads.delete(key);
      });
    this.configReads.set(key, next);
  }

  private warnThrottled(key: string, message: string): void {
    const now = Date.now();
    if ((this.lastWarning.get(key) ?? -Infinity) > now - WARN_EVERY_MS) return;
    if (this.lastWarning.size > 10_000) this.lastWarning.clear();
    this.lastWarning.set(key, now);
    this.logger.warn(message);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * True once this turn's work took `turnBudget_ms`. The first call starts the turn; it ends when the
   * event loop comes round to its immediates (after the I/O callbacks of this round).
   */
  private budgetSpent(): boolean {
    const now = performance.now();
    if (this.turnStarted_ms === undefined) {
      this.turnStarted_ms = now;
      setImmediate(() => (this.turnStarted_ms = undefined));
      return false;
    }
    return now - this.turnStarted_ms >= this.turnBudget_ms;
  }

  private scheduleTurn(): void {
    if (this.turnScheduled || this.stopping) return;
    this.turnScheduled = true;
    setImmediate(() => this.turn());
  }

  /**
   * A turn of the waiting work, within the budget but at least one step: released samples first (later
   * messages of their cells queue behind them anyway), then the held messages in arrival order while the
   * WAL has room; then the group write. What is left waits for the next turn, or, while the WAL is full,
   * for the 20 ms retry.
   */
  private turn(): void {
    this.turnScheduled = false;
    if (this.stopping || this.failed) return;
    this.turnStarted_ms = performance.now();
    let stepped = false;
    const more = () => !stepped || !this.budgetSpent();
    while (this.intake.hasBacklog && more()) {
      this.intake.judgeBacklog();
      stepped = true;
    }
    const held = this.held;
    if (held && this.connection.stream !== held.stream) {
      // The connection it came on is gone; the broker redelivers it on the new one.
      this.held = undefined;
    } else if (held && !this.wal.isFull && more()) {
      this.held = undefined;
      this.process(held.packet, held.callback, held.stream);
      stepped = true;
    }
    while (this.heldInProcess.length > 0 && !this.wal.isFull && more()) {
      const next = this.heldInProcess.shift()!;
      this.processInProcess(next.publish, next.done);
      stepped = true;
    }
    // Judging released samples can log alerts without a message to flush them with.
    if (this.flushScheduled || this.wal.hasPending) this.flush();
    this.turnStarted_ms = undefined;
    const waiting = this.held !== undefined || this.heldInProcess.length > 0;
    if (this.intake.hasBacklog || (waiting && !this.wal.isFull)) this.scheduleTurn();
    else if (waiting) this.heldTimer ??= setInterval(() => this.turn(), 20);
    if (!waiting) this.release();
  }

  /** Writes the WAL group, then sends the PUBACKs that waited for it. */
  private flush(): void {
    this.flushScheduled = false;
    try {
      this.wal.flush();
    } catch (error) {
      // The waiting PUBACKs must never leave: drop the connection, and the broker keeps the messages.
      this.failed = true;
      this.logger.error(`write-ahead log write failed, no longer acknowledging: ${String(error)}`);
      for (const stream of this.pendingAcks.keys()) stream.destroy();
      this.pendingAcks.clear();
      const refused = new Error('write-ahead log write failed');
      for (const done of this.pendingInProcess.splice(0)) done(refused);
      return;
    }
    for (const [stream, ids] of this.pendingAcks) {
      // A socket closed meanwhile: the broker redelivers those messages on the next connection.
      mqttJsDeferredPubacks.send(stream, ids);
    }
    this.pendingAcks.clear();
    if (this.pendingInProcess.length > 0) {
      const dones = this.pendingInProcess;
      this.pendingInProcess = [];
      for (const done of dones) done();
    }
    this.onFlush();
  }

  /** mqtt.js reads no further packet until `callback`: one message waits at most. */
  private hold(packet: IPublishPacket, callback: Ack, stream: Duplex | undefined): void {
    this.held = { packet, callback, stream };
    this.scheduleTurn();
  }

  private release(): void {
    this.held = undefined;
    if (this.heldTimer) clearInterval(this.heldTimer);
    this.heldTimer = undefined;
  }
}

/** What the intake asks of hash partitioning (partition/rig-partition.ts). */
export interface PartitionHooks {
  owns(rigId: string): boolean;
  handles(topic: string): boolean;
  onMessage(topic: string, payload: Buffer): void;
}

/** The rig of a `sandglass/v1/{rig}/…` topic. */
function rigOf(topic: string): string {
  const start = TOPIC_ROOT.length + 1;
  return topic.slice(start, topic.indexOf('/', start));
}

/** True when `payload` is JSON equal to `value` (key order aside). */
function sameJson(value: unknown, payload: Buffer): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return (
      JSON.stringify(canonical(JSON.parse(payload.toString('utf8')))) === JSON.stringify(canonical(value))
    );
  } catch {
    return false;
  }
}
