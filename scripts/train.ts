/**
 * npm run train [-- --runs 40 --validation 8 --epochs 20 --seed 1 --out libs/model/weights --card libs/model/MODEL_CARD.md]
 * Trains the failure model on simulated runs (seeded, reproducible) and writes TF.js weights + the model card.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { physicsMonitorFactory, modelCard, trainModel } from '#model';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    validation: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'libs/model/weights' },
    card: { type: 'string', default: 'libs/model/MODEL_CARD.md' },
    note: { type: 'string', default: '' },
  },
});

const { factory, physicsFeatures, failures } = physicsMonitorFactory();
const options = {
  runsPerKind: Number(values.runs),
  validationRunsPerKind: Number(values.validation),
  epochs: Number(values.epochs),
  seed: Number(values.seed),
  outDir: path.resolve(values.out),
  monitorFactory: factory,
  physicsFeatures,
  log: (message: string) => console.log(message),
};
const result = await trainModel(options);
if (failures.length > 0)
  console.log(`physics monitor failed on ${failures.length} run(s), e.g. ${failures[0]}`);
const note = values.note ? `\n## Note\n${values.note}\n` : '';
await writeFile(path.resolve(values.card), modelCard(result, options) + note);
console.log(
  `model ${result.metadata.version}: ${result.parameters} parameters, ${result.trainWindows} windows, ` +
    `${result.seconds.toFixed(0)} s on ${result.backend}; weights in ${values.out}, card in ${values.card}`,
);
