import type { AlertKind, CellConfig, Evidence, Sample } from '#contracts';
import {
  CellMonitor,
  publishedEstimates,
  restoreSnapshot,
  takeSnapshot,
  type DetectorKind,
  type Snapshot,
} from '#physics';
import type { Detector, DetectorFactory, DetectorFinding, DetectorResult } from './detector.js';

interface KindNote {
  message: string;
  evidence: Evidence;
}

const NO_FINDINGS: readonly DetectorFinding[] = Object.freeze([]);

/**
 * The Detector port on libs/physics' CellMonitor, which does the physics and the per-detector
 * hysteresis. Its level-change events carry the message and evidence; they are kept per kind so every
 * sample at a non-ok level reports them, and a return to ok is reported once with its own message.
 */
export class PhysicsDetector implements Detector {
  private readonly monitor: CellMonitor;
  private readonly notes = new Map<DetectorKind, KindNote>();

  constructor(config: CellConfig) {
    this.monitor = new CellMonitor(config);
  }

  /** Configuration issues the monitor tolerated (unknown threshold names …). */
  get warnings(): readonly string[] {
    return this.monitor.configWarnings;
  }

  update(sample: Sample): DetectorResult {
    const result = this.monitor.update(sample);
    // Nearly every sample of a healthy cell: nothing changed, nothing to report (no arrays per sample).
    if (result.events.length === 0 && this.notes.size === 0)
      return { estimates: publishedEstimates(result.estimates), findings: NO_FINDINGS };
    const cleared: DetectorFinding[] = [];
    for (const event of result.events) {
      const note = { message: event.message, evidence: event.evidence };
      if (event.level === 'ok') {
        this.notes.delete(event.kind);
        cleared.push({ kind: event.kind as AlertKind, level: 'ok', ...note });
      } else {
        this.notes.set(event.kind, note);
      }
    }
    const findings: DetectorFinding[] = cleared;
    for (const [kind, note] of this.notes) {
      const level = result.levels[kind];
      if (level !== 'ok') findings.push({ kind: kind as AlertKind, level, ...note });
    }
    // The one mapping of the monitor's estimates (#physics cell-model.ts), as the model was trained on.
    return { estimates: publishedEstimates(result.estimates), findings };
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

export const physicsDetectorFactory: DetectorFactory = (config) => new PhysicsDetector(config);
