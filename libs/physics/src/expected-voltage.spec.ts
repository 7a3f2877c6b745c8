import { describe, expect, it } from 'vitest';
import { concentrationOverpotential_V, MeasurementNoise } from './expected-voltage.js';
import { HardShortDetector } from './hard-short-detector.js';
import { noise } from './short-cells.spec-helpers.js';
import { SoftShortDetector, type ShortSample } from './soft-short-detector.js';

const area_m2 = 1.13e-4;
const current_A = 0.5e-3;
const cellResistance_ohm = 20;

/**
 * A thin, well-conducting polymer cell: I·R = 10 mV, but the salt profile builds a concentration
 * overpotential of up to 30 mV per step (relaxing over τ = 600 s). After each reversal η_c keeps the old
 * sign for minutes, so V crosses zero at a constant current. `shortFrom_s`: a filament R_s in parallel.
 */
function polymerRun(options: { shortFrom_s?: number; shortResistance_ohm?: number } = {}): ShortSample[] {
  const random = noise(11);
  const samples: ShortSample[] = [];
  const tau_s = 600;
  const etaMax_V = 0.03;
  let eta_V = 0;
  let t_s = 0;
  const dt_s = 2;
  for (let step = 0; step < 12; step++) {
    const sign = step % 2 === 0 ? 1 : -1;
    for (let k = 0; k < 1800 / dt_s; k++) {
      t_s += dt_s;
      // The overpotential relaxes towards ±η_max with the current's sign.
      eta_V += (sign * etaMax_V - eta_V) * (1 - Math.exp(-dt_s / tau_s));
      const branch_V = eta_V + sign * current_A * cellResistance_ohm;
      const shorted = options.shortFrom_s !== undefined && t_s >= options.shortFrom_s;
      const rs = options.shortResistance_ohm ?? 2;
      // Kirchhoff with the filament across the terminals: V = V_branch·R_s/(R_cell + R_s) + η_c share.
      const voltage_V = shorted ? (branch_V * rs) / (cellResistance_ohm + rs) : branch_V;
      samples.push({
        t_s,
        dt_s,
        voltage_V: voltage_V + 50e-6 * random(),
        current_A: sign * current_A,
        currentDensity_A_m2: (sign * current_A) / area_m2,
        temperature_K: 343,
        // The monitor's depletion model gives the same η_c (here: known exactly).
        concentrationOverpotential_V: eta_V,
      });
    }
  }
  return samples;
}

describe('shorts judged against the physics-expected voltage', () => {
  it('the healthy run really crosses zero at constant current after each reversal', () => {
    const samples = polymerRun();
    const crossing = samples.filter((s, k) => {
      const previous = samples[k - 1];
      return (
        previous &&
        previous.current_A === s.current_A &&
        Math.sign(previous.voltage_V) !== Math.sign(s.voltage_V)
      );
    });
    expect(crossing.length).toBeGreaterThanOrEqual(10);
  });

  it('a zero crossing during a reversal is expected: neither short detector raises anything', () => {
    const hard = new HardShortDetector('symmetric');
    const soft = new SoftShortDetector('symmetric');
    const levels = polymerRun().map((s) => [hard.update(s).level, soft.update(s).level]);
    expect(levels.filter(([h, s]) => h !== 'ok' || s !== 'ok')).toEqual([]);
  });

  it('an impedance collapse at constant current is not: hard short, with expected vs measured and R_s', () => {
    const shortFrom_s = 4 * 1800 + 900;
    const samples = polymerRun({ shortFrom_s, shortResistance_ohm: 0.02 });
    const hard = new HardShortDetector('symmetric');
    const states = samples.map((s) => hard.update(s));
    const first = states.findIndex((s) => s.level === 'critical');
    expect(samples[first]!.t_s).toBeGreaterThanOrEqual(shortFrom_s);
    expect(samples[first]!.t_s).toBeLessThan(shortFrom_s + 60);
    const evidence = states[first]!.evidence;
    expect(Math.abs(evidence.expectedVoltage_V)).toBeGreaterThan(0.02);
    expect(Math.abs(evidence.voltage_V)).toBeLessThan(1e-3);
    expect(evidence.usualResistance_ohm).toBeGreaterThan(0.8 * cellResistance_ohm);
    expect(evidence.shortResistance_ohm).toBeLessThan(1);
  });

  it('a partial collapse (R_s = R_cell/4) is a critical soft short with the filament resistance', () => {
    const shortFrom_s = 4 * 1800 + 900;
    const samples = polymerRun({ shortFrom_s, shortResistance_ohm: cellResistance_ohm / 4 });
    const soft = new SoftShortDetector('symmetric');
    const states = samples.map((s) => soft.update(s));
    const first = states.findIndex((s) => s.level === 'critical');
    expect(samples[first]!.t_s).toBeGreaterThanOrEqual(shortFrom_s);
    expect(samples[first]!.t_s).toBeLessThan(shortFrom_s + 60);
    expect(states[first]!.reasons[0]).toMatch(/% of the .* mV the cell's own impedance/);
    expect(states[first]!.evidence.cellResistance_ohm).toBeGreaterThan(0.8 * cellResistance_ohm);
  });

  it('η_c has the sign of the concentration ratio and scales with t_a·RT/F', () => {
    expect(concentrationOverpotential_V(500, 1500, 0.84, 343)).toBeGreaterThan(0);
    expect(concentrationOverpotential_V(1500, 500, 0.84, 343)).toBeCloseTo(
      -concentrationOverpotential_V(500, 1500, 0.84, 343),
      12,
    );
    // 2·0.5·(8.314·298.15/96485)·ln(e) = 25.7 mV.
    expect(concentrationOverpotential_V(1000, 1000 * Math.E, 0.5, 298.15)).toBeCloseTo(0.02569, 4);
  });
});

describe('MeasurementNoise', () => {
  const learn = (drift_V: number): MeasurementNoise => {
    const random = noise(3);
    const measurement = new MeasurementNoise();
    for (let k = 0; k < 500; k++) {
      // σ ≈ 0.3 mV of noise (uniform ±0.5 mV), read in 0.1 mV steps, on a steady drift.
      const reading = Math.round((0.1 + drift_V * k + 0.5e-3 * random()) / 1e-4) * 1e-4;
      measurement.update(reading, k > 0);
    }
    return measurement;
  };

  it('learns σ from second differences, so a steady climb of 2 mV per reading is not noise', () => {
    const measurement = learn(2e-3);
    expect(measurement.known).toBe(true);
    expect(measurement.sigma_V).toBeGreaterThan(0.15e-3);
    expect(measurement.sigma_V).toBeLessThan(0.6e-3);
  });

  it('finds the quantisation step and asks for 5σ or 2.5 steps before a change is real', () => {
    const measurement = learn(0);
    expect(measurement.resolution_V).toBeCloseTo(1e-4, 6);
    expect(measurement.significant_V(0.5e-3)).toBeGreaterThan(5 * 0.15e-3);
    expect(measurement.significant_V(0.5e-3)).toBeLessThan(3e-3);
  });
});
