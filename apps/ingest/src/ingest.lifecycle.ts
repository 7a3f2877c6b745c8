import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { ModelRunner } from './detection/model-runner.js';
import { MqttIntake } from './intake/mqtt-intake.js';
import { MetricSourcesRef } from './observability/metric-sources.js';
import { CycleAnalytics, CycleRecorder } from './pipeline/cycle-analytics.js';
import { StateWriter } from './pipeline/state-writer.js';
import { TelemetryIntake } from './pipeline/telemetry-intake.js';
import { WalDrainer } from './wal/wal-drainer.js';
import { WriteAheadLog } from './wal/write-ahead-log.js';

const STORE_START_TIMEOUT_MS = 5000;
const SHUTDOWN_DRAIN_MS = 5000;

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
    @Inject(MqttIntake) private readonly mqtt: MqttIntake,
    @Inject(ModelRunner) private readonly model: ModelRunner,
    @Inject(MetricSourcesRef) metrics: MetricSourcesRef,
    @Inject(CycleRecorder) private readonly cycles: CycleRecorder,
    @Inject(CycleAnalytics) analytics: CycleAnalytics,
  ) {
    metrics.sources = { intake, wal, drainer, cycles: { recorder: cycles, analytics } };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.drainer.start();
    this.states.start();
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
    this.mqtt.start();
    this.model.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.mqtt.stop();
    await this.model.stop();
    await this.drainer.stop(SHUTDOWN_DRAIN_MS);
    await this.states.stop();
    await this.cycles.stop();
    this.wal.close();
    const left = this.wal.unstoredBytes;
    if (left > 0) this.logger.warn(`${left} bytes of the WAL not stored yet; replayed at the next start`);
  }
}
