/** Median of a small array (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const hi = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? hi : 0.5 * ((sorted[mid - 1] ?? NaN) + hi);
}

/** Fixed-capacity window of the most recent values. */
export class RecentWindow {
  private readonly values: number[] = [];
  private readonly scratch: number[] = [];
  constructor(private readonly capacity: number) {}

  push(value: number): void {
    this.values.push(value);
    if (this.values.length > this.capacity) this.values.shift();
  }

  get size(): number {
    return this.values.length;
  }

  get full(): boolean {
    return this.values.length >= this.capacity;
  }

  /** Median without allocating: insertion sort of a copy in a reused array (windows are small). */
  median(): number {
    const n = this.values.length;
    if (n === 0) return NaN;
    const a = this.scratch;
    a.length = n;
    for (let i = 0; i < n; i++) {
      const v = this.values[i] ?? NaN;
      let j = i - 1;
      while (j >= 0 && (a[j] ?? 0) > v) {
        a[j + 1] = a[j] ?? 0;
        j--;
      }
      a[j + 1] = v;
    }
    const mid = n >> 1;
    return n % 2 === 1 ? (a[mid] ?? NaN) : 0.5 * ((a[mid - 1] ?? NaN) + (a[mid] ?? NaN));
  }

  max(): number {
    let m = -Infinity;
    for (const v of this.values) if (v > m) m = v;
    return this.values.length === 0 ? NaN : m;
  }

  min(): number {
    let m = Infinity;
    for (const v of this.values) if (v < m) m = v;
    return this.values.length === 0 ? NaN : m;
  }

  mean(): number {
    if (this.values.length === 0) return NaN;
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  clear(): void {
    this.values.length = 0;
  }
}
