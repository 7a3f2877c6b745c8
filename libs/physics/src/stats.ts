/** Median of a small array (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? hi : 0.5 * ((sorted[mid - 1] ?? NaN) + hi);
}

/** Fixed-capacity window of the most recent values: a ring buffer, nothing allocated after construction. */
export class RecentWindow {
  private readonly values: Float64Array;
  private readonly scratch: Float64Array;
  /** Index the next value goes to, and how many values are held. */
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Median by insertion sort into a reused array (windows are small); NaN when empty. */
  median(): number {
    const n = this.count;
    if (n === 0) return NaN;
    const a = this.scratch;
    // The held values are the first `count` slots until the ring wraps, then all of them: order does
    // not matter for a median.
    for (let i = 0; i < n; i++) {
      const v = this.values[i]!;
      let j = i - 1;
      while (j >= 0 && a[j]! > v) {
        a[j + 1] = a[j]!;
        j--;
      }
      a[j + 1] = v;
    }
    const mid = n >> 1;
    return n % 2 === 1 ? a[mid]! : 0.5 * (a[mid - 1]! + a[mid]!);
  }

  max(): number {
    if (this.count === 0) return NaN;
    let m = -Infinity;
    for (let i = 0; i < this.count; i++) if (this.values[i]! > m) m = this.values[i]!;
    return m;
  }

  min(): number {
    if (this.count === 0) return NaN;
    let m = Infinity;
    for (let i = 0; i < this.count; i++) if (this.values[i]! < m) m = this.values[i]!;
    return m;
  }

  mean(): number {
    if (this.count === 0) return NaN;
    let sum = 0;
    for (let i = 0; i < this.count; i++) sum += this.values[i]!;
    return sum / this.count;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }
}
