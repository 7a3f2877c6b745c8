// npm run bench:model — failure-model inference throughput: windows per second at batch 256 on the
// backend loadFailureModel picks (wasm here; tensorflow when @tensorflow/tfjs-node is installed).
// Goal (issue 5): ≥ 20,000 windows/s at batch 256 on wasm. Uses windows from a simulated run, so the
// numbers flowing through are realistic. The last line printed is one JSON object.
// Options: --batch 256 --seconds 5
import { parseArgs } from 'node:util';
import { simulateScenario } from '#simulator';
import { RUN_EPOCH_MS, createFeatureWindow, loadFailureModel } from '#model';

const { values } = parseArgs({
  options: { batch: { type: 'string', default: '256' }, seconds: { type: 'string', default: '5' } },
});
const batch = Number(values.batch);
const seconds = Number(values.seconds);

const model = await loadFailureModel({ log: (m) => console.log(m) });
const run = simulateScenario({ scenario: 'soft-short', seed: 1 });
const window = createFeatureWindow(run.config);
const windows: Float32Array[] = [];
for (const s of run.samples()) {
  window.push({ ts: RUN_EPOCH_MS + s.time_s * 1000, v: s.v, i: s.i, t: s.t });
  if (window.ready() && windows.length < batch && Math.round(s.time_s) % 30 === 0)
    windows.push(window.window());
}
while (windows.length < batch)
  windows.push(windows[windows.length % Math.max(windows.length, 1)] ?? window.window());

for (let k = 0; k < 20; k++) await model.predict(windows); // warm-up
let batches = 0;
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  await model.predict(windows);
  batches++;
}
const elapsed_s = (performance.now() - started) / 1000;
const windowsPerSecond = (batches * batch) / elapsed_s;
const latency_ms = (elapsed_s * 1000) / batches;
console.log(
  `model ${model.version} on ${model.backend}: ${Math.round(windowsPerSecond)} windows/s at batch ${batch} ` +
    `(${latency_ms.toFixed(2)} ms per batch; goal ≥ 20000)`,
);
console.log(
  JSON.stringify({
    bench: 'model',
    backend: model.backend,
    batch,
    windowsPerSecond: Math.round(windowsPerSecond),
    batchLatency_ms: Number(latency_ms.toFixed(3)),
  }),
);
