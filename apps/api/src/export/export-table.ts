import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DuckDBDataChunk,
  DuckDBDoubleType,
  DuckDBInstance,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { writeDoubles } from '#store';

export type ExportFileFormat = 'csv' | 'parquet';

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * A table of DOUBLE columns in a scratch DuckDB database on disk (memory limited, so a long series spills
 * to disk rather than growing the process), filled column-wise chunk by chunk and written out with
 * `COPY … TO … (FORMAT csv | parquet)` — DuckDB formats the numbers, far faster than JavaScript would.
 * The caller streams `file` and then calls `dispose`.
 */
export class ExportTable {
  private constructor(
    private readonly dir: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly columnCount: number,
    private readonly select: string,
  ) {}

  /** `integers`: columns written as integers (counts and indices; DOUBLE inside). */
  static async create(columns: readonly string[], integers: readonly string[] = []): Promise<ExportTable> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sandglass-export-'));
    try {
      const instance = await DuckDBInstance.create(path.join(dir, 'scratch.duckdb'), {
        memory_limit: '128MB',
        threads: '1',
      });
      const db = await instance.connect();
      const quote = (c: string) => `"${c.replace(/"/g, '""')}"`;
      await db.run(`CREATE TABLE export (${columns.map((c) => `${quote(c)} DOUBLE`).join(', ')})`);
      const select = columns
        .map((c) => (integers.includes(c) ? `CAST(${quote(c)} AS BIGINT) AS ${quote(c)}` : quote(c)))
        .join(', ');
      const appender = await db.createAppender('export');
      return new ExportTable(dir, instance, db, appender, columns.length, select);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Appends `length` rows given column-wise (NaN = absent). */
  append(columns: readonly ArrayLike<number>[], length: number): void {
    if (columns.length !== this.columnCount) throw new RangeError('column count mismatch');
    const types = columns.map(() => DuckDBDoubleType.instance);
    for (let start = 0; start < length; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, length - start);
      const chunk = DuckDBDataChunk.create(types, rows);
      for (let c = 0; c < columns.length; c++)
        writeDoubles(chunk.getColumnVector(c), columns[c]!, start, rows);
      this.appender.appendDataChunk(chunk);
    }
  }

  /** Writes the table to a file in the format; returns its path. */
  async write(format: ExportFileFormat): Promise<string> {
    this.appender.flushSync();
    const file = path.join(this.dir, `export.${format}`);
    const options = format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
    await this.db.run(
      `COPY (SELECT ${this.select} FROM export) TO '${file.replace(/'/g, "''")}' (${options})`,
    );
    return file;
  }

  async dispose(): Promise<void> {
    try {
      this.appender.closeSync();
    } catch {
      // already closed
    }
    this.db.closeSync();
    this.instance.closeSync();
    await rm(this.dir, { recursive: true, force: true });
  }
}
