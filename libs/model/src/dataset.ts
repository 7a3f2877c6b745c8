import type { CellConfig } from '#contracts';
import type { SimulatedRun } from '#simulator';
import { createFeatureWindow, FEATURE_SIZE, type FeatureSample } from './features.js';
import { MODEL_KINDS } from './model.js';
import type { PhysicsMonitor } from './monitor.js';
import { eventTime_s, targetsAt } from './targets.js';

/** Data time of a simulated run's first sample (any date inside the contracts' 2000–2100 window). */
export const RUN_EPOCH_MS = Date.UTC(2026, 0, 1);

export type MonitorFactory = (config: CellConfig) => PhysicsMonitor;

/** Windows (row-major, FEATURE_SIZE each) with their targets (MODEL_KINDS.length each). */
export interface WindowSet {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

export interface CollectOptions {
  horizon_s: number;
  /** Data time between windows far from any event. */
  stride_s: number;
  /** Data time between windows within a horizon (+5 min) of an event. */
  denseStride_s: number;
}

/** Feature windows and targets from simulated runs, as the live pipeline would see them. */
export function collectWindows(
  runs: Iterable<SimulatedRun>,
  monitorFactory: MonitorFactory,
  options: CollectOptions,
): WindowSet {
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  for (const run of runs) {
    const labels = run.labels;
    const events = MODEL_KINDS.map((kind) => eventTime_s(labels, kind)).filter(
      (t): t is number => t !== undefined,
    );
    const nearEvent = (t_s: number): boolean =>
      events.some((e) => t_s > e - options.horizon_s - 300 && t_s < e + 300);
    const window = createFeatureWindow(run.config);
    const monitor = monitorFactory(run.config);
    let last_s = -Infinity;
    for (const s of run.samples()) {
      const sample: FeatureSample = { ts: RUN_EPOCH_MS + s.time_s * 1000, v: s.v, i: s.i };
      if (s.t !== undefined) sample.t = s.t;
      if (s.p !== undefined) sample.p = s.p;
      window.push(sample, monitor.push(sample).estimates);
      const stride_s = nearEvent(s.time_s) ? options.denseStride_s : options.stride_s;
      if (window.ready() && s.time_s - last_s >= stride_s) {
        last_s = s.time_s;
        xs.push(window.window());
        ys.push(targetsAt(labels, s.time_s, options.horizon_s));
      }
    }
  }
  const width = MODEL_KINDS.length;
  const x = new Float32Array(xs.length * FEATURE_SIZE);
  const y = new Float32Array(ys.length * width);
  xs.forEach((w, k) => x.set(w, k * FEATURE_SIZE));
  ys.forEach((t, k) => y.set(t, k * width));
  return { x, y, count: xs.length };
}
