import { resolveCellConfig, type CellConfig, type ResolvedCell } from './cell-config.js';
import {
  DataGapDetector,
  formatDuration,
  PressureDetector,
  ThermalDetector,
  type Verdict,
} from './condition-detectors.js';
import { DepletionTracker, type DepletionState } from './depletion-tracker.js';
import { concentrationOverpotential_V } from './expected-voltage.js';
import { HardShortDetector } from './hard-short-detector.js';
import { LevelHysteresis, levelOf, worstLevel, type Level } from './levels.js';
import { SoftShortDetector, type ShortSample, type SoftShortState } from './soft-short-detector.js';
import { A_m2_to_mA_cm2, C_to_K, MPa_to_Pa, m_to_um, ohm_m2_to_ohm_cm2 } from './units.js';
import { cellEvidence, currentDensity_A_m2, noEstimates } from './cell-model.js';
import { VoidTracker, type VoidState } from './void-tracker.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

/** One measurement, as on the telemetry topic (DESIGN.md "Sample"). */
export interface CellSample {
  /** Data time, epoch milliseconds. */
  ts: number;
  /** Cell voltage, V. */
  v: number;
  /** Current, A; positive = charge = Li plated on the negative electrode. */
  i: number;
  /** Temperature, °C. */
  t?: number | null;
  /** Stack pressure, MPa. */
  p?: number | null;
}

export const detectorKinds = [
  'sand-depletion',
  'void-growth',
  'soft-short',
  'hard-short',
  'pressure',
  'thermal',
  'data-gap',
] as const;

export type DetectorKind = (typeof detectorKinds)[number];

/** A change of a detector's (debounced) level. Raised, escalated, lowered or cleared. */
export interface DetectorEvent {
  kind: DetectorKind;
  level: Level;
  previousLevel: Level;
  /** Data time of the sample that changed it, epoch ms. */
  ts: number;
  /** Plain words for the person at the rig. */
  message: string;
  /** The numbers behind it (finite values only). */
  evidence: Record<string, number>;
}

export interface DetectorStatus {
  level: Level;
  /** Data time the present level began, epoch ms (null while ok from the start). */
  since_ts: number | null;
  message: string;
  evidence: Record<string, number>;
}

/** Estimates at a sample; null where a quantity does not apply to this cell or is not known yet. */
export interface CellEstimates {
  currentDensity_A_m2: number;
  /** Li+ depletion at the plating electrode, 1 - c_s/c0 (liquid and polymer cells). */
  depletionFraction: number | null;
  /** Until c_s = 0 at the present current; null if it never gets there. */
  timeToDepletion_s: number | null;
  jOverJstar: number | null;
  limitingCurrentDensity_A_m2: number | null;
  surfaceConcentration_mol_m3: { negative: number; positive: number } | null;
  /** Solid electrolytes: stripping current density against the critical stripping current. */
  strippingCurrentDensity_A_m2: number | null;
  criticalStrippingCurrent_A_m2: number | null;
  strippingOverCsc: number | null;
  /** Lithium stripped beyond creep resupply, as thickness, µm. */
  excessStrippingThickness_um: { negative: number; positive: number } | null;
  /** Contact fraction ≈ ASR0/ASR, and J/contact against the plating CCD. */
  contactFraction: number | null;
  localCurrentDensity_A_m2: number | null;
  platingCcd_A_m2: number | null;
  /** Apparent area-specific resistance |V/J| (symmetric cells), Ω·cm². */
  asr_ohm_cm2: number | null;
  /** Short resistance from the voltage decay at rest (full and half cells), Ω. */
  shortResistance_ohm: number | null;
  temperature_C: number | null;
  pressure_MPa: number | null;
}

export interface MonitorResult {
  ts: number;
  /** False for a sample that could not be used (non-finite values, older than the previous one). */
  accepted: boolean;
  note: string | null;
  estimates: CellEstimates;
  levels: Record<DetectorKind, Level>;
  /** Level changes caused by this sample. */
  events: DetectorEvent[];
}

/** The verdict of a detector with nothing to report (shared: never mutated). */
const okVerdict: Verdict = Object.freeze({ level: 'ok', message: '', evidence: Object.freeze({}) });

const labels: Record<DetectorKind, string> = {
  'sand-depletion': 'Li+ depletion',
  'void-growth': 'void growth',
  'soft-short': 'soft short',
  'hard-short': 'hard short',
  pressure: 'stack pressure',
  thermal: 'temperature',
  'data-gap': 'data gap',
};

/** D changes below this relative step are not worth re-deriving the modes for. */
const diffusivityTolerance = 1e-3;

/**
 * Watches one cell: turns each sample into estimates and detector levels with hysteresis, and reports
 * level changes as events. Built from the cell's configuration (lab units, converted here). Handles
 * irregular sampling, gaps, rests, reversals and impedance sweeps interleaved in the data; the interval
 * before a sample is taken to carry that sample's current. `reset()` starts a new run.
 * Example: `new CellMonitor({ electrodeArea_cm2: 1.13, electrolyte: { preset: 'lp30' } }).update(sample)`.
 */
export class CellMonitor {
  readonly cell: ResolvedCell;
  /** Configuration issues that do not stop monitoring (unknown threshold names …). */
  readonly configWarnings: readonly string[];
  private depletion: DepletionTracker | null = null;
  private voids: VoidTracker | null = null;
  private softShort!: SoftShortDetector;
  private hardShort!: HardShortDetector;
  private thermal!: ThermalDetector;
  private pressure!: PressureDetector;
  private dataGap!: DataGapDetector;
  private hysteresis!: Record<DetectorKind, LevelHysteresis>;
  private statuses!: Record<DetectorKind, DetectorStatus>;
  private lastTs = NaN;
  private diffusivity_m2_s = NaN;
  /** Temperature D was last evaluated at (NaN: not measured). */
  private diffusivityTemperature_K: number | undefined;
  private lastSandLevel: Level = 'ok';
  private lastResult: MonitorResult | null = null;
  private lastV = NaN;
  private lastI = NaN;

  /** Throws RangeError when the configuration cannot describe a cell (use resolveCellConfig to check first). */
  constructor(config: CellConfig) {
    const resolved = resolveCellConfig(config);
    if (!resolved.ok) throw new RangeError(`invalid cell configuration: ${resolved.problems.join('; ')}`);
    this.cell = resolved.cell;
    this.configWarnings = resolved.warnings;
    this.reset();
  }

  /** Forgets the run: uniform electrolyte, fresh baselines, all detectors ok. */
  reset(): void {
    const cell = this.cell;
    const t = cell.thresholds;
    this.diffusivity_m2_s = cell.diffusivityAt_m2_s ? cell.diffusivityAt_m2_s(NaN) : NaN;
    this.diffusivityTemperature_K = undefined;
    this.depletion = cell.diffusivityAt_m2_s
      ? new DepletionTracker({
          diffusivity_m2_s: this.diffusivity_m2_s,
          concentration_mol_m3: cell.concentration_mol_m3,
          anionTransference: cell.anionTransference,
          gap_m: cell.gap_m,
          currentAmplification: Math.max(1, t.sandCurrentAmplification),
        })
      : null;
    this.voids =
      cell.kind === 'solid'
        ? new VoidTracker({
            cscTable: cell.cscTable,
            cscTemperature_K: cell.cscTemperature_K,
            ccdTable: cell.ccdTable,
            lithiumElectrodes: cell.cellType === 'symmetric' ? 'both' : 'negative',
            nominalPressure_Pa: cell.nominalPressure_Pa,
            ...(Number.isFinite(cell.activationEnergy_J_mol)
              ? { interfaceActivationEnergy_J_mol: cell.activationEnergy_J_mol }
              : {}),
            thresholds: t,
          })
        : null;
    this.softShort = new SoftShortDetector(cell.cellType, t);
    this.hardShort = new HardShortDetector(cell.cellType, t);
    this.thermal = new ThermalDetector(t);
    this.pressure = new PressureDetector(t, cell.nominalPressure_Pa / 1e6);
    this.dataGap = new DataGapDetector(t);
    const debounce = {
      raiseSamples: Math.max(1, Math.round(t.raiseSamples)),
      clearSamples: Math.max(1, Math.round(t.clearSamples)),
    };
    // Hard shorts count their own samples; a gap is one interval.
    const immediate = { raiseSamples: 1, clearSamples: debounce.clearSamples };
    this.hysteresis = {
      'sand-depletion': new LevelHysteresis(debounce),
      'void-growth': new LevelHysteresis(debounce),
      'soft-short': new LevelHysteresis(debounce),
      'hard-short': new LevelHysteresis(immediate),
      pressure: new LevelHysteresis(debounce),
      thermal: new LevelHysteresis(debounce),
      'data-gap': new LevelHysteresis(immediate),
    };
    const ok = (): DetectorStatus => ({ level: 'ok', since_ts: null, message: '', evidence: {} });
    this.statuses = {
      'sand-depletion': ok(),
      'void-growth': ok(),
      'soft-short': ok(),
      'hard-short': ok(),
      pressure: ok(),
      thermal: ok(),
      'data-gap': ok(),
    };
    this.lastTs = NaN;
    this.lastSandLevel = 'ok';
    this.lastResult = null;
    this.lastV = NaN;
    this.lastI = NaN;
  }

  /** Present level, message and evidence of every detector. */
  status(): Record<DetectorKind, DetectorStatus> {
    return structuredClone(this.statuses);
  }

  /**
   * One sample: checked, then through each detector in turn (Li⁺ depletion, voids, shorts, conditions),
   * each verdict debounced into a level, and the estimates the state publishes.
   */
  update(sample: CellSample): MonitorResult {
    const temperature_C = finiteOrNaN(sample.t);
    const pressure_MPa = finiteOrNaN(sample.p);
    if (!Number.isFinite(sample.ts) || !Number.isFinite(sample.v) || !Number.isFinite(sample.i)) {
      return this.rejected(sample, 'ts, v and i must be finite numbers');
    }
    if (sample.ts < this.lastTs) return this.rejected(sample, 'older than the previous sample; ignored');
    // A reading logged or sent twice carries no new information; judging it again would weigh it twice.
    const last = this.lastResult;
    if (last && sample.ts === this.lastTs && sample.v === this.lastV && sample.i === this.lastI) {
      return { ...last, note: 'repeat of the previous sample; not judged again', events: [] };
    }
    this.lastV = sample.v;
    this.lastI = sample.i;
    const first = Number.isNaN(this.lastTs);
    const dt_s = first ? 0 : (sample.ts - this.lastTs) / 1000;
    this.lastTs = sample.ts;
    const j_A_m2 = currentDensity_A_m2(sample.i, this.cell.area_m2);
    const temperature_K = Number.isFinite(temperature_C) ? C_to_K(temperature_C) : NaN;
    const pressure_Pa = Number.isFinite(pressure_MPa) ? MPa_to_Pa(pressure_MPa) : NaN;

    const gapVerdict = first ? okVerdict : this.dataGap.update(dt_s);
    const depletion = this.trackDepletion(dt_s, j_A_m2, temperature_K);
    const sand = depletion ? this.sandVerdict(depletion) : okVerdict;
    const voids = this.voids
      ? this.voids.update({
          dt_s,
          currentDensity_A_m2: j_A_m2,
          voltage_V: sample.v,
          pressure_Pa,
          temperature_K,
        })
      : null;
    const voidGrowth = voids ? voidVerdict(voids) : okVerdict;
    const shortSample: ShortSample = {
      t_s: sample.ts / 1000,
      concentrationOverpotential_V: this.saltOverpotential_V(depletion, temperature_K),
      dt_s,
      voltage_V: sample.v,
      current_A: sample.i,
      currentDensity_A_m2: j_A_m2,
      temperature_K,
    };
    const soft = this.softShort.update(shortSample);
    // Into verdict objects reused from sample to sample: judge() copies what it keeps.
    const softVerdict = scratchVerdict(
      softScratch,
      soft.level,
      soft.reasons.length > 0 ? capitalize(soft.reasons.join('; ')) : '',
      soft.evidence,
    );
    const hard = this.hardShort.update(shortSample);
    const hardVerdict = scratchVerdict(hardScratch, hard.level, capitalize(hard.reason), hard.evidence);

    // In detectorKinds order, so events come out in that order.
    const events: DetectorEvent[] = [];
    const ts = sample.ts;
    const levels: Record<DetectorKind, Level> = {
      'sand-depletion': this.judge('sand-depletion', sand, ts, events),
      'void-growth': this.judge('void-growth', voidGrowth, ts, events),
      'soft-short': this.judge('soft-short', softVerdict, ts, events),
      'hard-short': this.judge('hard-short', hardVerdict, ts, events),
      pressure: this.judge('pressure', this.pressure.update(pressure_MPa), ts, events),
      thermal: this.judge('thermal', this.thermal.update(dt_s, temperature_C), ts, events),
      'data-gap': this.judge('data-gap', gapVerdict, ts, events),
    };

    const estimates = estimatesOf(
      j_A_m2,
      depletion,
      this.depletion,
      voids,
      soft,
      temperature_C,
      pressure_MPa,
    );
    // Every level change carries the cell's current density and ASR as this sample's state publishes them.
    for (const event of events) Object.assign(event.evidence, cellEvidence(estimates));
    const result: MonitorResult = { ts: sample.ts, accepted: true, note: null, estimates, levels, events };
    this.lastResult = result;
    return result;
  }

  /**
   * Li⁺ depletion at the electrodes (liquid and polymer cells; null otherwise), with D(T) re-derived only
   * when the temperature changes (most samples repeat the last reading).
   */
  private trackDepletion(dt_s: number, j_A_m2: number, temperature_K: number): DepletionState | null {
    const diffusivityAt_m2_s = this.cell.diffusivityAt_m2_s;
    if (!this.depletion || !diffusivityAt_m2_s) return null;
    if (!Object.is(temperature_K, this.diffusivityTemperature_K)) {
      this.diffusivityTemperature_K = temperature_K;
      const d_m2_s = diffusivityAt_m2_s(temperature_K);
      if (d_m2_s > 0 && Math.abs(d_m2_s / this.diffusivity_m2_s - 1) > diffusivityTolerance) {
        this.diffusivity_m2_s = d_m2_s;
        this.depletion.setDiffusivity_m2_s(d_m2_s);
      }
    }
    return this.depletion.update(dt_s, j_A_m2);
  }

  /**
   * The overpotential left by the salt profile (liquid and polymer cells; 0 otherwise): what the short
   * detectors expect on top of I·R, at the measured temperature (else the electrolyte's reference).
   */
  private saltOverpotential_V(depletion: DepletionState | null, temperature_K: number): number {
    if (!depletion) return 0;
    return concentrationOverpotential_V(
      depletion.surfaceConcentration_mol_m3.negative,
      depletion.surfaceConcentration_mol_m3.positive,
      this.cell.anionTransference,
      Number.isFinite(temperature_K) ? temperature_K : this.cell.referenceTemperature_K,
    );
  }

  /** Debounces one detector's verdict; records and reports a level change. Returns the level. */
  private judge(kind: DetectorKind, verdict: Verdict, ts: number, events: DetectorEvent[]): Level {
    const status = this.statuses[kind];
    const previous = status.level;
    const level = this.hysteresis[kind].update(verdict.level);
    if (level === 'ok' && previous === 'ok') return level;
    if (level !== 'ok' && verdict.message) {
      status.message = capitalize(verdict.message);
      status.evidence = finite(verdict.evidence);
    }
    if (level !== previous) {
      status.level = level;
      status.since_ts = ts;
      const message =
        level === 'ok'
          ? `${capitalize(labels[kind])} back to normal${status.message ? ` (was: ${status.message})` : ''}`
          : status.message || capitalize(labels[kind]);
      events.push({ kind, level, previousLevel: previous, ts, message, evidence: finite(verdict.evidence) });
      if (level === 'ok') {
        status.message = '';
        status.evidence = {};
      }
    }
    return level;
  }

  private sandVerdict(state: DepletionState): Verdict {
    const t = this.cell.thresholds;
    const byFraction = levelOf(
      state.depletionFraction,
      { warning: t.sandDepletionWarnFraction, critical: t.sandDepletionCriticalFraction },
      this.lastSandLevel,
      t.hysteresisBand,
    );
    const soon = state.timeToDepletion_s <= t.sandDepletionWarnLeadTime_s && state.depletionFraction < 1;
    const level = worstLevel(byFraction, soon ? 'warning' : 'ok');
    this.lastSandLevel = level;
    // Message and evidence are read only at a raised level or a level change (see update).
    if (level === 'ok' && this.hysteresis['sand-depletion'].level === 'ok') return okVerdict;
    const ratio = `J/J* = ${state.jOverJstar.toFixed(state.jOverJstar < 10 ? 1 : 0)}`;
    let message = '';
    if (level === 'critical') {
      message = `Li+ at the plating electrode ${(state.depletionFraction * 100).toFixed(0)} % depleted (${ratio}): from Sand's time on lithium grows as dendrites — lower or stop the current`;
    } else if (level === 'warning') {
      message = Number.isFinite(state.timeToDepletion_s)
        ? `Li+ depletion at the plating electrode in ~${formatDuration(state.timeToDepletion_s)} (${ratio})`
        : `Li+ at the plating electrode ${(state.depletionFraction * 100).toFixed(0)} % depleted (${ratio})`;
    }
    return {
      level,
      message,
      evidence: {
        depletionFraction: state.depletionFraction,
        timeToDepletion_s: state.timeToDepletion_s,
        jOverJstar: state.jOverJstar,
      },
    };
  }

  private rejected(sample: CellSample, note: string): MonitorResult {
    const levels = {} as Record<DetectorKind, Level>;
    for (const kind of detectorKinds) levels[kind] = this.statuses[kind].level;
    return {
      ts: sample.ts,
      accepted: false,
      note,
      estimates: noEstimates(
        Number.isFinite(sample.i) ? currentDensity_A_m2(sample.i, this.cell.area_m2) : NaN,
      ),
      levels,
      events: [],
    };
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

/** The estimates at an accepted sample, from the detectors' states (null where one does not apply). */
function estimatesOf(
  j_A_m2: number,
  depletion: DepletionState | null,
  tracker: DepletionTracker | null,
  voids: VoidState | null,
  soft: SoftShortState,
  temperature_C: number,
  pressure_MPa: number,
): CellEstimates {
  // The ASR of a solid cell is the void tracker's (median, temperature-referenced); else the short
  // detector's |V/J|.
  const asr_ohm_m2 = voids?.asr_ohm_m2 ?? soft.evidence.asr_ohm_m2;
  return {
    currentDensity_A_m2: j_A_m2,
    depletionFraction: depletion?.depletionFraction ?? null,
    timeToDepletion_s:
      depletion && Number.isFinite(depletion.timeToDepletion_s) ? depletion.timeToDepletion_s : null,
    jOverJstar: depletion?.jOverJstar ?? null,
    limitingCurrentDensity_A_m2: tracker?.limitingCurrentDensity_A_m2 ?? null,
    // The tracker makes a new state object at every update: no copy needed.
    surfaceConcentration_mol_m3: depletion ? depletion.surfaceConcentration_mol_m3 : null,
    strippingCurrentDensity_A_m2: voids?.strippingCurrentDensity_A_m2 ?? null,
    criticalStrippingCurrent_A_m2: nullIfNaN(voids?.criticalStrippingCurrent_A_m2),
    strippingOverCsc: nullIfNaN(voids?.strippingOverCsc),
    excessStrippingThickness_um: voids
      ? {
          negative: m_to_um(voids.excessStrippingThickness_m.negative),
          positive: m_to_um(voids.excessStrippingThickness_m.positive),
        }
      : null,
    contactFraction: nullIfNaN(voids?.contactFraction),
    localCurrentDensity_A_m2: voids ? voids.localCurrentDensity_A_m2 : null,
    platingCcd_A_m2: nullIfNaN(voids?.platingCcd_A_m2),
    asr_ohm_cm2: nullIfNaN(ohm_m2_to_ohm_cm2(asr_ohm_m2)),
    shortResistance_ohm: nullIfNaN(soft.shortResistance_ohm),
    temperature_C: nullIfNaN(temperature_C),
    pressure_MPa: nullIfNaN(pressure_MPa),
  };
}

function voidVerdict(state: VoidState): Verdict {
  let message = '';
  if (state.level !== 'ok') {
    const advice =
      state.level === 'critical'
        ? 'lithium has lost contact with the electrolyte; the next plating step can grow dendrites — stop stripping, raise stack pressure or temperature'
        : 'stripping is outrunning lithium creep; voids may be opening — lower the current or raise stack pressure';
    message = `${capitalize(state.reasons.join('; '))}: ${advice}`;
  }
  return {
    level: state.level,
    message,
    evidence: {
      strippingCurrentDensity_mA_cm2: A_m2_to_mA_cm2(state.strippingCurrentDensity_A_m2),
      criticalStrippingCurrent_mA_cm2: A_m2_to_mA_cm2(state.criticalStrippingCurrent_A_m2),
      strippingOverCsc: state.strippingOverCsc,
      asrGrowthInStep: state.asrGrowthInStep,
      contactFraction: state.contactFraction,
      localCurrentDensity_mA_cm2: A_m2_to_mA_cm2(state.localCurrentDensity_A_m2),
      platingCcd_mA_cm2: A_m2_to_mA_cm2(state.platingCcd_A_m2),
    },
  };
}

/** The short detectors' verdicts, filled anew for every sample (judge() copies what it keeps). */
const softScratch: Verdict = { level: 'ok', message: '', evidence: {} };
const hardScratch: Verdict = { level: 'ok', message: '', evidence: {} };

function scratchVerdict(
  verdict: Verdict,
  level: Level,
  message: string,
  evidence: Readonly<Record<string, number>>,
): Verdict {
  verdict.level = level;
  verdict.message = message;
  verdict.evidence = evidence;
  return verdict;
}

function finite(values: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(values)) if (Number.isFinite(value)) out[key] = value;
  return out;
}

function finiteOrNaN(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : NaN;
}

function nullIfNaN(value: number | undefined): number | null {
  return value === undefined || Number.isNaN(value) ? null : value;
}

function capitalize(text: string): string {
  return text.length > 0 ? (text[0] ?? '').toUpperCase() + text.slice(1) : text;
}
