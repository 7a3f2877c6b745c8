import { describe, expect, it } from 'vitest';
import type { Level } from './levels.js';
import { fullCellRun, noise, symmetricCellRun, type SymmetricStep } from './short-cells.spec-helpers.js';
import { SoftShortDetector, type ShortSample, type SoftShortState } from './soft-short-detector.js';
import { defaultThresholds } from './thresholds.js';

const area_m2 = 1.13e-4;
const current_A = 0.5e-3 * 1.13; // 0.5 mA/cm²
const cellResistance_ohm = 60; // ≈ 68 Ω·cm²: 34 mV at 0.5 mA/cm²

function run(detector: SoftShortDetector, samples: ShortSample[]): SoftShortState[] {
  return samples.map((s) => detector.update(s));
}

const levels = (states: SoftShortState[]): Set<Level> => new Set(states.map((s) => s.level));

/** Healthy galvanostatic cycling with rests: +I, rest, -I, rest, … */
function healthyCycles(count: number): SymmetricStep[] {
  const steps: SymmetricStep[] = [];
  for (let k = 0; k < count; k++) {
    steps.push({ current_A, duration_s: 1800 }, { current_A: 0, duration_s: 300 });
    steps.push({ current_A: -current_A, duration_s: 1800 }, { current_A: 0, duration_s: 300 });
  }
  return steps;
}

describe('SoftShortDetector (symmetric cells)', () => {
  it('raises nothing on healthy cycling with rests, reversals and irregular sampling', () => {
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 10, steps: healthyCycles(4) });
    const states = run(new SoftShortDetector('symmetric'), samples);
    expect(levels(states)).toEqual(new Set(['ok']));
    const last = states.filter((s) => Number.isFinite(s.evidence.asr_ohm_m2)).at(-1);
    // The apparent ASR it tracks is the simulated one: R_cell*A*(1 + 0.15*(1 - e^(-t/300))).
    expect(last?.evidence.asr_ohm_m2).toBeGreaterThan(cellResistance_ohm * area_m2);
    expect(last?.evidence.asr_ohm_m2).toBeLessThan(1.16 * cellResistance_ohm * area_m2);
  });

  it('warns on an abrupt drop with partial recovery at constant current, then clears after the hold', () => {
    // A filament of 20 Ω forms 1000 s into a plating step and burns out 40 s later.
    const steps: SymmetricStep[] = [
      ...healthyCycles(2),
      {
        current_A,
        duration_s: 1800,
        shortResistance_ohm: (t) => (t > 1000 && t < 1040 ? 20 : t >= 1040 && t < 1100 ? 80 : Infinity),
      },
      { current_A: 0, duration_s: 300 },
      ...healthyCycles(1),
    ];
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 10, steps });
    const states = run(new SoftShortDetector('symmetric'), samples);
    // 40 s at R_cell || 20 Ω is below half the expected voltage (critical), then it recovers (a dip).
    const firstRaised = states.findIndex((s) => s.level !== 'ok');
    expect(firstRaised).toBeGreaterThan(0);
    const at = samples[firstRaised];
    const start = samples.find((s) => s.t_s > 2 * 4200 + 1000);
    expect(at?.t_s).toBeGreaterThan(start?.t_s ?? 0);
    expect(at?.t_s).toBeLessThan((start?.t_s ?? 0) + 120);
    const dip = states.find((s) => s.reasons.some((r) => /voltage dipped to \d+ %/.test(r)));
    expect(dip?.reasons.join('; ')).toMatch(
      /voltage dipped to \d+ % of the .* mV the cell's own impedance gives at this current and recovered/,
    );
    // The evidence names the cell's resistance and what it expected against what it measured.
    const evidence = dip!.evidence;
    expect(evidence.cellResistance_ohm).toBeGreaterThan(cellResistance_ohm);
    expect(evidence.expectedVoltage_V).toBeGreaterThan(0.03);
    expect(states.at(-1)?.level).toBe('ok');
  });

  it("goes critical when the voltage collapses below half of what the cell's own impedance gives", () => {
    // A stable filament of R_cell/3 stays: V = I*R_cell/4, flat (the shunt carries the current).
    const steps: SymmetricStep[] = [
      ...healthyCycles(2),
      { current_A, duration_s: 1800, shortResistance_ohm: () => cellResistance_ohm / 3 },
    ];
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 10, steps });
    const states = run(new SoftShortDetector('symmetric'), samples);
    const critical = states.find((s) => s.level === 'critical');
    expect(critical?.reasons[0]).toMatch(/voltage .* mV, \d+ % of the .* mV the cell's own impedance/);
    expect(critical!.evidence.voltage_V).toBeLessThan(0.5 * critical!.evidence.expectedVoltage_V);
    // R_s ≈ R_cell/3 in parallel (the cell branch also carries a 15 % concentration overpotential).
    expect(critical!.evidence.filamentResistance_ohm).toBeGreaterThan(0.2 * cellResistance_ohm);
    expect(critical!.evidence.filamentResistance_ohm).toBeLessThan(0.6 * cellResistance_ohm);
  });

  it('warns on a filament whose touches are too shallow for any one reading, integrated over each touch', () => {
    // 2 kΩ in parallel with 60 Ω lowers |V| by 3 % (1 mV of 34 mV) for 30 s, twice: below the 4 % (and
    // 0.5 mV + η) a single reading must fall to count, well above the reading noise over 15 readings.
    const touching = (t: number): number =>
      (t > 600 && t < 630) || (t > 1200 && t < 1230) ? 2000 : Infinity;
    const steps: SymmetricStep[] = [
      ...healthyCycles(2),
      { current_A, duration_s: 1800, shortResistance_ohm: touching },
    ];
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 2, steps });
    const states = run(new SoftShortDetector('symmetric'), samples);
    const firstRaised = states.findIndex((s) => s.level !== 'ok');
    expect(firstRaised).toBeGreaterThan(0);
    const stepStart_s = 2 * 4200;
    expect(samples[firstRaised]!.t_s).toBeGreaterThan(stepStart_s + 600);
    expect(samples[firstRaised]!.t_s).toBeLessThan(stepStart_s + 720);
    expect(states[firstRaised]!.level).toBe('warning');
    expect(states[firstRaised]!.reasons.join()).toMatch(
      /\|V\| dipped [01]\.\d mV \([23] % of .* mV\) for \d+ s at constant current and came back/,
    );
    // Judged one reading at a time (integration switched off), the touches go unseen.
    const perReading = new SoftShortDetector('symmetric', {
      ...defaultThresholds,
      softShortDipSignificance: Infinity,
    });
    expect(levels(run(perReading, samples))).toEqual(new Set(['ok']));
    // The same cell without the filament raises nothing.
    const healthy = symmetricCellRun({
      area_m2,
      cellResistance_ohm,
      dt_s: 2,
      steps: [...healthyCycles(2), { current_A, duration_s: 1800 }],
    });
    expect(levels(run(new SoftShortDetector('symmetric'), healthy))).toEqual(new Set(['ok']));
  });

  it('takes neither a steady climb of |V| nor a logging dropout for a burst of noise', () => {
    // A thin polymer film whose concentration overpotential climbs 3 mV per 30 s reading for an hour,
    // with a 90 s dropout in the middle: sample-to-sample changes 50× the reading noise, all of it drift.
    const history = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 30, steps: healthyCycles(2) });
    const last = history[history.length - 1]!;
    const jitter = noise(7);
    const climbing: ShortSample[] = [];
    let previous_s = last.t_s;
    for (let t = 30; t <= 3600; t += 30) {
      if (t > 1800 && t < 1890) continue;
      const t_s = last.t_s + t;
      const voltage_V = 0.034 + 1e-4 * t + 5e-5 * jitter();
      climbing.push({
        t_s,
        dt_s: t_s - previous_s,
        voltage_V,
        current_A,
        currentDensity_A_m2: current_A / area_m2,
        temperature_K: NaN,
      });
      previous_s = t_s;
    }
    // The 3 mV absolute floor of a burst is lowered so that only the drift handling keeps it quiet.
    const thresholds = { ...defaultThresholds, softShortNoiseFloor_V: 0.5e-3 };
    const states = run(new SoftShortDetector('symmetric', thresholds), [...history, ...climbing]);
    expect(levels(states)).toEqual(new Set(['ok']));
  });

  it('warns on a burst of voltage noise', () => {
    const steps: SymmetricStep[] = [
      ...healthyCycles(2),
      { current_A, duration_s: 600 },
      { current_A, duration_s: 300, extraNoise_V: 0.015 },
    ];
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 10, steps });
    const states = run(new SoftShortDetector('symmetric'), samples);
    const warning = states.find((s) => s.level !== 'ok');
    expect(warning?.reasons.join()).toMatch(/voltage noise/);
    expect(warning?.evidence.noise_V).toBeGreaterThan(5 * (warning?.evidence.noiseBaseline_V ?? Infinity));
  });
});

describe('SoftShortDetector (full cells)', () => {
  const cell = { capacitance_F: 7.2, emptyVoltage_V: 3.5, resistance_ohm: 2, dt_s: 20 };

  it('healthy charge, rest and discharge raise nothing and estimate no short', () => {
    const samples = fullCellRun({
      ...cell,
      steps: [
        { current_A: 1e-3, duration_s: 3600 },
        { current_A: 0, duration_s: 1800 },
        { current_A: -1e-3, duration_s: 3600 },
        { current_A: 0, duration_s: 1800 },
      ],
    });
    const states = run(new SoftShortDetector('full'), samples);
    expect(levels(states)).toEqual(new Set(['ok']));
    expect(states.every((s) => Number.isNaN(s.shortResistance_ohm))).toBe(true);
  });

  it('estimates the short resistance from the voltage decay at rest, and its heat', () => {
    const rs_ohm = 10_000;
    const samples = fullCellRun({
      ...cell,
      steps: [
        { current_A: 1e-3, duration_s: 3600 },
        { current_A: 0, duration_s: 1800, shortResistance_ohm: rs_ohm },
      ],
    });
    const states = run(new SoftShortDetector('full'), samples);
    const last = states.at(-1);
    // C_diff from the charge step (ΔQ/ΔV), then R_s = V/(C_diff*(-dV/dt)): within 5 %.
    expect(Math.abs((last?.shortResistance_ohm ?? 0) - rs_ohm) / rs_ohm).toBeLessThan(0.05);
    const v = samples.at(-1)?.voltage_V ?? 0;
    expect(Math.abs((last?.evidence.shortHeat_W ?? 0) / ((v * v) / rs_ohm) - 1)).toBeLessThan(0.05);
  });

  it('goes critical on heat at zero current (+0.5 K)', () => {
    const samples = fullCellRun({
      ...cell,
      steps: [
        { current_A: 1e-3, duration_s: 3600 },
        { current_A: 0, duration_s: 1800, shortResistance_ohm: 80 },
      ],
    });
    const states = run(new SoftShortDetector('full'), samples);
    const critical = states.find((s) => s.level === 'critical');
    expect(critical?.reasons.join()).toMatch(/temperature rose 0\.\d K at zero current/);
  });

  it('goes critical when a constant-current charge stalls for 5 min', () => {
    // Charging at 1 mA with a 2 kΩ short: the leak V_oc/R_s (≈ 1.2 mA at 2.4 V) exceeds the charging
    // current, so the voltage stops rising and falls.
    const samples = fullCellRun({
      ...cell,
      emptyVoltage_V: 2,
      steps: [
        { current_A: 1e-3, duration_s: 3600 },
        { current_A: 1e-3, duration_s: 3600, shortResistance_ohm: 2000 },
      ],
    });
    const states = run(new SoftShortDetector('full'), samples);
    const firstCritical = states.findIndex((s) => s.level === 'critical');
    expect(states[firstCritical]?.reasons.join()).toMatch(/charge stalled/);
    expect(samples[firstCritical]?.t_s).toBeGreaterThan(3600);
  });

  it('warns when coulombic efficiency falls 2 points below its rolling median', () => {
    const cycle = (rs_ohm?: number) => [
      { current_A: 1e-3, duration_s: 1800, shortResistance_ohm: rs_ohm },
      { current_A: -1e-3, duration_s: 1800 },
    ];
    // Healthy cycles return all the charge. A short during a charge drains part of it, so the discharge
    // to the same cut-off ends early: 1650 s instead of 1800 s (CE 91.7 %).
    const healthy = [...cycle(), ...cycle(), ...cycle(), ...cycle()];
    const lossy = [
      { current_A: 1e-3, duration_s: 1800 },
      { current_A: -1e-3, duration_s: 1650 },
    ];
    const samples = fullCellRun({ ...cell, steps: [...healthy, ...lossy, ...cycle()] });
    const states = run(new SoftShortDetector('full'), samples);
    const warning = states.find((s) => s.level === 'warning');
    expect(warning?.reasons.join()).toMatch(/coulombic efficiency 9\d\.\d %/);
    expect(warning?.evidence.coulombicEfficiency).toBeLessThan(0.95);
  });
});
