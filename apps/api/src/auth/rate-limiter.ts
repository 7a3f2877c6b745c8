/**
 * Token bucket per client: `perMinute` writes, refilled continuously, bursts up to the same number.
 * Buckets of clients idle long enough to be full again are dropped, so memory stays bounded.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at_ms: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `client`; false when the client is over its rate. */
  take(client: string): boolean {
    const now = this.now();
    const refill_per_ms = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at_ms: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at_ms) * refill_per_ms);
    bucket.at_ms = now;
    if (bucket.tokens < 1) {
      this.buckets.set(client, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(client, bucket);
    if (this.buckets.size > 10_000) this.dropFull(now, refill_per_ms);
    return true;
  }

  private dropFull(now: number, refill_per_ms: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at_ms) * refill_per_ms >= this.perMinute) this.buckets.delete(client);
    }
  }
}
