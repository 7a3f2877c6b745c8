import { DuckDBDataChunk, DuckDBDoubleType, DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { readDoubles, writeDoubles } from './duckdb-vectors.js';

describe('DuckDB double vectors ↔ Float64Array', () => {
  it('round-trips values and NULLs (as NaN) at every bit position of the validity mask', async () => {
    const rows = 2048;
    // NULL at k ≡ 0 mod 7 and at the 32/64-bit word edges.
    const isNull = (k: number) => k % 7 === 0 || k === 31 || k === 32 || k === 63 || k === 64 || k === 2047;
    const source = Float64Array.from({ length: rows }, (_, k) => (isNull(k) ? NaN : k * 0.5 - 100));
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      await db.run('CREATE TABLE t (x DOUBLE)');
      const appender = await db.createAppender('t');
      const chunk = DuckDBDataChunk.create([DuckDBDoubleType.instance], rows);
      writeDoubles(chunk.getColumnVector(0), source, 0, rows);
      appender.appendDataChunk(chunk);
      appender.closeSync();
      const counts = (
        await db.runAndReadAll('SELECT count(x)::DOUBLE, count(*)::DOUBLE, sum(x) FROM t')
      ).getRows();
      const expectedValid = [...source].filter((x) => !Number.isNaN(x));
      expect(counts[0]).toEqual([expectedValid.length, rows, expectedValid.reduce((a, b) => a + b, 0)]);

      const result = await db.run('SELECT x FROM t');
      const target = new Float64Array(rows + 5).fill(-1);
      let offset = 5;
      for (let c = 0; c < result.chunkCount; c++) {
        const read = result.getChunk(c);
        readDoubles(read.getColumnVector(0), read.rowCount, target, offset);
        offset += read.rowCount;
      }
      expect([...target.subarray(0, 5)]).toEqual([-1, -1, -1, -1, -1]);
      expect([...target.subarray(5)]).toEqual([...source]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});
