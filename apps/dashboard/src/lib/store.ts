import type {
  AlertEvent,
  CellSummary,
  CycleSummary,
  ReplayStatus,
  StateMessage,
  TelemetryPoint,
} from '#contracts';
import type { ApiProblem } from './api.js';
import { RingBuffer } from './ring-buffer.js';
import { cellKey } from './risk.js';

/** Live plot columns: data time in seconds (uPlot's time unit), then V, I, T, P. */
export const SERIES_COLUMNS = { ts_s: 0, v: 1, i: 2, t: 3, p: 4 } as const;
/** States kept per cell for the live plots: 30 min at the 1 Hz state rate. */
export const LIVE_POINTS = 1800;
/** Data time the live plots span once full, and what a freshly opened cell view backfills over REST. */
export const LIVE_WINDOW_MS = LIVE_POINTS * 1000;

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'disconnected'; reason: string; attempts: number };

export interface LiveSeries {
  buffer: RingBuffer;
  /** Goes up on every change, so a chart redraws only when its cell's data moved. */
  version: number;
  run: number;
}

/**
 * Everything the page shows, fed by REST loads and socket.io events. Listeners are told about changes at
 * most every `notifyEvery_ms`, so a hundred cells at 1 Hz do not re-render the page a hundred times a second.
 */
export class DashboardStore {
  readonly cells = new Map<string, CellSummary>();
  readonly series = new Map<string, LiveSeries>();
  readonly alerts = new Map<string, AlertEvent>();
  readonly replays = new Map<string, ReplayStatus>();
  /** Wall-clock time (epoch ms) each cell's data last moved on (a live state with a new data time). */
  readonly lastSeen = new Map<string, number>();
  connection: Connection = { state: 'connecting' };
  apiProblem: ApiProblem | null = null;
  /** Socket messages that failed the contracts' schemas (shown, not silently dropped). */
  invalidMessages = 0;
  version = 0;
  private readonly cycleVersions = new Map<string, number>();

  private readonly listeners = new Set<() => void>();
  private readonly criticalListeners = new Set<(alert: AlertEvent) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly notifyEvery_ms = 200) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once per newly raised critical alert (live events only, not history loads). */
  onCritical(listener: (alert: AlertEvent) => void): () => void {
    this.criticalListeners.add(listener);
    return () => this.criticalListeners.delete(listener);
  }

  changed(): void {
    this.version++;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const listener of this.listeners) listener();
    }, this.notifyEvery_ms);
  }

  setCells(cells: readonly CellSummary[]): void {
    for (const cell of cells) {
      const key = cellKey(cell.rigId, cell.cellId);
      const known = this.cells.get(key);
      // A live state newer than the listing wins.
      const state = known?.state && cell.state && known.state.ts > cell.state.ts ? known.state : cell.state;
      this.cells.set(key, { ...cell, state });
      if (state) this.appendSeries(state);
    }
    this.changed();
  }

  applyState(state: StateMessage): void {
    const key = cellKey(state.rigId, state.cellId);
    const known = this.cells.get(key);
    // Only data that moved counts as seen: the api may repeat a cell's latest state (to a new subscriber,
    // after a reconnect), which says nothing about whether the rig is still sending.
    const previous_ms = known?.state?.ts;
    if (previous_ms !== undefined && state.ts !== previous_ms) this.lastSeen.set(key, Date.now());
    this.cells.set(key, {
      rigId: state.rigId,
      cellId: state.cellId,
      configured: known?.configured ?? false,
      state,
    });
    this.appendSeries(state);
    this.changed();
  }

  private appendSeries(state: StateMessage): void {
    const key = cellKey(state.rigId, state.cellId);
    let series = this.series.get(key);
    if (!series) {
      series = { buffer: new RingBuffer(LIVE_POINTS, 5), version: 0, run: state.run };
      this.series.set(key, series);
    }
    const ts_s = state.ts / 1000;
    const last_s = series.buffer.fromEnd(SERIES_COLUMNS.ts_s);
    if (state.run !== series.run || (last_s !== undefined && ts_s < last_s - 60)) {
      // A new run (or a replay restarting the data clock): the old trace would be drawn on top of it.
      series.buffer.clear();
      series.run = state.run;
    } else if (last_s !== undefined && ts_s <= last_s) {
      return;
    }
    series.buffer.push([ts_s, state.v, state.i, state.t, state.p]);
    series.version++;
  }

  /**
   * Puts history from REST in front of the live trace, so a cell view opened mid-run shows the last
   * half hour at once instead of starting empty. Points at or after the first live one are ignored.
   */
  backfill(rigId: string, cellId: string, points: readonly TelemetryPoint[]): void {
    const key = cellKey(rigId, cellId);
    let series = this.series.get(key);
    if (!series) {
      series = {
        buffer: new RingBuffer(LIVE_POINTS, 5),
        version: 0,
        run: this.cells.get(key)?.state?.run ?? 0,
      };
      this.series.set(key, series);
    }
    const buffer = series.buffer;
    const firstLive_s =
      buffer.length > 0 ? buffer.fromEnd(SERIES_COLUMNS.ts_s, buffer.length - 1)! : Infinity;
    const older = points
      .filter((p) => p.ts / 1000 < firstLive_s)
      .sort((a, b) => a.ts - b.ts)
      .map((p) => [p.ts / 1000, p.v, p.i, p.t, p.p]);
    if (older.length === 0) return;
    const columns = [0, 1, 2, 3, 4].map((c) => buffer.column(c));
    const live = columns[0]!.map((_, k) => columns.map((column) => column[k]));
    const rows = [...older, ...live].slice(-buffer.capacity);
    buffer.clear();
    for (const row of rows) buffer.push(row);
    series.version++;
    this.changed();
  }

  setAlerts(alerts: readonly AlertEvent[]): void {
    for (const alert of alerts) this.mergeAlert(alert);
    this.changed();
  }

  applyAlert(alert: AlertEvent): void {
    const before = this.alerts.get(alert.id);
    const merged = this.mergeAlert(alert);
    const wasCriticalOpen = before?.severity === 'critical' && before.state === 'raised';
    if (merged && alert.severity === 'critical' && alert.state === 'raised' && !wasCriticalOpen) {
      for (const listener of this.criticalListeners) listener(alert);
    }
    this.changed();
  }

  /** Keeps each alert's latest event; an event older than the one held (by emit time) is ignored. */
  private mergeAlert(alert: AlertEvent): boolean {
    const known = this.alerts.get(alert.id);
    if (
      known?.emittedAt !== undefined &&
      alert.emittedAt !== undefined &&
      alert.emittedAt < known.emittedAt
    ) {
      return false;
    }
    this.alerts.set(alert.id, alert);
    return true;
  }

  /** A cell completed a cycle (socket.io `cycle`): cycle plots of that cell reload. */
  applyCycle(cycle: CycleSummary): void {
    const key = `${cycle.rigId}/${cycle.cellId}`;
    this.cycleVersions.set(key, (this.cycleVersions.get(key) ?? 0) + 1);
    this.changed();
  }

  /** Completed cycles seen live for a cell (0 until one arrives). */
  cycleVersion(rigId: string, cellId: string): number {
    return this.cycleVersions.get(`${rigId}/${cellId}`) ?? 0;
  }

  setReplays(replays: readonly ReplayStatus[]): void {
    for (const replay of replays) this.replays.set(replay.id, replay);
    this.changed();
  }

  applyReplay(replay: ReplayStatus): void {
    this.replays.set(replay.id, replay);
    this.changed();
  }

  setConnection(connection: Connection): void {
    this.connection = connection;
    this.changed();
  }

  setApiProblem(problem: ApiProblem | null): void {
    this.apiProblem = problem;
    this.changed();
  }

  /** Alerts newest first (by emit time, else data time). */
  alertsNewestFirst(): AlertEvent[] {
    return [...this.alerts.values()].sort((a, b) => (b.emittedAt ?? b.ts) - (a.emittedAt ?? a.ts));
  }
}
