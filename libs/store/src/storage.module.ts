import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Environment } from '#contracts';
import { EmbeddedStore } from './embedded-store.js';
import { InfluxStore } from './influx-store.js';
import { StoreError } from './store-error.js';
import type { TelemetryStore } from './telemetry-store.js';

/** Injection token of the TelemetryStore (a string, so `@Inject('TELEMETRY_STORE')` matches too). */
export const TELEMETRY_STORE = 'TELEMETRY_STORE';

type StorageEnvironment = Pick<
  Environment,
  | 'SANDGLASS_INFLUX_URL'
  | 'SANDGLASS_INFLUX_DB'
  | 'SANDGLASS_INFLUX_USERNAME'
  | 'SANDGLASS_INFLUX_PASSWORD'
  | 'SANDGLASS_DATA_DIR'
> &
  Partial<Pick<Environment, 'SANDGLASS_STORE_MEMORY_MB'>>;

/** InfluxDB when SANDGLASS_INFLUX_URL is set, else the embedded DuckDB file under SANDGLASS_DATA_DIR. */
export function createTelemetryStore(env: StorageEnvironment): TelemetryStore {
  if (env.SANDGLASS_INFLUX_URL) {
    return new InfluxStore({
      url: env.SANDGLASS_INFLUX_URL,
      database: env.SANDGLASS_INFLUX_DB,
      ...(env.SANDGLASS_INFLUX_USERNAME !== undefined && { username: env.SANDGLASS_INFLUX_USERNAME }),
      ...(env.SANDGLASS_INFLUX_PASSWORD !== undefined && { password: env.SANDGLASS_INFLUX_PASSWORD }),
    });
  }
  return new EmbeddedStore({
    dataDir: env.SANDGLASS_DATA_DIR,
    ...(env.SANDGLASS_STORE_MEMORY_MB !== undefined && { memoryLimit_MB: env.SANDGLASS_STORE_MEMORY_MB }),
  });
}

/**
 * Opens the store on start and closes it on shutdown. An InfluxDB that is down at start is only a
 * warning: ingest spools to its write-ahead log until it answers, and the adapter creates the database
 * on its first successful write. Anything else (bad credentials, an unusable data dir) stops start-up.
 */
@Injectable()
class StoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StorageModule');

  constructor(@Inject(TELEMETRY_STORE) private readonly store: TelemetryStore) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.store.open();
      this.logger.log(`store open: ${describeStore(this.store)}`);
    } catch (error) {
      if (error instanceof StoreError && error.retryable) {
        this.logger.warn(`store not reachable yet (${error.message}); continuing, writes will retry`);
        return;
      }
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

function describeStore(store: TelemetryStore): string {
  if (store instanceof InfluxStore) return `InfluxDB database ${store.database}`;
  if (store instanceof EmbeddedStore) return `embedded DuckDB ${store.file}`;
  return store.constructor.name;
}

/** Provides TELEMETRY_STORE to the whole application (global), opened on init and closed on shutdown. */
@Module({})
export class StorageModule {
  static forRoot(env: StorageEnvironment): DynamicModule {
    return StorageModule.forStore(createTelemetryStore(env));
  }

  /** A given store (tests, or a process that made its own); it is still opened and closed here. */
  static forStore(store: TelemetryStore): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: TELEMETRY_STORE, useValue: store }, StoreLifecycle],
      exports: [TELEMETRY_STORE],
    };
  }
}
