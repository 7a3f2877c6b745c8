import type { CellSample } from './telemetry-store.js';

/** The numeric fields of a sample, in the order of the columns. */
export const SAMPLE_COLUMN_FIELDS = ['ts', 'v', 'i', 't', 'p', 'seq', 'cycle', 'step'] as const;

/**
 * Samples of any number of cells held in columns, so a batch of thousands is a few arrays instead of an
 * object per sample: the shape ingest's write-ahead-log drainer decodes into and the stores write from
 * (objects per sample cost the drainer more in garbage collection than in encoding). An absent optional
 * value is NaN. Grows as samples are added.
 */
export class SampleColumns {
  length = 0;
  /** Per sample; the samples of one message share the strings. */
  rigId: string[] = [];
  cellId: string[] = [];
  ts: Float64Array;
  v: Float64Array;
  i: Float64Array;
  t: Float64Array;
  p: Float64Array;
  seq: Float64Array;
  cycle: Float64Array;
  step: Float64Array;

  constructor(capacity = 1024) {
    this.ts = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.i = new Float64Array(capacity);
    this.t = new Float64Array(capacity);
    this.p = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.cycle = new Float64Array(capacity);
    this.step = new Float64Array(capacity);
  }

  static of(samples: readonly CellSample[]): SampleColumns {
    const columns = new SampleColumns(Math.max(1, samples.length));
    for (const s of samples) {
      const k = columns.add(s.rigId, s.cellId, 1);
      columns.ts[k] = s.ts;
      columns.v[k] = s.v;
      columns.i[k] = s.i;
      columns.t[k] = s.t ?? NaN;
      columns.p[k] = s.p ?? NaN;
      columns.seq[k] = s.seq ?? NaN;
      columns.cycle[k] = s.cycle ?? NaN;
      columns.step[k] = s.step ?? NaN;
    }
    return columns;
  }

  /**
   * Makes room for `count` samples of one cell at the end and returns the index of the first; the
   * caller fills the numeric columns from there.
   */
  add(rigId: string, cellId: string, count: number): number {
    const start = this.length;
    const end = start + count;
    if (end > this.ts.length) this.grow(end);
    for (let k = start; k < end; k++) {
      this.rigId[k] = rigId;
      this.cellId[k] = cellId;
    }
    this.length = end;
    return start;
  }

  /** Sample `k` as an object (tests, small writes); absent optional fields are left out. */
  at(k: number): CellSample {
    const sample: CellSample = {
      rigId: this.rigId[k]!,
      cellId: this.cellId[k]!,
      ts: this.ts[k]!,
      v: this.v[k]!,
      i: this.i[k]!,
    };
    for (const field of ['t', 'p', 'seq', 'cycle', 'step'] as const) {
      const x = this[field][k]!;
      if (!Number.isNaN(x)) sample[field] = x;
    }
    return sample;
  }

  toSamples(): CellSample[] {
    return Array.from({ length: this.length }, (_, k) => this.at(k));
  }

  private grow(needed: number): void {
    const capacity = Math.max(needed, this.ts.length * 2);
    for (const field of SAMPLE_COLUMN_FIELDS) {
      const grown = new Float64Array(capacity);
      grown.set(this[field].subarray(0, this.length));
      this[field] = grown;
    }
  }
}

/** A store's input as columns (objects are converted, columns passed through). */
export function asColumns(samples: readonly CellSample[] | SampleColumns): SampleColumns {
  return samples instanceof SampleColumns ? samples : SampleColumns.of(samples);
}
