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
import { decodeValue, encodeValue, SnapshotError, type Snapshot, type SnapshotJson } from '#physics';
import { AlertEngine, type AlertEngineOptions } from '../detection/alert-engine.js';
import type { Detector, DetectorFactory, DetectorResult } from '../detection/detector.js';
import type { FailureModel, FailureProbabilities, ModelFeatures } from '../detection/failure-model.js';
import { CellSequencer, type Admission, type SequencerOptions } from './cell-sequencer.js';

export interface CellTrackerOptions {
  /**
   * The cell has no configuration yet: its admitted samples are held, not judged with defaults, until
   * `configure()` (or `release()`, which judges them with the configuration the tracker was built with).
   */
  awaitingConfig?: boolean;
  /** Most samples held for an unconfigured cell; beyond this they are judged with the defaults. */
  maxHeldSamples?: number;
  /**
   * Held samples judged per step once released (whole messages, at least this many); the rest wait in
   * order for `judgeHeld`. Unset: all at once. A 5 s hold at full rate judged in one go held the event
   * loop for over a second.
   */
  releaseSlice_samples?: number;
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
  /** States due (one per `stateInterval_ms` of data time, and one at each alert event), oldest first. */
  states: StateMessage[];
  newRuns: number;
}

/** Data time between two predictions of a cell (libs/model: one every 30 s of data time). */
export const MODEL_STEP_MS = 30_000;

const RISK_ORDER: Record<Risk, number> = { ok: 0, warning: 1, critical: 2 };

/** Samples held per unconfigured cell by default (about 14 h at 1 Hz... well above any config delay). */
export const DEFAULT_MAX_HELD_SAMPLES = 50_000;

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
  private lastPredictionTs = -Infinity;
  /** Admitted samples waiting for the cell's configuration, and when the first arrived (wall clock). */
  private held: Admitted[] = [];
  /** Index of the first message in `held` not judged yet (judged ones are dropped when all are). */
  private heldFirst = 0;
  private heldSamples = 0;
  private awaiting: boolean;
  heldSince: number | undefined;

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
    this.awaiting = options.awaitingConfig ?? false;
  }

  /** True while samples are held for a configuration that has not arrived. */
  get awaitingConfig(): boolean {
    return this.awaiting;
  }

  get configuration(): CellConfig {
    return this.config;
  }

  /**
   * Applies a new configuration live: the detector restarts with it, open alerts stay. Samples held
   * while the cell had none are judged now, with it, exactly as if it had come first; their alerts and
   * states are returned.
   */
  configure(config: CellConfig): CellOutput {
    // Samples released before this change are judged with the configuration they came under.
    const before = this.awaiting ? undefined : this.judgeHeld(Infinity);
    this.config = config;
    this.detector = this.detectorFactory(config);
    this.features = this.options.model?.createFeatures(config);
    this.clearModel();
    const after = this.release();
    return before ? merge(before, after) : after;
  }

  /**
   * Stops holding and judges the held samples with the present configuration: all of them now, or, with
   * `releaseSlice_samples`, none yet: they are the `backlog`, for the caller's `judgeHeld` steps.
   */
  release(): CellOutput {
    this.awaiting = false;
    this.heldSince = undefined;
    if (this.options.releaseSlice_samples !== undefined) return { alerts: [], states: [], newRuns: 0 };
    return this.judgeHeld(Infinity);
  }

  /** Released samples not judged yet; later messages of the cell queue behind them. */
  get backlog(): number {
    return this.awaiting ? 0 : this.heldSamples;
  }

  /** Judges the oldest held messages, at least `maxSamples` samples' worth (or all there are). */
  judgeHeld(maxSamples = this.options.releaseSlice_samples ?? Infinity): CellOutput {
    if (this.awaiting) return { alerts: [], states: [], newRuns: 0 };
    const output: CellOutput = { alerts: [], states: [], newRuns: 0 };
    let judged = 0;
    try {
      while (this.heldFirst < this.held.length && judged < maxSamples) {
        // Moved past first: judged, or failed in the detector, it is not judged again.
        const admitted = this.held[this.heldFirst++]!;
        judged += admitted.samples.length;
        this.heldSamples -= admitted.samples.length;
        merge(output, this.judge(admitted));
      }
    } finally {
      // Judged messages are let go once they are half the array (a backlog that never empties).
      if (this.heldFirst * 2 >= this.held.length) {
        this.held = this.held.slice(this.heldFirst);
        this.heldFirst = 0;
      }
    }
    return output;
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
   * A prediction for this cell: shown in its state (advisory), never turned into alerts. Predictions are
   * made on a wall-clock timer, so which sample they would join depends on replay speed and load;
   * alerts come from the physics alone, a function of the samples and the configuration (DESIGN.md).
   */
  applyPrediction(model: FailureModel, probabilities: FailureProbabilities): void {
    this.model = { version: model.version, horizon_s: model.horizon_s, probabilities };
  }

  private clearModel(): void {
    this.model = undefined;
    this.featuresFresh = false;
    this.lastPredictionTs = -Infinity;
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
    if (this.awaiting || this.held.length > 0) {
      this.held.push(admitted);
      this.heldSamples += admitted.samples.length;
      // Behind a backlog: judged in order by judgeHeld.
      if (!this.awaiting) return { alerts: [], states: [], newRuns: 0 };
      this.heldSince ??= (this.options.now ?? Date.now)();
      if (this.heldSamples >= (this.options.maxHeldSamples ?? DEFAULT_MAX_HELD_SAMPLES))
        return this.release();
      return { alerts: [], states: [], newRuns: 0 };
    }
    return this.judge(admitted);
  }

  private judge(admitted: Admitted): CellOutput {
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
      const alerts = this.alerts.update(sample.ts, this.last.findings);
      for (const event of alerts) output.alerts.push(event);
      // A state also goes with every alert event: the state of the sample that raised an alert shows the
      // numbers its evidence holds (a snapshot at the raise), whatever the state interval.
      if (alerts.length > 0 || sample.ts - this.lastStateTs >= this.stateInterval_ms) {
        this.lastStateTs = sample.ts;
        output.states.push(this.state()!);
      }
    }
    return output;
  }

  /**
   * Checkpoint of everything the cell's alerts depend on: sequencer, detector, alert engine and the
   * derived-state cursor. Undefined while samples are held for a configuration, or when the detector
   * cannot be checkpointed. The model's feature window is not in it: predictions are advisory (never
   * alerts) and the window refills from the samples after a restart.
   */
  snapshot(): Snapshot | undefined {
    // Held samples are admitted (in the sequencer) but not judged: no consistent checkpoint until then.
    if (this.held.length > 0 || this.awaiting || !this.detector.snapshot) return undefined;
    return {
      type: 'CellTracker',
      version: 1,
      state: {
        sequencer: this.sequencer.snapshot() as unknown as SnapshotJson,
        alerts: this.alerts.snapshot() as unknown as SnapshotJson,
        detector: this.detector.snapshot() as unknown as SnapshotJson,
        samples: this.samples,
        last: encodeValue(this.last),
        lastSample: encodeValue(this.lastSample),
        lastStateTs: encodeValue(this.lastStateTs),
      },
    };
  }

  /**
   * Continues from a checkpoint of a tracker with the same configuration (the detector is rebuilt from
   * it first). Throws SnapshotError when the checkpoint does not fit; the tracker must then be discarded.
   */
  restore(snapshot: Snapshot): void {
    if (snapshot.type !== 'CellTracker' || snapshot.version !== 1) {
      throw new SnapshotError(
        `not a CellTracker checkpoint of version 1 (${snapshot.type} ${snapshot.version})`,
      );
    }
    const state = snapshot.state;
    if (!this.detector.restore) throw new SnapshotError('this detector cannot be restored');
    this.sequencer.restore(state.sequencer as unknown as Snapshot);
    this.alerts.restore(state.alerts as unknown as Snapshot);
    this.detector.restore(state.detector as unknown as Snapshot);
    this.samples = typeof state.samples === 'number' ? state.samples : 0;
    this.last = decodeValue(state.last ?? null) as DetectorResult;
    this.lastSample = decodeValue(state.lastSample ?? null) as Sample | undefined;
    this.lastStateTs = decodeValue(state.lastStateTs ?? null) as number;
    this.awaiting = false;
  }

  /** The derived state after the latest sample, or undefined before the first. */
  state(): StateMessage | undefined {
    const sample = this.lastSample;
    if (!sample) return undefined;
    const levels: Partial<Record<AlertKind, Risk>> = {};
    let risk: Risk = 'ok';
    for (const finding of this.last.findings) {
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

/** Appends `part`'s alerts, states and new runs to `into` (returned). */
function merge(into: CellOutput, part: CellOutput): CellOutput {
  for (const alert of part.alerts) into.alerts.push(alert);
  for (const state of part.states) into.states.push(state);
  into.newRuns += part.newRuns;
  return into;
}
