import type { CellConfig, Estimates } from '#contracts';
import { CellMonitor, publishedEstimates, type CellEstimates } from '#physics';
import type { MonitorFactory } from './dataset.js';
import { MODEL_KINDS } from './model.js';
import type { PhysicsObservation } from './monitor.js';

/**
 * The contracts' Estimates (what ingest publishes and the feature window reads) from the physics
 * CellMonitor's estimates: #physics `publishedEstimates`, the same mapping ingest uses, so the model sees
 * in production what it saw in training.
 */
export function estimatesFromPhysics(e: CellEstimates): Partial<Estimates> {
  return publishedEstimates(e);
}

/**
 * The physics monitor (#physics CellMonitor) behind the model's physics features and the backtest's
 * physics-only detector. A monitor that throws (a physics bug or a configuration it cannot handle) is
 * dropped for that cell: the run goes on without physics, and `failures` lists what happened.
 */
export function physicsMonitorFactory(): {
  factory: MonitorFactory;
  physicsFeatures: boolean;
  failures: string[];
} {
  const failures: string[] = [];
  const empty: PhysicsObservation = { estimates: {}, levels: {} };
  const factory: MonitorFactory = (config: CellConfig) => {
    let monitor: CellMonitor | null = null;
    try {
      monitor = new CellMonitor(config);
    } catch (error) {
      failures.push(`${config.electrolyte.preset ?? config.electrolyte.kind}: ${String(error)}`);
    }
    return {
      push(sample): PhysicsObservation {
        if (!monitor) return empty;
        try {
          const result = monitor.update(sample);
          const levels: PhysicsObservation['levels'] = {};
          for (const kind of MODEL_KINDS) levels[kind] = result.levels[kind];
          return { estimates: estimatesFromPhysics(result.estimates), levels };
        } catch (error) {
          failures.push(`${config.electrolyte.preset ?? config.electrolyte.kind}: ${String(error)}`);
          monitor = null;
          return empty;
        }
      },
    };
  };
  return { factory, physicsFeatures: true, failures };
}
