export * from './types.js';
export { readAll, samplesOf } from './drive.js';
export { readBiologic } from './biologic.js';
export { readArbin } from './arbin.js';
export { readBatteryArchive } from './batteryarchive.js';
export { readMaccor, maccorDirection } from './maccor.js';
export { readNeware, newareDirection } from './neware.js';
export {
  readGenericCsv,
  parseColumnMap,
  type ColumnMap,
  type ColumnRef,
  type GenericCsvOptions,
} from './generic-csv.js';
export { sniffFormat, type SniffResult } from './sniff.js';
export { openReplay, readerFor, type OpenReplayOptions, type OpenedReplay } from './read.js';
export * from './writers.js';
export { syntheticRun, seededRandom, type SyntheticRunOptions } from './synthetic-run.js';
export {
  ReplayPublisher,
  inBatches,
  type PublishOptions,
  type PublishProgress,
  type PublisherState,
  type TelemetryPublishTarget,
} from './publisher.js';
export { createReplayJob, type ReplayJob, type ReplayJobOptions } from './job.js';
export {
  PublisherReplayRunner,
  ReplayNotFoundError,
  ReplayRequestError,
  type ReplayRunnerOptions,
} from './runner.js';
