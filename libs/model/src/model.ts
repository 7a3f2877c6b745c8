import type { AlertKind } from '#contracts';
import * as tf from './tf.js';
import { fileURLToPath } from 'node:url';
import { initBackend } from './backend.js';
import { FEATURE_SIZE } from './features.js';
import { fileSystemHandler } from './io.js';

/** Failure kinds the model scores, in output order. */
export const MODEL_KINDS = [
  'sand-depletion',
  'void-growth',
  'soft-short',
  'hard-short',
] as const satisfies readonly AlertKind[];
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Probability horizon: each output is P(the failure has happened or happens within the next horizon_s). */
export const MODEL_HORIZON_S = 900;

/** The committed weights (TF.js layers format). */
export const WEIGHTS_DIR = fileURLToPath(new URL('../weights/', import.meta.url));

/** Stored in model.json `userDefinedMetadata`. */
export interface ModelMetadata {
  version: string;
  horizon_s: number;
  kinds: string[];
  featureSize: number;
}

/** A loaded failure model; predict() is batched across cells. */
export interface FailureModel {
  version: string;
  horizon_s: number;
  kinds: AlertKind[];
  /** One probability vector (in `kinds` order) per input window. */
  predict(windows: Float32Array[]): Promise<Float32Array[]>;
  backend: string;
}

/** A small dense network: ~45k parameters over the flattened 60 × 16 window. */
export function buildModel(seed: number): tf.LayersModel {
  const model = tf.sequential();
  const kernelInitializer = (k: number): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: seed + k });
  model.add(
    tf.layers.dense({
      inputShape: [FEATURE_SIZE],
      units: 48,
      activation: 'relu',
      kernelInitializer: kernelInitializer(1),
    }),
  );
  model.add(tf.layers.dense({ units: 24, activation: 'relu', kernelInitializer: kernelInitializer(2) }));
  model.add(
    tf.layers.dense({
      units: MODEL_KINDS.length,
      activation: 'sigmoid',
      kernelInitializer: kernelInitializer(3),
    }),
  );
  return model;
}

/** Wraps a layers model as a FailureModel. */
export function wrapModel(model: tf.LayersModel, metadata: ModelMetadata, backend: string): FailureModel {
  const width = MODEL_KINDS.length;
  return {
    version: metadata.version,
    horizon_s: metadata.horizon_s,
    kinds: [...MODEL_KINDS],
    backend,
    async predict(windows) {
      if (windows.length === 0) return [];
      const flat = new Float32Array(windows.length * FEATURE_SIZE);
      windows.forEach((w, k) => {
        if (w.length !== FEATURE_SIZE)
          throw new RangeError(`window of ${w.length} values, expected ${FEATURE_SIZE}`);
        flat.set(w, k * FEATURE_SIZE);
      });
      const input = tf.tensor2d(flat, [windows.length, FEATURE_SIZE]);
      const output = model.predict(input) as tf.Tensor;
      const data = (await output.data()) as Float32Array;
      input.dispose();
      output.dispose();
      return windows.map((_, k) => data.slice(k * width, (k + 1) * width));
    },
  };
}

/** Loads the committed weights (or those in `directory`) on the best available backend. */
export async function loadFailureModel(
  options: { directory?: string; log?: (message: string) => void } = {},
): Promise<FailureModel> {
  const backend = await initBackend(options.log);
  const handler = fileSystemHandler(options.directory ?? WEIGHTS_DIR);
  const artifacts = await handler.load();
  const metadata = artifacts.userDefinedMetadata as ModelMetadata | undefined;
  if (!metadata || metadata.featureSize !== FEATURE_SIZE || metadata.kinds.join() !== MODEL_KINDS.join()) {
    throw new Error('model weights do not match this feature layout; run `npm run train`');
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return wrapModel(model, metadata, backend);
}
