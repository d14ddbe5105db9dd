/** One allowance to check: `perMinute` requests for `key`. */
export interface Allowance {
  key: string;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  at: number;
  perMinute: number;
}

const MAX_BUCKETS = 100_000;

/**
 * Token buckets: each key holds up to `perMinute` tokens and regains them evenly over a minute, so
 * bursts up to the allowance pass and a steady rate above it does not.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes one token from every allowance, or none when any is exhausted.
   * Answers 0 when allowed, otherwise the seconds until the request would pass.
   */
  take(allowances: Allowance[]): number {
    const now = this.now();
    this.sweep(now);
    let wait = 0;
    const buckets = allowances.map((a) => {
      const b = this.refill(a, now);
      if (b.tokens < 1) wait = Math.max(wait, ((1 - b.tokens) * 60_000) / a.perMinute);
      return b;
    });
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    for (const b of buckets) b.tokens -= 1;
    return 0;
  }

  private refill(a: Allowance, now: number): Bucket {
    let b = this.buckets.get(a.key);
    if (!b) {
      if (this.buckets.size >= MAX_BUCKETS) {
        // Forget the oldest keys rather than grow without bound under a flood of addresses.
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: a.perMinute, at: now, perMinute: a.perMinute };
      this.buckets.set(a.key, b);
      return b;
    }
    b.tokens = Math.min(a.perMinute, b.tokens + ((now - b.at) * a.perMinute) / 60_000);
    b.at = now;
    b.perMinute = a.perMinute;
    return b;
  }

  /** Drops buckets that have refilled completely: they hold no information. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * b.perMinute) / 60_000 >= b.perMinute) this.buckets.delete(key);
    }
  }
}
