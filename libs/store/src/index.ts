export * from './telemetry-store.js';
export * from './sample-columns.js';
export * from './store-error.js';
export * from './line-protocol.js';
export * from './influx-store.js';
export * from './embedded-store.js';
export * from './storage.module.js';
export { writeDoubles } from './duckdb-vectors.js';
