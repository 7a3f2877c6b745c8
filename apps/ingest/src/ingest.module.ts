import { type DynamicModule, Module } from '@nestjs/common';
import type { Environment } from '#contracts';
import { StorageModule } from '#store';
import { IngestConfigModule, resolveIngestConfig } from './config/ingest-config.module.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { DetectionModule } from './detection/detection.module.js';
import { IngestLifecycle } from './ingest.lifecycle.js';
import type { IngestModuleOptions } from './ingest.tokens.js';
import { IntakeModule } from './intake/intake.module.js';
import { HealthController } from './observability/health.controller.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { WalModule } from './wal/wal.module.js';

/**
 * The ingest process as a module: MQTT intake → WAL → store, per-cell detection, alerts and state.
 * `IngestModule.forRoot(env)` runs standalone (apps/ingest/src/main.ts); another process (the api of
 * `npm start`) imports it with `{ mqttUrl, provideStore: false, httpEndpoints: false }` to run both in
 * one process, sharing its TELEMETRY_STORE and serving INGEST_METRICS_REGISTRY itself.
 */
@Module({})
export class IngestModule {
  static forRoot(env: Environment, options: IngestModuleOptions = {}): DynamicModule {
    const config = resolveIngestConfig(env, options);
    return {
      module: IngestModule,
      imports: [
        IngestConfigModule.forRoot(config, options),
        ...(options.provideStore === false ? [] : [StorageModule.forRoot(env)]),
        ObservabilityModule,
        WalModule,
        DeadLettersModule,
        DetectionModule,
        IntakeModule,
      ],
      controllers: options.httpEndpoints ? [HealthController] : [],
      providers: [IngestLifecycle],
      exports: [ObservabilityModule],
    };
  }
}
