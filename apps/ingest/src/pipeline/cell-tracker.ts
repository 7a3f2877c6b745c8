import type { AlertEvent, AlertKind, CellConfig, Estimates, Risk, Sample, StateMessage } from '#contracts';
import { AlertEngine, type AlertEngineOptions } from '../detection/alert-engine.js';
import type { Detector, DetectorFactory, DetectorResult } from '../detection/detector.js';
import { CellSequencer, type Admission, type SequencerOptions } from './cell-sequencer.js';

export interface CellTrackerOptions {
  sequencer?: SequencerOptions;
  alerts?: AlertEngineOptions;
  /** Smallest data-time step between two published states (ms). */
  stateInterval_ms?: number;
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

  constructor(
    readonly rigId: string,
    readonly cellId: string,
    private config: CellConfig,
    private readonly detectorFactory: DetectorFactory,
    options: CellTrackerOptions = {},
  ) {
    this.sequencer = new CellSequencer(options.sequencer);
    this.alerts = new AlertEngine(rigId, cellId, options.alerts, options.now);
    this.stateInterval_ms = options.stateInterval_ms ?? 1000;
    this.detector = detectorFactory(config);
  }

  get configuration(): CellConfig {
    return this.config;
  }

  /** Applies a new configuration live: the detector restarts with it, open alerts stay. */
  configure(config: CellConfig): void {
    this.config = config;
    this.detector = this.detectorFactory(config);
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
      }
      this.last = this.detector.update(sample);
      this.lastSample = sample;
      for (const event of this.alerts.update(sample.ts, this.last.findings)) output.alerts.push(event);
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
    if (sample.t !== undefined) state.t = sample.t;
    if (sample.p !== undefined) state.p = sample.p;
    return state;
  }
}
