import type {
  AlertEvent,
  AlertsQuery,
  CellConfig,
  CycleSummary,
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

/** Raw samples of one cell in columns (an absent optional value is NaN); `SampleColumns` fits it. */
export interface SamplePage {
  length: number;
  ts: Float64Array;
  v: Float64Array;
  i: Float64Array;
  t: Float64Array;
  p: Float64Array;
  cycle: Float64Array;
  step: Float64Array;
}

/** A page of `length` samples, every value absent (NaN) until filled. */
export function emptySamplePage(length: number): SamplePage {
  const column = () => new Float64Array(length).fill(NaN);
  return {
    length,
    ts: column(),
    v: column(),
    i: column(),
    t: column(),
    p: column(),
    cycle: column(),
    step: column(),
  };
}

/** Time range of an export read (epoch ms, both inclusive) and the most samples per page. */
export interface SamplePagesQuery {
  from?: number;
  to?: number;
  pageSize?: number;
}

/**
 * A cell's detector checkpoint (ingest's per-cell state machines, serialized by ingest): the store keeps
 * the latest one per cell and does not look inside `state`.
 */
export interface DetectorCheckpoint extends CellKey {
  /** Data time of the newest sample the checkpoint includes (epoch ms): replay starts after it. */
  ts: number;
  /** Format version of `state`, so a reader can drop one it does not understand without parsing it. */
  version: number;
  /** The checkpoint, JSON text. */
  state: string;
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

  /** Stores each cell's checkpoint, replacing the cell's previous one. */
  writeCheckpoints(checkpoints: readonly DetectorCheckpoint[]): Promise<void>;
  /** The latest checkpoint of every cell that has one, by rig, then cell. */
  readCheckpoints(): Promise<DetectorCheckpoint[]>;

  /** Stores per-cycle statistics, idempotent by (rig, cell, cycle): a cycle written again replaces it. */
  writeCycles(cycles: readonly CycleSummary[]): Promise<void>;
  /** A cell's cycles, by cycle number. */
  queryCycles(cell: CellKey): Promise<CycleSummary[]>;
  /**
   * A cell's raw samples, oldest first, `from` and `to` inclusive, in pages of at most `pageSize` read one
   * at a time (keyset paging on time), so an export never holds the whole series.
   */
  readSamplePages(cell: CellKey, query: SamplePagesQuery): AsyncGenerator<SamplePage>;
}

/** Orders cells by rig, then cell id (as listings return them). */
export function compareCells(a: CellKey, b: CellKey): number {
  if (a.rigId !== b.rigId) return a.rigId < b.rigId ? -1 : 1;
  if (a.cellId !== b.cellId) return a.cellId < b.cellId ? -1 : 1;
  return 0;
}
