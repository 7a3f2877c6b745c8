import { CurrentSegmenter, type CurrentPhase } from './current-segments.js';
import { DipScanner } from './dip-scanner.js';
import { ExpectedVoltageModel, MeasurementNoise, settleTime_s } from './expected-voltage.js';
import { parallelShort_ohm } from './hard-short-detector.js';
import { levelRank, worstLevel, type Level } from './levels.js';
import { median, RecentWindow } from './stats.js';
import { defaultThresholds, type Thresholds } from './thresholds.js';
import { areaSpecificResistance_ohm_m2 } from './cell-model.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

export type CellType = 'symmetric' | 'full' | 'half';

export interface ShortSample {
  /** Data time, s (any origin; only differences are used). */
  t_s: number;
  /** Time since the previous sample, s. */
  dt_s: number;
  voltage_V: number;
  current_A: number;
  /** Signed current density, A/m² (positive: Li plated on the negative electrode). */
  currentDensity_A_m2: number;
  /** Cell temperature, K (NaN if not measured). */
  temperature_K: number;
  /** Concentration overpotential from the salt-depletion model, V (absent or 0 without one). */
  concentrationOverpotential_V?: number;
}

export interface SoftShortState {
  /** Risk at this sample, before debouncing. */
  level: Level;
  /** Plain-words reasons for a level above ok (worst, then most recent, first). */
  reasons: string[];
  /** Short resistance estimated at rest from the voltage decay (full and half cells), Ω; NaN if none. */
  shortResistance_ohm: number;
  evidence: {
    /** Largest recent abrupt drop of |V| at constant current, V. */
    stepDrop_V: number;
    /** Sample-to-sample |V| noise now and its running level (symmetric cells: second differences), V. */
    noise_V: number;
    noiseBaseline_V: number;
    /** Apparent area-specific resistance |V/J| now and its running maximum at this current, Ω·m². */
    asr_ohm_m2: number;
    asrRunningMax_ohm_m2: number;
    /** (max - min)/median of |V| over the recent samples of this step. */
    flatness: number;
    /** Temperature rise during the present rest, K. */
    restTemperatureRise_K: number;
    /** Short current and heat implied by the rest decay, A and W. */
    shortCurrent_A: number;
    shortHeat_W: number;
    /** Last coulombic efficiency and the rolling median of the previous ones. */
    coulombicEfficiency: number;
    coulombicEfficiencyMedian: number;
    /** Same as shortResistance_ohm, Ω. */
    shortResistance_ohm: number;
    /**
     * Symmetric cells: the voltage the cell's own impedance and overpotential give at this current,
     * the measured one, the cell's learned resistance, and the filament resistance R_s implied by the
     * shortfall (1/R_app = 1/R_cell + 1/R_s), at the last judged sample (V, V, Ω, Ω).
     */
    expectedVoltage_V: number;
    voltage_V: number;
    cellResistance_ohm: number;
    filamentResistance_ohm: number;
  };
}

/** Per-sample readings that go into the evidence (NaN when not read at this sample). */
interface Readout {
  asr_ohm_m2: number;
  asrMax_ohm_m2: number;
  flatness: number;
  noise_V: number;
  shortResistance_ohm: number;
  shortCurrent_A: number;
  restRise_K: number;
}

interface Observation {
  at_s: number;
  level: Level;
  reason: string;
  key: string;
}

/** Samples to establish the noise level before noise bursts are judged. */
const noiseWarmupSamples = 20;
/** Weight of a new sample in the running noise level. */
const noiseSmoothing = 0.05;
/** Samples after a drop in which a partial recovery confirms it. */
const recoverySamples = 10;
/** Rest time before the voltage decay is read (relaxation of concentration gradients), s. */
const restSettle_s = 300;
/** Voltage decay at rest that counts as real, V. */
const restDecaySignificant_V = 1e-3;
/** A dip below the expected voltage must recover within this data time to count as a filament's dip, s. */
const dipWindow_s = 300;
/** Readings below the expectation for this long become the cell's new normal, s. */
const relearnAfter_s = 600;
/**
 * A filament's dip is abrupt (it touches): the shortfall must grow from under half the threshold to over
 * it within this data time, s. Slow drifts of the cell (conditioning, temperature) are not dips.
 */
const dipOnset_s = 90;
/** Readings within which a dip must set in and let go (the median of 3 takes two to follow a step). */
const abruptSamples = 4;
/** A collapse judged against a resistance that is not fresh must go this much deeper. */
const staleCollapseFactor = 0.6;
/** Memory of the level a dip is measured from, s. */
const localMemory_s = 60;
/** A dip counts when its deepest shortfall reaches this multiple of the threshold. */
const dipDepthFactor = 1;
/** A gap between samples this many times the typical interval (and at least minimumGap_s)... */
const gapFactor = 5;
const minimumGap_s = 30;
/** ...suspends the judgement of dips for this long, s. */
const afterGap_s = 300;
/** Consecutive judged samples far below the expectation that make a collapse. */
const collapseSamples = 3;
/**
 * Time into a constant-current step before its readings are scanned for integrated dips, s: the
 * nucleation overshoot (decaying over 5–30 s) is convex and would otherwise look like one.
 */
const scanSettle_s = 120;
/** Dips are not judged while the recent sample-to-sample spread exceeds this multiple of its usual level. */
const noiseTrustFactor = 2;

/**
 * Soft (micro) shorts: a Li filament bridging the electrodes through a finite resistance
 * (PHYSICS.md §3). Signatures watched, with their sources:
 * - abrupt |V| drops at constant current with partial recovery (Li-ion micro-shorts: 20–80 mV drops,
 *   arXiv:2506.13394) and noise bursts (Counihan et al., Joule 2023) — warning;
 * - polarization collapsing below 0.5× its running maximum with a flat, "ideal" trace in a symmetric
 *   cell (Menkin, Grey et al., Faraday Discuss., doi:10.1039/D3FD00101F) — critical;
 * - heat at zero current, +0.5 K (Feng et al., Appl. Energy 161:168 (2016)) — critical;
 * - a charge that stalls at constant current for 5 min (full and half cells) — critical;
 * - coulombic efficiency 2 points below its rolling median (full and half cells) — warning;
 * - at rest, the voltage decay gives the short current I_sc = C_diff*(-dV/dt), R_sc = V/I_sc and heat
 *   V²/R_sc (Feng 2016), C_diff taken from the last constant-current step (full and half cells).
 * An observed event keeps the detector raised for `softShortEventHold_s` of data time. For a new run,
 * make a new detector.
 */
export class SoftShortDetector {
  private readonly t: Thresholds;
  private readonly segmenter: CurrentSegmenter;
  private observations: Observation[] = [];
  private previousAbsV = NaN;
  private beforePreviousAbsV = NaN;
  private previousSegment = -1;
  private noiseBaseline_V = NaN;
  private noiseSamples = 0;
  private readonly recentDiffs = new RecentWindow(5);
  /** Median sample-to-sample |V| change of this step (NaN until five are seen), V. */
  private noiseNow_V = NaN;
  /** Step sample index from which the noise is read again after a logging dropout. */
  private noiseResumeAt = 0;
  private pendingDrop: { from_V: number; to_V: number; samplesLeft: number } | null = null;
  private lastDrop_V = 0;
  private readonly recentAsr = new RecentWindow(5);
  private readonly recentAbsV = new RecentWindow(10);
  private readonly asrMaxByCurrent = new Map<number, number>();
  private restElapsed_s = 0;
  private restMinT_K = NaN;
  private restAnchor: { t_s: number; v: number } | null = null;
  private segmentCharge_C = 0;
  private segmentStartV = NaN;
  private differentialCapacitance_F = NaN;
  private chargeWindow: { elapsed_s: number; v: number }[] = [];
  private cycleFirst_C = 0;
  private cycleSecond_C = 0;
  private lastDirection = 0;
  private readonly efficiencies: { value: number; bucket: number }[] = [];
  private lastEfficiencyMedian = NaN;
  private lastEfficiency = NaN;
  private readonly expected = new ExpectedVoltageModel(relearnAfter_s, relearnAfter_s);
  private readonly measurement = new MeasurementNoise();
  private readonly recentDeficit = new RecentWindow(3);
  private readonly recentRatio = new RecentWindow(3);
  private dip: { start_s: number; deepest_V: number; ratio: number; filament_ohm: number } | null = null;
  private collapseCount = 0;
  /** Integrated dips of the present constant-current step (symmetric cells). */
  private readonly dipScanner = new DipScanner();
  /** Data time the shortfall was last below half the dip threshold. */
  private calmAt_s = NaN;
  private sinceCalm = Infinity;
  private sinceAbove = Infinity;
  /** V/expected just before now (memory localMemory_s): the level a dip is measured from. */
  private localRatio = NaN;
  /** Typical time between samples (running), s; after a gap far beyond it nothing is judged for a while. */
  private typicalDt_s = NaN;
  private judgeFrom_s = -Infinity;
  private judged = {
    expectedVoltage_V: NaN,
    voltage_V: NaN,
    cellResistance_ohm: NaN,
    filamentResistance_ohm: NaN,
  };

  constructor(
    private readonly cellType: CellType,
    thresholds: Thresholds = defaultThresholds,
  ) {
    this.t = thresholds;
    this.segmenter = new CurrentSegmenter(thresholds.restCurrentDensity_A_m2);
  }

  update(sample: ShortSample): SoftShortState {
    const phase = this.segmenter.update(sample.dt_s, sample.currentDensity_A_m2);
    const readout: Readout = {
      asr_ohm_m2: NaN,
      asrMax_ohm_m2: NaN,
      flatness: NaN,
      noise_V: NaN,
      shortResistance_ohm: NaN,
      shortCurrent_A: NaN,
      restRise_K: NaN,
    };
    if (phase.kind === 'constant') this.atConstantCurrent(sample, phase, readout);
    else this.atRest(sample, phase, readout);
    this.beforePreviousAbsV = this.previousAbsV;
    this.previousAbsV = Math.abs(sample.voltage_V);
    return this.state(sample, readout);
  }

  /**
   * Constant current: the signatures of a filament while current flows, in the order of the sources
   * (class comment): abrupt drops and noise bursts, the apparent resistance, then the voltage against
   * the cell's own expectation (symmetric cells) or the charge stall (full and half cells).
   */
  private atConstantCurrent(
    sample: ShortSample,
    phase: Extract<CurrentPhase, { kind: 'constant' }>,
    readout: Readout,
  ): void {
    this.restElapsed_s = 0;
    this.restMinT_K = NaN;
    this.restAnchor = null;
    const sameStep = phase.segment === this.previousSegment && phase.index >= 1;
    if (!sameStep) this.startStep(sample);
    this.segmentCharge_C += sample.current_A * sample.dt_s;
    this.countCycle(phase.direction, sample);
    this.watchDropsAndNoise(sample, phase, sameStep, readout);
    this.trackApparentResistance(sample, phase, readout);
    const fullCell = this.cellType !== 'symmetric';
    if (!fullCell) this.judgeAgainstExpected(sample, phase, sameStep);
    if (fullCell && phase.direction === 1) this.checkChargeStall(sample, phase.elapsed_s);
    this.previousSegment = phase.segment;
  }

  /** A new constant-current step: what is read within one step starts afresh. */
  private startStep(sample: ShortSample): void {
    this.recentAsr.clear();
    this.recentAbsV.clear();
    this.recentDiffs.clear();
    this.noiseNow_V = NaN;
    this.noiseResumeAt = 0;
    this.pendingDrop = null;
    this.segmentCharge_C = 0;
    this.segmentStartV = sample.voltage_V;
    this.chargeWindow = [];
  }

  /**
   * Abrupt drops with partial recovery (full and half cells) and noise bursts, judged against this
   * step's own sample-to-sample noise (arXiv:2506.13394; Counihan et al., Joule 2023). In a symmetric
   * cell |V| at constant current is smooth but moves fast after a reversal (nucleation, the salt
   * profile) and climbs steadily in a thin polymer film: there the noise is read from second
   * differences, which cancel a steady climb, and not judged before the step has settled.
   */
  private watchDropsAndNoise(
    sample: ShortSample,
    phase: Extract<CurrentPhase, { kind: 'constant' }>,
    sameStep: boolean,
    readout: Readout,
  ): void {
    const fullCell = this.cellType !== 'symmetric';
    // Symmetric cells: a difference across a logging dropout holds the cell's drift over the gap, not
    // noise; the noise is read afresh after one (second differences span two intervals).
    if (!fullCell && sample.dt_s > gapFactor * this.typicalDt_s) {
      this.recentDiffs.clear();
      this.noiseNow_V = NaN;
      this.noiseResumeAt = phase.index + 2;
    }
    if (!(sameStep && phase.index >= 2 && phase.index >= this.noiseResumeAt)) return;
    const absV = Math.abs(sample.voltage_V);
    const diff_V = fullCell
      ? Math.abs(absV - this.previousAbsV)
      : Math.abs(absV - 2 * this.previousAbsV + this.beforePreviousAbsV);
    this.recentDiffs.push(diff_V);
    // The median, so that one step (a drop, its recovery) is not mistaken for noise.
    const noise_V = this.recentDiffs.median();
    readout.noise_V = noise_V;
    this.noiseNow_V = this.recentDiffs.full ? noise_V : NaN;
    const bigDrop = fullCell && this.watchAbruptDrop(sample);
    const baseline = this.noiseBaseline_V;
    const burst =
      (fullCell || phase.elapsed_s >= scanSettle_s) &&
      this.noiseSamples >= noiseWarmupSamples &&
      this.recentDiffs.full &&
      noise_V > this.t.softShortNoiseFactor * baseline &&
      // The floor is set for first differences; white noise gives second differences √3 larger.
      noise_V > (fullCell ? 1 : Math.sqrt(3)) * this.t.softShortNoiseFloor_V;
    if (burst) {
      this.observe(
        sample.t_s,
        'warning',
        `voltage noise ${fmtV(noise_V)} per sample, ${(noise_V / baseline).toFixed(0)}× its usual level: filaments forming and breaking`,
        'noise',
      );
    } else if (!bigDrop) {
      this.noiseBaseline_V = Number.isNaN(baseline)
        ? diff_V
        : baseline + noiseSmoothing * (diff_V - baseline);
      this.noiseSamples++;
    }
  }

  /**
   * Full and half cells: an abrupt drop of |V| at constant current is held for `recoverySamples`; a
   * partial recovery within them confirms a filament that touched (warning). True if this reading is
   * such a drop.
   */
  private watchAbruptDrop(sample: ShortSample): boolean {
    const t = this.t;
    const absV = Math.abs(sample.voltage_V);
    const drop_V = this.previousAbsV - absV;
    const bigDrop =
      drop_V >= t.softShortStepDrop_V ||
      (drop_V >= t.softShortStepDropFraction * this.previousAbsV &&
        this.noiseSamples >= noiseWarmupSamples &&
        drop_V >= t.softShortNoiseFactor * this.noiseBaseline_V);
    if (bigDrop) {
      this.pendingDrop = { from_V: this.previousAbsV, to_V: absV, samplesLeft: recoverySamples };
    } else if (this.pendingDrop) {
      const pending = this.pendingDrop;
      const drop = pending.from_V - pending.to_V;
      if (absV - pending.to_V >= t.softShortRecoveryFraction * drop) {
        this.lastDrop_V = drop;
        this.observe(
          sample.t_s,
          'warning',
          `|V| dropped ${fmtV(drop)} at constant current and partly recovered: a transient lithium filament (soft short) is likely`,
          'drop',
        );
        this.pendingDrop = null;
      } else if (--pending.samplesLeft <= 0) this.pendingDrop = null;
    }
    return bigDrop;
  }

  /**
   * Evidence only: the apparent area-specific resistance |V/J| of symmetric cells with its running
   * maximum per current level (kinetics make it depend on current), and the flatness of |V|.
   */
  private trackApparentResistance(
    sample: ShortSample,
    phase: Extract<CurrentPhase, { kind: 'constant' }>,
    readout: Readout,
  ): void {
    const fullCell = this.cellType !== 'symmetric';
    if (phase.index >= 1) {
      const asr = areaSpecificResistance_ohm_m2(sample.voltage_V, sample.currentDensity_A_m2);
      this.recentAbsV.push(Math.abs(sample.voltage_V));
      if (!fullCell && Number.isFinite(asr)) this.recentAsr.push(asr);
    }
    if (this.recentAbsV.full) {
      readout.flatness = (this.recentAbsV.max() - this.recentAbsV.min()) / this.recentAbsV.median();
    }
    if (!fullCell && this.recentAsr.full) {
      const asr_ohm_m2 = this.recentAsr.median();
      const bucket = Math.round(Math.log(Math.abs(sample.currentDensity_A_m2)) / Math.log(1.25));
      const max = this.asrMaxByCurrent.get(bucket) ?? asr_ohm_m2;
      readout.asr_ohm_m2 = asr_ohm_m2;
      readout.asrMax_ohm_m2 = Math.max(max, asr_ohm_m2);
      this.asrMaxByCurrent.set(bucket, readout.asrMax_ohm_m2);
    }
  }

  /**
   * Rest: the differential capacitance of the step just ended, the symmetric cell's expectation kept up
   * to date, then heat at zero current and the voltage decay of full and half cells (Feng 2016).
   */
  private atRest(sample: ShortSample, phase: CurrentPhase, readout: Readout): void {
    const fullCell = this.cellType !== 'symmetric';
    if (this.restElapsed_s === 0 && fullCell) {
      const dv = sample.voltage_V - this.segmentStartV;
      if (Math.abs(dv) > 0.005) this.differentialCapacitance_F = Math.abs(this.segmentCharge_C / dv);
    }
    this.restElapsed_s += sample.dt_s;
    this.previousSegment = -1;
    this.pendingDrop = null;
    if (!fullCell) {
      this.judgeAgainstExpected(sample, phase, false);
      // A short heats a cell only through the energy it holds: V ≈ 0 at rest in a symmetric cell.
      return;
    }
    this.watchRestHeat(sample, readout);
    this.readRestDecay(sample, readout);
  }

  /** Full and half cells: a temperature rise at zero current is heat from an internal short (critical). */
  private watchRestHeat(sample: ShortSample, readout: Readout): void {
    if (!Number.isFinite(sample.temperature_K)) return;
    this.restMinT_K = Number.isNaN(this.restMinT_K)
      ? sample.temperature_K
      : Math.min(this.restMinT_K, sample.temperature_K);
    readout.restRise_K = sample.temperature_K - this.restMinT_K;
    if (readout.restRise_K >= this.t.softShortRestHeat_K) {
      this.observe(
        sample.t_s,
        'critical',
        `temperature rose ${readout.restRise_K.toFixed(1)} K at zero current: heat from an internal short`,
        'heat',
      );
    }
  }

  /**
   * Full and half cells, after the rest has settled: the voltage decay gives the short current
   * I_sc = C_diff·(−dV/dt) and R_sc = V/I_sc (Feng 2016), C_diff from the last constant-current step.
   */
  private readRestDecay(sample: ShortSample, readout: Readout): void {
    if (this.restElapsed_s < restSettle_s) return;
    if (!this.restAnchor) this.restAnchor = { t_s: sample.t_s, v: sample.voltage_V };
    const span_s = sample.t_s - this.restAnchor.t_s;
    if (span_s < restSettle_s || !Number.isFinite(this.differentialCapacitance_F)) return;
    const change_V = sample.voltage_V - this.restAnchor.v;
    // A decay well above the measurement noise (1 mV), not a relaxation wobble.
    if (change_V < -restDecaySignificant_V) {
      readout.shortCurrent_A = this.differentialCapacitance_F * (-change_V / span_s);
      readout.shortResistance_ohm = sample.voltage_V / readout.shortCurrent_A;
    }
  }

  /** The risk now: the observations within the hold time, worst then most recent first, with the evidence. */
  private state(sample: ShortSample, readout: Readout): SoftShortState {
    if (this.observations.length > 0) {
      this.observations = this.observations.filter((o) => sample.t_s - o.at_s <= this.t.softShortEventHold_s);
    }
    let level: Level = 'ok';
    let reasons: string[] = [];
    if (this.observations.length > 0) {
      const active = [...this.observations].reverse();
      // Worst first, then most recent first (the sort is stable).
      active.sort((a, b) => levelRank(b.level) - levelRank(a.level));
      level = active.reduce<Level>((worst, o) => worstLevel(worst, o.level), 'ok');
      reasons = active.map((o) => o.reason);
    }
    const { shortResistance_ohm } = readout;
    return {
      level,
      reasons,
      shortResistance_ohm,
      evidence: {
        stepDrop_V: this.lastDrop_V,
        noise_V: readout.noise_V,
        noiseBaseline_V: this.noiseBaseline_V,
        asr_ohm_m2: readout.asr_ohm_m2,
        asrRunningMax_ohm_m2: readout.asrMax_ohm_m2,
        flatness: readout.flatness,
        restTemperatureRise_K: readout.restRise_K,
        shortCurrent_A: readout.shortCurrent_A,
        shortHeat_W: Number.isFinite(shortResistance_ohm) ? sample.voltage_V ** 2 / shortResistance_ohm : NaN,
        coulombicEfficiency: this.lastEfficiency,
        coulombicEfficiencyMedian: this.lastEfficiencyMedian,
        shortResistance_ohm,
        ...this.judged,
      },
    };
  }

  /**
   * Symmetric cells (PHYSICS.md §3): the measured voltage against what the cell's own impedance and
   * concentration overpotential give at this current (ExpectedVoltageModel). A filament in parallel
   * lowers it to I·R_cell·R_s/(R_cell + R_s): a dip below the expectation at constant current that
   * recovers within minutes is a filament touching and breaking (warning); readings below half of it
   * are a collapse of the impedance (critical). A shortfall counts only beyond the measurement's noise
   * and resolution and beyond half of η_c (which rests on the configured diffusivity), so a zero
   * crossing after a reversal, quantisation steps and noise are not mistaken for one.
   */
  private judgeAgainstExpected(sample: ShortSample, phase: CurrentPhase, sameStep: boolean): void {
    const t = this.t;
    const eta_V = sample.concentrationOverpotential_V ?? 0;
    const e = this.expected.update(phase, sample.t_s, sample.dt_s, sample.voltage_V, sample.current_A, eta_V);
    this.measurement.update(sample.voltage_V, phase.kind === 'constant' && sameStep);
    // A dip is framed by readings of one constant-current step, never across a change of the current.
    if (!sameStep) this.dipScanner.reset();
    // Across a logging gap the depletion model had to guess the current, so η_c is uncertain until
    // the profile has relaxed onto the data again.
    // (Within one constant-current step the model's assumption holds: only a gap that hid a change of
    // the current counts.)
    if (!sameStep && sample.dt_s > Math.max(gapFactor * this.typicalDt_s, minimumGap_s)) {
      this.judgeFrom_s = sample.t_s + afterGap_s;
      this.dip = null;
      this.calmAt_s = NaN;
    }
    if (sample.dt_s > 0) {
      this.typicalDt_s = Number.isNaN(this.typicalDt_s)
        ? sample.dt_s
        : this.typicalDt_s + 0.05 * (Math.min(sample.dt_s, 3 * this.typicalDt_s) - this.typicalDt_s);
    }
    if (sample.t_s < this.judgeFrom_s) return;
    if (!sameStep) {
      this.recentDeficit.clear();
      this.recentRatio.clear();
      this.dip = null;
      this.collapseCount = 0;
      this.calmAt_s = NaN;
      this.localRatio = NaN;
      this.sinceCalm = Infinity;
      this.sinceAbove = Infinity;
    }
    if (phase.kind === 'constant' && phase.elapsed_s >= scanSettle_s && this.measurement.known)
      this.scanForDips(sample, e.resistance_ohm, eta_V);
    if (phase.kind !== 'constant' || !e.sameCurrent || phase.elapsed_s < settleTime_s) return;
    if (!this.measurement.known) return;
    // η_c rests on the configured diffusivity (often a preset's, at another temperature): half of it is
    // taken as uncertain, besides the reading's own noise and resolution.
    const uncertainty_V = this.measurement.significant_V(t.softShortDipFloor_V) + 0.5 * Math.abs(eta_V);
    if (!(Math.abs(e.expected_V) >= 2 * uncertainty_V)) return;
    const deficit_V = (e.expected_V - sample.voltage_V) * Math.sign(e.expected_V);
    this.recentDeficit.push(deficit_V);
    this.recentRatio.push(sample.voltage_V / e.expected_V);
    if (!this.recentDeficit.full) return;
    const deficit = this.recentDeficit.median();
    const ratio = this.recentRatio.median();
    const apparent_ohm = (e.expected_V * ratio - eta_V) / sample.current_A;
    const filament_ohm = parallelShort_ohm(apparent_ohm, e.resistance_ohm);
    this.judged = {
      expectedVoltage_V: e.expected_V,
      voltage_V: sample.voltage_V,
      cellResistance_ohm: e.resistance_ohm,
      filamentResistance_ohm: filament_ohm,
    };
    const threshold_V = Math.max(t.softShortDipFraction * Math.abs(e.expected_V), uncertainty_V);
    // Dips are measured from the level just before them (a fast memory of V/expected), so the slow
    // learning of R lagging a drifting cell does not hide them or fake them.
    if (Number.isNaN(this.localRatio)) this.localRatio = ratio;
    const dipShortfall_V = (this.localRatio - ratio) * Math.abs(e.expected_V);
    const dip = this.dip;
    // Samples since the shortfall was last calm (below half the threshold) and last past the threshold:
    // a filament touches and lets go between two readings, a drifting cell takes many.
    this.sinceCalm = dipShortfall_V < 0.5 * threshold_V ? 0 : this.sinceCalm + 1;
    const sinceAbove = this.sinceAbove;
    this.sinceAbove = dipShortfall_V > threshold_V ? 0 : this.sinceAbove + 1;
    if (dipShortfall_V < 0.5 * threshold_V) this.calmAt_s = sample.t_s;
    if (dipShortfall_V > threshold_V) {
      if (!dip && e.fresh && this.sinceCalm <= abruptSamples && sample.t_s - this.calmAt_s <= dipOnset_s)
        this.dip = { start_s: sample.t_s, deepest_V: dipShortfall_V, ratio, filament_ohm };
      else if (dip && dipShortfall_V > dip.deepest_V)
        Object.assign(dip, { deepest_V: dipShortfall_V, ratio, filament_ohm });
    } else if (dip && dipShortfall_V < 0.5 * threshold_V) {
      // A filament's dip is clean: from calm, well past the threshold, and back to calm (not a reading
      // that wanders about the threshold).
      const abrupt = sinceAbove + 1 <= abruptSamples;
      if (
        abrupt &&
        dip.deepest_V >= dipDepthFactor * threshold_V &&
        sample.t_s - dip.start_s <= dipWindow_s
      ) {
        this.observe(
          sample.t_s,
          'warning',
          `voltage dipped to ${(dip.ratio * 100).toFixed(0)} % of the ${fmtV(Math.abs(e.expected_V))} the cell's own impedance gives at this current and recovered: a lithium filament touching and breaking (soft short, ~${fmtOhm(dip.filament_ohm)} in parallel)`,
          'dip',
        );
      }
      this.dip = null;
    }
    if (!this.dip) {
      this.localRatio +=
        (1 - Math.exp(-Math.max(0, sample.dt_s) / localMemory_s)) * (ratio - this.localRatio);
    }
    if (this.dip && sample.t_s - this.dip.start_s > dipWindow_s) this.dip = null;
    // Against a resistance learned long ago (the cell has conditioned and changed temperature since),
    // only a deeper collapse counts.
    const collapseFraction = t.softShortAsrCollapseFraction * (e.fresh ? 1 : staleCollapseFactor);
    if (ratio < collapseFraction && deficit > uncertainty_V) {
      if (++this.collapseCount >= collapseSamples) {
        this.observe(
          sample.t_s,
          'critical',
          `voltage ${fmtV(Math.abs(sample.voltage_V))}, ${(ratio * 100).toFixed(0)} % of the ${fmtV(Math.abs(e.expected_V))} the cell's own impedance (${fmtOhm(e.resistance_ohm)}) gives at this current: current is bypassing the electrolyte through a lithium filament (~${fmtOhm(filament_ohm)})`,
          'collapse',
        );
      }
    } else {
      this.collapseCount = 0;
    }
  }

  /**
   * Symmetric cells: dips integrated over their readings (DipScanner) in V − η_c, signed with the current
   * so that a filament lowers it. A dip counts when it stands `softShortDipSignificance` standard
   * deviations of the reading noise (σ, at least the quantisation step's step/√12) clear of its
   * sides and is deeper than half of `softShortDipFraction` of the polarization.
   */
  private scanForDips(sample: ShortSample, cellResistance_ohm: number, eta_V: number): void {
    const t = this.t;
    const sign = Math.sign(sample.current_A);
    if (sign === 0) return;
    const step_V = Number.isFinite(this.measurement.resolution_V) ? this.measurement.resolution_V : 0;
    const measured_V = this.measurement.sigma_V;
    // σ of a reading is at least that of its quantisation (step/√12), however still the value read.
    const sigma_V = Math.max(measured_V, step_V / Math.sqrt(12));
    // A mean of quantised readings can sit up to (q/π)·exp(−2π²σ²/q²) from the mean of the values read
    // (σ: the noise before quantisation; Widrow & Kollár, Quantization Noise, Cambridge 2008, §4.3 and
    // ch. 5): with a step far coarser than the noise, a value drifting by a fraction of a step changes
    // how often the reading toggles and fakes a dip. Both sides and the inside may be biased: 2×.
    const noise2_V2 = Math.max(0, measured_V ** 2 - step_V ** 2 / 12);
    const bias_V =
      step_V > 0 ? ((2 * step_V) / Math.PI) * Math.exp((-2 * Math.PI ** 2 * noise2_V2) / step_V ** 2) : 0;
    const dip = this.dipScanner.update(sample.t_s, sign * (sample.voltage_V - eta_V), sigma_V, bias_V);
    // The test rests on σ: while the reading is far noisier than usual (a burst, judged by its own
    // signature) σ does not hold and no dip is judged.
    if (this.noiseNow_V > noiseTrustFactor * this.noiseBaseline_V) return;
    if (!dip || dip.z < t.softShortDipSignificance) return;
    const level_V = Math.abs(dip.level_V + sign * eta_V);
    if (!(dip.depth_V >= 0.5 * t.softShortDipFraction * level_V)) return;
    // V' = V·R_s/(R_cell + R_s) while the filament touches: R_s = R_cell·(1 − r)/r, r = ΔV/V.
    const fraction = dip.depth_V / level_V;
    const filament_ohm = (cellResistance_ohm * (1 - fraction)) / fraction;
    this.observe(
      sample.t_s,
      'warning',
      `|V| dipped ${fmtV(dip.depth_V)} (${(fraction * 100).toFixed(0)} % of ${fmtV(level_V)}) for ${dip.duration_s.toFixed(0)} s at constant current and came back, ${dip.z.toFixed(0)}× the reading noise over the dip: a lithium filament touching and letting go (soft short, ~${fmtOhm(filament_ohm)} in parallel)`,
      'integrated-dip',
    );
  }

  /** Records an observation; one per `key` (by default its reason) is kept, the latest. */
  private observe(at_s: number, level: Level, reason: string, key = reason): void {
    this.observations = this.observations.filter((o) => o.key !== key);
    this.observations.push({ at_s, level, reason, key });
  }

  /** Full and half cells: V must rise while charging at constant current. */
  private checkChargeStall(sample: ShortSample, elapsed_s: number): void {
    const window = this.chargeWindow;
    window.push({ elapsed_s, v: sample.voltage_V });
    let reference: { elapsed_s: number; v: number } | undefined;
    while (
      window.length > 1 &&
      (window[1]?.elapsed_s ?? Infinity) <= elapsed_s - this.t.softShortChargeStall_s
    ) {
      reference = window.shift();
    }
    const first = window[0];
    if (!reference && first && first.elapsed_s <= elapsed_s - this.t.softShortChargeStall_s)
      reference = first;
    if (reference && elapsed_s >= this.t.softShortChargeStall_s && sample.voltage_V <= reference.v) {
      this.observe(
        sample.t_s,
        'critical',
        `charge stalled: no voltage rise in ${(this.t.softShortChargeStall_s / 60).toFixed(0)} min at constant current, the charge is leaking through a short`,
        'stall',
      );
    }
  }

  /**
   * Full and half cells: coulombic efficiency per cycle, compared with earlier cycles at the same
   * current (capacity, and with it CE, moves with rate). A full cell charges (J > 0) then discharges:
   * CE = Q_discharge/Q_charge. In a half cell the lithium counter electrode is the negative one, so the
   * working electrode is lithiated (J < 0) first and CE = Q(J > 0)/Q(J < 0).
   */
  private countCycle(direction: 1 | -1, sample: ShortSample): void {
    if (this.cellType === 'symmetric') return;
    const first = this.cellType === 'full' ? 1 : -1;
    const charge_C = Math.abs(sample.current_A) * sample.dt_s;
    if (direction === first && this.lastDirection === -first && this.cycleFirst_C > 0) {
      const efficiency = this.cycleSecond_C / this.cycleFirst_C;
      const bucket = Math.round(Math.log(Math.abs(sample.current_A)) / Math.log(1.25));
      const sameRate = this.efficiencies.filter((e) => e.bucket === bucket).map((e) => e.value);
      const previous = median(sameRate);
      this.efficiencies.push({ value: efficiency, bucket });
      if (this.efficiencies.length > 30) this.efficiencies.shift();
      this.lastEfficiency = efficiency;
      this.lastEfficiencyMedian = previous;
      if (sameRate.length >= 3 && efficiency < previous - this.t.softShortCoulombicEfficiencyDrop) {
        this.observe(
          sample.t_s,
          'warning',
          `coulombic efficiency ${(efficiency * 100).toFixed(1)} %, ${((previous - efficiency) * 100).toFixed(1)} points below its recent median: charge is being lost to a short`,
          'efficiency',
        );
      }
      this.cycleFirst_C = 0;
      this.cycleSecond_C = 0;
    }
    if (direction === first) this.cycleFirst_C += charge_C;
    else this.cycleSecond_C += charge_C;
    this.lastDirection = direction;
  }

  /** Checkpoint of this state machine: plain JSON, versioned (see snapshot.ts). */
  snapshot(): Snapshot {
    return takeSnapshot(this, 1);
  }

  /** Continues from a checkpoint of one built with the same configuration; SnapshotError if it does not fit. */
  restore(snapshot: Snapshot): void {
    restoreSnapshot(this, snapshot, 1);
  }
}

function fmtOhm(value_ohm: number): string {
  if (!Number.isFinite(value_ohm)) return '? Ω';
  return value_ohm >= 1000 ? `${(value_ohm / 1000).toPrecision(2)} kΩ` : `${value_ohm.toPrecision(2)} Ω`;
}

function fmtV(value_V: number): string {
  return Math.abs(value_V) >= 0.1 ? `${value_V.toFixed(2)} V` : `${(value_V * 1000).toFixed(1)} mV`;
}
