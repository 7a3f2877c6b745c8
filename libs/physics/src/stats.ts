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

  median(): number {
    return median(this.values);
  }

  max(): number {
    return this.values.length === 0 ? NaN : Math.max(...this.values);
  }

  min(): number {
    return this.values.length === 0 ? NaN : Math.min(...this.values);
  }

  mean(): number {
    if (this.values.length === 0) return NaN;
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  clear(): void {
    this.values.length = 0;
  }
}
