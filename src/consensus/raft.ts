// The Raft state machine of one replica, in the shape of etcd-io/raft: messages and ticks go in,
// outgoing messages accumulate in `msgs`, and the log records what must be persisted and applied.
// It owns elections (PreVote, CheckQuorum leases, transfers), replication with flow control, commit
// by counting current-term entries, snapshots to lagging peers, read-index rounds and membership.

import { invariant } from "./assert.js";
import { applyConfChange, type ConfChange, encodeConfChange } from "./confchange.js";
import { RaftLog } from "./log.js";
import { Progress, ProgressState } from "./progress.js";
import { type PendingRead, ReadIndexQueue } from "./readindex.js";
import { type ReadState, Role } from "./ready.js";
import {
  type ConfState,
  type Entry,
  EntryType,
  emptyMessage,
  type HardState,
  type Message,
  MessageType,
  NONE,
  type NodeId,
  type Rng,
  type Snapshot,
} from "./types.js";
import { EPOCH_MAX, makeZxid, ZXID_COUNTER_MAX, zxidCounter, zxidEpoch } from "./zxid.js";

export interface RaftConfig {
  id: NodeId;
  /** Membership when the ensemble was first formed (zoo.cfg); used while no snapshot says otherwise. */
  initialConf: ConfState;
  /** Ticks without hearing from a leader before campaigning (randomised in [n, 2n)). */
  electionTick: number;
  heartbeatTick: number;
  rng: Rng;
  preVote: boolean;
  checkQuorum: boolean;
  /** Appends in flight per follower in the Replicate state. */
  maxInflight: number;
  maxEntriesPerMessage: number;
  maxCommittedPerReady: number;
  maxPendingReads: number;
  /** Highest zxid counter before the leader forces a new epoch; ZXID_COUNTER_MAX outside tests. */
  zxidCounterMax: number;
}

export type RaftTuning = Omit<RaftConfig, "id" | "initialConf" | "rng">;

export const defaultRaftTuning: Readonly<RaftTuning> = {
  electionTick: 10,
  heartbeatTick: 1,
  preVote: true,
  checkQuorum: true,
  maxInflight: 64,
  maxEntriesPerMessage: 256,
  maxCommittedPerReady: 1024,
  maxPendingReads: 4096,
  zxidCounterMax: ZXID_COUNTER_MAX,
};

/** What a replica finds on its disk at start: empty for a brand-new member. */
export interface RaftStorage {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
  /**
   * The index the host's state machine already reflects (it replayed the log that far at start-up);
   * at most hardState.commit. Committed entries up to it are not handed out again. Default: the
   * snapshot's index.
   */
  applied?: number;
}

/**
 * An entry's payload, or a function that builds it from the zxid the leader assigns: a host whose
 * payload embeds its own zxid (Paddock's entries do) builds it once, with the right one.
 */
export type Payload = Uint8Array | ((zxid: bigint) => Uint8Array);

export type ProposeRejection =
  | "not-leader"
  | "transferring"
  | "conf-change-pending"
  | "conf-change-invalid"
  | "epoch-exhausted";
export type ProposeResult =
  | { ok: true; index: number; term: number; zxid: bigint }
  | { ok: false; reason: ProposeRejection };

export class Raft {
  readonly id: NodeId;
  term: number;
  vote: NodeId;
  lead: NodeId = NONE;
  role: Role = Role.Follower;
  readonly log: RaftLog;
  conf: ConfState;
  readonly progress = new Map<NodeId, Progress>();
  /** Outgoing messages, drained by RawNode.ready(). */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** The newest snapshot this replica holds (taken locally or installed), sent to lagging peers. */
  snapshot: Snapshot | null;
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf change proposed by this leader; a new one waits until it is applied. */
  pendingConfIndex = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  private readonly votes = new Map<NodeId, boolean>();
  private readonly cfg: RaftConfig;
  private readonly reads: ReadIndexQueue;

  constructor(cfg: RaftConfig, storage: RaftStorage) {
    invariant(cfg.id > 0, "node ids are positive", () => `${cfg.id}`);
    invariant(cfg.heartbeatTick > 0 && cfg.electionTick > cfg.heartbeatTick, "tick config", () => "");
    invariant(cfg.zxidCounterMax >= 2, "zxid counter room", () => `${cfg.zxidCounterMax}`);
    this.id = cfg.id;
    this.cfg = cfg;
    this.reads = new ReadIndexQueue(cfg.maxPendingReads);
    this.snapshot = storage.snapshot;
    const base = storage.snapshot?.meta ?? { index: 0, term: 0, zxid: 0n, conf: cfg.initialConf };
    this.conf = { voters: [...base.conf.voters], learners: [...base.conf.learners] };
    this.log = new RaftLog(base, storage.entries, storage.hardState.commit);
    if (storage.applied !== undefined && storage.applied > this.log.applied)
      this.log.appliedTo(storage.applied);
    this.term = storage.hardState.term;
    this.vote = storage.hardState.vote;
    this.becomeFollower(this.term, NONE);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  isVoter(id: NodeId): boolean {
    return this.conf.voters.includes(id);
  }

  /**
   * May this replica campaign? Voters may; so may a replica that was removed but still holds a log
   * and is not a learner: if it applied its own removal before the remaining voters learned that the
   * removal committed, it may be the only one whose log can win their votes, and as leader it only
   * finishes replication and hands over. A stale removed replica cannot win the up-to-date check.
   */
  private promotable(): boolean {
    if (this.isVoter(this.id)) return true;
    return !this.conf.learners.includes(this.id) && this.log.lastIndex() > 0;
  }

  private quorum(): number {
    return Math.floor(this.conf.voters.length / 2) + 1;
  }

  private peers(): NodeId[] {
    return [...this.conf.voters, ...this.conf.learners].filter((id) => id !== this.id);
  }

  // ---- role transitions ----

  private reset(term: number): void {
    if (term !== this.term) {
      invariant(term > this.term, "term never decreases", () => `${this.term} -> ${term}`);
      invariant(term <= EPOCH_MAX, "term fits the zxid epoch", () => `${term}`);
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.rng.int(this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.votes.clear();
    this.pendingConfIndex = 0;
    this.reads.reset();
    this.resetProgress();
  }

  private resetProgress(): void {
    this.progress.clear();
    const next = this.log.lastIndex() + 1;
    for (const id of this.conf.voters) this.progress.set(id, new Progress(next, false, this.cfg.maxInflight));
    for (const id of this.conf.learners)
      this.progress.set(id, new Progress(next, true, this.cfg.maxInflight));
    // A replica outside the configuration still tracks itself (it may lead while handing over);
    // only conf.voters count toward quorums, so this entry never adds a vote.
    if (!this.progress.has(this.id))
      this.progress.set(this.id, new Progress(next, true, this.cfg.maxInflight));
    const self = this.progress.get(this.id)!;
    self.match = this.log.lastIndex();
    self.recentActive = true;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = Role.Follower;
  }

  private becomePreCandidate(): void {
    invariant(this.role !== Role.Leader, "leader does not pre-campaign", () => `term ${this.term}`);
    // A pre-candidate changes neither term nor vote: a failed pre-vote disturbs nobody.
    this.votes.clear();
    this.lead = NONE;
    this.role = Role.PreCandidate;
  }

  private becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = Role.Candidate;
  }

  private becomeLeader(): void {
    invariant(this.role === Role.Candidate && this.vote === this.id, "one leader per term", () => {
      return `node ${this.id} term ${this.term} role ${this.role} vote ${this.vote}`;
    });
    this.reset(this.term);
    this.lead = this.id;
    this.role = Role.Leader;
    const self = this.progress.get(this.id)!;
    self.becomeReplicate();
    // Conf changes wait until an entry of this term commits: a change committed by an older leader
    // may still be unknown here, and two overlapping changes could break quorum overlap.
    this.pendingConfIndex = this.log.lastIndex();
    const appended = this.appendEntries([{ type: EntryType.Normal, data: new Uint8Array(0) }]);
    invariant(appended, "term-start entry fits the epoch", () => `term ${this.term}`);
    this.bcastAppend();
  }

  // ---- elections ----

  /** Start an election now (pre-vote first when enabled); `force` is a leadership transfer. */
  campaign(force = false): void {
    if (this.role === Role.Leader && !force) return;
    if (!this.promotable() || this.hasUnappliedConfChange()) return;
    if (this.cfg.preVote && !force) this.runElection(true, false);
    else this.runElection(false, force);
  }

  private runElection(pre: boolean, force: boolean): void {
    let term: number;
    let type: MessageType;
    if (pre) {
      this.becomePreCandidate();
      term = this.term + 1;
      type = MessageType.PreVote;
    } else {
      this.becomeCandidate();
      term = this.term;
      type = MessageType.Vote;
    }
    if (this.poll(this.id, true) === "won") {
      if (pre) this.runElection(false, false);
      else this.becomeLeader();
      return;
    }
    for (const id of this.conf.voters) {
      if (id === this.id) continue;
      const m = emptyMessage(type, this.id, id, term);
      m.index = this.log.lastIndex();
      m.logTerm = this.log.lastTerm();
      m.force = force;
      this.msgs.push(m);
    }
  }

  private poll(from: NodeId, granted: boolean): "won" | "lost" | "pending" {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const id of this.conf.voters) {
      const v = this.votes.get(id);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    if (yes >= this.quorum()) return "won";
    if (no > this.conf.voters.length - this.quorum()) return "lost";
    return "pending";
  }

  private hasUnappliedConfChange(): boolean {
    for (const e of this.log.committedAfter(this.log.applied, Number.MAX_SAFE_INTEGER)) {
      if (e.type === EntryType.ConfChange) return true;
    }
    return false;
  }

  // ---- ticks ----

  tick(): void {
    if (this.role === Role.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign();
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, NONE);
        return;
      }
      this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.retryLostSnapshots();
      this.bcastHeartbeat();
      if (!this.isVoter(this.id)) this.handOverLeadership();
    }
  }

  /** CheckQuorum: did a quorum of voters talk to us since the last round? Starts a new round. */
  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.conf.voters) {
      const pr = this.progress.get(id);
      if (id === this.id || pr?.recentActive === true) active++;
    }
    for (const [id, pr] of this.progress) pr.recentActive = id === this.id;
    return active >= this.quorum();
  }

  private retryLostSnapshots(): void {
    for (const [id, pr] of this.progress) {
      if (id === this.id || pr.state !== ProgressState.Snapshot) continue;
      pr.snapshotRounds++;
      // A snapshot message may be lost; without an answer within an election timeout, send again.
      if (pr.snapshotRounds > this.cfg.electionTick) {
        pr.becomeProbe();
        pr.next = pr.match + 1;
      }
    }
  }

  // ---- message handling ----

  step(m: Message): void {
    invariant(m.to === this.id, "message addressed to this node", () => `to ${m.to}, at ${this.id}`);
    if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        // Leader lease (CheckQuorum): while we hear from a leader, a disruptive candidate is ignored.
        const inLease =
          this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        if (!m.force && inLease) return;
      }
      if (m.type === MessageType.PreVote) {
        // A pre-vote does not move our term.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // Granted pre-votes carry the term we are about to campaign at.
      } else {
        const fromLeader =
          m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap;
        this.becomeFollower(m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term < this.term) {
      if (
        (this.cfg.checkQuorum || this.cfg.preVote) &&
        (m.type === MessageType.App || m.type === MessageType.Heartbeat)
      ) {
        // A stale leader cut off by a partition learns our term and steps down.
        this.send(emptyMessage(MessageType.AppResp, this.id, m.from, this.term));
      } else if (m.type === MessageType.PreVote) {
        const resp = emptyMessage(MessageType.PreVoteResp, this.id, m.from, this.term);
        resp.reject = true;
        this.send(resp);
      }
      return;
    }

    if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
      this.handleVoteRequest(m);
      return;
    }
    switch (this.role) {
      case Role.Leader:
        this.stepLeader(m);
        break;
      case Role.Candidate:
      case Role.PreCandidate:
        this.stepCandidate(m);
        break;
      case Role.Follower:
        this.stepFollower(m);
        break;
    }
  }

  private handleVoteRequest(m: Message): void {
    const pre = m.type === MessageType.PreVote;
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (pre && m.term > this.term);
    const respType = pre ? MessageType.PreVoteResp : MessageType.VoteResp;
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send(emptyMessage(respType, this.id, m.from, m.term));
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const resp = emptyMessage(respType, this.id, m.from, this.term);
      resp.reject = true;
      this.send(resp);
    }
  }

  private stepCandidate(m: Message): void {
    const myResp = this.role === Role.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      default:
        if (m.type !== myResp) return;
        switch (this.poll(m.from, !m.reject)) {
          case "won":
            if (this.role === Role.PreCandidate) this.runElection(false, false);
            else this.becomeLeader();
            return;
          case "lost":
            this.becomeFollower(this.term, NONE);
            return;
          case "pending":
            return;
        }
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return;
      case MessageType.TimeoutNow:
        this.campaign(true);
        return;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, context: m.context });
        return;
      case MessageType.TransferLeader:
        if (this.lead !== NONE) this.send({ ...m, to: this.lead, from: this.id });
        return;
      default:
        return;
    }
  }

  private handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      const resp = emptyMessage(MessageType.AppResp, this.id, m.from, this.term);
      resp.index = this.log.committed;
      this.send(resp);
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    const resp = emptyMessage(MessageType.AppResp, this.id, m.from, this.term);
    if (lastNew !== undefined) {
      resp.index = lastNew;
    } else {
      const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
      resp.reject = true;
      resp.index = m.index;
      resp.rejectHint = hint;
      resp.logTerm = this.log.term(hint) ?? 0;
    }
    this.send(resp);
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    const resp = emptyMessage(MessageType.HeartbeatResp, this.id, m.from, this.term);
    resp.context = m.context;
    this.send(resp);
  }

  private handleSnapshot(m: Message): void {
    const snap = m.snapshot;
    invariant(snap !== null, "snapshot message carries a snapshot", () => `from ${m.from}`);
    const resp = emptyMessage(MessageType.AppResp, this.id, m.from, this.term);
    if (this.restore(snap)) resp.index = this.log.lastIndex();
    else resp.index = this.log.committed;
    this.send(resp);
  }

  private restore(snap: Snapshot): boolean {
    const meta = snap.meta;
    if (meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We already hold the snapshot's last entry: everything up to it is committed, nothing to replace.
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(snap);
    this.snapshot = snap;
    this.conf = { voters: [...meta.conf.voters], learners: [...meta.conf.learners] };
    this.resetProgress();
    return true;
  }

  private stepLeader(m: Message): void {
    if (m.type === MessageType.ReadIndex) {
      this.handleReadIndex(m.from, m.context);
      return;
    }
    if (m.type === MessageType.TransferLeader) {
      this.transferLeader(m.context);
      return;
    }
    const pr = this.progress.get(m.from);
    if (pr === undefined) return;
    if (m.type === MessageType.AppResp) {
      pr.recentActive = true;
      this.handleAppendResponse(m, pr);
    } else if (m.type === MessageType.HeartbeatResp) {
      pr.recentActive = true;
      pr.probeSent = false;
      if (pr.state === ProgressState.Replicate) pr.freeFirstIfFull();
      if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
      if (m.context > 0) this.readAcked(m.from, m.context);
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    if (m.reject) {
      if (pr.maybeDecrTo(m.index, m.rejectHint)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === ProgressState.Probe) {
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) {
      pr.freeTo(m.index);
    }
    if (this.maybeCommit()) this.bcastAppend();
    else if (wasPaused) this.sendAppend(m.from);
    // Fill the window; each round adds one in-flight message, so this stops within maxInflight.
    for (let k = 0; k < this.cfg.maxInflight && this.sendAppend(m.from, false); k++);
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  // ---- leader: replication and commit ----

  private send(m: Message): void {
    this.msgs.push(m);
  }

  /** Send the next entries (or a snapshot) to `to`; false when nothing was sent. */
  private sendAppend(to: NodeId, sendIfEmpty = true): boolean {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const ents = this.log.slice(pr.next, this.log.lastIndex(), this.cfg.maxEntriesPerMessage);
    if (prevTerm === undefined || ents === undefined) return this.sendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    const m = emptyMessage(MessageType.App, this.id, to, this.term);
    m.index = prevIndex;
    m.logTerm = prevTerm;
    m.entries = ents;
    m.commit = this.log.committed;
    this.send(m);
    pr.sentEntries(prevIndex + ents.length, ents.length);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snap = this.snapshot;
    invariant(snap !== null, "compacted log has a snapshot", () => `peer ${to} next ${pr.next}`);
    pr.becomeSnapshot(snap.meta.index);
    const m = emptyMessage(MessageType.Snap, this.id, to, this.term);
    m.snapshot = snap;
    this.send(m);
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.peers()) this.sendAppend(id);
  }

  private bcastHeartbeat(): void {
    for (const id of this.peers()) {
      const pr = this.progress.get(id)!;
      const m = emptyMessage(MessageType.Heartbeat, this.id, id, this.term);
      // Never tell a follower to commit past what it is known to hold.
      m.commit = Math.min(pr.match, this.log.committed);
      m.context = this.reads.currentRound();
      this.send(m);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send(emptyMessage(MessageType.TimeoutNow, this.id, to, this.term));
  }

  /** Commit the highest index a quorum holds, but only by counting an entry of the current term. */
  private maybeCommit(): boolean {
    const matches = this.conf.voters.map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a);
    const index = matches[this.quorum() - 1] ?? 0;
    if (index <= this.log.committed || this.log.term(index) !== this.term) return false;
    this.log.commitTo(index);
    this.releaseReadsAwaitingTermCommit();
    return true;
  }

  private appendEntries(items: { type: Entry["type"]; data: Payload }[]): boolean {
    const last = this.log.lastIndex();
    const lastZxid = this.log.lastZxid();
    let counter = zxidEpoch(lastZxid) === this.term ? zxidCounter(lastZxid) : 0;
    if (counter + items.length > this.cfg.zxidCounterMax) return false;
    const ents: Entry[] = items.map((item, k) => {
      counter++;
      const zxid = makeZxid(this.term, counter);
      const data = typeof item.data === "function" ? item.data(zxid) : item.data;
      return { term: this.term, index: last + 1 + k, zxid, type: item.type, data };
    });
    this.log.append(ents);
    this.progress.get(this.id)!.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
    return true;
  }

  propose(data: Payload): ProposeResult {
    return this.proposeEntry(EntryType.Normal, data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.role === Role.Leader && this.pendingConfIndex > this.log.applied) {
      return { ok: false, reason: "conf-change-pending" };
    }
    if (applyConfChange(this.conf, change).voters.length === 0)
      return { ok: false, reason: "conf-change-invalid" };
    const result = this.proposeEntry(EntryType.ConfChange, encodeConfChange(change));
    if (result.ok) this.pendingConfIndex = result.index;
    return result;
  }

  private proposeEntry(type: Entry["type"], data: Payload): ProposeResult {
    if (this.role !== Role.Leader) return { ok: false, reason: "not-leader" };
    if (this.leadTransferee !== NONE || !this.isVoter(this.id)) return { ok: false, reason: "transferring" };
    if (!this.appendEntries([{ type, data }])) {
      // The zxid counter is spent: a new epoch is the only way to keep zxids increasing. We hold the
      // newest log, so a forced election at term+1 normally makes us leader again at once.
      this.campaign(true);
      return { ok: false, reason: "epoch-exhausted" };
    }
    const last = this.log.entry(this.log.lastIndex())!;
    this.bcastAppend();
    return { ok: true, index: last.index, term: last.term, zxid: last.zxid };
  }

  // ---- membership ----

  /** Apply a committed conf change; called by RawNode when the host has applied its entry. */
  applyConfChange(change: ConfChange): void {
    this.conf = applyConfChange(this.conf, change);
    const next = this.log.lastIndex() + 1;
    for (const id of [...this.progress.keys()]) {
      const member = this.conf.voters.includes(id) || this.conf.learners.includes(id);
      if (!member && id !== this.id) this.progress.delete(id);
    }
    for (const [list, learner] of [
      [this.conf.voters, false],
      [this.conf.learners, true],
    ] as const) {
      for (const id of list) {
        const pr = this.progress.get(id);
        if (pr === undefined) this.progress.set(id, new Progress(next, learner, this.cfg.maxInflight));
        else pr.isLearner = learner;
      }
    }
    if (this.role !== Role.Leader) return;
    if (!this.isVoter(this.id)) this.handOverLeadership();
    if (this.leadTransferee !== NONE && !this.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // The quorum may have shrunk, so commit can move; followers learn the new commit either way.
    this.maybeCommit();
    this.bcastAppend();
  }

  // ---- leadership transfer ----

  /**
   * A leader that removed itself keeps leading, without counting itself, until a voter holds its whole
   * log, then hands over. Stepping down at once could strand the removal: the remaining voters might
   * not yet know it committed, and we could no longer vote for them with our longer log.
   */
  private handOverLeadership(): void {
    if (this.leadTransferee !== NONE) return;
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.conf.voters) {
      const match = this.progress.get(id)?.match ?? 0;
      if (match > bestMatch) {
        best = id;
        bestMatch = match;
      }
    }
    if (best !== NONE) this.transferLeader(best);
  }

  transferLeader(target: NodeId): void {
    if (this.role !== Role.Leader) {
      if (this.lead === NONE) return;
      const m = emptyMessage(MessageType.TransferLeader, this.id, this.lead, this.term);
      m.context = target;
      this.send(m);
      return;
    }
    if (target === this.id || !this.isVoter(target) || target === this.leadTransferee) return;
    if (!this.progress.has(target)) return;
    this.leadTransferee = target;
    // The transfer must finish within one election timeout or it is abandoned (tickHeartbeat).
    this.electionElapsed = 0;
    if (this.progress.get(target)!.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target);
  }

  // ---- read index ----

  /** Ask for a linearizable read point; false when it cannot be started (no known leader, queue full). */
  readIndex(context: number): boolean {
    if (this.role === Role.Leader) return this.handleReadIndex(this.id, context);
    if (this.lead === NONE) return false;
    const m = emptyMessage(MessageType.ReadIndex, this.id, this.lead, this.term);
    m.context = context;
    this.send(m);
    return true;
  }

  private committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  private handleReadIndex(from: NodeId, context: number): boolean {
    if (this.reads.full()) return false;
    const read: PendingRead = { round: 0, index: 0, from, context };
    // Our commit index is only known to be the ensemble's once an entry of our term has committed.
    if (!this.committedInTerm()) this.reads.defer(read);
    else this.startRead(read);
    return true;
  }

  private startRead(read: PendingRead): void {
    read.index = this.log.committed;
    if (this.quorum() === 1 && this.isVoter(this.id)) {
      this.releaseRead(read);
      return;
    }
    this.reads.start(read);
    this.bcastHeartbeat();
  }

  private releaseReadsAwaitingTermCommit(): void {
    if (!this.committedInTerm()) return;
    for (const read of this.reads.takeDeferred()) this.startRead(read);
  }

  /** A voter answered heartbeat round `round`: it still followed us after every read up to it began. */
  private readAcked(from: NodeId, round: number): void {
    for (const read of this.reads.ack(from, round, this.id, this.conf.voters, this.quorum()))
      this.releaseRead(read);
  }

  private releaseRead(read: PendingRead): void {
    if (read.from === this.id) {
      this.readStates.push({ index: read.index, context: read.context });
      return;
    }
    const m = emptyMessage(MessageType.ReadIndexResp, this.id, read.from, this.term);
    m.index = read.index;
    m.context = read.context;
    this.send(m);
  }
}
