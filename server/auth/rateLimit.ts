/**
 * Login rate limiting: a sliding window of failures per key (account name and client address are
 * limited separately by the caller). Clock injected. In memory per instance: behind several
 * instances an attacker gets at most (instances × limit) tries per window, which the window bounds.
 */
export interface RateLimitOptions {
  /** failures allowed inside the window */
  limit: number;
  windowMs: number;
  now: () => number;
  /** keys tracked at most (oldest evicted) so the map stays bounded */
  maxKeys?: number;
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly opts: RateLimitOptions) {}

  /** ms until the key may try again; 0 = allowed now. */
  retryAfter(key: string): number {
    const list = this.recent(key);
    if (list.length < this.opts.limit) return 0;
    return list[0]! + this.opts.windowMs - this.opts.now();
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.opts.now());
    this.failures.delete(key);
    this.failures.set(key, list);
    const max = this.opts.maxKeys ?? 10_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.opts.now() - this.opts.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}
