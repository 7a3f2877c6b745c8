/**
 * apps/api — the public entrance (`#api`) for the processes that compose the api with other parts: the
 * standalone `npm start`, benches and e2e tests. Everything else under src/ is the api's inside; moving a
 * file there must not break another app. `main.ts` (the api's own process) is not exported: it starts.
 */
export { ApiModule } from './api.module.js';
export type { ApiModuleOptions } from './api.module.js';
export { apiHost, configureApiApp, logLevels, startApi } from './bootstrap.js';
export type { RunningApi } from './bootstrap.js';
export { CellsService } from './cells/cells.service.js';
export { AuthPolicy } from './auth/auth-policy.js';
export { REPLAY_RUNNER } from './replays/replay-runner.js';
export { publisherReplayRunner } from './replays/publisher-runner.provider.js';
export { ApiMetrics } from './health/api-metrics.js';
export { LiveFeed } from './live/live-feed.service.js';
export { LiveGateway } from './live/live.gateway.js';
export { ExportService } from './export/export.service.js';
