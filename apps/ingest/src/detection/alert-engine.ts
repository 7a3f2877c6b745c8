import { createHash } from 'node:crypto';
import type { AlertEvent, AlertKind, Severity } from '#contracts';
import type { DetectorFinding } from './detector.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from '#physics';

export interface AlertEngineOptions {
  /** An open alert clears only after its kind was `ok` for this long in data time (ms)… */
  clearHold_ms?: number;
  /** …and for at least this many consecutive samples. */
  clearHoldSamples?: number;
}

const NO_EVENTS: AlertEvent[] = [];

interface OpenAlert {
  event: AlertEvent;
  /** Data time at which the kind was first seen `ok` again (undefined while not ok). */
  okSince: number | undefined;
  okSamples: number;
  /** The detector's own words for the return to ok, if it gave any while the clear was pending. */
  clearNote: Pick<DetectorFinding, 'message' | 'evidence'> | undefined;
}

/**
 * Deterministic alert id: the same data replayed produces the same id, so stored events overwrite
 * instead of duplicating.
 */
export function alertId(rigId: string, cellId: string, kind: AlertKind, ts: number): string {
  return createHash('sha1').update(`${rigId}/${cellId}/${kind}/${ts}`).digest('hex').slice(0, 24);
}

/**
 * Turns a cell's detector findings into alert events: at most one open alert per kind, `raised` when a
 * kind leaves `ok`, the same id re-sent as `raised` when it escalates from warning to critical, `cleared`
 * once the kind stayed `ok` for the hold time (hysteresis on top of the detector's own, so a noisy
 * signal does not flap). A drop from critical to warning keeps the alert open at critical. Event `ts` is
 * the data time of the sample that caused it.
 */
export class AlertEngine {
  private readonly open = new Map<AlertKind, OpenAlert>();
  private readonly clearHold_ms: number;
  private readonly clearHoldSamples: number;

  constructor(
    readonly rigId: string,
    readonly cellId: string,
    options: AlertEngineOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.clearHold_ms = options.clearHold_ms ?? 10_000;
    this.clearHoldSamples = options.clearHoldSamples ?? 3;
  }

  /** Open alerts restored from the store after a restart (each alert's latest event). */
  restoreOpen(events: readonly AlertEvent[]): void {
    for (const event of events) {
      if (event.state === 'cleared' || event.rigId !== this.rigId || event.cellId !== this.cellId) continue;
      this.open.set(event.kind, { event, okSince: undefined, okSamples: 0, clearNote: undefined });
    }
  }

  get openAlerts(): AlertEvent[] {
    return [...this.open.values()].map((a) => a.event);
  }

  /** Records an acknowledgement made elsewhere (the api); true when it was one of this cell's alerts. */
  acknowledge(event: AlertEvent): boolean {
    for (const alert of this.open.values()) {
      if (alert.event.id !== event.id) continue;
      alert.event = { ...alert.event, state: 'acknowledged', acknowledgedBy: event.acknowledgedBy };
      return true;
    }
    return false;
  }

  /**
   * Records that a safety stop was sent for an open alert: every later event of it (acknowledgement,
   * escalation, clearing) carries the record, so the stop is sent once per alert.
   */
  recordSafetyStop(id: string, stop: NonNullable<AlertEvent['safetyStop']>): void {
    for (const alert of this.open.values()) {
      if (alert.event.id === id) alert.event = { ...alert.event, safetyStop: stop };
    }
  }

  /** Folds in the findings after the sample at data time `ts`; returns the events to publish and store. */
  update(ts: number, findings: readonly DetectorFinding[]): AlertEvent[] {
    if (findings.length === 0 && this.open.size === 0) return NO_EVENTS;
    const events: AlertEvent[] = [];
    const seen = new Set<AlertKind>();
    for (const finding of findings) {
      if (finding.level === 'ok') continue;
      seen.add(finding.kind);
      const event = this.onAlarm(ts, finding, finding.level);
      if (event) events.push(event);
    }
    for (const [kind, alert] of this.open) {
      if (seen.has(kind)) continue;
      const event = this.onOk(
        ts,
        alert,
        findings.find((f) => f.kind === kind),
      );
      if (event) events.push(event);
    }
    return events;
  }

  private onAlarm(ts: number, finding: DetectorFinding, severity: Severity): AlertEvent | undefined {
    const alert = this.open.get(finding.kind);
    if (alert) {
      alert.okSince = undefined;
      alert.okSamples = 0;
      alert.clearNote = undefined;
      if (severity !== 'critical' || alert.event.severity === 'critical') return undefined;
      const { safetyStop } = alert.event;
      alert.event = this.event(alert.event.id, ts, finding, severity, 'raised');
      if (safetyStop) alert.event.safetyStop = safetyStop;
      return alert.event;
    }
    const event = this.event(
      alertId(this.rigId, this.cellId, finding.kind, ts),
      ts,
      finding,
      severity,
      'raised',
    );
    this.open.set(finding.kind, { event, okSince: undefined, okSamples: 0, clearNote: undefined });
    return event;
  }

  private onOk(ts: number, alert: OpenAlert, finding: DetectorFinding | undefined): AlertEvent | undefined {
    alert.okSince ??= ts;
    alert.okSamples++;
    if (finding?.message) alert.clearNote = { message: finding.message, evidence: finding.evidence };
    if (ts - alert.okSince < this.clearHold_ms || alert.okSamples < this.clearHoldSamples) return undefined;
    this.open.delete(alert.event.kind);
    const { event } = alert;
    return {
      ...event,
      ts,
      state: 'cleared',
      message: alert.clearNote?.message ?? `${event.kind} cleared`,
      evidence: alert.clearNote?.evidence ?? event.evidence,
      emittedAt: this.now(),
    };
  }

  private event(
    id: string,
    ts: number,
    finding: DetectorFinding,
    severity: Severity,
    state: 'raised',
  ): AlertEvent {
    return {
      id,
      ts,
      rigId: this.rigId,
      cellId: this.cellId,
      kind: finding.kind,
      severity,
      state,
      source: finding.source ?? 'physics',
      message: finding.message,
      evidence: finding.evidence,
      emittedAt: this.now(),
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
