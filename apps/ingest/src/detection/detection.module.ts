import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { DeadLetterFile } from '../dead-letters/dead-letter-file.js';
import { DeadLettersModule } from '../dead-letters/dead-letters.module.js';
import { MqttConnection } from '../intake/mqtt-intake.js';
import { MqttModule } from '../intake/mqtt.module.js';
import { Notifier } from '../notify/notifier.js';
import { NotifyModule } from '../notify/notify.module.js';
import { DETECTOR_FACTORY, FAILURE_MODEL, INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import { StateThrottle } from '../pipeline/state-throttle.js';
import { Checkpointer } from '../pipeline/checkpoints.js';
import { CycleAnalytics, CycleRecorder } from '../pipeline/cycle-analytics.js';
import { StateWriter } from '../pipeline/state-writer.js';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WalModule } from '../wal/wal.module.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import type { DetectorFactory } from './detector.js';
import type { FailureModel } from './failure-model.js';
import { ModelRunner } from './model-runner.js';

/**
 * Samples of a released hold judged per step (whole messages, about a millisecond of detectors): the
 * intake runs the steps within its budget per event-loop turn (MqttIntake.turn).
 */
const RELEASE_SLICE_SAMPLES = 100;

/** The per-cell pipeline: validation, ordering, detectors, alerts and derived state. */
@Module({
  imports: [WalModule, MqttModule, DeadLettersModule, NotifyModule],
  providers: [
    {
      provide: StateWriter,
      inject: [TELEMETRY_STORE, INGEST_CONFIG],
      useFactory: (store: TelemetryStore, config: IngestConfig) => {
        const log = new ThrottledLog(new Logger('StateWriter'));
        const max = config.env.SANDGLASS_STATE_QUEUE_MAX;
        return new StateWriter(store, undefined, max, (dropped) =>
          log.warn(
            'states-dropped',
            `state queue full (SANDGLASS_STATE_QUEUE_MAX=${max}): the store is behind, the oldest derived ` +
              `states are not stored (${dropped} since start, sandglass_ingest_states_dropped_total)`,
          ),
        );
      },
    },
    {
      provide: StateThrottle,
      inject: [MqttConnection, StateWriter],
      useFactory: (mqtt: MqttConnection, states: StateWriter) =>
        new StateThrottle((state) => {
          mqtt.publishState(state);
          states.add(state);
        }),
    },
    {
      provide: CycleRecorder,
      inject: [TELEMETRY_STORE, MqttConnection],
      useFactory: (store: TelemetryStore, mqtt: MqttConnection) =>
        new CycleRecorder(store, (cycle) => mqtt.publishCycle(cycle)),
    },
    {
      provide: CycleAnalytics,
      inject: [CycleRecorder],
      useFactory: (recorder: CycleRecorder) => new CycleAnalytics((cycle) => recorder.add(cycle)),
    },
    {
      provide: TelemetryIntake,
      inject: [
        WriteAheadLog,
        StateThrottle,
        MqttConnection,
        DETECTOR_FACTORY,
        FAILURE_MODEL,
        DeadLetterFile,
        CycleAnalytics,
        Notifier,
      ],
      useFactory: (
        wal: WriteAheadLog,
        throttle: StateThrottle,
        mqtt: MqttConnection,
        factory: DetectorFactory,
        model: FailureModel,
        deadLetters: DeadLetterFile,
        cycles: CycleAnalytics,
        notifier: Notifier,
      ) =>
        new TelemetryIntake(
          wal,
          {
            publishState: (state) => throttle.offer(state),
            publishAlert: (alert) => mqtt.publishAlert(alert),
            publishRejected: (rigId, cellId, message) => mqtt.publishRejected(rigId, cellId, message),
            publishCommand: (topic, command) => mqtt.publishCommand(topic, command),
          },
          factory,
          new Logger('TelemetryIntake'),
          {
            tracker: { model, releaseSlice_samples: RELEASE_SLICE_SAMPLES },
            deadLetters,
            cycles,
            notify: (alert, config) => notifier.offer(alert, config),
          },
        ),
    },
    {
      provide: Checkpointer,
      inject: [TelemetryIntake, TELEMETRY_STORE, CycleAnalytics, CycleRecorder],
      useFactory: (
        intake: TelemetryIntake,
        store: TelemetryStore,
        analytics: CycleAnalytics,
        recorder: CycleRecorder,
      ) => new Checkpointer(intake, store, new Logger('Checkpoints'), { analytics, recorder }),
    },
    {
      provide: ModelRunner,
      inject: [FAILURE_MODEL, TelemetryIntake],
      useFactory: (model: FailureModel, intake: TelemetryIntake) =>
        new ModelRunner(
          model,
          () => intake.trackers(),
          new Logger('ModelRunner'),
          2000,
          () => intake.releaseOverdue(),
        ),
    },
  ],
  exports: [
    Checkpointer,
    TelemetryIntake,
    StateWriter,
    StateThrottle,
    ModelRunner,
    CycleRecorder,
    CycleAnalytics,
  ],
})
export class DetectionModule {}
