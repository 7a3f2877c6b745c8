import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBDataChunk, DuckDBValue } from '@duckdb/node-api';
import type {
  AlertEvent,
  AlertsQuery,
  CellConfig,
  CycleSummary,
  StateMessage,
  TelemetryPoint,
  TelemetryQuery,
} from '#contracts';
import { TS_MAX_MS, TS_MIN_MS } from '#contracts';
import { readDoubles } from './duckdb-vectors.js';
import { msToMicros } from './line-protocol.js';
import { asColumns, type SampleColumns } from './sample-columns.js';
import { SerialQueue } from './serial-queue.js';
import { StoreError, bucketMs } from './store-error.js';
import {
  compareCells,
  emptySamplePage,
  type CellKey,
  type DetectorCheckpoint,
  type CellSample,
  type SamplePage,
  type SamplePagesQuery,
  type StoredCell,
  type TelemetryStore,
} from './telemetry-store.js';

/** Rows appended between two yields to the event loop (see appendSamples): one DuckDB vector. */
const APPEND_SLICE_ROWS = 2048;

export interface EmbeddedStoreOptions {
  /** Directory of the database file (created if needed); `:memory:` keeps everything in memory. */
  dataDir: string;
  /** File name inside dataDir. */
  fileName?: string;
  /** DuckDB's buffer memory (MB); it spills to disk beyond it. Default 64. */
  memoryLimit_MB?: number;
  /** DuckDB's worker threads. Default 2. */
  threads?: number;
  /** Alerts are listed from memory while the store holds at most this many (default 20,000). */
  alertsInMemoryMax?: number;
  /** A downsampled telemetry query over at most this many rows averages them in JS (default 100,000). */
  rowsAveragedInJs?: number;
}

/**
 * Telemetry and state history are append-only: no primary-key index to maintain on every insert (it
 * grew without bound in memory and made each write slower than the last). Duplicates are kept out at
 * write time instead: see `EmbeddedDatabase.appendSamples`.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS telemetry (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL,
     v DOUBLE, i DOUBLE, t DOUBLE, p DOUBLE, seq BIGINT, cycle BIGINT, step BIGINT)`,
  `CREATE TABLE IF NOT EXISTS cell_state (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL, risk VARCHAR, json VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS cell_latest (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL, json VARCHAR NOT NULL,
     PRIMARY KEY (rig, cell))`,
  `CREATE TABLE IF NOT EXISTS alert (
     id VARCHAR NOT NULL, ts_us BIGINT NOT NULL, rig VARCHAR NOT NULL, cell VARCHAR NOT NULL,
     kind VARCHAR NOT NULL, state VARCHAR NOT NULL, json VARCHAR NOT NULL,
     PRIMARY KEY (id, ts_us))`,
  `CREATE TABLE IF NOT EXISTS cell_config (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, json VARCHAR NOT NULL,
     PRIMARY KEY (rig, cell))`,
  `CREATE TABLE IF NOT EXISTS detector_checkpoint (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts DOUBLE NOT NULL, version INTEGER NOT NULL,
     state VARCHAR NOT NULL, PRIMARY KEY (rig, cell))`,
  `CREATE TABLE IF NOT EXISTS cycle (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, cycle BIGINT NOT NULL, start_us BIGINT NOT NULL,
     json VARCHAR NOT NULL, PRIMARY KEY (rig, cell, cycle))`,
];

/** Per writer connection: rows that may overwrite stored ones, and latest states, land here first. */
const STAGING = [
  `CREATE TEMP TABLE IF NOT EXISTS telemetry_staging (
     n INTEGER, rig VARCHAR, cell VARCHAR, ts_us BIGINT,
     v DOUBLE, i DOUBLE, t DOUBLE, p DOUBLE, seq BIGINT, cycle BIGINT, step BIGINT)`,
  `CREATE TEMP TABLE IF NOT EXISTS latest_staging (rig VARCHAR, cell VARCHAR, ts_us BIGINT, json VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS checkpoint_staging (
     rig VARCHAR, cell VARCHAR, ts DOUBLE, version INTEGER, state VARCHAR)`,
];

/** Tables that had a primary key before the store became append-only (data files of 0.1). */
const APPEND_ONLY_TABLES = ['telemetry', 'cell_state'];

const READERS = 2;

const cellKey = (rigId: string, cellId: string) => `${rigId}\u0000${cellId}`;

/**
 * One DuckDB file as this process uses it: one writer connection (ingest's batches, in order) and a
 * small pool of reader connections, so a REST read never queues behind a write (DuckDB's MVCC lets
 * readers see the last commit while a write runs). Cell configurations and each cell's latest state are
 * also held in memory — a few entries per cell — so listing cells touches no connection at all.
 */
class EmbeddedDatabase {
  private readonly writes = new SerialQueue();
  /** Per cell, the newest stored sample time (µs): a sample after it can simply be appended. */
  private readonly highWater_us = new Map<string, number>();
  /** Cells whose high-water mark is unknown after a failed write, read again before the next one. */
  private readonly uncertain = new Set<string>();
  readonly latest = new Map<string, StateMessage>();
  readonly configs = new Map<string, CellConfig>();
  /**
   * Cells with stored cycles. Ingest asks once per cell for its cycles (to number new ones); a cell with
   * none (most, and every new one) is answered here instead of by a reader, where a thousand such
   * questions at once queued the REST reads behind them.
   */
  readonly cellsWithCycles = new Set<string>();
  /** Each alert's latest event by id — all of them, or undefined once there are too many to hold. */
  alerts: Map<string, AlertEvent> | undefined = new Map();

  private constructor(
    private readonly alertsInMemoryMax: number,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly readers: { connection: DuckDBConnection; queue: SerialQueue }[],
  ) {}

  static async open(file: string, options: EmbeddedStoreOptions): Promise<EmbeddedDatabase> {
    const instance = await DuckDBInstance.create(file, {
      memory_limit: `${options.memoryLimit_MB ?? 64}MB`,
      threads: String(options.threads ?? 2),
      // Results in insertion order are not needed (queries say ORDER BY): lets DuckDB stream with less memory.
      preserve_insertion_order: 'false',
    });
    try {
      const writer = await instance.connect();
      await migrateToAppendOnly(writer);
      for (const sql of [...SCHEMA, ...STAGING]) await writer.run(sql);
      const readers = [];
      for (let k = 0; k < READERS; k++)
        readers.push({ connection: await instance.connect(), queue: new SerialQueue() });
      const database = new EmbeddedDatabase(options.alertsInMemoryMax ?? 20_000, instance, writer, readers);
      await database.load();
      return database;
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Fills the in-memory parts from the file. */
  private async load(): Promise<void> {
    const marks = await this.writer.runAndReadAll(
      'SELECT rig, cell, max(ts_us)::DOUBLE FROM telemetry GROUP BY rig, cell',
    );
    for (const [rig, cell, max] of marks.getRows())
      this.highWater_us.set(cellKey(rig as string, cell as string), max as number);
    for (const [json] of (await this.writer.runAndReadAll('SELECT json FROM cell_latest')).getRows()) {
      const state = JSON.parse(json as string) as StateMessage;
      this.latest.set(cellKey(state.rigId, state.cellId), state);
    }
    for (const [rig, cell] of (
      await this.writer.runAndReadAll('SELECT DISTINCT rig, cell FROM cycle')
    ).getRows())
      this.cellsWithCycles.add(cellKey(rig as string, cell as string));
    for (const [json] of (await this.writer.runAndReadAll('SELECT json FROM cell_config')).getRows()) {
      const config = JSON.parse(json as string) as CellConfig;
      this.configs.set(cellKey(config.rigId, config.cellId), config);
    }
    const alerts = await this.writer.runAndReadAll(
      `SELECT json FROM alert QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts_us DESC) = 1
       LIMIT ${this.alertsInMemoryMax + 1}`,
    );
    this.rememberAlerts(alerts.getRows().map(([json]) => JSON.parse(json as string) as AlertEvent));
  }

  /** Stores alert events (upserted by id and data time) and moves each alert's latest event in memory. */
  async appendAlerts(alerts: readonly AlertEvent[]): Promise<void> {
    await this.write((db) =>
      transaction(db, async () => {
        for (const alert of alerts) {
          await db.run(
            'INSERT OR REPLACE INTO alert VALUES ($id, $ts::BIGINT, $rig, $cell, $kind, $state, $json)',
            {
              id: alert.id,
              ts: msToMicros(alert.ts),
              rig: alert.rigId,
              cell: alert.cellId,
              kind: alert.kind,
              state: alert.state,
              json: JSON.stringify(alert),
            },
          );
        }
      }),
    );
    this.rememberAlerts(alerts);
  }

  private rememberAlerts(alerts: readonly AlertEvent[]): void {
    const memory = this.alerts;
    if (!memory) return;
    for (const alert of alerts) {
      const current = memory.get(alert.id);
      if (!current || msToMicros(alert.ts) >= msToMicros(current.ts)) memory.set(alert.id, alert);
    }
    // Past the bound the queries go to DuckDB instead (same answers, a few ms slower).
    if (memory.size > this.alertsInMemoryMax) this.alerts = undefined;
  }

  write<T>(task: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.writes.run(() => task(this.writer));
  }

  /** On the reader with the fewest queued reads. */
  read<T>(task: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    const reader = this.readers.reduce((a, b) => (b.queue.pending < a.queue.pending ? b : a));
    return reader.queue.run(() => task(reader.connection));
  }

  /**
   * Appends samples, keeping (cell, time) unique without an index: a sample newer than everything stored
   * for its cell (the live case, nearly every sample) is appended through DuckDB's appender; an older or
   * repeated one (a write-ahead-log replay, a reordered sample) replaces the stored row of the same time,
   * the last in the batch winning. One transaction: a failed batch leaves nothing behind.
   */
  appendSamples(c: SampleColumns): Promise<void> {
    return this.write(async (db) => {
      await this.readUncertainMarks(db, c);
      const marks = new Map<string, number>();
      const older: number[] = [];
      await db.run('BEGIN TRANSACTION');
      try {
        const appender = await db.createAppender('telemetry');
        try {
          for (let n = 0; n < c.length; n++) {
            if (n > 0 && n % APPEND_SLICE_ROWS === 0) {
              // The appender runs on the event loop: a 10,000-row batch appended and closed in one go
              // held it 40–90 ms, and the api of the same process waited. Flushed and yielded a slice
              // at a time instead (rows stay in the open transaction; writes are serialized).
              appender.flushSync();
              await new Promise((resolve) => setImmediate(resolve));
            }
            const key = cellKey(c.rigId[n]!, c.cellId[n]!);
            const ts_us = Math.round(c.ts[n]! * 1000);
            const mark = marks.get(key) ?? this.highWater_us.get(key) ?? -Infinity;
            if (ts_us <= mark) {
              older.push(n);
              continue;
            }
            marks.set(key, ts_us);
            appendRow(appender, c, n, ts_us);
          }
        } finally {
          appender.closeSync();
        }
        if (older.length > 0) await this.replaceRows(db, c, older);
        await db.run('COMMIT');
      } catch (error) {
        await db.run('ROLLBACK').catch(() => undefined);
        for (let n = 0; n < c.length; n++) this.uncertain.add(cellKey(c.rigId[n]!, c.cellId[n]!));
        throw error;
      }
      for (const [key, mark] of marks) this.highWater_us.set(key, mark);
    });
  }

  /** Replaces the stored rows at the times of `rows` (deleting by the batch's time range, so DuckDB's zone maps skip the rest). */
  private async replaceRows(db: DuckDBConnection, c: SampleColumns, rows: readonly number[]): Promise<void> {
    await db.run('DELETE FROM telemetry_staging');
    const appender = await db.createAppender('telemetry_staging');
    let from_us = Infinity;
    let to_us = -Infinity;
    try {
      for (const n of rows) {
        const ts_us = Math.round(c.ts[n]! * 1000);
        from_us = Math.min(from_us, ts_us);
        to_us = Math.max(to_us, ts_us);
        appender.appendInteger(n);
        appendRow(appender, c, n, ts_us);
      }
    } finally {
      appender.closeSync();
    }
    await db.run(
      `DELETE FROM telemetry USING (SELECT DISTINCT rig, cell, ts_us FROM telemetry_staging) s
       WHERE telemetry.ts_us BETWEEN ${from_us} AND ${to_us}
         AND telemetry.rig = s.rig AND telemetry.cell = s.cell AND telemetry.ts_us = s.ts_us`,
    );
    await db.run(
      `INSERT INTO telemetry SELECT rig, cell, ts_us, v, i, t, p, seq, cycle, step FROM telemetry_staging
       QUALIFY row_number() OVER (PARTITION BY rig, cell, ts_us ORDER BY n DESC) = 1`,
    );
  }

  private async readUncertainMarks(db: DuckDBConnection, c: SampleColumns): Promise<void> {
    if (this.uncertain.size === 0) return;
    for (let n = 0; n < c.length; n++) {
      const key = cellKey(c.rigId[n]!, c.cellId[n]!);
      if (!this.uncertain.has(key)) continue;
      const result = await db.runAndReadAll(
        'SELECT max(ts_us)::DOUBLE FROM telemetry WHERE rig = $rig AND cell = $cell',
        { rig: c.rigId[n]!, cell: c.cellId[n]! },
      );
      const max = result.getRows()[0]?.[0];
      if (typeof max === 'number') this.highWater_us.set(key, max);
      else this.highWater_us.delete(key);
      this.uncertain.delete(key);
    }
  }

  /** Appends the state history; moves each cell's latest state (memory first: readers see it at once). */
  appendStates(states: readonly StateMessage[]): Promise<void> {
    // Each state serialized once: the history row and, for the newest of its cell, the latest row.
    const json = states.map((state) => JSON.stringify(state));
    const changed = new Map<string, number>();
    states.forEach((state, n) => {
      const key = cellKey(state.rigId, state.cellId);
      const current = this.latest.get(key);
      if (current && current.ts > state.ts) return;
      this.latest.set(key, state);
      changed.set(key, n);
    });
    return this.write((db) =>
      transaction(db, async () => {
        await appendStateRows(db, 'cell_state', states, json, states.keys());
        if (changed.size === 0) return;
        await db.run('DELETE FROM latest_staging');
        await appendStateRows(db, 'latest_staging', states, json, changed.values());
        await db.run('INSERT OR REPLACE INTO cell_latest SELECT rig, cell, ts_us, json FROM latest_staging');
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.writes.idle(), ...this.readers.map((r) => r.queue.idle())]);
    for (const reader of this.readers) reader.connection.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

/** Rows `which` of `states` into a table of (rig, cell, ts_us, risk, json) or (rig, cell, ts_us, json). */
async function appendStateRows(
  db: DuckDBConnection,
  table: 'cell_state' | 'latest_staging',
  states: readonly StateMessage[],
  json: readonly string[],
  which: Iterable<number>,
): Promise<void> {
  const appender = await db.createAppender(table);
  try {
    for (const n of which) {
      const state = states[n]!;
      appender.appendVarchar(state.rigId);
      appender.appendVarchar(state.cellId);
      appender.appendDouble(Math.round(state.ts * 1000));
      if (table === 'cell_state') appender.appendVarchar(state.risk);
      appender.appendVarchar(json[n]!);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
}

function appendRow(appender: DuckDBAppender, c: SampleColumns, n: number, ts_us: number): void {
  appender.appendVarchar(c.rigId[n]!);
  appender.appendVarchar(c.cellId[n]!);
  // DuckDB casts to the BIGINT columns: no BigInt per value here.
  appender.appendDouble(ts_us);
  appender.appendDouble(c.v[n]!);
  appender.appendDouble(c.i[n]!);
  appendOptional(appender, c.t[n]!);
  appendOptional(appender, c.p[n]!);
  appendOptional(appender, c.seq[n]!);
  appendOptional(appender, c.cycle[n]!);
  appendOptional(appender, c.step[n]!);
  appender.endRow();
}

/** NaN: the sample has no such value. */
function appendOptional(appender: DuckDBAppender, value: number): void {
  if (Number.isNaN(value)) appender.appendNull();
  else appender.appendDouble(value);
}

/** Data files written before the store was append-only keep their rows; the primary keys go. */
async function migrateToAppendOnly(db: DuckDBConnection): Promise<void> {
  const keyed = await db.runAndReadAll(
    `SELECT DISTINCT table_name FROM duckdb_constraints()
     WHERE constraint_type = 'PRIMARY KEY' AND table_name IN (${APPEND_ONLY_TABLES.map((t) => `'${t}'`).join(', ')})`,
  );
  for (const [table] of keyed.getRows()) {
    await transaction(db, async () => {
      await db.run(`CREATE TABLE ${table}_unkeyed AS SELECT * FROM ${table}`);
      await db.run(`DROP TABLE ${table}`);
      await db.run(`ALTER TABLE ${table}_unkeyed RENAME TO ${table}`);
    });
  }
}

/**
 * Open databases by file, with how many stores use each: DuckDB lets one process open a file once, so
 * stores of the same file (ingest's and the api's in `npm start`) share one, and the last to close
 * releases the file.
 */
const databases = new Map<string, { database: Promise<EmbeddedDatabase>; users: number }>();

function acquire(file: string, options: EmbeddedStoreOptions): Promise<EmbeddedDatabase> {
  if (file === ':memory:') return EmbeddedDatabase.open(file, options);
  let entry = databases.get(file);
  if (!entry) {
    entry = { database: EmbeddedDatabase.open(file, options), users: 0 };
    databases.set(file, entry);
    entry.database.catch(() => databases.delete(file));
  }
  entry.users++;
  return entry.database;
}

async function release(file: string, database: EmbeddedDatabase): Promise<void> {
  const entry = databases.get(file);
  if (file !== ':memory:' && entry && --entry.users > 0) return;
  databases.delete(file);
  await database.close();
}

/**
 * TelemetryStore in one local DuckDB file — the default when no InfluxDB is configured. Same semantics as
 * the InfluxDB adapter: samples, states and alert events are keyed by their data time in microseconds, a
 * sample written twice is stored once (the last write wins), downsampling averages over epoch-aligned
 * buckets. Writes go through one connection in order; reads through their own, never behind a write.
 */
export class EmbeddedStore implements TelemetryStore {
  private database: EmbeddedDatabase | undefined;

  constructor(private readonly options: EmbeddedStoreOptions) {}

  get file(): string {
    if (this.options.dataDir === ':memory:') return ':memory:';
    return path.resolve(this.options.dataDir, this.options.fileName ?? 'sandglass.duckdb');
  }

  async open(): Promise<void> {
    if (this.database) return;
    try {
      if (this.file !== ':memory:') mkdirSync(path.dirname(this.file), { recursive: true });
      this.database = await acquire(this.file, this.options);
    } catch (error) {
      throw wrap('open', error);
    }
  }

  async close(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    if (database) await release(this.file, database);
  }

  async ping(): Promise<boolean> {
    try {
      await this.read((db) => db.run('SELECT 1'));
      return true;
    } catch {
      return false;
    }
  }

  async writeSamples(samples: readonly CellSample[] | SampleColumns): Promise<void> {
    if (samples.length === 0) return;
    await this.guard('write', (database) => database.appendSamples(asColumns(samples)));
  }

  async writeStates(states: readonly StateMessage[]): Promise<void> {
    if (states.length === 0) return;
    await this.guard('write', (database) => database.appendStates(states));
  }

  async writeAlerts(alerts: readonly AlertEvent[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.guard('write', (database) => database.appendAlerts(alerts));
  }

  async putCellConfig(config: CellConfig): Promise<void> {
    await this.guard('write', async (database) => {
      await database.write((db) =>
        db.run('INSERT OR REPLACE INTO cell_config VALUES ($rig, $cell, $json)', {
          rig: config.rigId,
          cell: config.cellId,
          json: JSON.stringify(config),
        }),
      );
      database.configs.set(cellKey(config.rigId, config.cellId), config);
    });
  }

  /**
   * Upserts the checkpoints through a staging table in three statements: one `INSERT OR REPLACE` per
   * checkpoint held the writer ~1,000 round trips per checkpoint round at 1000 cells (0.3-0.9 s each on a
   * loaded machine), and samples and states queued behind them.
   */
  async writeCheckpoints(checkpoints: readonly DetectorCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    // The last of a cell wins, as it did row by row (one statement cannot upsert a key twice).
    const latest = new Map(checkpoints.map((c) => [cellKey(c.rigId, c.cellId), c]));
    await this.guard('write', (database) =>
      database.write((db) =>
        transaction(db, async () => {
          await db.run('DELETE FROM checkpoint_staging');
          const appender = await db.createAppender('checkpoint_staging');
          try {
            for (const c of latest.values()) {
              appender.appendVarchar(c.rigId);
              appender.appendVarchar(c.cellId);
              appender.appendDouble(c.ts);
              appender.appendInteger(c.version);
              appender.appendVarchar(c.state);
              appender.endRow();
            }
          } finally {
            appender.closeSync();
          }
          await db.run('INSERT OR REPLACE INTO detector_checkpoint SELECT * FROM checkpoint_staging');
        }),
      ),
    );
  }

  async readCheckpoints(): Promise<DetectorCheckpoint[]> {
    const rows = await this.rows(
      'SELECT rig, cell, ts, version, state FROM detector_checkpoint ORDER BY rig, cell',
      {},
    );
    return rows.map(([rig, cell, ts, version, state]) => ({
      rigId: rig as string,
      cellId: cell as string,
      ts: ts as number,
      version: version as number,
      state: state as string,
    }));
  }

  async getCellConfig(cell: CellKey): Promise<CellConfig | null> {
    return this.opened().configs.get(cellKey(cell.rigId, cell.cellId)) ?? null;
  }

  async listCellConfigs(): Promise<CellConfig[]> {
    return [...this.opened().configs.values()].sort(compareCells);
  }

  async listCells(): Promise<StoredCell[]> {
    const { configs, latest } = this.opened();
    const cells = new Map<string, StoredCell>();
    for (const [key, state] of latest) {
      cells.set(key, { rigId: state.rigId, cellId: state.cellId, configured: configs.has(key), state });
    }
    for (const [key, config] of configs) {
      if (!cells.has(key))
        cells.set(key, { rigId: config.rigId, cellId: config.cellId, configured: true, state: null });
    }
    return [...cells.values()].sort(compareCells);
  }

  async queryTelemetry(cell: CellKey, query: TelemetryQuery): Promise<TelemetryPoint[]> {
    const values: Record<string, DuckDBValue> = {
      rig: cell.rigId,
      cell: cell.cellId,
      from: msToMicros(query.from ?? TS_MIN_MS),
      to: msToMicros(query.to ?? TS_MAX_MS),
    };
    const where = 'rig = $rig AND cell = $cell AND ts_us >= $from::BIGINT AND ts_us <= $to::BIGINT';
    if (query.every !== undefined) {
      const every_us = Math.round(bucketMs(query.every) * 1000);
      // Up to a bound, the cell's rows are read and averaged here: DuckDB's GROUP BY cost 13-14 ms of CPU
      // for the few hundred rows of a dashboard's window, where reading them and averaging in JS costs 8-10
      // (a streamed result costs 50: a round trip per chunk). Longer ranges are grouped by DuckDB.
      const bound = this.options.rowsAveragedInJs ?? 100_000;
      const means = await this.read(async (db) => {
        const result = await db.run(
          `SELECT ts_us::DOUBLE, v, i, t, p FROM telemetry WHERE ${where} LIMIT ${bound + 1}`,
          values,
        );
        if (result.rowCount > bound) return undefined;
        const means = new BucketMeans(every_us);
        for (let c = 0; c < result.chunkCount; c++) means.add(result.getChunk(c));
        return means;
      });
      if (means) return means.points(query.limit);
      const rows = await this.rows(
        `SELECT ((ts_us // $every::BIGINT) * $every::BIGINT)::DOUBLE AS bucket, avg(v), avg(i), avg(t), avg(p)
         FROM telemetry WHERE ${where} GROUP BY bucket ORDER BY bucket LIMIT $limit`,
        { ...values, every: every_us, limit: query.limit },
      );
      return rows.map(telemetryPoint);
    }
    const rows = await this.rows(
      `SELECT ts_us::DOUBLE, v, i, t, p FROM telemetry WHERE ${where} ORDER BY ts_us LIMIT $limit`,
      { ...values, limit: query.limit },
    );
    return rows.map(telemetryPoint);
  }

  async queryAlerts(query: AlertsQuery): Promise<AlertEvent[]> {
    const memory = this.opened().alerts;
    if (memory) return alertsFromMemory(memory.values(), query);
    const conditions: string[] = [];
    const values: Record<string, DuckDBValue> = { limit: query.limit };
    if (query.rigId !== undefined) {
      conditions.push('rig = $rig');
      values.rig = query.rigId;
    }
    if (query.cellId !== undefined) {
      conditions.push('cell = $cell');
      values.cell = query.cellId;
    }
    if (query.since !== undefined) {
      conditions.push('ts_us >= $since::BIGINT');
      values.since = msToMicros(query.since);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    let sql = `SELECT id, ts_us, state, json FROM alert ${where}
               QUALIFY row_number() OVER (PARTITION BY id ORDER BY ts_us DESC) = 1`;
    let outer = '';
    if (query.state !== undefined) {
      outer = 'WHERE state = $state';
      values.state = query.state;
    }
    sql = `SELECT json FROM (${sql}) ${outer} ORDER BY ts_us DESC, id LIMIT $limit`;
    const rows = await this.rows(sql, values);
    return rows.map((row) => JSON.parse(row[0] as string) as AlertEvent);
  }

  /** Memory DuckDB holds (its buffer pool: cached blocks, write buffers), bounded by memoryLimit_MB. */
  async memoryUsage_bytes(): Promise<number> {
    const rows = await this.rows('SELECT sum(memory_usage_bytes)::DOUBLE FROM duckdb_memory()');
    return (rows[0]?.[0] as number | null) ?? 0;
  }

  async countSamples(cell: CellKey): Promise<number> {
    const rows = await this.rows('SELECT count(*)::DOUBLE FROM telemetry WHERE rig = $rig AND cell = $cell', {
      rig: cell.rigId,
      cell: cell.cellId,
    });
    return (rows[0]?.[0] as number | undefined) ?? 0;
  }

  async writeCycles(cycles: readonly CycleSummary[]): Promise<void> {
    if (cycles.length === 0) return;
    await this.guard('write', (database) => {
      // Before the write: a read meanwhile asks DuckDB, which answers what is committed.
      for (const cycle of cycles) database.cellsWithCycles.add(cellKey(cycle.rigId, cycle.cellId));
      return database.write((db) =>
        transaction(db, async () => {
          for (const cycle of cycles) {
            await db.run('INSERT OR REPLACE INTO cycle VALUES ($rig, $cell, $cycle, $start::BIGINT, $json)', {
              rig: cycle.rigId,
              cell: cycle.cellId,
              cycle: cycle.cycle,
              start: msToMicros(cycle.start),
              json: JSON.stringify(cycle),
            });
          }
        }),
      );
    });
  }

  async queryCycles(cell: CellKey): Promise<CycleSummary[]> {
    if (!this.opened().cellsWithCycles.has(cellKey(cell.rigId, cell.cellId))) return [];
    const rows = await this.rows('SELECT json FROM cycle WHERE rig = $rig AND cell = $cell ORDER BY cycle', {
      rig: cell.rigId,
      cell: cell.cellId,
    });
    return rows.map((row) => JSON.parse(row[0] as string) as CycleSummary);
  }

  /**
   * Keyset paging within time windows: one aggregate finds the range's count and span, then each query
   * reads a window expected to hold about a page (`ORDER BY … LIMIT` over the whole rest of the table would
   * sort it again for every page). A window with more than a page is continued after its last row.
   */
  async *readSamplePages(cell: CellKey, query: SamplePagesQuery): AsyncGenerator<SamplePage> {
    const pageSize = query.pageSize ?? 50_000;
    const cellValues = { rig: cell.rigId, cell: cell.cellId };
    const [stats] = await this.rows(
      `SELECT count(*)::DOUBLE, min(ts_us)::DOUBLE, max(ts_us)::DOUBLE FROM telemetry
       WHERE rig = $rig AND cell = $cell AND ts_us >= $from::BIGINT AND ts_us <= $to::BIGINT`,
      { ...cellValues, from: msToMicros(query.from ?? TS_MIN_MS), to: msToMicros(query.to ?? TS_MAX_MS) },
    );
    const [count, first, last] = (stats ?? [0, 0, 0]) as [number, number, number];
    if (!(count > 0)) return;
    const span_us = Math.max(1, Math.ceil(((last - first + 1) * pageSize) / count));
    let after = first - 1;
    while (after < last) {
      const windowEnd = Math.min(after + span_us, last);
      const page = await this.read(async (db) => {
        const result = await db.run(
          `SELECT ts_us::DOUBLE / 1000, v, i, t, p, cycle::DOUBLE, step::DOUBLE FROM telemetry
           WHERE rig = $rig AND cell = $cell AND ts_us > $after::BIGINT AND ts_us <= $end::BIGINT
           ORDER BY ts_us LIMIT $limit`,
          { ...cellValues, after, end: windowEnd, limit: pageSize },
        );
        // Straight from DuckDB's vectors into the page: no value object or row array per sample.
        const out = emptySamplePage(result.rowCount);
        const targets = [out.ts, out.v, out.i, out.t, out.p, out.cycle, out.step];
        let offset = 0;
        for (let c = 0; c < result.chunkCount; c++) {
          const chunk = result.getChunk(c);
          for (let column = 0; column < targets.length; column++) {
            readDoubles(chunk.getColumnVector(column), chunk.rowCount, targets[column]!, offset);
          }
          offset += chunk.rowCount;
        }
        return out;
      });
      const length = page.length;
      after = length === pageSize ? msToMicros(page.ts[length - 1]!) : windowEnd;
      if (length === 0) continue;
      yield page;
    }
  }

  private opened(): EmbeddedDatabase {
    if (!this.database) throw new StoreError('embedded store is not open', false);
    return this.database;
  }

  private rows(sql: string, values?: Record<string, DuckDBValue>): Promise<DuckDBValue[][]> {
    return this.read(async (db) => (await db.runAndReadAll(sql, values)).getRows());
  }

  private read<T>(task: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.guard('query', (database) => database.read(task));
  }

  /** Runs `task` on the open database; errors become StoreError. */
  private async guard<T>(what: string, task: (database: EmbeddedDatabase) => Promise<T>): Promise<T> {
    const database = this.opened();
    try {
      return await task(database);
    } catch (error) {
      throw wrap(what, error);
    }
  }
}

/** A row of (ts_us, v, i, t, p) as a point; NULL v or i stays null, NULL t or p is left out. */
function telemetryPoint([ts_us, v, i, t, p]: DuckDBValue[]): TelemetryPoint {
  const point: TelemetryPoint = {
    ts: (ts_us as number) / 1000,
    v: (v as number | null) ?? null,
    i: (i as number | null) ?? null,
  };
  if (typeof t === 'number') point.t = t;
  if (typeof p === 'number') point.p = p;
  return point;
}

/**
 * Means of v, i, t and p over buckets of `every_us` aligned on the epoch (as InfluxQL's GROUP BY time()),
 * what the SQL fallback of queryTelemetry answers; a NULL value is left out of its column's mean. Rows
 * come in any order.
 */
class BucketMeans {
  private readonly index = new Map<number, number>();
  private readonly starts: number[] = [];
  /** Per bucket and column (v, i, t, p): sum and count, at 8 × bucket + 2 × column. */
  private readonly sums: number[] = [];
  private columns = [0, 1, 2, 3, 4].map(() => new Float64Array(2048));

  constructor(private readonly every_us: number) {}

  /** A chunk of (ts_us, v, i, t, p) DOUBLE columns. */
  add(chunk: DuckDBDataChunk): void {
    const rows = chunk.rowCount;
    if (rows > this.columns[0]!.length) this.columns = this.columns.map(() => new Float64Array(rows));
    for (let c = 0; c < 5; c++) readDoubles(chunk.getColumnVector(c), rows, this.columns[c]!, 0);
    const [ts, ...values] = this.columns as [Float64Array, ...Float64Array[]];
    for (let n = 0; n < rows; n++) {
      const ts_us = ts[n]!;
      // Truncated toward zero like the integer division `ts_us // every` of the SQL (exact in doubles).
      const start = ts_us - (ts_us % this.every_us);
      let b = this.index.get(start);
      if (b === undefined) {
        b = this.starts.length;
        this.index.set(start, b);
        this.starts.push(start);
        this.sums.push(0, 0, 0, 0, 0, 0, 0, 0);
      }
      for (let c = 0; c < 4; c++) {
        const value = values[c]![n]!;
        if (value !== value) continue; // NULL
        const at = 8 * b + 2 * c;
        this.sums[at] = this.sums[at]! + value;
        this.sums[at + 1] = this.sums[at + 1]! + 1;
      }
    }
  }

  /** The first `limit` buckets in time order. */
  points(limit: number): TelemetryPoint[] {
    const order = this.starts.map((_, b) => b).sort((a, b) => this.starts[a]! - this.starts[b]!);
    return order.slice(0, limit).map((b) => {
      const mean = (c: number) => {
        const count = this.sums[8 * b + 2 * c + 1]!;
        return count > 0 ? this.sums[8 * b + 2 * c]! / count : null;
      };
      const point: TelemetryPoint = { ts: this.starts[b]! / 1000, v: mean(0), i: mean(1) };
      const t = mean(2);
      const p = mean(3);
      if (t !== null) point.t = t;
      if (p !== null) point.p = p;
      return point;
    });
  }
}

/** What the SQL of queryAlerts answers, over each alert's latest event. */
function alertsFromMemory(alerts: Iterable<AlertEvent>, query: AlertsQuery): AlertEvent[] {
  const since_us = query.since === undefined ? -Infinity : msToMicros(query.since);
  const found: { alert: AlertEvent; ts_us: number }[] = [];
  for (const alert of alerts) {
    if (query.rigId !== undefined && alert.rigId !== query.rigId) continue;
    if (query.cellId !== undefined && alert.cellId !== query.cellId) continue;
    if (query.state !== undefined && alert.state !== query.state) continue;
    const ts_us = msToMicros(alert.ts);
    if (ts_us < since_us) continue;
    found.push({ alert, ts_us });
  }
  found.sort((a, b) => b.ts_us - a.ts_us || (a.alert.id < b.alert.id ? -1 : a.alert.id > b.alert.id ? 1 : 0));
  return found.slice(0, query.limit).map((f) => f.alert);
}

async function transaction(db: DuckDBConnection, body: () => Promise<void>): Promise<void> {
  await db.run('BEGIN TRANSACTION');
  try {
    await body();
    await db.run('COMMIT');
  } catch (error) {
    await db.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function wrap(what: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // I/O trouble (a full disk, a file another process holds) can pass; anything else is a bad write or query.
  const retryable = /IO Error|Could not set lock|Out of Memory/i.test(message);
  return new StoreError(`embedded store ${what} failed: ${message}`, retryable, undefined, { cause: error });
}
