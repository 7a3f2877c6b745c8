/**
 * apps/ingest — the public entrance (`#ingest`) for the processes that compose ingest with other parts:
 * the standalone `npm start` and e2e tests. Everything else under src/ is ingest's inside. `main.ts` (the
 * ingest process) is not exported: it starts.
 */
export { IngestModule } from './ingest.module.js';
export { INGEST_METRICS_REGISTRY } from './ingest.tokens.js';
export type { IngestModuleOptions, InProcessTelemetrySource } from './ingest.tokens.js';
export { MqttIntake } from './intake/mqtt-intake.js';
export { NoFailureModel } from './detection/failure-model.js';
export type { FailureModel } from './detection/failure-model.js';
export { loadTfFailureModel } from './detection/tf-failure-model.js';
export { mqttJsDeferredPubacks, pubackPackets } from './intake/deferred-puback.js';
export type { AckCallback, DeferredPubacks, PacketHandler } from './intake/deferred-puback.js';
// The pipeline's parts, for benchmarks that measure them without a broker (scripts/bench).
export { physicsDetectorFactory } from './detection/physics-detector.js';
export { Checkpointer } from './pipeline/checkpoints.js';
export { CycleAnalytics, CycleRecorder } from './pipeline/cycle-analytics.js';
export { TelemetryIntake } from './pipeline/telemetry-intake.js';
export { WriteAheadLog } from './wal/write-ahead-log.js';
