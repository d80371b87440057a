// The leader's view of one follower: how much of the log it is known to hold (match), what to send
// next, and which of three modes the flow control is in. Probe sends one message per round trip until
// the follower's position is found; Replicate streams optimistically within a bounded window of
// in-flight messages; Snapshot waits for a snapshot to be installed.

import { invariant } from "./assert.js";

export const ProgressState = { Probe: "probe", Replicate: "replicate", Snapshot: "snapshot" } as const;
export type ProgressState = (typeof ProgressState)[keyof typeof ProgressState];

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = ProgressState.Probe;
  /** Probe: a message is outstanding; wait for its answer or the next heartbeat. */
  probeSent = false;
  /** Snapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heartbeat rounds spent in the Snapshot state, so a lost snapshot is retried. */
  snapshotRounds = 0;
  /** Heard from this peer since the last CheckQuorum round. */
  recentActive = false;
  isLearner: boolean;
  /** Last index of each in-flight append, oldest first; never longer than maxInflight. */
  readonly inflight: number[] = [];
  private readonly maxInflight: number;

  constructor(next: number, isLearner: boolean, maxInflight: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.maxInflight = maxInflight;
  }

  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    } else {
      this.next = this.match + 1;
    }
    this.reset(ProgressState.Probe);
  }

  becomeReplicate(): void {
    this.next = this.match + 1;
    this.reset(ProgressState.Replicate);
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.reset(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  private reset(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotRounds = 0;
    this.inflight.length = 0;
  }

  /** An acknowledgement up to `index`; returns whether it told us anything new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append after `rejected`; the follower hints that its log matches up to at most
   * `hint`. Returns false for a stale rejection that says nothing about the current state.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflight.length >= this.maxInflight;
      case ProgressState.Snapshot:
        return true;
    }
  }

  /** Record an optimistic send of entries up to `last` (Replicate) or a probe. */
  sentEntries(last: number, count: number): void {
    if (this.state === ProgressState.Replicate) {
      if (count > 0) {
        invariant(
          this.inflight.length < this.maxInflight,
          "bounded in-flight window",
          () => `${this.inflight.length}`,
        );
        this.next = last + 1;
        this.inflight.push(last);
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  /** Forget in-flight appends acknowledged up to `index`. */
  freeTo(index: number): void {
    let k = 0;
    while (k < this.inflight.length && this.inflight[k]! <= index) k++;
    this.inflight.splice(0, k);
  }

  /** A heartbeat answer with a full window frees one slot so replication cannot stall for good. */
  freeFirstIfFull(): void {
    if (this.inflight.length >= this.maxInflight) this.inflight.shift();
  }
}
