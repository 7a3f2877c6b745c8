import type { AlertKind, CellConfig, Estimates, Evidence, Sample } from '#contracts';
import type { Detector, DetectorFactory, DetectorFinding, DetectorResult } from './detector.js';
import {
  CellMonitor,
  restoreSnapshot,
  takeSnapshot,
  type CellEstimates,
  type DetectorKind,
  type Snapshot,
} from '#physics';

interface KindNote {
  message: string;
  evidence: Evidence;
}

function toEstimates(e: CellEstimates): Estimates {
  return {
    currentDensity_A_m2: e.currentDensity_A_m2,
    depletionFraction: e.depletionFraction,
    timeToDepletion_s: e.timeToDepletion_s,
    jOverJstar: e.jOverJstar,
    strippingCurrentOverCsc: e.strippingOverCsc,
    contactFraction: e.contactFraction,
    areaSpecificResistance_ohm_m2: e.asr_ohm_cm2 === null ? null : e.asr_ohm_cm2 * 1e-4,
    shortResistance_ohm: e.shortResistance_ohm,
  };
}

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
    return { estimates: toEstimates(result.estimates), findings };
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
