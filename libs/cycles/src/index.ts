/**
 * libs/cycles — cycle analytics on a live sample stream: step segmentation (charge, discharge, rest with
 * hysteresis) and per-cycle capacity, coulombic efficiency, energy and polarization. Pure: no I/O, no
 * clock; SI inside, mAh / mWh only in the per-cycle output.
 */
export { StepClassifier, StepEvent, DEFAULT_STEP_OPTIONS } from './step-classifier.js';
export type { Direction, StepClassifierOptions } from './step-classifier.js';
export { CycleAccumulator } from './cycle-stats.js';
export type { CycleStats, CycleSource } from './cycle-stats.js';
export { CycleTracker } from './cycle-tracker.js';
export type { CycleTrackerOptions } from './cycle-tracker.js';
