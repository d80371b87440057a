// One call per interval, as ZooKeeper's RateLimiter(1, interval) guards snapshot and restore: a token
// refills once the interval has passed since the last granted call.

export class RateLimiter {
  private lastGrantedMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly nowMs: () => number,
  ) {}

  allow(): boolean {
    const now = this.nowMs();
    if (now - this.lastGrantedMs < this.intervalMs) return false;
    this.lastGrantedMs = now;
    return true;
  }
}
