import * as tf from './tf.js';
import { createHash } from 'node:crypto';
import { randomRun, Rng, type SimulatedRun } from '#simulator';
import { initBackend } from './backend.js';
import { collectWindows, type MonitorFactory, type WindowSet } from './dataset.js';
import { FEATURE_CHANNELS, FEATURE_SIZE, FEATURE_STEP_S, FEATURE_STEPS } from './features.js';
import { fileSystemHandler } from './io.js';
import { precisionRecall, rocAuc } from './metrics.js';
import { buildModel, MODEL_HORIZON_S, MODEL_KINDS, type ModelMetadata } from './model.js';

export const RUN_KINDS = ['healthy', 'sand-depletion', 'void-growth', 'soft-short', 'hard-short'] as const;

export interface TrainOptions {
  /** Training runs per kind (seeds 0…runsPerKind−1 of the `train` split). */
  runsPerKind: number;
  /** Validation runs per kind (the next seeds of the `train` split). */
  validationRunsPerKind: number;
  epochs: number;
  seed: number;
  outDir: string;
  monitorFactory: MonitorFactory;
  /** Whether the monitor supplies physics estimates (recorded in the model card). */
  physicsFeatures: boolean;
  log?: (message: string) => void;
}

export interface TrainResult {
  metadata: ModelMetadata;
  parameters: number;
  backend: string;
  trainWindows: number;
  validationWindows: number;
  positives: Record<string, number>;
  validation: Record<string, { auc: number; precision: number; recall: number }>;
  seconds: number;
  weightBytes: number;
}

function runs(first: number, count: number): SimulatedRun[] {
  const out: SimulatedRun[] = [];
  for (let seed = first; seed < first + count; seed++) {
    for (const kind of RUN_KINDS) out.push(randomRun({ kind, seed, split: 'train' }));
    // Twice as many healthy runs: false alarms cost the most trust.
    out.push(randomRun({ kind: 'healthy', seed: seed + 100_000, split: 'train' }));
  }
  return out;
}

/** Trains the failure model reproducibly (seeded data, initialisation and batch order) and saves it. */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const backend = await initBackend(log);
  const collect = { horizon_s: MODEL_HORIZON_S, stride_s: 120, denseStride_s: 20 };
  const train = collectWindows(runs(0, options.runsPerKind), options.monitorFactory, collect);
  const validation = collectWindows(
    runs(options.runsPerKind, options.validationRunsPerKind),
    options.monitorFactory,
    collect,
  );
  log(`windows: ${train.count} train, ${validation.count} validation`);

  const model = buildModel(options.seed);
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'binaryCrossentropy' });
  const width = MODEL_KINDS.length;
  const rng = new Rng(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const shuffled = permute(train, rng);
    const x = tf.tensor2d(shuffled.x, [shuffled.count, FEATURE_SIZE]);
    const y = tf.tensor2d(shuffled.y, [shuffled.count, width]);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 128, shuffle: false, verbose: 0 });
    x.dispose();
    y.dispose();
    log(`epoch ${epoch + 1}/${options.epochs} loss ${Number(history.history.loss?.[0]).toFixed(4)}`);
  }

  const scores = predictAll(model, validation);
  const metrics: TrainResult['validation'] = {};
  MODEL_KINDS.forEach((kind, k) => {
    const s = new Float32Array(validation.count);
    const l = new Float32Array(validation.count);
    for (let n = 0; n < validation.count; n++) {
      s[n] = scores[n * width + k]!;
      l[n] = validation.y[n * width + k]!;
    }
    metrics[kind] = { auc: rocAuc(s, l), ...precisionRecall(s, l, 0.5) };
  });
  const positives: Record<string, number> = {};
  MODEL_KINDS.forEach((kind, k) => {
    let count = 0;
    for (let n = 0; n < train.count; n++) count += train.y[n * width + k]!;
    positives[kind] = count;
  });

  // The version names the weights: same data and seed → same weights → same version.
  const weights = model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer));
  const hash = createHash('sha256');
  for (const w of weights) hash.update(w);
  const metadata: ModelMetadata = {
    version: `fm1-${hash.digest('hex').slice(0, 10)}`,
    horizon_s: MODEL_HORIZON_S,
    kinds: [...MODEL_KINDS],
    featureSize: FEATURE_SIZE,
  };
  const handler = fileSystemHandler(options.outDir);
  const artifacts = await new Promise<tf.io.ModelArtifacts>((resolve, reject) => {
    model
      .save(
        tf.io.withSaveHandler(async (a) => {
          resolve(a);
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      )
      .catch(reject);
  });
  artifacts.userDefinedMetadata = { ...metadata };
  const saved = await handler.save(artifacts);
  return {
    metadata,
    parameters: model.countParams(),
    backend,
    trainWindows: train.count,
    validationWindows: validation.count,
    positives,
    validation: metrics,
    seconds: (performance.now() - started) / 1000,
    weightBytes: saved.modelArtifactsInfo.weightDataBytes ?? 0,
  };
}

function permute(set: WindowSet, rng: Rng): WindowSet {
  const width = MODEL_KINDS.length;
  const order = Array.from({ length: set.count }, (_, k) => k);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rng.uniform() * (k + 1));
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const x = new Float32Array(set.x.length);
  const y = new Float32Array(set.y.length);
  order.forEach((from, to) => {
    x.set(set.x.subarray(from * FEATURE_SIZE, (from + 1) * FEATURE_SIZE), to * FEATURE_SIZE);
    y.set(set.y.subarray(from * width, (from + 1) * width), to * width);
  });
  return { x, y, count: set.count };
}

function predictAll(model: tf.LayersModel, set: WindowSet): Float32Array {
  const x = tf.tensor2d(set.x, [set.count, FEATURE_SIZE]);
  const out = model.predict(x, { batchSize: 512 }) as tf.Tensor;
  const data = out.dataSync() as Float32Array;
  x.dispose();
  out.dispose();
  return data;
}

/** The model card (markdown) for a training result. */
export function modelCard(result: TrainResult, options: TrainOptions): string {
  const rows = MODEL_KINDS.map((kind) => {
    const m = result.validation[kind]!;
    return `| ${kind} | ${result.positives[kind]} | ${fmt(m.auc)} | ${fmt(m.precision)} | ${fmt(m.recall)} |`;
  });
  return `# Failure model card

- **Version**: \`${result.metadata.version}\` (hash of the weights; \`npm run train\` with the same seed reproduces it
  on the same backend)
- **Task**: for each failure kind (${MODEL_KINDS.join(', ')}), a probability. Sand depletion and voids: the
  event has happened or happens within the next ${result.metadata.horizon_s} s of data time. Soft short: a filament is
  there now (its onset is random: it can be flagged, not foreseen). Hard short: within ${result.metadata.horizon_s} s when
  something leads up to it (dendrites, voids, a soft short), from the event on when it comes out of the blue.
- **Architecture**: TF.js layers, dense ${FEATURE_SIZE} → 48 (ReLU) → 24 (ReLU) → ${MODEL_KINDS.length} (sigmoid),
  ${result.parameters} parameters, weights ${(result.weightBytes / 1024).toFixed(0)} KiB (float32).
- **Backend used for training**: ${result.backend}; training took ${result.seconds.toFixed(0)} s.

## Data
Synthetic runs from \`libs/simulator\` (\`randomRun\`, split \`train\`): ${options.runsPerKind} runs per failure kind
(sand-depletion, void-growth, soft-short, hard-short) and twice as many healthy runs for training, seeds 0–${options.runsPerKind - 1};
${options.validationRunsPerKind} more per kind for validation (seeds ${options.runsPerKind}–${
    options.runsPerKind + options.validationRunsPerKind - 1
  }). Liquid (LP30-type), polymer (PEO-LiTFSI, 70 °C) and solid (Li6PS5Cl) symmetric Li|Li cells; galvanostatic
cycling, critical-current ramps, pulses, rests, chamber temperature steps, nucleation overshoot, slow
activation, sensor noise, quantisation, dropouts, sampling every 0.5–10 s (log-uniform). Windows every 120 s of data time, every
20 s within the horizon of an event: ${result.trainWindows} training and ${result.validationWindows} validation windows.
Labels: sand = first depletion of the plating surface (c_s < 1 % c0), voids = contact fraction < 0.3 or Li
penetration, soft short = filament onset, hard short = full bridge. The backtest (\`npm run backtest\`) uses the
\`heldout\` split: other seeds and parameter ranges outside these (wider polymer gaps, slower diffusion, other
critical stripping currents and stack pressures; sampling at 0.5, 2 or 8 s).

## Features
A window of the last ${FEATURE_STEPS} steps of ${FEATURE_STEP_S} s (oldest first), ${FEATURE_CHANNELS.length} channels per step:
${FEATURE_CHANNELS.map((c) => `\`${c}\``).join(', ')}. Raw channels are resampled per step (mean current density,
signed-log polarization, the same relative to the window's median, log area-specific resistance, noise, dip
depth, temperature and stack-pressure change); physics channels come from the per-cell physics monitor
(${options.physicsFeatures ? '#physics estimates: depletion fraction, J/J*, stripping charge above CSC, contact fraction, ASR trend, short-resistance estimate, time to depletion' : 'NOT available when these weights were trained: the physics channels were zero'}).

## Validation metrics (windows of held-back training-split seeds)
| kind | training positives | ROC AUC | precision @0.5 | recall @0.5 |
|---|---|---|---|---|
${rows.join('\n')}

Detection metrics per run (recall, lead time, false alarms) are in \`reports/backtest.md\`.

## Limits
Trained only on simulated symmetric cells; the simulator's physics is simple (see docs/model.md). Treat the
model as a second opinion next to the physics detectors, which is how the fusion rule uses it.
`;
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}
