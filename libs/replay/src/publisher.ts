import { telemetryTopic, type ReplaySpeed, type Sample } from '#contracts';
import type { ReplaySample } from './types.js';

/** The part of an MQTT client the publisher needs (mqtt.js's `MqttClient` has it). */
export interface TelemetryPublishTarget {
  publishAsync(topic: string, payload: string, options: { qos: 1 }): Promise<unknown>;
}

export interface PublishOptions {
  rigId: string;
  cellId: string;
  /** Data time × speed, or `max`: as fast as the broker takes it. */
  speed: ReplaySpeed;
  /** Data time (epoch ms) given to the first row. */
  start_ms: number;
  /** Start again from the first row when the run ends; data time keeps going forward. */
  loop?: boolean;
  /** Most samples in one message. */
  batchSize?: number;
  /** QoS 1 messages in flight at once (mqtt.js queues, this bounds memory). */
  maxInFlight?: number;
  /** Wall-clock source and sleep, replaceable in tests. */
  clock?: { now(): number; sleep(ms: number): Promise<void> };
}

export type PublisherState = 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

export interface PublishProgress {
  state: PublisherState;
  rowsPublished: number;
  messagesPublished: number;
  /** Data time (epoch ms) of the last published row. */
  dataTime: number | null;
  /** Completed passes over the run (loop). */
  passes: number;
  wallElapsed_ms: number;
  error?: string;
}

const realClock = {
  now: () => performance.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/** How far ahead of its wall-clock due time a row may be sent, so paced rows go out in batches. */
const PACING_WINDOW_MS = 20;

/**
 * Publishes a recorded or simulated run as a rig would: QoS 1 arrays of samples on
 * `sandglass/v1/{rig}/{cell}/telemetry`, paced in data time × speed, with a per-run `seq` so ingest drops
 * duplicates. Pause, resume and stop act between messages.
 */
export class ReplayPublisher {
  private state: PublisherState = 'running';
  private rowsPublished = 0;
  private messagesPublished = 0;
  private dataTime: number | null = null;
  private passes = 0;
  private startedAt = 0;
  private pausedAt: number | null = null;
  private pausedTotal = 0;
  private error: string | undefined;
  private wakePaused: (() => void) | undefined;
  private readonly clock: { now(): number; sleep(ms: number): Promise<void> };

  constructor(
    private readonly target: TelemetryPublishTarget,
    /** Opens the run from its first row; called again for each pass when looping. */
    private readonly openRun: () => AsyncIterable<ReplaySample[]>,
    private readonly options: PublishOptions,
  ) {
    this.clock = options.clock ?? realClock;
  }

  progress(): PublishProgress {
    return {
      state: this.state,
      rowsPublished: this.rowsPublished,
      messagesPublished: this.messagesPublished,
      dataTime: this.dataTime,
      passes: this.passes,
      wallElapsed_ms: this.startedAt ? this.clock.now() - this.startedAt : 0,
      ...(this.error !== undefined && { error: this.error }),
    };
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.pausedAt = this.clock.now();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.pausedTotal += this.clock.now() - (this.pausedAt ?? this.clock.now());
    this.pausedAt = null;
    this.wakePaused?.();
  }

  stop(): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.state = 'stopped';
    this.wakePaused?.();
  }

  /** Publishes the whole run (every pass when looping); resolves with the final progress. */
  async run(): Promise<PublishProgress> {
    const { rigId, cellId, speed } = this.options;
    const topic = telemetryTopic(rigId, cellId);
    const batchSize = this.options.batchSize ?? (speed === 'max' ? 500 : 200);
    const maxInFlight = this.options.maxInFlight ?? 32;
    const inFlight = new Set<Promise<unknown>>();
    let failure: unknown;
    const send = async (samples: Sample[]) => {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (failure) throw failure;
      const sent: Promise<unknown> = this.target
        .publishAsync(topic, JSON.stringify(samples), { qos: 1 })
        .then(
          (): void => {
            inFlight.delete(sent);
          },
          (error: unknown): void => {
            inFlight.delete(sent);
            failure ??= error;
          },
        );
      inFlight.add(sent);
      this.messagesPublished++;
      this.rowsPublished += samples.length;
      this.dataTime = samples[samples.length - 1]?.ts ?? this.dataTime;
    };

    this.startedAt = this.clock.now();
    let seq = 0;
    let offset_s = 0;
    try {
      do {
        let lastTime_s = 0;
        let rowsThisPass = 0;
        let batch: Sample[] = [];
        for await (const rows of this.openRun()) {
          for (const row of rows) {
            if (this.isOver()) break;
            lastTime_s = row.time_s;
            rowsThisPass++;
            const dataTime_s = offset_s + row.time_s;
            if (speed !== 'max') {
              const wait = this.dueWall(dataTime_s) - this.clock.now();
              if (wait > PACING_WINDOW_MS && batch.length > 0) {
                await send(batch);
                batch = [];
              }
              if (wait > 0) await this.clock.sleep(wait);
            }
            await this.waitWhilePaused();
            if (this.isOver()) break;
            batch.push(this.toSample(row, dataTime_s, seq++));
            if (batch.length >= batchSize) {
              await send(batch);
              batch = [];
            }
          }
          if (this.isOver()) break;
        }
        if (batch.length > 0 && !this.isOver()) await send(batch);
        this.passes++;
        // The next pass continues in data time one typical sample interval after this one ended.
        offset_s += lastTime_s + Math.max(lastTime_s / Math.max(rowsThisPass - 1, 1), 1e-3);
      } while (this.options.loop && !this.isOver());
      await Promise.all(inFlight);
      if (failure) throw failure;
      if (this.state === 'running') this.state = 'finished';
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      await Promise.allSettled(inFlight);
    }
    return this.progress();
  }

  private isOver(): boolean {
    return this.state === 'stopped' || this.state === 'failed';
  }

  private dueWall(dataTime_s: number): number {
    const speed = this.options.speed as number;
    return this.startedAt + this.pausedTotal + (dataTime_s * 1000) / speed;
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.state === 'paused') {
      await new Promise<void>((resolve) => {
        this.wakePaused = resolve;
      });
    }
  }

  private toSample(row: ReplaySample, dataTime_s: number, seq: number): Sample {
    const sample: Sample = {
      ts: this.options.start_ms + dataTime_s * 1000,
      v: row.v,
      i: row.i,
      seq,
    };
    if (row.t !== undefined) sample.t = row.t;
    if (row.p !== undefined) sample.p = row.p;
    if (row.cycle !== undefined) sample.cycle = row.cycle;
    if (row.step !== undefined) sample.step = row.step;
    return sample;
  }
}

/** Groups a stream of single rows (the simulator's) into the batches the publisher reads. */
export async function* inBatches(rows: Iterable<ReplaySample>, size = 1000): AsyncGenerator<ReplaySample[]> {
  let batch: ReplaySample[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
