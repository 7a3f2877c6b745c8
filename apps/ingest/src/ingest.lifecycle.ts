import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { DeadLetterFile } from './dead-letters/dead-letter-file.js';
import { ModelRunner } from './detection/model-runner.js';
import { MqttIntake } from './intake/mqtt-intake.js';
import { MetricSourcesRef } from './observability/metric-sources.js';
import { RigPartition } from './partition/rig-partition.js';
import { StateThrottle } from './pipeline/state-throttle.js';
import { Checkpointer } from './pipeline/checkpoints.js';
import { CycleAnalytics, CycleRecorder } from './pipeline/cycle-analytics.js';
import { StateWriter } from './pipeline/state-writer.js';
import { TelemetryIntake } from './pipeline/telemetry-intake.js';
import { WalDrainer } from './wal/wal-drainer.js';
import { WriteAheadLog } from './wal/write-ahead-log.js';

const STORE_START_TIMEOUT_MS = 5000;
/**
 * Shutdown must end within 10 s whatever the backlog (a supervisor's SIGKILL follows soon after): the
 * drainer stores for this long, the states get a second, and the rest of the WAL waits for the next start.
 */
const SHUTDOWN_DRAIN_MS = 4000;
const SHUTDOWN_STATES_MS = 1000;
const SHUTDOWN_CHECKPOINTS_MS = 2000;
/** At start, how long the stored samples after the checkpoints may take to come out of the WAL. */
const WAL_REPLAY_WAIT_MS = 60_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/**
 * Start and stop order of an ingest instance. Start: replay the WAL into the store (drainer), load cell
 * configurations and open alerts from the store, then connect to the broker. Stop: stop acknowledging
 * and disconnect, write the WAL, store what can be stored in a few seconds, close the WAL (the rest is
 * replayed at the next start).
 */
@Injectable()
export class IngestLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Ingest');

  constructor(
    @Inject(TELEMETRY_STORE) private readonly store: TelemetryStore,
    @Inject(WriteAheadLog) private readonly wal: WriteAheadLog,
    @Inject(WalDrainer) private readonly drainer: WalDrainer,
    @Inject(TelemetryIntake) private readonly intake: TelemetryIntake,
    @Inject(StateWriter) private readonly states: StateWriter,
    @Inject(StateThrottle) private readonly stateThrottle: StateThrottle,
    @Inject(MqttIntake) private readonly mqtt: MqttIntake,
    @Inject(ModelRunner) private readonly model: ModelRunner,
    @Inject(DeadLetterFile) private readonly deadLetters: DeadLetterFile,
    @Inject(MetricSourcesRef) metrics: MetricSourcesRef,
    @Inject(CycleRecorder) private readonly cycles: CycleRecorder,
    @Inject(CycleAnalytics) analytics: CycleAnalytics,
    @Inject(Checkpointer) private readonly checkpoints: Checkpointer,
    @Inject(RigPartition) private readonly partition: RigPartition | null,
  ) {
    metrics.sources = {
      intake,
      wal,
      drainer,
      store,
      mqtt,
      states,
      model,
      deadLetters,
      cycles: { recorder: cycles, analytics },
      checkpoints: checkpoints.counters,
      ...(partition && { partition }),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.drainer.start();
    this.states.start();
    this.stateThrottle.start();
    this.cycles.start();
    try {
      const [configs, alerts] = await within(
        Promise.all([this.store.listCellConfigs(), this.store.queryAlerts({ limit: 10_000 })]),
        STORE_START_TIMEOUT_MS,
      );
      this.intake.loadConfigs(configs);
      const open = alerts.filter((a) => a.state !== 'cleared');
      this.intake.restoreAlerts(open);
      this.logger.log(
        `${configs.length} cell configurations and ${open.length} open alerts loaded from the store`,
      );
    } catch (error) {
      this.logger.warn(
        `could not load configurations and open alerts from the store (${String(error)}); ` +
          'using retained configurations from the broker, defaults otherwise',
      );
    }
    try {
      // Before the broker: a cell continues from its checkpoint and the samples stored since, then takes
      // new samples. Partitioned, the WAL is stored first and each rig is restored when it is taken.
      if (this.partition) await this.walDrained(WAL_REPLAY_WAIT_MS);
      else await this.checkpoints.restore(() => this.walDrained(WAL_REPLAY_WAIT_MS));
    } catch (error) {
      this.logger.warn(`could not restore detector checkpoints (${String(error)}); detectors start afresh`);
    }
    this.checkpoints.start();
    this.mqtt.start();
    this.model.start();
  }

  /** Waits until the store holds the whole write-ahead log (true), or `ms` passed (false). */
  private async walDrained(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (this.wal.unstoredBytes > 0) {
      if (Date.now() > until) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const started = Date.now();
    this.partition?.leave();
    await this.mqtt.stop();
    await this.model.stop();
    // Every cell's state after its last sample: the next start continues from here.
    await within(this.checkpoints.stop(), SHUTDOWN_CHECKPOINTS_MS).catch((error: unknown) =>
      this.logger.warn(`detector checkpoints not all stored at shutdown (${String(error)})`),
    );
    await this.drainer.stop(SHUTDOWN_DRAIN_MS);
    this.stateThrottle.stop();
    await within(this.states.stop(), SHUTDOWN_STATES_MS).catch(() =>
      this.logger.warn(
        `derived states not all stored within ${SHUTDOWN_STATES_MS} ms; they are rebuilt from new samples`,
      ),
    );
    await this.cycles.stop();
    this.deadLetters.stop();
    this.wal.close();
    const left = this.wal.unstoredBytes;
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (left > 0) {
      this.logger.warn(
        `stopped in ${took}; ${(left / 1e6).toFixed(1)} MB of the write-ahead log not stored yet: ` +
          'kept on disk and stored at the next start',
      );
    } else this.logger.log(`stopped in ${took}; everything accepted is stored`);
  }
}
