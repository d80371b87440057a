// The leader's queue of read-index requests. A read is safe at the commit index the leader had when
// the read arrived, once a quorum of voters has answered a heartbeat round sent after that moment:
// then no newer leader can have committed anything the read would miss.

import type { NodeId } from "./types.js";

export interface PendingRead {
  /** Heartbeat round that must be acknowledged by a quorum (0 while waiting for a term commit). */
  round: number;
  index: number;
  from: NodeId;
  context: number;
}

export class ReadIndexQueue {
  private reads: PendingRead[] = [];
  private deferred: PendingRead[] = [];
  /** Never reset, so a late answer to an old round can never confirm a newer read. */
  private round = 0;
  private readonly ackedRound = new Map<NodeId, number>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Forget every pending read (a new term): their requesters time out and retry. */
  reset(): void {
    this.reads = [];
    this.deferred = [];
    this.ackedRound.clear();
  }

  full(): boolean {
    return this.reads.length + this.deferred.length >= this.limit;
  }

  currentRound(): number {
    return this.round;
  }

  /** Hold a read until the leader has committed an entry of its own term. */
  defer(read: PendingRead): void {
    this.deferred.push(read);
  }

  takeDeferred(): PendingRead[] {
    const out = this.deferred;
    this.deferred = [];
    return out;
  }

  /** Start a new heartbeat round for `read`; the caller broadcasts it. */
  start(read: PendingRead): void {
    this.round++;
    read.round = this.round;
    this.reads.push(read);
  }

  /** `from` answered round `round`; returns the reads now confirmed by a quorum, oldest first. */
  ack(from: NodeId, round: number, self: NodeId, voters: NodeId[], quorum: number): PendingRead[] {
    if (!voters.includes(from)) return [];
    this.ackedRound.set(from, Math.max(round, this.ackedRound.get(from) ?? 0));
    let confirmed = 0;
    for (const read of this.reads) {
      let acks = 0;
      for (const id of voters) if (id === self || (this.ackedRound.get(id) ?? 0) >= read.round) acks++;
      if (acks < quorum) break;
      confirmed++;
    }
    return this.reads.splice(0, confirmed);
  }
}
