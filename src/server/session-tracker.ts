// Session liveness on this server: every packet from a session pushes its deadline out, and a
// session whose deadline passes is expired (the server then proposes a closeSession entry).
// Deadlines are rounded up to a multiple of tickTime and kept in buckets, as ZooKeeper's
// ExpiryQueue does, so each tick looks at one bucket instead of every session.

export class SessionTracker {
  private readonly deadlineBySession = new Map<bigint, number>();
  private readonly timeoutBySession = new Map<bigint, number>();
  private readonly buckets = new Map<number, Set<bigint>>();

  constructor(private readonly tickTimeMs: number) {}

  get size(): number {
    return this.deadlineBySession.size;
  }

  timeoutOf(sessionId: bigint): number | undefined {
    return this.timeoutBySession.get(sessionId);
  }

  has(sessionId: bigint): boolean {
    return this.deadlineBySession.has(sessionId);
  }

  private roundUp(timeMs: number): number {
    return (Math.floor(timeMs / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  /** Starts tracking, or changes the timeout of, a session. */
  track(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    this.timeoutBySession.set(sessionId, timeoutMs);
    this.touch(sessionId, nowMs);
  }

  /** Pushes the deadline out; false when the session is not tracked (already expired or closed). */
  touch(sessionId: bigint, nowMs: number): boolean {
    const timeoutMs = this.timeoutBySession.get(sessionId);
    if (timeoutMs === undefined) return false;
    const deadline = this.roundUp(nowMs + timeoutMs);
    const previous = this.deadlineBySession.get(sessionId);
    if (previous === deadline) return true;
    if (previous !== undefined) this.buckets.get(previous)?.delete(sessionId);
    this.deadlineBySession.set(sessionId, deadline);
    let bucket = this.buckets.get(deadline);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(deadline, bucket);
    }
    bucket.add(sessionId);
    return true;
  }

  remove(sessionId: bigint): void {
    const deadline = this.deadlineBySession.get(sessionId);
    if (deadline !== undefined) this.buckets.get(deadline)?.delete(sessionId);
    this.deadlineBySession.delete(sessionId);
    this.timeoutBySession.delete(sessionId);
  }

  /** Forgets every session. */
  clear(): void {
    this.deadlineBySession.clear();
    this.timeoutBySession.clear();
    this.buckets.clear();
  }

  /** Removes and returns every session whose deadline is at or before `nowMs`. */
  expire(nowMs: number): bigint[] {
    const expired: bigint[] = [];
    for (const [deadline, bucket] of this.buckets) {
      if (deadline > nowMs) continue;
      for (const id of bucket) expired.push(id);
      this.buckets.delete(deadline);
    }
    for (const id of expired) {
      this.deadlineBySession.delete(id);
      this.timeoutBySession.delete(id);
    }
    return expired;
  }

  /** Session ids grouped by deadline, earliest first (for the `dump` command). */
  byDeadline(): Array<{ deadlineMs: number; sessions: bigint[] }> {
    return [...this.buckets]
      .filter(([, bucket]) => bucket.size > 0)
      .sort(([a], [b]) => a - b)
      .map(([deadlineMs, bucket]) => ({ deadlineMs, sessions: [...bucket] }));
  }
}
