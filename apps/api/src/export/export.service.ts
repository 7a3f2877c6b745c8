import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { ExportQuery } from '#contracts';
import { TELEMETRY_STORE, type CellKey, type TelemetryStore } from '#store';
import {
  CYCLE_COLUMNS,
  INTEGER_COLUMNS,
  SAMPLE_COLUMNS,
  cycleRow,
  cyclesCsvHeader,
  cyclesCsvRows,
} from './bdf.js';
import { ExportTable } from './export-table.js';

/** What an export answers: the body as a stream, its content type and a file name. */
export interface ExportBody {
  stream: Readable;
  contentType: string;
  fileName: string;
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' };

/**
 * Exports a cell's samples or per-cycle table as CSV or Parquet with Battery Data Format column names.
 * Samples are read from the store page by page (keyset paging) into a scratch DuckDB table on disk,
 * which DuckDB writes out as CSV or Parquet; the file is streamed and deleted. No format holds the
 * series in memory.
 */
@Injectable()
export class ExportService {
  constructor(@Inject(TELEMETRY_STORE) private readonly store: TelemetryStore) {}

  async export(cell: CellKey, query: ExportQuery): Promise<ExportBody> {
    const base = `${cell.rigId}_${cell.cellId}_${query.table}`;
    const fileName = query.format === 'csv' ? `${base}.csv` : `${base}.bdf.parquet`;
    const contentType = CONTENT_TYPES[query.format];
    if (query.table === 'cycles' && query.format === 'csv') {
      const cycles = await this.store.queryCycles(cell);
      return { stream: Readable.from([cyclesCsvHeader(), cyclesCsvRows(cycles)]), contentType, fileName };
    }
    const table = await ExportTable.create(
      query.table === 'cycles' ? CYCLE_COLUMNS : SAMPLE_COLUMNS,
      INTEGER_COLUMNS,
    );
    try {
      if (query.table === 'cycles') await this.fillCycles(table, cell);
      else await this.fillSamples(table, cell, query);
      const file = await table.write(query.format);
      const stream = createReadStream(file);
      stream.once('close', () => void table.dispose());
      return { stream, contentType, fileName };
    } catch (error) {
      await table.dispose();
      throw error;
    }
  }

  private async fillSamples(table: ExportTable, cell: CellKey, query: ExportQuery): Promise<void> {
    let t0_ms = NaN;
    for await (const page of this.store.readSamplePages(cell, {
      ...(query.from === undefined ? {} : { from: query.from }),
      ...(query.to === undefined ? {} : { to: query.to }),
    })) {
      if (t0_ms !== t0_ms && page.length > 0) t0_ms = page.ts[0]!;
      const testTime_s = new Float64Array(page.length);
      const unixTime_s = new Float64Array(page.length);
      for (let k = 0; k < page.length; k++) {
        testTime_s[k] = (page.ts[k]! - t0_ms) / 1000;
        unixTime_s[k] = page.ts[k]! / 1000;
      }
      // SAMPLE_COLUMNS order.
      table.append(
        [testTime_s, unixTime_s, page.v, page.i, page.t, page.p, page.cycle, page.step],
        page.length,
      );
    }
  }

  private async fillCycles(table: ExportTable, cell: CellKey): Promise<void> {
    const rows = (await this.store.queryCycles(cell)).map(cycleRow);
    const columns = CYCLE_COLUMNS.map((_, c) => rows.map((row) => row[c] ?? NaN));
    table.append(columns, rows.length);
  }
}
