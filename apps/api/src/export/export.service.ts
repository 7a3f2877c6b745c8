import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { ExportQuery } from '#contracts';
import { TELEMETRY_STORE, type CellKey, type TelemetryStore } from '#store';
import {
  CYCLE_COLUMNS,
  SAMPLE_COLUMNS,
  cycleRow,
  cyclesCsvHeader,
  cyclesCsvRows,
  samplesCsvHeader,
  samplesCsvRows,
} from './bdf.js';
import { ParquetFile } from './parquet.js';

/** What an export answers: the body as a stream, its content type and a file name. */
export interface ExportBody {
  stream: Readable;
  contentType: string;
  fileName: string;
}

/**
 * Exports a cell's samples or per-cycle table as CSV or Parquet with Battery Data Format column names.
 * Samples are read from the store page by page (keyset paging), so neither format holds the series in
 * memory: CSV is written page by page to the response, Parquet through a scratch DuckDB file on disk.
 */
@Injectable()
export class ExportService {
  constructor(@Inject(TELEMETRY_STORE) private readonly store: TelemetryStore) {}

  async export(cell: CellKey, query: ExportQuery): Promise<ExportBody> {
    const base = `${cell.rigId}_${cell.cellId}_${query.table}`;
    if (query.format === 'csv') {
      const stream =
        query.table === 'cycles'
          ? Readable.from(this.cyclesCsv(cell), { objectMode: false })
          : Readable.from(this.samplesCsv(cell, query), { objectMode: false });
      return { stream, contentType: 'text/csv; charset=utf-8', fileName: `${base}.csv` };
    }
    const parquet =
      query.table === 'cycles' ? await this.cyclesParquet(cell) : await this.samplesParquet(cell, query);
    const stream = createReadStream(parquet.file);
    const dispose = () => void parquet.dispose();
    stream.once('close', dispose);
    return { stream, contentType: 'application/vnd.apache.parquet', fileName: `${base}.bdf.parquet` };
  }

  private async *samplesCsv(cell: CellKey, query: ExportQuery): AsyncGenerator<string> {
    yield samplesCsvHeader();
    let t0_ms = NaN;
    for await (const page of this.store.readSamplePages(cell, range(query))) {
      if (t0_ms !== t0_ms && page.length > 0) t0_ms = page.ts[0]!;
      yield samplesCsvRows(page, t0_ms);
    }
  }

  private async *cyclesCsv(cell: CellKey): AsyncGenerator<string> {
    yield cyclesCsvHeader();
    yield cyclesCsvRows(await this.store.queryCycles(cell));
  }

  private samplesParquet(cell: CellKey, query: ExportQuery): Promise<ParquetFile> {
    return ParquetFile.write(SAMPLE_COLUMNS, async (append) => {
      const row = new Array<number>(SAMPLE_COLUMNS.length);
      let t0_ms = NaN;
      for await (const page of this.store.readSamplePages(cell, range(query))) {
        if (t0_ms !== t0_ms && page.length > 0) t0_ms = page.ts[0]!;
        for (let k = 0; k < page.length; k++) {
          row[0] = (page.ts[k]! - t0_ms) / 1000;
          row[1] = page.ts[k]! / 1000;
          row[2] = page.v[k]!;
          row[3] = page.i[k]!;
          row[4] = page.t[k]!;
          row[5] = page.p[k]!;
          row[6] = page.cycle[k]!;
          row[7] = page.step[k]!;
          append(row);
        }
      }
    });
  }

  private async cyclesParquet(cell: CellKey): Promise<ParquetFile> {
    const cycles = await this.store.queryCycles(cell);
    return ParquetFile.write(CYCLE_COLUMNS, async (append) => {
      for (const cycle of cycles) append(cycleRow(cycle));
    });
  }
}

function range(query: ExportQuery): { from?: number; to?: number } {
  return {
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.to === undefined ? {} : { to: query.to }),
  };
}
