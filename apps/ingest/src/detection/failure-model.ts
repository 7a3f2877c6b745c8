import type { AlertKind, CellConfig, Estimates, Sample } from '#contracts';

/** Per-cell rolling feature window the model reads (kept by the cell, fed every detected sample). */
export interface ModelFeatures {
  push(sample: Sample, estimates: Estimates): void;
  /** True once there is enough history for a prediction. */
  ready(): boolean;
  window(): Float32Array;
  reset(): void;
}

/** Probability of each failure kind within the model's horizon. */
export type FailureProbabilities = Partial<Record<AlertKind, number>>;

/**
 * Port for the TensorFlow.js failure model (libs/model). `predict` takes the windows of many cells at
 * once, so one inference call serves them all, and returns one result per window, in order.
 */
export interface FailureModel {
  readonly version: string;
  readonly horizon_s: number;
  /** A feature window for a cell, or undefined when this model needs none (no per-sample cost). */
  createFeatures(config: CellConfig): ModelFeatures | undefined;
  predict(windows: readonly Float32Array[]): Promise<FailureProbabilities[]>;
}

/** The default when no model is loaded: keeps no features, predicts nothing. */
export class NoFailureModel implements FailureModel {
  readonly version = 'none';
  readonly horizon_s = 1;
  createFeatures(): undefined {
    return undefined;
  }
  predict(windows: readonly Float32Array[]): Promise<FailureProbabilities[]> {
    return Promise.resolve(windows.map(() => ({})));
  }
}
