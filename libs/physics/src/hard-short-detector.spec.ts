import { describe, expect, it } from 'vitest';
import { HardShortDetector } from './hard-short-detector.js';
import { fullCellRun, noise, symmetricCellRun, type SymmetricStep } from './short-cells.spec-helpers.js';
import type { ShortSample } from './soft-short-detector.js';

const area_m2 = 1e-4;
const current_A = 0.2e-3;
const cellResistance_ohm = 50; // 10 mV at 0.2 mA

function cycles(count: number): SymmetricStep[] {
  const steps: SymmetricStep[] = [];
  for (let k = 0; k < count; k++)
    steps.push({ current_A, duration_s: 600 }, { current_A: -current_A, duration_s: 600 });
  return steps;
}

describe('HardShortDetector', () => {
  it('raises nothing on healthy cycling, including the zero crossing at each reversal', () => {
    const samples = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 5, steps: cycles(5) });
    // A sample taken exactly at a reversal reads ≈ 0 V at nearly zero current.
    const withCrossings = samples.flatMap((s, i) =>
      i > 0 && Math.sign(s.current_A) !== Math.sign(samples[i - 1]?.current_A ?? 0)
        ? [
            {
              ...s,
              voltage_V: 1e-5,
              current_A: s.current_A * 0.01,
              currentDensity_A_m2: s.currentDensity_A_m2 * 0.01,
            },
            s,
          ]
        : [s],
    );
    const detector = new HardShortDetector('symmetric');
    expect(withCrossings.every((s) => detector.update(s).level === 'ok')).toBe(true);
  });

  it('ignores an impedance sweep: small varying currents with V = I*Z', () => {
    const random = noise(3);
    const detector = new HardShortDetector('symmetric');
    const sweep: ShortSample[] = [];
    for (let k = 0; k < 60; k++) {
      const i_A = 1e-6 * (1 + 0.5 * random());
      sweep.push({
        t_s: k,
        dt_s: 1,
        voltage_V: i_A * cellResistance_ohm * (1 + 0.5 * random()),
        current_A: i_A,
        currentDensity_A_m2: i_A / area_m2,
        temperature_K: 298.15,
      });
    }
    expect(sweep.every((s) => detector.update(s).level === 'ok')).toBe(true);
  });

  it('goes critical after a few samples, not one, when a 0.02 Ω bridge forms', () => {
    const samples = symmetricCellRun({
      area_m2,
      cellResistance_ohm,
      dt_s: 5,
      steps: [
        ...cycles(2),
        { current_A, duration_s: 100, shortResistance_ohm: (t) => (t > 50 ? 0.02 : Infinity) },
      ],
    });
    const detector = new HardShortDetector('symmetric');
    const states = samples.map((s) => detector.update(s));
    const firstShorted = samples.findIndex((s) => Math.abs(s.voltage_V) < 1e-3);
    const firstCritical = states.findIndex((s) => s.level === 'critical');
    expect(firstCritical).toBe(firstShorted + 2);
    expect(states[firstCritical]?.reason).toMatch(
      /mV while 200.00 µA flows, where the cell's own impedance and overpotential give .* mV \(.* Ω against .* Ω\): the electrodes are bridged/,
    );
    const evidence = states[firstCritical]!.evidence;
    expect(evidence.usualResistance_ohm).toBeGreaterThan(cellResistance_ohm);
    // Expected vs measured, and the bridge's resistance from 1/R_app = 1/R_cell + 1/R_s.
    expect(evidence.expectedVoltage_V).toBeGreaterThan(200e-6 * cellResistance_ohm);
    expect(Math.abs(evidence.voltage_V)).toBeLessThan(1e-3);
    expect(evidence.shortResistance_ohm).toBeLessThan(0.05);
  });

  it('holds the alarm through readings near the threshold and lets go after 20 healthy samples', () => {
    const healthy = symmetricCellRun({ area_m2, cellResistance_ohm, dt_s: 5, steps: cycles(1) });
    const detector = new HardShortDetector('symmetric');
    for (const s of healthy) detector.update(s);
    const last = healthy.at(-1);
    if (!last) throw new Error('no samples');
    const at = (k: number, voltage_V: number) => ({ ...last, t_s: last.t_s + 5 * k, voltage_V });
    // I*R_short with R_short = 5 Ω hovers around 1 mV: the count alone would flap.
    const bridged = [0.9e-3, 0.9e-3, 0.9e-3, 1.1e-3, 0.9e-3, 1.05e-3, 0.9e-3].map(
      (v, k) => detector.update(at(k, -v)).level,
    );
    expect(bridged).toEqual(['ok', 'ok', 'critical', 'critical', 'critical', 'critical', 'critical']);
    const recovered = Array.from({ length: 20 }, (_, k) => detector.update(at(10 + k, last.voltage_V)).level);
    expect(recovered.slice(0, 19).every((l) => l === 'critical')).toBe(true);
    expect(recovered[19]).toBe('ok');
  });

  it('full cell: voltage collapsing toward 0 V while current flows', () => {
    const samples = fullCellRun({
      capacitance_F: 7.2,
      emptyVoltage_V: 3.5,
      resistance_ohm: 2,
      dt_s: 10,
      steps: [{ current_A: 1e-3, duration_s: 600 }],
    });
    const detector = new HardShortDetector('full');
    expect(samples.every((s) => detector.update(s).level === 'ok')).toBe(true);
    const collapsed = samples.slice(0, 4).map((s) => ({ ...s, voltage_V: 1e-3 * 0.05 }));
    expect(collapsed.map((s) => detector.update(s).level)).toEqual(['ok', 'ok', 'critical', 'critical']);
  });
});
