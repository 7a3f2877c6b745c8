import type { CellConfig, Risk } from '#contracts';
import type { ModelUpdate, PhysicsChange } from './backtest.js';
import { RUN_EPOCH_MS, type MonitorFactory } from './dataset.js';
import { createFeatureWindow, type FeatureSample } from './features.js';
import { MODEL_KINDS, type FailureModel, type ModelKind } from './model.js';

/** Data time between model predictions for a cell (ingest predicts at most this often too). */
export const PREDICT_EVERY_S = 30;

export interface SampleLike {
  time_s: number;
  v: number;
  i: number;
  t?: number;
  p?: number;
}

/** What one run looked like to the detectors: physics level changes, model predictions, a thin trace. */
export interface RunTimeline {
  physics: PhysicsChange[];
  model: ModelUpdate[];
  duration_s: number;
  /** First time at or after `hardShort_s` (if given) with current flowing. */
  hardShortObservable_s?: number;
  /** Every n-th sample (≤ ~1500 points) for plots. */
  trace: { time_s: number; v: number; i: number }[];
}

/**
 * Streams one run's samples through the physics monitor and the feature window, predicting with the
 * model every PREDICT_EVERY_S of data time (batched at the end, which gives the same numbers as online).
 */
export async function evaluateRun(
  samples: Iterable<SampleLike>,
  config: CellConfig,
  monitorFactory: MonitorFactory,
  model: FailureModel | null,
  hardShort_s?: number,
): Promise<RunTimeline> {
  let hardShortObservable_s: number | undefined;
  const monitor = monitorFactory(config);
  const window = createFeatureWindow(config);
  const physics: PhysicsChange[] = [];
  const levels = Object.fromEntries(MODEL_KINDS.map((k) => [k, 'ok'])) as Record<ModelKind, Risk>;
  const windows: Float32Array[] = [];
  const windowTimes: number[] = [];
  const all: { time_s: number; v: number; i: number }[] = [];
  let lastPredict_s = -Infinity;
  let duration_s = 0;
  for (const s of samples) {
    const sample: FeatureSample = { ts: RUN_EPOCH_MS + s.time_s * 1000, v: s.v, i: s.i };
    if (s.t !== undefined) sample.t = s.t;
    if (s.p !== undefined) sample.p = s.p;
    const observation = monitor.push(sample);
    for (const kind of MODEL_KINDS) {
      const level = observation.levels[kind] ?? 'ok';
      if (level !== levels[kind]) {
        physics.push({ time_s: s.time_s, kind, level });
        levels[kind] = level;
      }
    }
    window.push(sample, observation.estimates);
    if (model && window.ready() && s.time_s - lastPredict_s >= PREDICT_EVERY_S) {
      lastPredict_s = s.time_s;
      windows.push(window.window());
      windowTimes.push(s.time_s);
    }
    all.push({ time_s: s.time_s, v: s.v, i: s.i });
    if (hardShort_s !== undefined && hardShortObservable_s === undefined && s.time_s >= hardShort_s) {
      if (Math.abs(s.i) / config.electrodeArea_cm2 > 5e-6) hardShortObservable_s = s.time_s;
    }
    duration_s = s.time_s;
  }
  const updates: ModelUpdate[] = [];
  if (model) {
    for (let k = 0; k < windows.length; k += 256) {
      const out = await model.predict(windows.slice(k, k + 256));
      out.forEach((probabilities, j) => updates.push({ time_s: windowTimes[k + j]!, probabilities }));
    }
  }
  const every = Math.max(1, Math.ceil(all.length / 1500));
  const trace = all.filter((_, k) => k % every === 0);
  const timeline: RunTimeline = { physics, model: updates, duration_s, trace };
  if (hardShortObservable_s !== undefined) timeline.hardShortObservable_s = hardShortObservable_s;
  return timeline;
}
