import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { MqttConnection } from '../intake/mqtt-intake.js';
import { MqttModule } from '../intake/mqtt.module.js';
import { DETECTOR_FACTORY, FAILURE_MODEL } from '../ingest.tokens.js';
import { CycleAnalytics, CycleRecorder } from '../pipeline/cycle-analytics.js';
import { StateWriter } from '../pipeline/state-writer.js';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WalModule } from '../wal/wal.module.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import type { DetectorFactory } from './detector.js';
import type { FailureModel } from './failure-model.js';
import { ModelRunner } from './model-runner.js';

/** The per-cell pipeline: validation, ordering, detectors, alerts and derived state. */
@Module({
  imports: [WalModule, MqttModule],
  providers: [
    {
      provide: StateWriter,
      inject: [TELEMETRY_STORE],
      useFactory: (store: TelemetryStore) => new StateWriter(store),
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
      inject: [WriteAheadLog, MqttConnection, StateWriter, DETECTOR_FACTORY, FAILURE_MODEL, CycleAnalytics],
      useFactory: (
        wal: WriteAheadLog,
        mqtt: MqttConnection,
        states: StateWriter,
        factory: DetectorFactory,
        model: FailureModel,
        cycles: CycleAnalytics,
      ) =>
        new TelemetryIntake(
          wal,
          {
            publishState: (state) => {
              mqtt.publishState(state);
              states.add(state);
            },
            publishAlert: (alert) => mqtt.publishAlert(alert),
            publishRejected: (rigId, cellId, message) => mqtt.publishRejected(rigId, cellId, message),
          },
          factory,
          new Logger('TelemetryIntake'),
          { tracker: { model }, cycles },
        ),
    },
    {
      provide: ModelRunner,
      inject: [FAILURE_MODEL, TelemetryIntake],
      useFactory: (model: FailureModel, intake: TelemetryIntake) =>
        new ModelRunner(model, () => intake.trackers(), new Logger('ModelRunner')),
    },
  ],
  exports: [TelemetryIntake, StateWriter, ModelRunner, CycleRecorder, CycleAnalytics],
})
export class DetectionModule {}
