import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Writes a table to a Parquet file with DuckDB (`COPY … TO … (FORMAT parquet)`): rows are appended to a
 * scratch database on disk with a small memory limit, so a long series spills to disk instead of
 * growing the process; the caller streams the file and then calls `dispose`.
 */
export class ParquetFile {
  private constructor(
    private readonly dir: string,
    private readonly instance: DuckDBInstance,
    readonly file: string,
  ) {}

  /**
   * Columns are DOUBLE; `fill` appends rows through `append(values)` (null = absent) and resolves when
   * done. Returns the written file.
   */
  static async write(
    columns: readonly string[],
    fill: (append: (values: readonly (number | null)[]) => void) => Promise<void>,
  ): Promise<ParquetFile> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sandglass-export-'));
    const instance = await DuckDBInstance.create(path.join(dir, 'scratch.duckdb'), {
      memory_limit: '128MB',
      threads: '1',
    });
    const out = new ParquetFile(dir, instance, path.join(dir, 'export.parquet'));
    try {
      const db = await instance.connect();
      try {
        const quoted = columns.map((c) => `"${c.replace(/"/g, '""')}" DOUBLE`).join(', ');
        await db.run(`CREATE TABLE export (${quoted})`);
        const appender = await db.createAppender('export');
        try {
          await fill((values) => {
            for (const value of values) {
              if (value === null || value !== value) appender.appendNull();
              else appender.appendDouble(value);
            }
            appender.endRow();
          });
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        await db.run(`COPY export TO '${out.file.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
      } finally {
        db.closeSync();
      }
    } catch (error) {
      await out.dispose();
      throw error;
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.instance.closeSync();
    await rm(this.dir, { recursive: true, force: true });
  }
}
