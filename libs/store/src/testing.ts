/**
 * libs/store's second, test-only entrance (`#store-testing`): the conformance suite every TelemetryStore
 * adapter passes. Kept out of `#store` because it imports vitest, which production code must not load.
 */
export { describeTelemetryStoreConformance } from './conformance.js';
export type { ConformanceTarget } from './conformance.js';
