import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import type { Environment } from '#contracts';
import { StorageModule } from '#store';
import { AlertsModule } from './alerts/alerts.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AuthPolicy } from './auth/auth-policy.js';
import { CellsModule } from './cells/cells.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { ExportModule } from './export/export.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpMetricsInterceptor } from './health/http-metrics.interceptor.js';
import { LiveModule } from './live/live.module.js';
import type { MqttBus } from './mqtt/mqtt-bus.js';
import { MqttModule } from './mqtt/mqtt.module.js';
import { ReplaysModule } from './replays/replays.module.js';

export interface ApiModuleOptions {
  /**
   * A global module providing the TelemetryStore under TELEMETRY_STORE (default: libs/store's
   * StorageModule.forRoot(env)). A process running ingest too passes the module it already uses.
   */
  storage?: DynamicModule;
  /** A broker connection to share (default: a client of its own to SANDGLASS_MQTT_URL). */
  mqttBus?: MqttBus;
  /** MQTT URL when SANDGLASS_MQTT_URL is unset (the embedded broker's actual port in `npm start`). */
  mqttUrl?: string;
  /** A provider of REPLAY_RUNNER, and the modules it needs; without it replays answer 501. */
  replayRunner?: Provider;
  replayRunnerImports?: NonNullable<DynamicModule['imports']>;
  /** Who may call the api (default: from SANDGLASS_AUTH and SANDGLASS_AUTH_TOKENS_FILE). */
  authPolicy?: AuthPolicy;
}

/**
 * The api: REST under /api, /metrics, socket.io /live. Importable by another process's root module; the
 * HTTP-level setup (helmet, OpenAPI, dashboard) is configureApiApp in bootstrap.ts.
 */
@Module({})
export class ApiModule {
  static forRoot(env: Environment, options: ApiModuleOptions = {}): DynamicModule {
    const mqttUrl =
      env.SANDGLASS_MQTT_URL ?? options.mqttUrl ?? `mqtt://127.0.0.1:${env.SANDGLASS_MQTT_PORT}`;
    return {
      module: ApiModule,
      imports: [
        AuthModule.forRoot(env, options.authPolicy),
        options.storage ?? StorageModule.forRoot(env),
        MqttModule.forRoot(
          options.mqttBus
            ? { bus: options.mqttBus }
            : { url: mqttUrl, username: env.SANDGLASS_MQTT_USERNAME, password: env.SANDGLASS_MQTT_PASSWORD },
        ),
        HealthModule,
        LiveModule,
        CellsModule,
        ExportModule,
        AlertsModule,
        ReplaysModule.forRoot(options.replayRunner, options.replayRunnerImports),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      ],
    };
  }
}
