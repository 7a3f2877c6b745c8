/**
 * npm run bench:physics — cost per update of each libs/physics tracker and detector.
 * Each case feeds a pre-generated stream (irregular sampling, noisy currents, rests and reversals) and
 * reports the median over several runs of the mean CPU time per update, in ns (process CPU time, so
 * other work on a shared machine does not count; wall time is printed beside it). The budget
 * for DepletionTracker.update is a median of 2 µs.
 */
import {
  CellMonitor,
  DepletionTracker,
  HardShortDetector,
  limitingCurrentDensity_A_m2,
  presets,
  SoftShortDetector,
  VoidTracker,
  type CellSample,
  type ShortSample,
} from '#physics';

const runs = 9;

/** Deterministic pseudo-random numbers in [-1, 1). */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

interface Case {
  name: string;
  updates: number;
  /** Builds a fresh subject and returns a function that performs all updates once. */
  prepare: () => () => void;
}

function measure(c: Case): { median_ns: number; min_ns: number; max_ns: number; wall_ns: number } {
  c.prepare()(); // warm-up: JIT
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const go = c.prepare();
    const startWall = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    go();
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - startWall) / c.updates);
    cpu.push(((used.user + used.system) * 1000) / c.updates);
  }
  cpu.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  return {
    median_ns: cpu[mid] ?? NaN,
    min_ns: cpu[0] ?? NaN,
    max_ns: cpu[runs - 1] ?? NaN,
    wall_ns: wall[mid] ?? NaN,
  };
}

const transport = { diffusivity_m2_s: 3e-10, concentration_mol_m3: 1000, anionTransference: 0.62 };

/** Current density stream: cycling at `fraction` of J* with rests, 0.05 % current noise, dt ≈ 1 s ± 30 %. */
function depletionStream(gap_m: number, fraction: number, n: number): { dt: Float64Array; j: Float64Array } {
  const jStar = limitingCurrentDensity_A_m2({ ...transport, gap_m });
  const random = noise(1);
  const dt = new Float64Array(n);
  const j = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    dt[k] = 1 + 0.3 * random();
    const phase = Math.floor(k / 600) % 4; // 10 min steps: +J, rest, -J, rest
    const sign = phase === 0 ? 1 : phase === 2 ? -1 : 0;
    j[k] = sign * fraction * jStar * (1 + 5e-4 * random());
  }
  return { dt, j };
}

function depletionCase(name: string, gap_m: number, fraction: number): Case {
  const n = 200_000;
  const { dt, j } = depletionStream(gap_m, fraction, n);
  return {
    name,
    updates: n,
    prepare: () => {
      const tracker = new DepletionTracker({ ...transport, gap_m });
      return () => {
        for (let k = 0; k < n; k++) {
          const state = tracker.update(dt[k] ?? 1, j[k] ?? 0);
          // Past depletion the run is over: start a new one, as a monitor would after a reset.
          if (state.depletionFraction >= 1) tracker.reset();
        }
      };
    },
  };
}

/** Sand regime only: constant-current plating into a wide gap, noisy current, reset at depletion. */
function sandCase(): Case {
  const n = 100_000;
  const gap_m = 0.01;
  const random = noise(2);
  const dt = Float64Array.from({ length: n }, () => 1 + 0.3 * random());
  const j = Float64Array.from({ length: n }, () => 20 * (1 + 5e-4 * random()));
  return {
    name: 'DepletionTracker, Sand regime (L = 10 mm, J = 2 mA/cm², tau ≈ 4 h)',
    updates: n,
    prepare: () => {
      const tracker = new DepletionTracker({ ...transport, gap_m });
      return () => {
        for (let k = 0; k < n; k++) {
          if (tracker.update(dt[k] ?? 1, j[k] ?? 0).depletionFraction >= 1) tracker.reset();
        }
      };
    },
  };
}

function symmetricSamples(n: number, current_A: number, resistance_ohm: number): ShortSample[] {
  const random = noise(3);
  const samples: ShortSample[] = [];
  let t_s = 0;
  for (let k = 0; k < n; k++) {
    const dt_s = 10 * (1 + 0.3 * random());
    t_s += dt_s;
    const phase = Math.floor(k / 180) % 4;
    const i = phase === 0 ? current_A : phase === 2 ? -current_A : 0;
    samples.push({
      t_s,
      dt_s,
      voltage_V: i * resistance_ohm * (1 + 1e-3 * random()),
      current_A: i,
      currentDensity_A_m2: i / 1e-4,
      temperature_K: 298.15 + 0.02 * random(),
    });
  }
  return samples;
}

function detectorCase(name: string, make: () => { update: (s: ShortSample) => unknown }): Case {
  const samples = symmetricSamples(100_000, 0.2e-3, 50);
  return {
    name,
    updates: samples.length,
    prepare: () => {
      const detector = make();
      return () => {
        for (const s of samples) detector.update(s);
      };
    },
  };
}

function voidCase(): Case {
  const samples = symmetricSamples(100_000, 0.3e-3, 500);
  return {
    name: 'VoidTracker (Li|LLZO|Li, 0.3 mA/cm², 2 MPa)',
    updates: samples.length,
    prepare: () => {
      const tracker = new VoidTracker({
        cscTable: presets.llzo.cscTable ?? [],
        cscTemperature_K: 298.15,
        ccdTable: presets.llzo.ccdTable ?? [],
        lithiumElectrodes: 'both',
      });
      return () => {
        for (const s of samples) {
          tracker.update({
            dt_s: s.dt_s,
            currentDensity_A_m2: s.currentDensity_A_m2,
            voltage_V: s.voltage_V,
            pressure_Pa: 2e6,
            temperature_K: s.temperature_K,
          });
        }
      };
    },
  };
}

function monitorCase(
  name: string,
  electrolyte: { preset: string; gap_um?: number },
  current_A: number,
): Case {
  const samples: CellSample[] = symmetricSamples(100_000, current_A, 50).map((s) => ({
    ts: 1_767_603_600_000 + s.t_s * 1000,
    v: s.voltage_V,
    i: s.current_A,
    t: s.temperature_K - 273.15,
    p: 2,
  }));
  return {
    name,
    updates: samples.length,
    prepare: () => {
      const monitor = new CellMonitor({
        cellType: 'symmetric',
        electrodeArea_cm2: 1,
        electrolyte,
        stack: { nominalPressure_MPa: 2 },
      });
      return () => {
        for (const s of samples) monitor.update(s);
      };
    },
  };
}

const cases: Case[] = [
  depletionCase('DepletionTracker, coin cell (L = 25 µm, J = 0.3 J*)', 25e-6, 0.3),
  depletionCase('DepletionTracker, polymer-like gap (L = 1 mm, J = 0.8 J*)', 1e-3, 0.8),
  depletionCase('DepletionTracker, over J* with reversals (L = 200 µm, J = 3 J*)', 200e-6, 3),
  sandCase(),
  voidCase(),
  detectorCase('SoftShortDetector (symmetric)', () => new SoftShortDetector('symmetric')),
  detectorCase('HardShortDetector (symmetric)', () => new HardShortDetector('symmetric')),
  monitorCase('CellMonitor, liquid (lp30, all detectors)', { preset: 'lp30' }, 1e-3),
  monitorCase('CellMonitor, solid (llzo, all detectors)', { preset: 'llzo' }, 0.2e-3),
];

console.log(`libs/physics: CPU ns per update, median of ${runs} runs [min–max], and median wall ns`);
for (const c of cases) {
  const { median_ns, min_ns, max_ns, wall_ns } = measure(c);
  const range = `[${min_ns.toFixed(0)}–${max_ns.toFixed(0)}]`;
  console.log(
    `${c.name.padEnd(66)} ${median_ns.toFixed(0).padStart(7)} ns ${range.padEnd(16)} wall ${wall_ns.toFixed(0)} ns`,
  );
}
