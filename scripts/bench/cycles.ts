/**
 * npm run bench:cycles — cost per sample of libs/cycles' CycleTracker (step segmentation + per-cycle
 * statistics). Feeds a pre-generated stream of 2 million samples (CC charge / rest / CC discharge / rest
 * cycles, noisy current, irregular 0.8–1.2 s steps), once without and once with the cycler's index, and
 * prints the median over several runs of CPU time per sample. Budget (issue 17): 0.3 µs per sample.
 */
import { CycleTracker } from '#cycles';

const samples = 2_000_000;
const runs = 7;

function stream(): { ts: Float64Array; v: Float64Array; i: Float64Array; cycle: Float64Array } {
  const ts = new Float64Array(samples);
  const v = new Float64Array(samples);
  const i = new Float64Array(samples);
  const cycle = new Float64Array(samples);
  let state = 12345;
  const rnd = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  let t = Date.UTC(2026, 0, 1);
  const period = 4000; // samples per cycle
  for (let k = 0; k < samples; k++) {
    const phase = k % period;
    const base = phase < 1800 ? 0.5 : phase < 2000 ? 0 : phase < 3800 ? -0.5 : 0;
    i[k] = base + (rnd() - 0.5) * 0.005;
    v[k] = 3.7 + base * 0.4 + (rnd() - 0.5) * 0.001;
    cycle[k] = 1 + Math.floor(k / period);
    t += 800 + rnd() * 400;
    ts[k] = t;
  }
  return { ts, v, i, cycle };
}

function measure(label: string, feed: (tracker: CycleTracker) => number): void {
  const perSample: number[] = [];
  const wall: number[] = [];
  let cycles = 0;
  feed(new CycleTracker()); // warm-up: JIT
  for (let r = 0; r < runs; r++) {
    const tracker = new CycleTracker();
    const startWall = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    cycles = feed(tracker);
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - startWall) / samples);
    perSample.push(((used.user + used.system) * 1000) / samples);
  }
  perSample.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  const median = perSample[mid]!;
  console.log(
    `${label.padEnd(34)} ${(median / 1000).toFixed(3)} µs/sample CPU (min ${(perSample[0]! / 1000).toFixed(3)}, ` +
      `max ${(perSample[runs - 1]! / 1000).toFixed(3)}; wall ${(wall[mid]! / 1000).toFixed(3)}), ` +
      `${cycles} cycles — ${median / 1000 <= 0.3 ? 'within' : 'OVER'} the 0.3 µs budget`,
  );
}

const data = stream();
console.log(`CycleTracker, ${samples.toLocaleString('en')} samples, median of ${runs} runs`);
measure('segmented (no cycler index)', (tracker) => {
  let n = 0;
  for (let k = 0; k < samples; k++) if (tracker.push(data.ts[k]!, data.v[k]!, data.i[k]!)) n++;
  if (tracker.finish()) n++;
  return n;
});
measure("cycler's cycle index", (tracker) => {
  let n = 0;
  for (let k = 0; k < samples; k++)
    if (tracker.push(data.ts[k]!, data.v[k]!, data.i[k]!, data.cycle[k]!)) n++;
  if (tracker.finish()) n++;
  return n;
});
