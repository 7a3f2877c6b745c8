import type {
  AlertEvent,
  AlertsQuery,
  CellConfig,
  Sample,
  StateMessage,
  TelemetryPoint,
  TelemetryQuery,
} from '#contracts';
import type { SampleColumns } from './sample-columns.js';

/** A sample with the cell it belongs to, as ingest writes it. */
export interface CellSample extends Sample {
  rigId: string;
  cellId: string;
}

export interface CellKey {
  rigId: string;
  cellId: string;
}

/** A cell the store has seen: its latest state (if any) and whether it has a configuration. */
export interface StoredCell extends CellKey {
  configured: boolean;
  state: StateMessage | null;
}

/**
 * Storage port of ingest and api. Writes are idempotent: the same (cell, ts) sample, state or alert
 * written twice is stored once (InfluxDB overwrites points with the same series and timestamp; the
 * embedded adapter upserts), which is what makes write-ahead-log replays safe. Times are epoch ms (fractional
 * allowed) and are kept to the microsecond. Failures throw StoreError, whose `retryable` says whether the
 * same call may succeed later.
 */
export interface TelemetryStore {
  /** Creates the database / tables if needed and checks the store answers. */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness check for health endpoints. */
  ping(): Promise<boolean>;

  /** Objects or columns (the drainer's batches: no object per sample). */
  writeSamples(samples: readonly CellSample[] | SampleColumns): Promise<void>;
  writeStates(states: readonly StateMessage[]): Promise<void>;
  /** Stores each event; the latest event of an alert id is its current state. */
  writeAlerts(alerts: readonly AlertEvent[]): Promise<void>;
  putCellConfig(config: CellConfig): Promise<void>;

  getCellConfig(cell: CellKey): Promise<CellConfig | null>;
  listCellConfigs(): Promise<CellConfig[]>;
  /** Cells with a stored state or a configuration (ingest stores a state for every cell it hears). */
  listCells(): Promise<StoredCell[]>;
  /**
   * History of one cell, oldest first, `from` and `to` inclusive, at most `limit` points counted from the
   * oldest; downsampled to means per `every` when given (buckets aligned to the epoch, stamped with their
   * start, empty buckets left out). `t` and `p` are present only where the cell reported them.
   */
  queryTelemetry(cell: CellKey, query: TelemetryQuery): Promise<TelemetryPoint[]>;
  /** Each alert's latest event, newest first. */
  queryAlerts(query: AlertsQuery): Promise<AlertEvent[]>;
  /** Number of samples stored for a cell (fault tests and the conformance suite count with it). */
  countSamples(cell: CellKey): Promise<number>;
}
