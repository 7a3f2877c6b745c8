import type { DuckDBVector } from '@duckdb/node-api';

/**
 * Fast paths between DuckDB DOUBLE vectors and Float64Arrays. @duckdb/node-api's per-item getItem/setItem
 * test and set validity bits with BigInt arithmetic, which costs more than everything else in an export;
 * its double vectors hold their values in a Float64Array (`items`) and their validity mask as 64-bit
 * words (`validity.data`, null when every item is valid), read here as 32-bit halves. Anything else
 * (another vector type, a future layout) takes the per-item path.
 */
interface RawDoubleVector {
  items?: unknown;
  validity?: { data?: BigUint64Array | null; setItemValid?(index: number, valid: boolean): void };
}

/** Copies `rows` values of a DOUBLE vector into `target` at `offset`; NULL becomes NaN. */
export function readDoubles(vector: DuckDBVector, rows: number, target: Float64Array, offset: number): void {
  const raw = vector as unknown as RawDoubleVector;
  const items = raw.items;
  const mask = raw.validity?.data;
  if (!(items instanceof Float64Array) || mask === undefined) {
    for (let k = 0; k < rows; k++) {
      const value = vector.getItem(k);
      target[offset + k] = typeof value === 'number' ? value : NaN;
    }
    return;
  }
  target.set(items.subarray(0, rows), offset);
  if (mask === null) return;
  const words = new Uint32Array(mask.buffer, mask.byteOffset, mask.length * 2);
  for (let k = 0; k < rows; k++) {
    // Little-endian: bit k of the 64-bit mask is bit (k mod 32) of 32-bit word k / 32.
    if (((words[k >>> 5]! >>> (k & 31)) & 1) === 0) target[offset + k] = NaN;
  }
}

/** Fills a fresh DOUBLE vector with `rows` values of `source` from `start`; NaN becomes NULL. Then flushes. */
export function writeDoubles(
  vector: DuckDBVector,
  source: ArrayLike<number>,
  start: number,
  rows: number,
): void {
  const raw = vector as unknown as RawDoubleVector;
  const items = raw.items;
  const validity = raw.validity;
  if (!(items instanceof Float64Array) || typeof validity?.setItemValid !== 'function') {
    for (let k = 0; k < rows; k++) {
      const value = source[start + k]!;
      vector.setItem(k, value === value ? value : null);
    }
  } else {
    for (let k = 0; k < rows; k++) {
      const value = source[start + k]!;
      items[k] = value;
      // A fresh vector is all valid: only NULLs need a bit.
      if (value !== value) validity.setItemValid(k, false);
    }
  }
  vector.flush();
}
