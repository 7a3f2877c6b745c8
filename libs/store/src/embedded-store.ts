import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
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
import { StoreError, bucketMs } from './store-error.js';
import {
  emptySamplePage,
  type CellKey,
  type CellSample,
  type SamplePage,
  type SamplePagesQuery,
  type StoredCell,
  type TelemetryStore,
} from './telemetry-store.js';

export interface EmbeddedStoreOptions {
  /** Directory of the database file (created if needed); `:memory:` keeps everything in memory. */
  dataDir: string;
  /** File name inside dataDir. */
  fileName?: string;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS telemetry (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL,
     v DOUBLE, i DOUBLE, t DOUBLE, p DOUBLE, seq BIGINT, cycle BIGINT, step BIGINT,
     PRIMARY KEY (rig, cell, ts_us))`,
  `CREATE TABLE IF NOT EXISTS cell_state (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, ts_us BIGINT NOT NULL, risk VARCHAR, json VARCHAR NOT NULL,
     PRIMARY KEY (rig, cell, ts_us))`,
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
  `CREATE TABLE IF NOT EXISTS cycle (
     rig VARCHAR NOT NULL, cell VARCHAR NOT NULL, cycle BIGINT NOT NULL, start_us BIGINT NOT NULL,
     json VARCHAR NOT NULL, PRIMARY KEY (rig, cell, cycle))`,
  // The appender cannot upsert, so batches land here first (all DOUBLE: no BigInt per value) and are
  // moved over with a plain INSERT, or the upsert when a key is already there; `n` orders duplicates.
  `CREATE TEMP TABLE IF NOT EXISTS telemetry_staging (
     n INTEGER, rig VARCHAR, cell VARCHAR, ts_us DOUBLE,
     v DOUBLE, i DOUBLE, t DOUBLE, p DOUBLE, seq DOUBLE, cycle DOUBLE, step DOUBLE)`,
];

const STAGED_COLUMNS = `rig, cell, CAST(ts_us AS BIGINT), v, i, t, p,
  CAST(seq AS BIGINT), CAST(cycle AS BIGINT), CAST(step AS BIGINT)`;
/** New samples only: several times faster than the upsert, and fails whole on any key already there. */
const INSERT_STAGING = `INSERT INTO telemetry SELECT ${STAGED_COLUMNS} FROM telemetry_staging`;
/** The upsert, for batches that repeat stored samples (replays) or themselves: the last one wins. */
const MERGE_STAGING = `INSERT OR REPLACE INTO telemetry SELECT ${STAGED_COLUMNS} FROM telemetry_staging
  QUALIFY row_number() OVER (PARTITION BY rig, cell, ts_us ORDER BY n DESC) = 1`;

/**
 * Open DuckDB instances by file, with how many stores use each: DuckDB lets one process open a file once,
 * so stores of the same file share an instance, and the last one to close releases the file.
 */
const instances = new Map<string, { instance: Promise<DuckDBInstance>; users: number }>();

function acquire(file: string): Promise<DuckDBInstance> {
  if (file === ':memory:') return DuckDBInstance.create(':memory:');
  let entry = instances.get(file);
  if (!entry) {
    entry = { instance: DuckDBInstance.create(file), users: 0 };
    instances.set(file, entry);
    entry.instance.catch(() => instances.delete(file));
  }
  entry.users++;
  return entry.instance;
}

function release(file: string, instance: DuckDBInstance): void {
  const entry = instances.get(file);
  if (file === ':memory:' || !entry) {
    instance.closeSync();
    return;
  }
  if (--entry.users === 0) {
    instances.delete(file);
    instance.closeSync();
  }
}

/** NaN: the sample has no such value. */
function appendOptional(appender: DuckDBAppender, value: number): void {
  if (Number.isNaN(value)) appender.appendNull();
  else appender.appendDouble(value);
}

/**
 * TelemetryStore in one local DuckDB file — the default when no InfluxDB is configured. Same semantics as
 * the InfluxDB adapter: samples, states and alert events are keyed by their data time in microseconds and
 * upserted, so replays are idempotent; downsampling averages over epoch-aligned buckets.
 *
 * DuckDB lets one process open a file for writing: stores of one file in one process (ingest and api
 * modules) share its instance, and a second process cannot open it. Calls are serialised on one
 * connection because the staging table is per connection.
 */
export class EmbeddedStore implements TelemetryStore {
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmbeddedStoreOptions) {}

  get file(): string {
    if (this.options.dataDir === ':memory:') return ':memory:';
    return path.resolve(this.options.dataDir, this.options.fileName ?? 'sandglass.duckdb');
  }

  async open(): Promise<void> {
    if (this.connection) return;
    try {
      if (this.file !== ':memory:') mkdirSync(path.dirname(this.file), { recursive: true });
      this.instance = await acquire(this.file);
      this.connection = await this.instance.connect();
      for (const sql of SCHEMA) await this.connection.run(sql);
    } catch (error) {
      await this.close();
      throw wrap('open', error);
    }
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.connection?.closeSync();
    if (this.instance) release(this.file, this.instance);
    this.connection = undefined;
    this.instance = undefined;
  }

  async ping(): Promise<boolean> {
    try {
      await this.serial((db) => db.run('SELECT 1'));
      return true;
    } catch {
      return false;
    }
  }

  async writeSamples(samples: readonly CellSample[] | SampleColumns): Promise<void> {
    if (samples.length === 0) return;
    const c = asColumns(samples);
    await this.serial(async (db) => {
      await db.run('DELETE FROM telemetry_staging');
      const appender = await db.createAppender('telemetry_staging');
      try {
        for (let n = 0; n < c.length; n++) {
          appender.appendInteger(n);
          appender.appendVarchar(c.rigId[n]!);
          appender.appendVarchar(c.cellId[n]!);
          appender.appendDouble(Math.round(c.ts[n]! * 1000));
          appender.appendDouble(c.v[n]!);
          appender.appendDouble(c.i[n]!);
          appendOptional(appender, c.t[n]!);
          appendOptional(appender, c.p[n]!);
          appendOptional(appender, c.seq[n]!);
          appendOptional(appender, c.cycle[n]!);
          appendOptional(appender, c.step[n]!);
          appender.endRow();
        }
      } finally {
        appender.closeSync();
      }
      try {
        await db.run(INSERT_STAGING);
      } catch (error) {
        if (!/constraint|duplicate key/i.test(String(error))) throw error;
        await db.run(MERGE_STAGING);
      }
    });
  }

  async writeStates(states: readonly StateMessage[]): Promise<void> {
    if (states.length === 0) return;
    await this.serial((db) =>
      transaction(db, async () => {
        for (const state of states) {
          const values = {
            rig: state.rigId,
            cell: state.cellId,
            ts: msToMicros(state.ts),
            json: JSON.stringify(state),
          };
          await db.run('INSERT OR REPLACE INTO cell_state VALUES ($rig, $cell, $ts::BIGINT, $risk, $json)', {
            ...values,
            risk: state.risk,
          });
          await db.run(
            `INSERT INTO cell_latest VALUES ($rig, $cell, $ts::BIGINT, $json)
             ON CONFLICT (rig, cell) DO UPDATE SET ts_us = excluded.ts_us, json = excluded.json
             WHERE excluded.ts_us >= cell_latest.ts_us`,
            values,
          );
        }
      }),
    );
  }

  async writeAlerts(alerts: readonly AlertEvent[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.serial((db) =>
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
  }

  async putCellConfig(config: CellConfig): Promise<void> {
    await this.serial((db) =>
      db.run('INSERT OR REPLACE INTO cell_config VALUES ($rig, $cell, $json)', {
        rig: config.rigId,
        cell: config.cellId,
        json: JSON.stringify(config),
      }),
    );
  }

  async getCellConfig(cell: CellKey): Promise<CellConfig | null> {
    const rows = await this.rows('SELECT json FROM cell_config WHERE rig = $rig AND cell = $cell', {
      rig: cell.rigId,
      cell: cell.cellId,
    });
    const json = rows[0]?.[0];
    return typeof json === 'string' ? (JSON.parse(json) as CellConfig) : null;
  }

  async listCellConfigs(): Promise<CellConfig[]> {
    const rows = await this.rows('SELECT json FROM cell_config ORDER BY rig, cell');
    return rows.map((row) => JSON.parse(row[0] as string) as CellConfig);
  }

  async listCells(): Promise<StoredCell[]> {
    const rows = await this.rows(
      `SELECT coalesce(s.rig, c.rig), coalesce(s.cell, c.cell), c.rig IS NOT NULL, s.json
       FROM cell_latest s FULL OUTER JOIN cell_config c ON s.rig = c.rig AND s.cell = c.cell
       ORDER BY 1, 2`,
    );
    return rows.map(([rigId, cellId, configured, json]) => ({
      rigId: rigId as string,
      cellId: cellId as string,
      configured: configured === true,
      state: typeof json === 'string' ? (JSON.parse(json) as StateMessage) : null,
    }));
  }

  async queryTelemetry(cell: CellKey, query: TelemetryQuery): Promise<TelemetryPoint[]> {
    const values: Record<string, DuckDBValue> = {
      rig: cell.rigId,
      cell: cell.cellId,
      from: msToMicros(query.from ?? TS_MIN_MS),
      to: msToMicros(query.to ?? TS_MAX_MS),
      limit: query.limit,
    };
    const where = 'rig = $rig AND cell = $cell AND ts_us >= $from::BIGINT AND ts_us <= $to::BIGINT';
    let sql: string;
    if (query.every === undefined) {
      sql = `SELECT ts_us::DOUBLE, v, i, t, p FROM telemetry WHERE ${where} ORDER BY ts_us LIMIT $limit`;
    } else {
      values.every = bucketMs(query.every) * 1000;
      // Buckets start at multiples of `every` since the epoch, as InfluxQL's GROUP BY time() does.
      sql = `SELECT ((ts_us // $every::BIGINT) * $every::BIGINT)::DOUBLE AS bucket, avg(v), avg(i), avg(t), avg(p)
             FROM telemetry WHERE ${where} GROUP BY bucket ORDER BY bucket LIMIT $limit`;
    }
    const rows = await this.rows(sql, values);
    return rows.map(([ts_us, v, i, t, p]) => {
      const point: TelemetryPoint = {
        ts: (ts_us as number) / 1000,
        v: (v as number | null) ?? null,
        i: (i as number | null) ?? null,
      };
      if (typeof t === 'number') point.t = t;
      if (typeof p === 'number') point.p = p;
      return point;
    });
  }

  async queryAlerts(query: AlertsQuery): Promise<AlertEvent[]> {
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

  async countSamples(cell: CellKey): Promise<number> {
    const rows = await this.rows('SELECT count(*)::DOUBLE FROM telemetry WHERE rig = $rig AND cell = $cell', {
      rig: cell.rigId,
      cell: cell.cellId,
    });
    return (rows[0]?.[0] as number | undefined) ?? 0;
  }

  async writeCycles(cycles: readonly CycleSummary[]): Promise<void> {
    if (cycles.length === 0) return;
    await this.serial((db) =>
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
  }

  async queryCycles(cell: CellKey): Promise<CycleSummary[]> {
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
      const page = await this.serial(async (db) => {
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

  private async rows(sql: string, values?: Record<string, DuckDBValue>): Promise<DuckDBValue[][]> {
    return this.serial(async (db) => (await db.runAndReadAll(sql, values)).getRows());
  }

  /** Runs `task` after every earlier call on this store has finished; errors become StoreError. */
  private serial<T>(task: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const db = this.connection;
      if (!db) throw new StoreError('embedded store is not open', false);
      try {
        return await task(db);
      } catch (error) {
        throw wrap('query', error);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
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
  const retryable = /IO Error|Could not set lock/i.test(message);
  return new StoreError(`embedded store ${what} failed: ${message}`, retryable, undefined, { cause: error });
}
