import type { Estimates, Risk } from '#contracts';
import type { FeatureSample } from './features.js';
import type { ModelKind } from './model.js';

/**
 * What the model pipeline needs from the physics per sample: the estimates (features) and the physics
 * detectors' level per failure kind (for the backtest and fusion). Adapted from #physics's CellMonitor.
 */
export interface PhysicsObservation {
  estimates: Partial<Estimates>;
  levels: Partial<Record<ModelKind, Risk>>;
  /** Physics numbers behind each non-ok level (evidence for alerts). */
  evidence?: Partial<Record<ModelKind, Record<string, number | string | null>>>;
}

export interface PhysicsMonitor {
  push(sample: FeatureSample): PhysicsObservation;
}
