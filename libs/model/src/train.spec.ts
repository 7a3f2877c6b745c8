import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_SIZE } from './features.js';
import { loadFailureModel } from './model.js';
import { physicsMonitorFactory } from './physics-monitor.js';
import { modelCard, trainModel } from './train.js';

describe('trainModel', () => {
  it('trains on a tiny run set for one epoch and writes weights that load and predict', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'sandglass-train-'));
    try {
      const options = {
        runsPerKind: 1,
        validationRunsPerKind: 1,
        epochs: 1,
        seed: 5,
        outDir,
        monitorFactory: physicsMonitorFactory().factory,
        physicsFeatures: true,
      };
      const result = await trainModel(options);
      expect(result.trainWindows).toBeGreaterThan(50);
      expect(result.parameters).toBeLessThanOrEqual(100_000);
      expect((await stat(path.join(outDir, 'weights.bin'))).size).toBe(result.parameters * 4);
      const json = JSON.parse(await readFile(path.join(outDir, 'model.json'), 'utf8')) as {
        userDefinedMetadata: { version: string };
      };
      expect(json.userDefinedMetadata.version).toBe(result.metadata.version);
      const model = await loadFailureModel({ directory: outDir, log: () => undefined });
      expect(model.version).toBe(result.metadata.version);
      const [p] = await model.predict([new Float32Array(FEATURE_SIZE)]);
      expect(p).toHaveLength(4);
      expect(modelCard(result, options)).toContain(result.metadata.version);
      // Reproducible: the same seed gives the same weights, hence the same version.
      const again = await trainModel({ ...options, outDir: path.join(outDir, 'again') });
      expect(again.metadata.version).toBe(result.metadata.version);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
