import type { CellConfig, Sample } from '#contracts';
// libs/physics has no index yet: imported by path until `#physics` resolves.
import { DepletionTracker } from '../../../../libs/physics/src/depletion-tracker.js';
import { presets } from '../../../../libs/physics/src/presets.js';
import type { Detector, DetectorFactory, DetectorResult } from './detector.js';

/** Sand-depletion levels: warning when depletion is due within this horizon at the present current. */
const WARNING_HORIZON_S = 15 * 60;
const CRITICAL_HORIZON_S = 2 * 60;
const CRITICAL_FRACTION = 0.9;

/**
 * Interim adapter on libs/physics' DepletionTracker (Li+ depletion only) until the library's CellMonitor
 * covers every detector. Solid electrolytes have no salt to deplete: no findings.
 */
class DepletionDetector implements Detector {
  private readonly tracker: DepletionTracker | undefined;
  private readonly area_m2: number;
  private lastTs: number | undefined;

  constructor(config: CellConfig) {
    this.area_m2 = config.electrodeArea_cm2 * 1e-4;
    const e = config.electrolyte;
    const preset = e.preset ? presets[e.preset] : undefined;
    const kind = e.kind ?? preset?.kind;
    if (kind === 'solid') return;
    const temperature_K = (e.referenceTemperature_C ?? 25) + 273.15;
    const diffusivity_m2_s =
      e.diffusivity_cm2_s !== undefined
        ? e.diffusivity_cm2_s * 1e-4
        : preset?.diffusivity_m2_s?.(temperature_K);
    const concentration_mol_m3 =
      e.concentration_mol_L !== undefined ? e.concentration_mol_L * 1000 : preset?.concentration_mol_m3;
    const cationTransference = e.cationTransference ?? preset?.cationTransference;
    const gap_m = e.gap_um !== undefined ? e.gap_um * 1e-6 : preset?.typicalGap_m;
    if (!diffusivity_m2_s || !concentration_mol_m3 || cationTransference === undefined || !gap_m) return;
    this.tracker = new DepletionTracker({
      diffusivity_m2_s,
      concentration_mol_m3,
      anionTransference: 1 - cationTransference,
      gap_m,
      currentAmplification: config.thresholds.currentAmplification ?? 1,
    });
  }

  update(sample: Sample): DetectorResult {
    const currentDensity_A_m2 = sample.i / this.area_m2;
    if (!this.tracker) return { estimates: { currentDensity_A_m2 }, findings: [] };
    const dt_s = this.lastTs === undefined ? 0 : Math.max(0, (sample.ts - this.lastTs) / 1000);
    this.lastTs = sample.ts;
    const state = this.tracker.update(dt_s, currentDensity_A_m2);
    const ttd = state.timeToDepletion_s;
    const level =
      state.depletionFraction >= CRITICAL_FRACTION || ttd <= CRITICAL_HORIZON_S
        ? 'critical'
        : ttd <= WARNING_HORIZON_S
          ? 'warning'
          : 'ok';
    const estimates = {
      depletionFraction: state.depletionFraction,
      timeToDepletion_s: Number.isFinite(ttd) ? ttd : null,
      jOverJstar: state.jOverJstar,
      currentDensity_A_m2,
    };
    // A kind not reported counts as ok: no message or evidence is built for the common healthy case.
    if (level === 'ok') return { estimates, findings: [] };
    const ratio = state.jOverJstar.toFixed(2);
    const message =
      ttd > 0
        ? `Li+ depletion at the plating electrode in ~${Math.max(1, Math.round(ttd / 60))} min (J/J* = ${ratio})`
        : `Li+ depleted at the plating electrode (J/J* = ${ratio})`;
    const evidence = {
      depletionFraction: estimates.depletionFraction,
      timeToDepletion_s: estimates.timeToDepletion_s,
      jOverJstar: estimates.jOverJstar,
    };
    return { estimates, findings: [{ kind: 'sand-depletion', level, message, evidence }] };
  }
}

export const physicsDetectorFactory: DetectorFactory = (config) => new DepletionDetector(config);
