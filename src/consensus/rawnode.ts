// The host-facing wrapper around the Raft state machine: it turns the machine's pending work into
// Ready batches and, on advance(), records what the host has persisted and applied. A host (the server
// or the simulator) drives a replica only through this class.

import { invariant } from "./assert.js";
import { type ConfChange, decodeConfChange } from "./confchange.js";
import { type Payload, type ProposeResult, Raft, type RaftConfig, type RaftStorage } from "./raft.js";
import type { Ready, Role, SoftState } from "./ready.js";
import {
  type ConfState,
  EntryType,
  type HardState,
  type Message,
  type NodeId,
  type Snapshot,
} from "./types.js";

export interface Status {
  id: NodeId;
  term: number;
  vote: NodeId;
  lead: NodeId;
  role: Role;
  commit: number;
  applied: number;
  lastIndex: number;
  lastZxid: bigint;
  snapshotIndex: number;
  conf: ConfState;
}

interface InFlight {
  lastEntry: { index: number; term: number } | null;
  snapshot: Snapshot | null;
  hardState: HardState | null;
  committedTo: number;
  confChanges: ConfChange[];
}

export class RawNode {
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private inFlight: InFlight | null = null;
  private readonly maxCommittedPerReady: number;

  constructor(cfg: RaftConfig, storage: RaftStorage) {
    this.raft = new Raft(cfg, storage);
    this.maxCommittedPerReady = cfg.maxCommittedPerReady;
    this.prevSoft = this.softState();
    this.prevHard = { ...storage.hardState };
  }

  tick(): void {
    this.raft.tick();
  }

  step(m: Message): void {
    this.raft.step(m);
  }

  campaign(): void {
    this.raft.campaign();
  }

  propose(data: Payload): ProposeResult {
    return this.raft.propose(data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(change);
  }

  /** Start a read-index round; a ReadState with this context appears in a later Ready. */
  readIndex(context: number): boolean {
    return this.raft.readIndex(context);
  }

  transferLeader(target: NodeId): void {
    this.raft.transferLeader(target);
  }

  status(): Status {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      role: r.role,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      lastZxid: r.log.lastZxid(),
      snapshotIndex: r.log.snapshotIndex(),
      conf: { voters: [...r.conf.voters], learners: [...r.conf.learners] },
    };
  }

  /** The leader's view of each peer (empty on followers), for status pages and tests. */
  progress(): { id: NodeId; match: number; next: number; state: string }[] {
    if (this.raft.role !== "leader") return [];
    return [...this.raft.progress].map(([id, pr]) => ({
      id,
      match: pr.match,
      next: pr.next,
      state: pr.state,
    }));
  }

  private softState(): SoftState {
    return { lead: this.raft.lead, role: this.raft.role };
  }

  private applyFrom(): number {
    const snap = this.raft.log.unstableSnapshot;
    return Math.max(this.raft.log.applied, snap?.meta.index ?? 0);
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = this.softState();
    const hard = r.hardState();
    return (
      soft.lead !== this.prevSoft.lead ||
      soft.role !== this.prevSoft.role ||
      !sameHardState(hard, this.prevHard) ||
      r.log.unstableSnapshot !== null ||
      r.log.stable < r.log.lastIndex() ||
      r.msgs.length > 0 ||
      r.log.committed > this.applyFrom() ||
      r.readStates.length > 0
    );
  }

  /** The next batch of work; see the contract on `Ready`. Call advance() before the next ready(). */
  ready(): Ready {
    invariant(this.inFlight === null, "one Ready at a time", () => "ready() called before advance()");
    const r = this.raft;
    const soft = this.softState();
    const hard = r.hardState();
    const entries = r.log.unstableEntries();
    const committedEntries = r.log.committedAfter(this.applyFrom(), this.maxCommittedPerReady);
    const rd: Ready = {
      softState: soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role ? soft : null,
      hardState: sameHardState(hard, this.prevHard) ? null : hard,
      snapshot: r.log.unstableSnapshot,
      entries,
      messages: r.msgs,
      committedEntries,
      readStates: r.readStates,
    };
    r.msgs = [];
    r.readStates = [];
    this.prevSoft = soft;
    const last = entries[entries.length - 1];
    const lastCommitted = committedEntries[committedEntries.length - 1];
    this.inFlight = {
      lastEntry: last === undefined ? null : { index: last.index, term: last.term },
      snapshot: rd.snapshot,
      hardState: rd.hardState,
      committedTo: lastCommitted?.index ?? 0,
      confChanges: committedEntries
        .filter((e) => e.type === EntryType.ConfChange)
        .map((e) => decodeConfChange(e.data)),
    };
    return rd;
  }

  /** The host has carried out the last Ready (persisted, sent, applied). */
  advance(): void {
    const f = this.inFlight;
    invariant(f !== null, "advance follows ready", () => "advance() without ready()");
    this.inFlight = null;
    const log = this.raft.log;
    if (f.hardState !== null) this.prevHard = f.hardState;
    if (f.snapshot !== null) {
      if (log.unstableSnapshot === f.snapshot) log.unstableSnapshot = null;
      if (f.snapshot.meta.index > log.applied && log.snapshotIndex() >= f.snapshot.meta.index) {
        log.applied = f.snapshot.meta.index;
      }
    }
    if (f.lastEntry !== null) log.stableTo(f.lastEntry.index, f.lastEntry.term);
    if (f.committedTo > log.applied) log.appliedTo(f.committedTo);
    for (const change of f.confChanges) this.raft.applyConfChange(change);
  }

  /**
   * Fold everything applied so far into a snapshot whose state is `data` (the host's state machine at
   * exactly status().applied) and drop those entries from memory. The host persists the returned
   * snapshot; it may delete log entries up to its index once that is durable.
   */
  compact(data: Uint8Array): Snapshot {
    invariant(this.inFlight === null, "compact between Readys", () => "compact() before advance()");
    const log = this.raft.log;
    const index = log.applied;
    const snapshot: Snapshot = {
      meta: { index, term: log.term(index)!, zxid: log.zxid(index)!, conf: this.status().conf },
      data,
    };
    if (index > log.snapshotIndex()) {
      log.compact(index);
      this.raft.snapshot = snapshot;
    }
    return snapshot;
  }

  /**
   * For a host that writes snapshots in the background and so finishes one after more entries were
   * applied: the snapshot it has made durable holds the state at applied index `index` with
   * membership `conf`; `data` names it for lagging peers. Entries up to `index` leave memory. A
   * snapshot no newer than the one held (one installed from the leader meanwhile) changes nothing.
   */
  compactAt(index: number, conf: ConfState, data: Uint8Array): void {
    invariant(this.inFlight === null, "compact between Readys", () => "compactAt() before advance()");
    const log = this.raft.log;
    if (index <= log.snapshotIndex()) return;
    invariant(index <= log.applied, "compact only what is applied", () => `${index} > ${log.applied}`);
    const meta = { index, term: log.term(index)!, zxid: log.zxid(index)!, conf };
    log.compact(index);
    this.raft.snapshot = { meta, data };
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
