import { Logger, Module } from '@nestjs/common';
import { TELEMETRY_STORE, type TelemetryStore } from '#store';
import { DetectionModule } from '../detection/detection.module.js';
import { INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { IngestHealth } from '../observability/ingest-health.js';
import { TelemetryIntake } from '../pipeline/telemetry-intake.js';
import { WalDrainer } from '../wal/wal-drainer.js';
import { WalModule } from '../wal/wal.module.js';
import { WriteAheadLog } from '../wal/write-ahead-log.js';
import { Checkpointer } from '../pipeline/checkpoints.js';
import { RigPartition } from '../partition/rig-partition.js';
import { MqttConnection, MqttIntake } from './mqtt-intake.js';
import { MqttModule } from './mqtt.module.js';

/** MQTT intake: acknowledges telemetry after the WAL write and hands it to the pipeline. */
@Module({
  imports: [MqttModule, WalModule, DetectionModule],
  providers: [
    {
      // SANDGLASS_INGEST_PARTITION=hash only (null otherwise).
      provide: RigPartition,
      inject: [MqttConnection, Checkpointer, INGEST_CONFIG],
      useFactory: (connection: MqttConnection, checkpoints: Checkpointer, config: IngestConfig) =>
        config.env.SANDGLASS_INGEST_PARTITION === 'hash'
          ? new RigPartition(
              config.clientId,
              config.rigs ?? [],
              config.env.SANDGLASS_INGEST_SETTLE_MS,
              connection,
              {
                // The samples of a rig taken over are in the store (the failed process's WAL is not here).
                restore: (rigs) => checkpoints.restore(() => Promise.resolve(true), rigs),
                release: (rigs) => checkpoints.release(rigs),
              },
              new Logger('Partition'),
            )
          : null,
    },
    {
      provide: MqttIntake,
      inject: [
        MqttConnection,
        TelemetryIntake,
        WriteAheadLog,
        WalDrainer,
        INGEST_CONFIG,
        TELEMETRY_STORE,
        RigPartition,
      ],
      useFactory: (
        connection: MqttConnection,
        intake: TelemetryIntake,
        wal: WriteAheadLog,
        drainer: WalDrainer,
        config: IngestConfig,
        store: TelemetryStore,
        partition: RigPartition | null,
      ) =>
        new MqttIntake(
          connection,
          intake,
          wal,
          new Logger('MqttIntake'),
          () => drainer.notify(),
          config.telemetrySource,
          (rigId, cellId) => store.getCellConfig({ rigId, cellId }),
          partition ?? undefined,
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
  exports: [MqttIntake, IngestHealth, RigPartition],
})
export class IntakeModule {}
