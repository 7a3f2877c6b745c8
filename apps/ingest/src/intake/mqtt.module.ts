import { Logger, Module } from '@nestjs/common';
import { INGEST_CONFIG, type IngestConfig } from '../ingest.tokens.js';
import { RigPartition } from '../partition/rig-partition.js';
import { MqttConnection } from './mqtt-intake.js';

/** The broker connection (persistent session, reconnects) and the publisher of ingest's outputs. */
@Module({
  providers: [
    {
      provide: MqttConnection,
      inject: [INGEST_CONFIG],
      useFactory: (config: IngestConfig) =>
        new MqttConnection(
          {
            url: config.mqttUrl,
            clientId: config.clientId,
            protocolVersion: config.mqttProtocolVersion,
            telemetryInProcess: config.telemetrySource !== undefined,
            ...(config.rigs && { rigs: config.rigs }),
            ...(config.env.SANDGLASS_INGEST_PARTITION === 'hash' && {
              partitioned: { will: RigPartition.will(config.clientId) },
            }),
            ...(config.env.SANDGLASS_MQTT_USERNAME !== undefined && {
              username: config.env.SANDGLASS_MQTT_USERNAME,
            }),
            ...(config.env.SANDGLASS_MQTT_PASSWORD !== undefined && {
              password: config.env.SANDGLASS_MQTT_PASSWORD,
            }),
          },
          new Logger('MqttIntake'),
        ),
    },
  ],
  exports: [MqttConnection],
})
export class MqttModule {}
