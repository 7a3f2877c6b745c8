import type { AlertKind, Sample } from '#contracts';

/** Recent samples of one cell, oldest first, handed to the model. */
export interface ModelWindow {
  rigId: string;
  cellId: string;
  samples: readonly Sample[];
}

/** Probability of each failure kind within the model's horizon. */
export type FailureProbabilities = Partial<Record<AlertKind, number>>;

/**
 * Port for the TensorFlow.js failure model (libs/model). `predict` takes windows of many cells at once
 * so one inference call serves them all; it returns one result per window, in order.
 */
export interface FailureModel {
  readonly version: string;
  readonly horizon_s: number;
  predict(windows: readonly ModelWindow[]): Promise<FailureProbabilities[]>;
}

/** The default until a model is plugged in: predicts nothing, costs nothing. */
export class NoFailureModel implements FailureModel {
  readonly version = 'none';
  readonly horizon_s = 1;
  predict(windows: readonly ModelWindow[]): Promise<FailureProbabilities[]> {
    return Promise.resolve(windows.map(() => ({})));
  }
}
