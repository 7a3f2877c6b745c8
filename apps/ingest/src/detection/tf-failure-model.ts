import type { AlertKind, CellConfig } from '#contracts';
// libs/model has no `#model` import yet: imported by path.
import { createFeatureWindow, loadFailureModel } from '#model';
import type { FailureModel, FailureProbabilities, ModelFeatures } from './failure-model.js';

/** Loads libs/model's committed weights (TF.js, wasm or cpu backend) behind the FailureModel port. */
export async function loadTfFailureModel(log: (message: string) => void): Promise<FailureModel> {
  const model = await loadFailureModel({ log });
  const kinds: readonly AlertKind[] = model.kinds;
  return {
    version: model.version,
    horizon_s: model.horizon_s,
    createFeatures: (config: CellConfig): ModelFeatures => createFeatureWindow(config),
    async predict(windows) {
      const outputs = await model.predict([...windows]);
      return outputs.map((p) => {
        const probabilities: FailureProbabilities = {};
        kinds.forEach((kind, k) => (probabilities[kind] = p[k]!));
        return probabilities;
      });
    },
  };
}
