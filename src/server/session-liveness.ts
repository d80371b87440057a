// Who keeps sessions alive, and who expires them. Sessions are replicated state, but liveness is not:
// a packet touches its session only on the server it reaches. The leader (a standalone server is
// one) keeps the expiry queue and alone proposes closeSession for sessions past their deadline; a
// follower records the sessions it saw in a touch table and hands it to the leader every half tick,
// as ZooKeeper's learners answer the leader's ping. A new leader gives every session a full timeout
// from its election, so no session expires for want of a leader (ENSEMBLE.md rule 2).

import { SessionTracker } from "./session-tracker.js";

export class SessionLiveness {
  /** The expiry queue; authoritative only while this server leads. */
  readonly tracker: SessionTracker;
  private leading = false;
  private touched = new Map<bigint, number>();

  constructor(tickTimeMs: number) {
    this.tracker = new SessionTracker(tickTimeMs);
  }

  get isLeading(): boolean {
    return this.leading;
  }

  /** This server now leads: every live session starts a full timeout now. */
  lead(sessions: Iterable<readonly [bigint, number]>, nowMs: number): void {
    this.leading = true;
    this.touched.clear();
    for (const [id, timeoutMs] of sessions) this.tracker.track(id, timeoutMs, nowMs);
  }

  /** This server follows (or waits for a leader): the leader's queue decides, not ours. */
  follow(): void {
    this.leading = false;
    this.tracker.clear();
  }

  /** A session's createSession entry applied (on every server). */
  created(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    if (this.leading) this.tracker.track(sessionId, timeoutMs, nowMs);
    else this.touched.set(sessionId, timeoutMs);
  }

  /** A session's closeSession entry applied. */
  closed(sessionId: bigint): void {
    this.tracker.remove(sessionId);
    this.touched.delete(sessionId);
  }

  /** A session renegotiated its timeout by reconnecting here. */
  reconnected(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    if (this.leading) this.tracker.track(sessionId, timeoutMs, nowMs);
    else this.touched.set(sessionId, timeoutMs);
  }

  /** Any packet of the session reached this server. */
  touch(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    if (this.leading) this.tracker.touch(sessionId, nowMs);
    else this.touched.set(sessionId, timeoutMs);
  }

  /** Sessions past their deadline, to close; none unless this server leads. */
  expire(nowMs: number): bigint[] {
    return this.leading ? this.tracker.expire(nowMs) : [];
  }

  /** The touch table since the last call, for the leader; empties it. */
  takeTouches(): Array<readonly [bigint, number]> {
    if (this.touched.size === 0) return [];
    const out = [...this.touched];
    this.touched = new Map();
    return out;
  }

  /** A follower's touch table reached the leader. */
  applyTouches(sessions: Iterable<readonly [bigint, number]>, nowMs: number): void {
    if (!this.leading) return;
    for (const [id] of sessions) this.tracker.touch(id, nowMs);
  }
}
