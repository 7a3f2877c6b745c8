import type { TelemetrySink } from '#broker';
import type { Environment } from '#contracts';
import type { DetectorFactory } from './detection/detector.js';
import type { FailureModel } from './detection/failure-model.js';

/** Injection tokens of the ingest modules. */
export const INGEST_CONFIG = 'INGEST_CONFIG';
export const DETECTOR_FACTORY = 'INGEST_DETECTOR_FACTORY';
export const FAILURE_MODEL = 'INGEST_FAILURE_MODEL';
/** The prom-client Registry with ingest's metrics (a host process may merge or serve it). */
export const INGEST_METRICS_REGISTRY = 'INGEST_METRICS_REGISTRY';

/** What the host process may set beyond the environment. */
export interface IngestModuleOptions {
  /** Broker URL when SANDGLASS_MQTT_URL is unset (e.g. the embedded broker of `npm start`). */
  mqttUrl?: string;
  /** MQTT protocol of the intake: 4 (3.1.1, default, what the embedded Aedes speaks) or 5. */
  mqttProtocolVersion?: 4 | 5;
  /** Serve `GET /health` and `GET /metrics` from this module's controller (standalone process). */
  httpEndpoints?: boolean;
  /** Provide TELEMETRY_STORE through StorageModule.forRoot(env); false when the host already does. */
  provideStore?: boolean;
  detectorFactory?: DetectorFactory;
  failureModel?: FailureModel;
  /**
   * The embedded broker of the same process: telemetry comes from it in-process and is acknowledged
   * after the WAL write; the MQTT connection then carries only configuration, alerts and outputs.
   */
  telemetrySource?: InProcessTelemetrySource;
}

/** A broker in this process that hands telemetry to ingest before acknowledging it. */
export interface InProcessTelemetrySource {
  setTelemetrySink(sink: TelemetrySink | undefined): void;
}

/** Resolved configuration of one ingest instance. */
export interface IngestConfig {
  env: Environment;
  mqttUrl: string;
  clientId: string;
  rigs: string[] | undefined;
  walDir: string;
  walMaxBytes: number;
  mqttProtocolVersion: 4 | 5;
  telemetrySource: InProcessTelemetrySource | undefined;
}
