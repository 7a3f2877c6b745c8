import { levelOf, worstLevel, type Level } from './levels.js';
import type { Thresholds } from './thresholds.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './snapshot.js';

/** A detector's verdict on one sample, before debouncing. */
export interface Verdict {
  level: Level;
  message: string;
  /** The numbers behind it; may hold NaN/Infinity for unknowns (the monitor drops those). */
  evidence: Readonly<Record<string, number>>;
}

/**
 * Temperature rise above the run's baseline (the first reading, following slow drifts with a 1 h time
 * constant while nothing is raised). Warning at +10 K, critical at +20 K by default.
 */
export class ThermalDetector {
  private baseline_C = NaN;
  private last: Level = 'ok';

  constructor(private readonly t: Thresholds) {}

  update(dt_s: number, temperature_C: number): Verdict {
    if (!Number.isFinite(temperature_C)) return { level: this.last, message: '', evidence: {} };
    if (Number.isNaN(this.baseline_C)) this.baseline_C = temperature_C;
    const rise_K = temperature_C - this.baseline_C;
    const level = levelOf(
      rise_K,
      { warning: this.t.thermalRiseWarn_K, critical: this.t.thermalRiseCritical_K },
      this.last,
      this.t.hysteresisBand,
    );
    if (level === 'ok')
      this.baseline_C += (temperature_C - this.baseline_C) * Math.min(1, Math.max(0, dt_s) / 3600);
    this.last = level;
    return {
      level,
      message:
        level === 'ok'
          ? ''
          : `cell temperature ${temperature_C.toFixed(1)} °C, ${rise_K.toFixed(1)} K above its baseline: check for a short or for the chamber`,
      evidence: { temperature_C, temperatureRise_K: rise_K, baselineTemperature_C: this.baseline_C },
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

/**
 * Measured stack pressure against the nominal one: drift by 25 % (warning) or 50 % (critical), and
 * above 25 MPa critical (Doux et al., Adv. Energy Mater. 10:1903253 (2020): full cells short at 25 MPa).
 */
export class PressureDetector {
  private last: Level = 'ok';

  constructor(
    private readonly t: Thresholds,
    private readonly nominal_MPa: number,
  ) {}

  update(pressure_MPa: number): Verdict {
    if (!Number.isFinite(pressure_MPa)) return { level: this.last, message: '', evidence: {} };
    const band = this.t.hysteresisBand;
    const drift = this.nominal_MPa > 0 ? Math.abs(pressure_MPa - this.nominal_MPa) / this.nominal_MPa : NaN;
    const driftLevel = levelOf(
      drift,
      { warning: this.t.pressureDriftWarnFraction, critical: this.t.pressureDriftCriticalFraction },
      this.last,
      band,
    );
    const highLevel = levelOf(
      pressure_MPa,
      { warning: Infinity, critical: this.t.pressureHighCritical_MPa },
      this.last,
      band,
    );
    const level = worstLevel(driftLevel, highLevel);
    this.last = level;
    let message = '';
    if (highLevel !== 'ok') {
      message = `stack pressure ${pressure_MPa.toFixed(1)} MPa, above ${this.t.pressureHighCritical_MPa} MPa: lithium can creep into the separator and short the cell`;
    } else if (level !== 'ok') {
      message = `stack pressure ${pressure_MPa.toFixed(2)} MPa, ${(drift * 100).toFixed(0)} % away from the nominal ${this.nominal_MPa} MPa: check the press and for gas or lithium volume change`;
    }
    const evidence: Record<string, number> = { pressure_MPa, nominalPressure_MPa: this.nominal_MPa };
    if (Number.isFinite(drift)) evidence.pressureDrift = drift;
    return { level, message, evidence };
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

/**
 * Gaps in the data: a sample arriving after a long silence (the detectors could not see what happened
 * in between). The level comes from the interval just ended; it clears through the hysteresis once
 * samples arrive regularly again.
 */
export class DataGapDetector {
  constructor(private readonly t: Thresholds) {}

  update(interval_s: number): Verdict {
    const level = levelOf(
      interval_s,
      { warning: this.t.dataGapWarn_s, critical: this.t.dataGapCritical_s },
      'ok',
      0,
    );
    return {
      level,
      message:
        level === 'ok'
          ? ''
          : `no data for ${formatDuration(interval_s)} before this sample: events in between were not seen`,
      evidence: { interval_s },
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

export function formatDuration(duration_s: number): string {
  if (!Number.isFinite(duration_s)) return 'ever';
  if (duration_s < 90) return `${Math.round(duration_s)} s`;
  if (duration_s < 5400) return `${Math.round(duration_s / 60)} min`;
  if (duration_s < 2 * 86400) return `${(duration_s / 3600).toFixed(1)} h`;
  return `${(duration_s / 86400).toFixed(1)} d`;
}
