import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { MqttConnection } from '../intake/mqtt-intake.js';
import { MqttModule } from '../intake/mqtt.module.js';
import { DETECTOR_FACTORY, FAILURE_MODEL } from '../ingest.tokens.js';
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
      provide: TelemetryIntake,
      inject: [WriteAheadLog, MqttConnection, StateWriter, DETECTOR_FACTORY, FAILURE_MODEL],
      useFactory: (
        wal: WriteAheadLog,
        mqtt: MqttConnection,
        states: StateWriter,
        factory: DetectorFactory,
        model: FailureModel,
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
          { tracker: { model } },
        ),
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
  exports: [TelemetryIntake, StateWriter, ModelRunner],
})
export class DetectionModule {}
