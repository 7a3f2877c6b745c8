export * from './telemetry-store.js';
