import {
  AlertEventSchema,
  CellConfigSchema,
  decodeTelemetry,
  defaultCellConfig,
  parseTopic,
  TOPIC_ROOT,
  isValidId,
  payloadExcerpt,
  type AlertEvent,
  type CellConfig,
  type RejectReason,
  type RejectedMessage,
  type SafetyCommand,
  type Sample,
  type StateMessage,
} from '#contracts';
import type { Snapshot } from '#physics';
import { deadLetterPayload, type DeadLetterSink } from '../dead-letters/dead-letter-file.js';
import type { DetectorFactory } from '../detection/detector.js';
import { needsSafetyStop, safetyStopCommand } from '../safety/safety-stop.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { WriteAheadLog } from '../wal/write-ahead-log.js';
import { CellTracker, type Admitted, type CellOutput, type CellTrackerOptions } from './cell-tracker.js';
import type { CycleAnalytics } from './cycle-analytics.js';
import { KeyedRateLimiter } from './rate-limiter.js';

/** Where the pipeline's outputs go (MQTT in production, arrays in tests). Must not block. */
export interface IngestOutput {
  publishState(state: StateMessage): void;
  publishAlert(alert: AlertEvent): void;
  publishRejected(rigId: string, cellId: string, message: RejectedMessage): void;
  /** A safety stop on the cell's `…/command` topic (QoS 1, not retained). */
  publishCommand(topic: string, command: SafetyCommand): void;
}

export interface IngestLogger {
  warn(message: string): void;
  error(message: string): void;
  log(message: string): void;
}

export interface TelemetryIntakeOptions {
  tracker?: CellTrackerOptions;
  /** Rejection messages published per cell and second (all are counted). */
  rejectedPerSecond?: number;
  rejectedBurst?: number;
  /** Where refused messages are kept for inspection and replay. */
  deadLetters?: DeadLetterSink;
  /**
   * How long (wall clock, ms) samples of a cell without a configuration are held for one to arrive
   * before they are judged with the default configuration. Held samples are judged exactly as if the
   * configuration had come first, so alerts do not depend on which of the two arrived first.
   */
  configHold_ms?: number;
  now?: () => number;
  /** Per-cell cycle statistics, fed with each message's samples after detection. */
  cycles?: CycleAnalytics;
  /**
   * Every alert state change of a cell (raised, escalated, acknowledged, cleared) with the cell's
   * configuration, for notifications. Must not block.
   */
  notify?: (alert: AlertEvent, config: CellConfig) => void;
}

/** Default wait for a configuration that has not arrived with a cell's first samples. */
export const DEFAULT_CONFIG_HOLD_MS = 5000;

/** Counters read by the metrics endpoint at scrape time (plain numbers: no work on the hot path). */
export class IngestCounters {
  messagesReceived = 0;
  samplesAccepted = 0;
  duplicates = 0;
  newRuns = 0;
  alertsRaised = 0;
  /** Safety stop commands published (cell config `safety`). */
  safetyStops = 0;
  readonly rejected = new Map<RejectReason, number>();
  rejectedPublished = 0;
  detectorErrors = 0;

  reject(reason: RejectReason, n = 1): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + n);
  }
}

/** Work left for after the acknowledgement: detection on the admitted samples of one message. */
export interface PendingDetection {
  cell: CellTracker;
  admitted: Admitted;
}

/**
 * The ingest core, framework- and broker-free. `accept` is the part before the PUBACK (decode, validate,
 * per-cell admission, WAL append — all synchronous, nothing waits on the network); `detect` runs after
 * it. Configuration and acknowledgement messages from the api are applied through `applyConfig` and
 * `applyAlert`.
 */
export class TelemetryIntake {
  readonly counters = new IngestCounters();
  private readonly cells = new Map<string, CellTracker>();
  /** Telemetry topic → its cell, so known topics skip parsing. */
  private readonly byTopic = new Map<string, CellTracker>();
  private readonly configs = new Map<string, CellConfig>();
  private readonly restoredAlerts = new Map<string, AlertEvent[]>();
  private readonly rejections: KeyedRateLimiter;
  /** "New run" log lines per cell: 3, then one a minute. */
  private readonly runLogs: KeyedRateLimiter;
  private readonly runLogsSuppressed = new Map<string, number>();
  private readonly now: () => number;
  private readonly detectorFactory: DetectorFactory;
  /** Lines about refused data and detector failures, once per kind per minute. */
  private readonly lossLog: ThrottledLog;
  /** Cells with released samples still to judge (`tracker.releaseSlice_samples`), oldest first. */
  private readonly releasing = new Set<CellTracker>();
  private backlogListener: (() => void) | undefined;

  constructor(
    private readonly wal: WriteAheadLog,
    private readonly output: IngestOutput,
    detectorFactory: DetectorFactory,
    private readonly logger: IngestLogger,
    private readonly options: TelemetryIntakeOptions = {},
  ) {
    this.detectorFactory = this.safeFactory(detectorFactory);
    this.runLogs = new KeyedRateLimiter(1 / 60, 3);
    this.rejections = new KeyedRateLimiter(options.rejectedPerSecond ?? 5, options.rejectedBurst ?? 20);
    this.now = options.now ?? Date.now;
    this.lossLog = new ThrottledLog(logger, 60_000, this.now);
  }

  /** Configurations known at start (from the store). */
  loadConfigs(configs: readonly CellConfig[]): void {
    for (const config of configs) this.configs.set(`${config.rigId}/${config.cellId}`, config);
  }

  /** Open alerts from the store, handed to each cell's alert engine when the cell shows up. */
  restoreAlerts(alerts: readonly AlertEvent[]): void {
    for (const alert of alerts) {
      if (alert.state === 'cleared') continue;
      const key = `${alert.rigId}/${alert.cellId}`;
      const cell = this.cells.get(key);
      if (cell) cell.alerts.restoreOpen([alert]);
      else this.restoredAlerts.set(key, [...(this.restoredAlerts.get(key) ?? []), alert]);
    }
  }

  get cellCount(): number {
    return this.cells.size;
  }

  /** Per-cell accepted sample counts (metrics). */
  *cellSampleCounts(): Iterable<[string, string, number]> {
    for (const cell of this.cells.values()) yield [cell.rigId, cell.cellId, cell.samples];
  }

  /** Every cell seen since start. */
  trackers(): Iterable<CellTracker> {
    return this.cells.values();
  }

  cell(rigId: string, cellId: string): CellTracker | undefined {
    return this.cells.get(`${rigId}/${cellId}`);
  }

  /**
   * Decodes and validates a telemetry message, admits its samples and appends them to the WAL (in
   * memory until the caller's `wal.flush()`). Rejections are counted and published, rate-limited per
   * cell. Returns the detection work to run after the acknowledgement.
   */
  accept(topic: string, payload: Buffer): PendingDetection | undefined {
    const message = this.decodeMessage(topic, payload);
    if (!message) return undefined;
    const { rigId, cellId } = message;
    let cell = message.cell;
    if (!cell) {
      cell = this.cellFor(rigId, cellId);
      if (this.byTopic.size >= 100_000) this.byTopic.clear();
      this.byTopic.set(topic, cell);
    }
    const admitted = cell.admit(message.samples);
    this.counters.duplicates += admitted.duplicates;
    if (admitted.samples.length === 0) return undefined;
    this.wal.appendSamples(rigId, cellId, admitted.samples);
    this.counters.samplesAccepted += admitted.samples.length;
    return { cell, admitted };
  }

  /**
   * Telemetry of a cell another process judges (hash partitioning: messages the broker queued for this
   * process's session before its rig moved): validated like `accept` and appended to the WAL, so it is
   * stored, but neither sequenced nor judged here, and no tracker is made (this process must not
   * checkpoint a cell it does not own). The store keeps one point per cell and time, so a sample the
   * owner stores as well is stored once. Returns the number of samples appended.
   */
  storeOnly(topic: string, payload: Buffer): number {
    const message = this.decodeMessage(topic, payload);
    if (!message) return 0;
    this.wal.appendSamples(message.rigId, message.cellId, message.samples);
    this.counters.samplesAccepted += message.samples.length;
    return message.samples.length;
  }

  /** The cell and valid samples of a telemetry message; rejections are counted and dead-lettered. */
  private decodeMessage(
    topic: string,
    payload: Buffer,
  ): { rigId: string; cellId: string; cell: CellTracker | undefined; samples: Sample[] } | undefined {
    this.counters.messagesReceived++;
    const cell = this.byTopic.get(topic);
    let rigId: string;
    let cellId: string;
    if (cell) {
      ({ rigId, cellId } = cell);
    } else {
      const address = parseTopic(topic);
      if (!address || address.channel !== 'telemetry') {
        this.rejectTopic(topic, payload);
        this.deadLetter(topic, payload, 'bad-topic', `not a ${TOPIC_ROOT}/{rigId}/{cellId}/telemetry topic`);
        return undefined;
      }
      ({ rigId, cellId } = address);
    }
    const decoded = decodeTelemetry(payload);
    if (!decoded.ok) {
      this.reject(rigId, cellId, payload, decoded.reason, decoded.detail, undefined);
      this.deadLetter(topic, payload, decoded.reason, decoded.detail);
      return undefined;
    }
    if (decoded.rejected.length > 0) {
      for (const r of decoded.rejected) this.reject(rigId, cellId, payload, r.reason, r.detail, r.index);
      const first = decoded.rejected[0]!;
      this.deadLetter(topic, payload, first.reason, first.detail, decoded.rejected);
    }
    if (decoded.samples.length === 0) return undefined;
    return { rigId, cellId, cell, samples: decoded.samples };
  }

  /** Detection, alerts and state for an accepted message; alerts go to the WAL, then out. */
  detect(work: PendingDetection): void {
    this.run(work.cell, () => work.cell.detect(work.admitted));
    this.options.cycles?.add(work.cell, work.admitted);
    const cell = work.cell;
    if (
      cell.awaitingConfig &&
      this.now() - (cell.heldSince ?? Infinity) >= (this.options.configHold_ms ?? DEFAULT_CONFIG_HOLD_MS)
    ) {
      this.logger.warn(
        `${cell.rigId}/${cell.cellId}: no configuration arrived, monitoring with the default configuration`,
      );
      this.run(cell, () => cell.release());
    }
  }

  /** Samples held for configurations overdue by now are judged with the defaults (call periodically). */
  releaseOverdue(): void {
    const hold_ms = this.options.configHold_ms ?? DEFAULT_CONFIG_HOLD_MS;
    for (const cell of this.cells.values()) {
      if (!cell.awaitingConfig || this.now() - (cell.heldSince ?? Infinity) < hold_ms) continue;
      this.logger.warn(
        `${cell.rigId}/${cell.cellId}: no configuration arrived, monitoring with the default configuration`,
      );
      this.run(cell, () => cell.release());
    }
  }

  /** True while released samples wait to be judged: `judgeBacklog` until it is false. */
  get hasBacklog(): boolean {
    return this.releasing.size > 0;
  }

  /** Called when a cell gets released samples to judge (the caller schedules `judgeBacklog`). */
  onBacklog(listener: () => void): void {
    this.backlogListener = listener;
  }

  /** Judges one slice of the oldest backlog; publishes what it produced. True while more waits. */
  judgeBacklog(): boolean {
    const cell = this.releasing.values().next().value;
    if (cell) this.run(cell, () => cell.judgeHeld());
    return this.releasing.size > 0;
  }

  /** The configuration known for a cell (from the store or the broker), if any. */
  configuration(rigId: string, cellId: string): CellConfig | undefined {
    return this.configs.get(`${rigId}/${cellId}`);
  }

  /** Forgets a cell's tracker (a checkpoint that did not fit): its next sample starts it afresh. */
  forgetCell(rigId: string, cellId: string): void {
    const key = `${rigId}/${cellId}`;
    const cell = this.cells.get(key);
    this.cells.delete(key);
    if (cell) this.releasing.delete(cell);
    for (const [topic, tracker] of this.byTopic) if (tracker === cell) this.byTopic.delete(topic);
  }

  /**
   * A cell continued from its checkpoint (taken with `config`): a tracker restored from `snapshot`, which
   * replaces one made for the cell so far. Throws SnapshotError when the checkpoint does not fit; the
   * cell then starts afresh.
   */
  restoreCell(rigId: string, cellId: string, config: CellConfig, snapshot: Snapshot): CellTracker {
    const key = `${rigId}/${cellId}`;
    const replaced = this.cells.get(key);
    if (replaced) this.releasing.delete(replaced);
    const cell = new CellTracker(rigId, cellId, config, this.detectorFactory, {
      now: this.now,
      ...this.options.tracker,
    });
    cell.restore(snapshot);
    // The checkpoint's alert engine is newer than the open alerts read from the store for this cell.
    this.restoredAlerts.delete(key);
    if (!this.configs.has(key)) this.configs.set(key, config);
    this.cells.set(key, cell);
    return cell;
  }

  /**
   * Samples the store holds after a cell's checkpoint, judged again as they were before the restart:
   * admitted, detected, fed to the cycle statistics. Alerts `published` says went out before the restart
   * are neither published nor stored again; the cell's last state is published once at the end.
   */
  replay(cell: CellTracker, samples: readonly Sample[], published: (alert: AlertEvent) => boolean): number {
    const admitted = cell.admit(samples);
    if (admitted.samples.length === 0) return 0;
    let output: CellOutput;
    try {
      output = cell.detect(admitted);
    } catch (error) {
      this.counters.detectorErrors++;
      this.logger.error(`detector failed replaying ${cell.rigId}/${cell.cellId}: ${String(error)}`);
      return admitted.samples.length;
    }
    this.options.cycles?.add(cell, admitted);
    const fresh = output.alerts.filter((alert) => !published(alert));
    const last = output.states[output.states.length - 1];
    this.run(cell, () => ({ alerts: fresh, states: last ? [last] : [], newRuns: output.newRuns }));
    return admitted.samples.length;
  }

  /** Runs a cell's detection step and publishes what it produced. */
  private run(cell: CellTracker, step: () => CellOutput): void {
    let output: CellOutput;
    try {
      output = step();
    } catch (error) {
      this.trackBacklog(cell);
      // A detector bug must not stop the stream: the samples are already in the WAL.
      this.counters.detectorErrors++;
      this.lossLog.error(
        'detector-error',
        `detector failed on ${cell.rigId}/${cell.cellId}: ${String(error)} ` +
          `(${this.counters.detectorErrors} failed runs since start)`,
      );
      return;
    }
    this.trackBacklog(cell);
    if (output.newRuns > 0) {
      this.counters.newRuns += output.newRuns;
      // A stream whose time jumps back and forth would log on every jump: a few lines per cell, then at
      // most one a minute with the count since (the counter on /metrics has every one).
      const key = `${cell.rigId}/${cell.cellId}`;
      const quiet = (this.runLogsSuppressed.get(key) ?? 0) + output.newRuns;
      if (this.runLogs.take(key, this.now())) {
        this.runLogsSuppressed.delete(key);
        this.logger.log(
          `${key}: data time jumped back, new run ${cell.sequencer.run}` +
            (quiet > output.newRuns ? ` (${quiet} new runs since the last line)` : ''),
        );
      } else {
        if (this.runLogsSuppressed.size >= 100_000) this.runLogsSuppressed.clear();
        this.runLogsSuppressed.set(key, quiet);
      }
    }
    for (let alert of output.alerts) {
      if (alert.state === 'raised') this.counters.alertsRaised++;
      if (needsSafetyStop(cell.configuration.safety, alert)) alert = this.safetyStop(cell, alert);
      this.wal.appendAlert(alert);
      this.output.publishAlert(alert);
      this.options.notify?.(alert, cell.configuration);
    }
    for (const state of output.states) this.output.publishState(state);
  }

  private trackBacklog(cell: CellTracker): void {
    if (cell.backlog === 0) {
      this.releasing.delete(cell);
    } else if (!this.releasing.has(cell)) {
      this.releasing.add(cell);
      this.backlogListener?.();
    }
  }

  /**
   * Publishes the stop command first (nothing between the detector and the rig but this publish), then
   * records it on the alert, on the cell's open alert (so it is sent once) and in the log, which is the
   * audit record of who stopped which channel and why.
   */
  private safetyStop(cell: CellTracker, alert: AlertEvent): AlertEvent {
    const { topic, command } = safetyStopCommand(alert, this.now());
    this.output.publishCommand(topic, command);
    this.counters.safetyStops++;
    const safetyStop = { ts: command.ts, topic };
    cell.alerts.recordSafetyStop(alert.id, safetyStop);
    this.logger.warn(
      `SAFETY STOP ${cell.rigId}/${cell.cellId}: published {"action":"stop"} on ${topic} for alert ${alert.id} ` +
        `(${command.reason})`,
    );
    return { ...alert, safetyStop };
  }

  /** A retained `…/config` message: validated and applied live. */
  applyConfig(topic: string, payload: Buffer): void {
    const address = parseTopic(topic);
    if (!address || payload.length === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      this.logger.warn(`ignoring unreadable configuration on ${topic}`);
      return;
    }
    const result = CellConfigSchema.safeParse(parsed);
    if (!result.success || result.data.rigId !== address.rigId || result.data.cellId !== address.cellId) {
      this.logger.warn(`ignoring invalid configuration on ${topic}`);
      return;
    }
    const key = `${address.rigId}/${address.cellId}`;
    this.configs.set(key, result.data);
    const cell = this.cells.get(key);
    // The retained configuration comes again on every (re)connect: the same one keeps the detector's
    // state (built over hours, or restored from a checkpoint); only a change restarts it.
    if (cell && !(sameConfig(cell.configuration, result.data) && !cell.awaitingConfig)) {
      this.run(cell, () => cell.configure(result.data));
    }
  }

  /** An `…/alerts` message: acknowledgements by the api are recorded on the open alert. */
  applyAlert(payload: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const result = AlertEventSchema.safeParse(parsed);
    if (!result.success || result.data.state !== 'acknowledged') return;
    const ack = result.data;
    const key = `${ack.rigId}/${ack.cellId}`;
    const cell = this.cells.get(key);
    if (cell) {
      if (cell.alerts.acknowledge(ack)) this.options.notify?.(ack, cell.configuration);
      return;
    }
    const restored = this.restoredAlerts.get(key);
    if (restored) {
      this.restoredAlerts.set(
        key,
        restored.map((a) =>
          a.id === ack.id ? { ...a, state: 'acknowledged', acknowledgedBy: ack.acknowledgedBy } : a,
        ),
      );
    }
  }

  /** A configuration the detector refuses falls back to the default one, with a warning, never a crash. */
  private safeFactory(factory: DetectorFactory): DetectorFactory {
    return (config) => {
      try {
        return factory(config);
      } catch (error) {
        this.logger.warn(
          `${config.rigId}/${config.cellId}: configuration refused by the detector (${String(error)}); ` +
            'monitoring with the default configuration',
        );
        return factory(defaultCellConfig(config.rigId, config.cellId));
      }
    };
  }

  private cellFor(rigId: string, cellId: string): CellTracker {
    const key = `${rigId}/${cellId}`;
    let cell = this.cells.get(key);
    if (cell) return cell;
    // Without a configuration the cell's samples are held (not judged with defaults) until one arrives
    // or configHold_ms passes.
    const config = this.configs.get(key);
    cell = new CellTracker(rigId, cellId, config ?? defaultCellConfig(rigId, cellId), this.detectorFactory, {
      now: this.now,
      ...this.options.tracker,
      awaitingConfig: config === undefined,
    });
    const restored = this.restoredAlerts.get(key);
    if (restored) {
      cell.alerts.restoreOpen(restored);
      this.restoredAlerts.delete(key);
    }
    this.cells.set(key, cell);
    return cell;
  }

  /**
   * A telemetry topic that is not `sandglass/v1/{rig}/{cell}/telemetry` (extra or missing levels, bad
   * ids): counted, and reported on `…/rejected` of the cell its first two levels name, if they do.
   */
  private rejectTopic(topic: string, payload: Buffer): void {
    const levels = topic.startsWith(`${TOPIC_ROOT}/`) ? topic.slice(TOPIC_ROOT.length + 1).split('/') : [];
    const [rigId, cellId] = levels;
    if (levels.length >= 3 && rigId && cellId && isValidId(rigId) && isValidId(cellId)) {
      const detail = `topic ${topic.slice(0, 200)} is not ${TOPIC_ROOT}/{rigId}/{cellId}/telemetry`;
      this.reject(rigId, cellId, payload, 'bad-topic', detail, undefined);
    } else {
      this.counters.reject('bad-topic');
    }
  }

  private reject(
    rigId: string,
    cellId: string,
    payload: Buffer,
    reason: RejectReason,
    detail: string,
    index: number | undefined,
  ): void {
    this.counters.reject(reason);
    this.lossLog.warn(
      `rejected:${reason}`,
      `${rigId}/${cellId}: sample refused (${reason}: ${detail}); counted in sandglass_ingest_rejected_total`,
    );
    const now = this.now();
    if (!this.rejections.take(`${rigId}/${cellId}`, now)) return;
    this.counters.rejectedPublished++;
    const message: RejectedMessage = { reason, detail, receivedAt: now, payload: payloadExcerpt(payload) };
    if (index !== undefined) message.index = index;
    this.output.publishRejected(rigId, cellId, message);
  }

  private deadLetter(
    topic: string,
    payload: Buffer,
    reason: string,
    detail: string,
    rejected?: readonly { index: number; reason: string; detail: string }[],
  ): void {
    if (!this.options.deadLetters) return;
    this.options.deadLetters.add({
      at: this.now(),
      reason,
      detail,
      topic,
      ...deadLetterPayload(payload),
      ...(rejected && { rejected: rejected.map(({ index, reason, detail }) => ({ index, reason, detail })) }),
    });
  }
}

/** Equal configurations, whatever the order of their keys. */
export function sameConfig(a: CellConfig, b: CellConfig): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
