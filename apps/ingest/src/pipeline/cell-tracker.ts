import type {
  AlertKind,
  AlertEvent,
  CellConfig,
  Estimates,
  ModelOutput,
  Risk,
  Sample,
  StateMessage,
} from '#contracts';
// Only the fusion rule of libs/model (no TensorFlow.js): imported by path until `#model` exists.
import { DEFAULT_FUSION, modelLevel } from '#model';
import { AlertEngine, type AlertEngineOptions } from '../detection/alert-engine.js';
import type { Detector, DetectorFactory, DetectorFinding, DetectorResult } from '../detection/detector.js';
import type { FailureModel, FailureProbabilities, ModelFeatures } from '../detection/failure-model.js';
import { CellSequencer, type Admission, type SequencerOptions } from './cell-sequencer.js';

export interface CellTrackerOptions {
  sequencer?: SequencerOptions;
  alerts?: AlertEngineOptions;
  /** Smallest data-time step between two published states (ms). */
  stateInterval_ms?: number;
  /** The failure model whose per-cell features this cell keeps. */
  model?: FailureModel;
  now?: () => number;
}

/** Samples of one message that passed the per-cell rules, with what each one is. */
export interface Admitted {
  samples: Sample[];
  admissions: Admission[];
  duplicates: number;
}

export interface CellOutput {
  alerts: AlertEvent[];
  /** States due (at most one per `stateInterval_ms` of data time), oldest first. */
  states: StateMessage[];
  newRuns: number;
}

/** Data time between two predictions of a cell (libs/model: one every 30 s of data time). */
export const MODEL_STEP_MS = 30_000;

const RISK_ORDER: Record<Risk, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * Everything ingest knows about one cell: ordering and duplicates (sequencer), its detector (rebuilt on a
 * new run or a configuration change), its alerts, and the derived state. Pure: no I/O, data time only.
 */
export class CellTracker {
  readonly sequencer: CellSequencer;
  readonly alerts: AlertEngine;
  /** Samples accepted since this process started. */
  samples = 0;
  private detector: Detector;
  private last: DetectorResult = { estimates: {}, findings: [] };
  private lastSample: Sample | undefined;
  private lastStateTs = -Infinity;
  private readonly stateInterval_ms: number;
  private features: ModelFeatures | undefined;
  private featuresFresh = false;
  private model: ModelOutput | undefined;
  private modelFindings: DetectorFinding[] = [];
  private readonly modelAbove = new Map<AlertKind, number>();
  private readonly modelOn = new Set<AlertKind>();
  private lastPredictionTs = -Infinity;

  constructor(
    readonly rigId: string,
    readonly cellId: string,
    private config: CellConfig,
    private readonly detectorFactory: DetectorFactory,
    private readonly options: CellTrackerOptions = {},
  ) {
    this.sequencer = new CellSequencer(options.sequencer);
    this.alerts = new AlertEngine(rigId, cellId, options.alerts, options.now);
    this.stateInterval_ms = options.stateInterval_ms ?? 1000;
    this.detector = detectorFactory(config);
    this.features = options.model?.createFeatures(config);
  }

  get configuration(): CellConfig {
    return this.config;
  }

  /** Applies a new configuration live: the detector restarts with it, open alerts stay. */
  configure(config: CellConfig): void {
    this.config = config;
    this.detector = this.detectorFactory(config);
    this.features = this.options.model?.createFeatures(config);
    this.clearModel();
  }

  /** The model's input for this cell when it has new data since the last prediction and enough history. */
  modelWindow(): Float32Array | undefined {
    if (!this.features || !this.featuresFresh || !this.features.ready()) return undefined;
    // libs/model is trained and debounced on one prediction per MODEL_STEP_MS of data time.
    const ts = this.lastSample?.ts ?? -Infinity;
    if (ts - this.lastPredictionTs < MODEL_STEP_MS) return undefined;
    this.lastPredictionTs = ts;
    this.featuresFresh = false;
    return this.features.window();
  }

  /**
   * A prediction for this cell. It joins the physics findings of every following sample under
   * libs/model's default fusion rule (`or`: either may raise, the worse level wins, `both` when both do).
   */
  applyPrediction(model: FailureModel, probabilities: FailureProbabilities): void {
    this.model = { version: model.version, horizon_s: model.horizon_s, probabilities };
    this.modelFindings = [];
    const { warnProbability, confirmations = 1 } = DEFAULT_FUSION;
    for (const [kind, probability] of Object.entries(probabilities) as [AlertKind, number][]) {
      // Debounced as in libs/model's backtest: on after `confirmations` predictions in a row at or
      // above the warning probability, off again only below half of it.
      const above =
        modelLevel(probability, DEFAULT_FUSION) !== 'ok' ? (this.modelAbove.get(kind) ?? 0) + 1 : 0;
      this.modelAbove.set(kind, above);
      if (above >= confirmations) this.modelOn.add(kind);
      else if (probability < warnProbability / 2) this.modelOn.delete(kind);
      if (!this.modelOn.has(kind)) continue;
      const modelRisk = modelLevel(probability, DEFAULT_FUSION);
      const level: Risk = modelRisk === 'ok' ? 'warning' : modelRisk;
      const minutes = Math.round(model.horizon_s / 60);
      this.modelFindings.push({
        kind,
        level,
        source: 'model',
        message: `Model ${model.version}: ${kind} within ${minutes} min, p = ${probability.toFixed(2)}`,
        evidence: { probability, modelVersion: model.version, horizon_s: model.horizon_s },
      });
    }
  }

  private clearModel(): void {
    this.model = undefined;
    this.modelFindings = [];
    this.featuresFresh = false;
    this.modelAbove.clear();
    this.modelOn.clear();
    this.lastPredictionTs = -Infinity;
  }

  private withModel(findings: readonly DetectorFinding[]): readonly DetectorFinding[] {
    if (this.modelFindings.length === 0) return findings;
    const merged = [...findings];
    for (const m of this.modelFindings) {
      const k = merged.findIndex((f) => f.kind === m.kind);
      const physics = k >= 0 ? merged[k]! : undefined;
      if (!physics || physics.level === 'ok') {
        if (k >= 0) merged.splice(k, 1);
        merged.push(m);
      } else {
        const level = RISK_ORDER[m.level] > RISK_ORDER[physics.level] ? m.level : physics.level;
        merged[k] = { ...physics, level, source: 'both', evidence: { ...physics.evidence, ...m.evidence } };
      }
    }
    return merged;
  }

  /** The cheap part before the acknowledgement: drops duplicates, classifies order. */
  admit(samples: readonly Sample[]): Admitted {
    const admitted: Admitted = { samples: [], admissions: [], duplicates: 0 };
    for (const sample of samples) {
      const admission = this.sequencer.admit(sample);
      if (admission === 'duplicate') {
        admitted.duplicates++;
        continue;
      }
      admitted.samples.push(sample);
      admitted.admissions.push(admission);
    }
    this.samples += admitted.samples.length;
    return admitted;
  }

  /** Runs detection on admitted samples (after the acknowledgement); returns alerts and a due state. */
  detect(admitted: Admitted): CellOutput {
    const output: CellOutput = { alerts: [], states: [], newRuns: 0 };
    for (let k = 0; k < admitted.samples.length; k++) {
      const sample = admitted.samples[k]!;
      const admission = admitted.admissions[k]!;
      if (admission === 'late') continue;
      if (admission === 'new-run') {
        output.newRuns++;
        this.detector = this.detectorFactory(this.config);
        this.lastStateTs = -Infinity;
        this.features?.reset();
        this.clearModel();
      }
      this.last = this.detector.update(sample);
      this.lastSample = sample;
      if (this.features) {
        this.features.push(sample, this.last.estimates);
        this.featuresFresh = true;
      }
      const findings = this.withModel(this.last.findings);
      for (const event of this.alerts.update(sample.ts, findings)) output.alerts.push(event);
      if (sample.ts - this.lastStateTs >= this.stateInterval_ms) {
        this.lastStateTs = sample.ts;
        output.states.push(this.state()!);
      }
    }
    return output;
  }

  /** The derived state after the latest sample, or undefined before the first. */
  state(): StateMessage | undefined {
    const sample = this.lastSample;
    if (!sample) return undefined;
    const levels: Partial<Record<AlertKind, Risk>> = {};
    let risk: Risk = 'ok';
    for (const finding of this.withModel(this.last.findings)) {
      if (finding.level === 'ok') continue;
      levels[finding.kind] = finding.level;
      if (RISK_ORDER[finding.level] > RISK_ORDER[risk]) risk = finding.level;
    }
    const state: StateMessage = {
      rigId: this.rigId,
      cellId: this.cellId,
      ts: sample.ts,
      v: sample.v,
      i: sample.i,
      risk,
      levels,
      estimates: this.last.estimates as Estimates,
      samples: this.samples,
      run: this.sequencer.run,
    };
    if (this.model) state.model = this.model;
    if (sample.t !== undefined) state.t = sample.t;
    if (sample.p !== undefined) state.p = sample.p;
    return state;
  }
}
