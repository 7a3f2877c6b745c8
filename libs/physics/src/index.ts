/**
 * libs/physics — Sandglass's scientific core. Pure TypeScript: no I/O, no clock, no framework; SI
 * units inside, lab units only through the converters and the cell configuration. See docs/physics.md.
 */
export * from './constants.js';
export * from './units.js';
export { sandTime_s, limitingCurrentDensity_A_m2 } from './sand-time.js';
export type { SandTimeInput, LimitingCurrentInput } from './sand-time.js';
export { valoenDiffusivity_m2_s } from './valoen.js';
export { DepletionTracker } from './depletion-tracker.js';
export type { DepletionTrackerOptions, DepletionState } from './depletion-tracker.js';
export {
  fitArrhenius,
  arrheniusValue,
  criticalCurrentDensityAt_A_m2,
  lookupCriticalCurrentDensity,
} from './arrhenius.js';
export type { ArrheniusFit, CcdTablePoint, CcdLookup } from './arrhenius.js';
export {
  lithiumCreepRate_per_s,
  creepTemperatureFactor,
  criticalStrippingCurrent_A_m2,
  lithiumCreepExponent,
  lithiumCreepActivationEnergy_J_mol,
} from './creep.js';
export type { CscTablePoint } from './creep.js';
export { presets, isPresetName } from './presets.js';
export type { ElectrolytePreset, ElectrolyteKind, PresetName } from './presets.js';
export { VoidTracker } from './void-tracker.js';
export type { VoidTrackerOptions, VoidSample, VoidState } from './void-tracker.js';
export { SoftShortDetector } from './soft-short-detector.js';
export type { CellType, ShortSample, SoftShortState } from './soft-short-detector.js';
export { HardShortDetector } from './hard-short-detector.js';
export type { HardShortState } from './hard-short-detector.js';
export { ThermalDetector, PressureDetector, DataGapDetector, formatDuration } from './condition-detectors.js';
export type { Verdict } from './condition-detectors.js';
export { CurrentSegmenter } from './current-segments.js';
export type { CurrentPhase } from './current-segments.js';
export { LevelHysteresis, levelOf, levelRank, worstLevel } from './levels.js';
export type { Level, LevelThresholds, HysteresisOptions } from './levels.js';
export { defaultThresholds, resolveThresholds, isThresholdName } from './thresholds.js';
export type { Thresholds, ThresholdName } from './thresholds.js';
export { resolveCellConfig } from './cell-config.js';
export {
  currentDensity_A_m2,
  areaSpecificResistance_ohm_m2,
  lithiumArealCharge_C_m2,
  publishedEstimates,
} from './cell-model.js';
export type { PublishedEstimates } from './cell-model.js';
export type { CellConfig, ElectrolyteConfig, ResolvedCell, ResolveResult } from './cell-config.js';
export { CellMonitor, detectorKinds } from './cell-monitor.js';
export type {
  CellSample,
  CellEstimates,
  DetectorKind,
  DetectorEvent,
  DetectorStatus,
  MonitorResult,
} from './cell-monitor.js';
export { takeSnapshot, restoreSnapshot, encodeValue, decodeValue, SnapshotError } from './snapshot.js';
export type { Snapshot, SnapshotJson, Snapshotting } from './snapshot.js';
