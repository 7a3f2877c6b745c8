import { Logger, Module } from '@nestjs/common';
import { DetectionModule } from '../detection/detection.module.js';
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
      inject: [MqttConnection, TelemetryIntake, WriteAheadLog, WalDrainer],
      useFactory: (
        connection: MqttConnection,
        intake: TelemetryIntake,
        wal: WriteAheadLog,
        drainer: WalDrainer,
      ) => new MqttIntake(connection, intake, wal, new Logger('MqttIntake'), () => drainer.notify()),
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
