import * as path from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Environment } from '#contracts';
import { physicsDetectorFactory } from '../detection/physics-detector.js';
import { NoFailureModel } from '../detection/failure-model.js';
import {
  DETECTOR_FACTORY,
  FAILURE_MODEL,
  INGEST_CONFIG,
  type IngestConfig,
  type IngestModuleOptions,
} from '../ingest.tokens.js';

/** Resolves an ingest instance's configuration; throws naming the variable when it cannot run. */
export function resolveIngestConfig(env: Environment, options: IngestModuleOptions = {}): IngestConfig {
  const mqttUrl = env.SANDGLASS_MQTT_URL ?? options.mqttUrl;
  if (!mqttUrl) {
    throw new Error(
      'SANDGLASS_MQTT_URL is not set: a standalone ingest process needs a broker to subscribe to',
    );
  }
  return {
    env,
    mqttUrl,
    clientId: env.SANDGLASS_INGEST_CLIENT_ID,
    rigs: env.SANDGLASS_INGEST_RIGS,
    walDir: path.resolve(env.SANDGLASS_DATA_DIR, 'wal'),
    walMaxBytes: Math.round(env.SANDGLASS_WAL_MAX_MB * 1024 * 1024),
    mqttProtocolVersion: options.mqttProtocolVersion ?? 4,
    telemetrySource: options.telemetrySource,
  };
}

/** Global configuration providers of the ingest modules. */
@Module({})
export class IngestConfigModule {
  static forRoot(config: IngestConfig, options: IngestModuleOptions): DynamicModule {
    return {
      module: IngestConfigModule,
      global: true,
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        { provide: DETECTOR_FACTORY, useValue: options.detectorFactory ?? physicsDetectorFactory },
        { provide: FAILURE_MODEL, useValue: options.failureModel ?? new NoFailureModel() },
      ],
      exports: [INGEST_CONFIG, DETECTOR_FACTORY, FAILURE_MODEL],
    };
  }
}
