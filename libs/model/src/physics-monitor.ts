import type { MonitorFactory } from './dataset.js';

/**
 * The physics monitor used to compute the model's physics features and the physics-only detection in
 * the backtest.
 */
export function physicsMonitorFactory(): { factory: MonitorFactory; physicsFeatures: boolean } {
  return { factory: () => ({ push: () => ({ estimates: {}, levels: {} }) }), physicsFeatures: false };
}
