/**
 * Fixed-capacity ring buffer of rows of numbers (one column per series), for live plots: memory stays
 * constant however long the page is open. NaN marks a missing value and comes out as null, which uPlot
 * draws as a gap.
 */
export class RingBuffer {
  readonly capacity: number;
  readonly columns: number;
  private readonly data: Float64Array[];
  private start = 0;
  private size = 0;

  constructor(capacity: number, columns: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    if (!Number.isInteger(columns) || columns < 1)
      throw new RangeError(`columns must be ≥ 1, got ${columns}`);
    this.capacity = capacity;
    this.columns = columns;
    this.data = Array.from({ length: columns }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.size;
  }

  /** Appends one row (missing trailing values are NaN); once full, overwrites the oldest row. */
  push(row: readonly (number | null | undefined)[]): void {
    const index = (this.start + this.size) % this.capacity;
    for (let c = 0; c < this.columns; c++) {
      const value = row[c];
      this.data[c]![index] = value === null || value === undefined ? Number.NaN : value;
    }
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  clear(): void {
    this.start = 0;
    this.size = 0;
  }

  /** Value of column `column` in the row `age` rows back from the newest (0 = newest), or undefined. */
  fromEnd(column: number, age = 0): number | undefined {
    if (age < 0 || age >= this.size) return undefined;
    const value = this.data[column]![(this.start + this.size - 1 - age) % this.capacity]!;
    return value;
  }

  /** One column, oldest first, NaN as null (the shape uPlot's setData takes). */
  column(column: number): (number | null)[] {
    const source = this.data[column];
    if (!source) throw new RangeError(`no column ${column}`);
    const out = new Array<number | null>(this.size);
    for (let k = 0; k < this.size; k++) {
      const value = source[(this.start + k) % this.capacity]!;
      out[k] = Number.isNaN(value) ? null : value;
    }
    return out;
  }
}
