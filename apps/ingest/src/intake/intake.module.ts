import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { DetectionModule } from '../detection/detection.module.js';
import { INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { IngestHealth } from '../observability/ingest-health.js';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WalDrainer } from '../wal/wal-drainer.js';
import { WalModule } from '../wal/wal.module.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { MqttConnection, MqttIntake } from './mqtt-intake.js';
import { MqttModule } from './mqtt.module.js';

/** MQTT intake: acknowledges telemetry after the WAL write and hands it to the pipeline. */
@Module({
  imports: [MqttModule, WalModule, DetectionModule],
  providers: [
    {
      provide: MqttIntake,
      inject: [MqttConnection, TelemetryIntake, WriteAheadLog, WalDrainer, INGEST_CONFIG, TELEMETRY_STORE],
      useFactory: (
        connection: MqttConnection,
        intake: TelemetryIntake,
        wal: WriteAheadLog,
        drainer: WalDrainer,
        config: IngestConfig,
        store: TelemetryStore,
      ) =>
        new MqttIntake(
          connection,
          intake,
          wal,
          new Logger('MqttIntake'),
          () => drainer.notify(),
          config.telemetrySource,
          (rigId, cellId) => store.getCellConfig({ rigId, cellId }),
        ),
    },
    {
      provide: IngestHealth,
      inject: [MqttConnection, MqttIntake, WriteAheadLog, WalDrainer, TelemetryIntake],
      useFactory: (
        connection: MqttConnection,
        intake: MqttIntake,
        wal: WriteAheadLog,
        drainer: WalDrainer,
        telemetry: TelemetryIntake,
      ) => new IngestHealth(connection, intake, wal, drainer, () => telemetry.counters.samplesAccepted),
    },
  ],
  exports: [MqttIntake, IngestHealth],
})
export class IntakeModule {}
