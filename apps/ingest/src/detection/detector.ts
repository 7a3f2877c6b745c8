import type { AlertKind, AlertSource, CellConfig, Estimates, Evidence, Risk, Sample } from '#contracts';
import type { Snapshot } from '#physics';

/** What a detector says about one failure kind after a sample. */
export interface DetectorFinding {
  kind: AlertKind;
  level: Risk;
  /** Human-readable, e.g. "Li+ depletion at the plating electrode in ~4 min (J/J* = 1.8)". */
  message: string;
  evidence: Evidence;
  source?: AlertSource;
}

export interface DetectorResult {
  estimates: Estimates;
  /** Kinds the detector has an opinion on; a kind it does not report counts as `ok`. */
  findings: readonly DetectorFinding[];
}

/**
 * Port between the ingest pipeline and the per-cell physics monitor: one instance per cell and run,
 * fed samples in data-time order. Kept this small so the alert engine is tested with a fake.
 */
export interface Detector {
  update(sample: Sample): DetectorResult;
  /** Checkpoint of the detector's state (absent: the detector cannot be checkpointed). */
  snapshot?(): Snapshot;
  /** Continues from a checkpoint of a detector built with the same configuration; throws SnapshotError. */
  restore?(snapshot: Snapshot): void;
}

/** Builds a cell's detector from its configuration (again on a new run or a configuration change). */
export type DetectorFactory = (config: CellConfig) => Detector;
