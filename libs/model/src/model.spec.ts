import { describe, expect, it } from 'vitest';
import { simulateScenario } from '#simulator';
import { RUN_EPOCH_MS } from './dataset.js';
import { createFeatureWindow, FEATURE_SIZE } from './features.js';
import { loadFailureModel, MODEL_KINDS } from './model.js';

describe('loadFailureModel', () => {
  it('loads the committed weights and predicts a batch of windows, one probability per kind', async () => {
    const model = await loadFailureModel({ log: () => undefined });
    expect(model.version).toMatch(/^fm1-[0-9a-f]{10}$/);
    expect(model.kinds).toEqual([...MODEL_KINDS]);
    expect(model.horizon_s).toBeGreaterThan(0);

    const run = simulateScenario({ scenario: 'healthy', seed: 3, duration_s: 1800 });
    const window = createFeatureWindow(run.config);
    const windows: Float32Array[] = [];
    for (const s of run.samples()) {
      window.push({ ts: RUN_EPOCH_MS + s.time_s * 1000, v: s.v, i: s.i, t: s.t });
      if (window.ready() && windows.length < 5 && Math.round(s.time_s) % 120 === 0)
        windows.push(window.window());
    }
    expect(windows).toHaveLength(5);
    const out = await model.predict(windows);
    expect(out).toHaveLength(5);
    for (const p of out) {
      expect(p).toHaveLength(MODEL_KINDS.length);
      for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
    }
    // Batched and one-by-one predictions agree.
    const single = await model.predict([windows[2]!]);
    for (let k = 0; k < MODEL_KINDS.length; k++) expect(single[0]![k]).toBeCloseTo(out[2]![k]!, 5);
    expect(await model.predict([])).toEqual([]);
    await expect(model.predict([new Float32Array(FEATURE_SIZE - 1)])).rejects.toThrow(RangeError);
  });
});
