import { describe, expect, it } from 'vitest';
import type { CellConfig } from '#contracts';
import { simulateScenario } from '#simulator';
import { PhysicsDetector } from './physics-detector.js';

const T0 = Date.UTC(2026, 0, 1);
// 1 M salt, D = 3e-10 m²/s, t+ = 0.38, 500 µm gap: J* ≈ 187 A/m²; 40 mA on 1 cm² is J/J* ≈ 2.1.
const config: CellConfig = {
  rigId: 'rig',
  cellId: 'c1',
  cellType: 'symmetric',
  electrodeArea_cm2: 1,
  electrolyte: {
    kind: 'liquid',
    diffusivity_cm2_s: 3e-6,
    concentration_mol_L: 1,
    cationTransference: 0.38,
    gap_um: 500,
  },
  thresholds: {},
};

describe('PhysicsDetector (libs/physics CellMonitor behind the Detector port)', () => {
  it('reports sand-depletion with message and evidence above J*, and its return to ok at rest', () => {
    const detector = new PhysicsDetector(config);
    const kinds: string[] = [];
    let firstAlarm: { ts: number; message: string; jOverJstar: unknown } | undefined;
    let recovered: string | undefined;
    for (let k = 0; k < 3000; k++) {
      const on = k < 600; // 60 s at 40 mA, then rest
      const ts = T0 + k * 100;
      const { findings, estimates } = detector.update({ ts, v: on ? 0.05 : 0, i: on ? 0.04 : 0 });
      if (k === 1) expect(estimates.jOverJstar).toBeGreaterThan(1.5);
      for (const f of findings) {
        kinds.push(f.kind);
        if (f.level !== 'ok' && !firstAlarm) {
          firstAlarm = { ts, message: f.message, jOverJstar: f.evidence.jOverJstar };
        }
        if (f.level === 'ok') recovered = f.message;
      }
    }
    expect(firstAlarm).toBeDefined();
    expect(firstAlarm!.message).toMatch(/Li\+/);
    expect(firstAlarm!.jOverJstar).toBeGreaterThan(1);
    expect(new Set(kinds)).toEqual(new Set(['sand-depletion']));
    expect(recovered).toMatch(/back to normal/);
  });

  it('reports nothing for a healthy cell far below J*', () => {
    const detector = new PhysicsDetector(config);
    for (let k = 0; k < 1000; k++) {
      expect(detector.update({ ts: T0 + k * 100, v: 0.01, i: 0.001 }).findings).toEqual([]);
    }
  });
});

describe('the alert evidence and the published estimates come from one cell model', () => {
  // At the sample that raises an alert, the state published with it (what the dashboard's physics panel
  // shows) and the alert's evidence give the same ASR and current density, to the bit: both are #physics
  // cellEvidence / publishedEstimates of that sample. Later samples move on: the evidence is the raise's.
  it.each([
    ['soft-short', 7],
    ['soft-short', 2],
    ['sand-depletion', 7],
    ['sand-depletion', 3],
    ['void-growth', 1],
  ] as const)('%s seed %d', (scenario, seed) => {
    const run = simulateScenario({ scenario, seed });
    const detector = new PhysicsDetector(run.config);
    const open = new Set<string>();
    let raises = 0;
    let withAsr = 0;
    let seq = 0;
    for (const s of run.samples()) {
      const result = detector.update({
        ts: T0 + s.time_s * 1000,
        v: s.v,
        i: s.i,
        t: s.t,
        p: s.p,
        seq: seq++,
      });
      for (const finding of result.findings) {
        if (finding.level === 'ok') open.delete(finding.kind);
        if (finding.level === 'ok' || open.has(finding.kind)) continue;
        open.add(finding.kind);
        raises++;
        expect(finding.evidence.currentDensity_A_m2).toBe(result.estimates.currentDensity_A_m2);
        expect(finding.evidence.areaSpecificResistance_ohm_m2 ?? null).toBe(
          result.estimates.areaSpecificResistance_ohm_m2,
        );
        if (result.estimates.areaSpecificResistance_ohm_m2 !== null) withAsr++;
      }
    }
    expect(raises).toBeGreaterThan(0);
    expect(withAsr).toBeGreaterThan(0);
  });
});
