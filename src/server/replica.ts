// The replica: the one small driver between the consensus core, this server's storage and its state
// machine, in the shape of etcd's raftexample. It runs the Ready loop (persist, send, apply, advance),
// ticks the core, turns the server's writes into proposals and committed entries back into the
// server's entries, and folds durable snapshots into the core's log. A standalone server is a replica
// whose membership is itself: the same loop, with a quorum of one.

import {
  type ConfState,
  type Entry,
  EntryType,
  formatZxid,
  type HardState,
  type Message,
  type NodeId,
  type RaftTuning,
  RawNode,
  type Ready,
  Role,
  type SoftState,
} from "../consensus/index.js";
import { JuteDecodeError } from "../protocol/jute.js";
import { EntryDecoder, encodeEntry, type Entry as StateEntry } from "../state/entry.js";
import type { DurableEntryLog } from "../storage/durable-entry-log.js";
import type { EntryDraft, EntryLog } from "../storage/entry-log.js";
import type { FileSystem } from "../storage/file-system.js";
import { writeHardState } from "../storage/hard-state-file.js";
import { type OpenedStorage, type SnapshotHooks, snapshotDescriptor } from "../storage/open-storage.js";
import type { SnapshotPosition } from "../storage/snapshot-file.js";
import type { Snapshotter } from "../storage/snapshotter.js";
import { decodeReplicaMessage, encodeReplicaMessage } from "./replica-messages.js";

/**
 * How a replica reaches the others: the consensus core's messages (which may be lost, duplicated or
 * reordered), and service payloads, delivered in order per pair while a connection lasts.
 */
export interface PeerNetwork {
  send(m: Message): void;
  /** False when the payload could not be queued (no connection, or its queue is full). */
  sendService(to: NodeId, payload: Uint8Array): boolean;
  onMessage: (m: Message) => void;
  onService: (from: NodeId, payload: Uint8Array) => void;
  /** The in-order link to `id` broke: service payloads sent to it since it came up may be lost. */
  onLinkLost: (id: NodeId) => void;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  readonly id: number;
  readonly fs: FileSystem;
  /** dataLogDir, where the hard state lives beside the log. */
  readonly dataLogDir: string;
  /** The core's tick; elections and heartbeats are counted in ticks. */
  readonly tickMs: number;
  readonly tuning: RaftTuning;
  readonly random: () => number;
  /** The leader stamps forwarded writes with this clock, as it does its own. */
  readonly now: () => number;
  readonly log: { info(message: string): void; warn(message: string): void };
  /** The other members; none for a replica alone. */
  readonly network?: PeerNetwork;
  /** The replica cannot go on (its disk failed, or its log cannot be made to match the leader's). */
  readonly onFatal: (error: Error) => void;
}

/** What the replica reports to the server about its place in the ensemble. */
export interface ReplicaRole {
  readonly leading: boolean;
  /** The leader's id, 0 when none is known. */
  readonly leader: number;
  /**
   * Whether this server may serve clients: it leads with an entry of its own term applied (so every
   * entry committed before its term is applied too), or it follows a known leader.
   */
  readonly ready: boolean;
}

/**
 * Hooks that must exist before the storage is opened (the snapshotter asks where the applied state
 * stands); they forward to the replica once it is constructed.
 */
export class ReplicaHooks implements SnapshotHooks {
  replica: Replica | undefined;

  position(): SnapshotPosition {
    return this.bound().position();
  }

  onWritten(zxid: bigint, position: SnapshotPosition): void {
    this.bound().snapshotWritten(zxid, position);
  }

  private bound(): Replica {
    if (this.replica === undefined)
      throw new Error("invariant violated: a snapshot before the replica exists");
    return this.replica;
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class Replica implements EntryLog {
  onCommit: (entries: readonly StateEntry[]) => void = () => {
    throw new Error("Replica: onCommit was not set before the first commit");
  };
  /** Called when this replica's role, known leader or readiness changes. */
  onRoleChange: (role: ReplicaRole) => void = () => {};
  /** The link to the leader broke, so writes forwarded to it may be lost: their clients must go. */
  onLeaderLinkLost: () => void = () => {};
  /** A follower's touch table reached this replica (the leader). */
  onTouches: (sessions: ReadonlyArray<readonly [bigint, number]>) => void = () => {};
  private readonly raw: RawNode;
  private readonly log: DurableEntryLog;
  private readonly snapshotter: Snapshotter;
  /**
   * Entries proposed here, oldest first, until applied: applying them needs no decode. They commit
   * in the order proposed; one that never commits (leadership lost) is passed over by a later zxid.
   */
  private local: StateEntry[] = [];
  private localHead = 0;
  private readonly decoder = new EntryDecoder();
  private persisted: HardState;
  private soft: SoftState = { lead: 0, role: Role.Follower };
  /** Leading, with an entry of this term applied (so every earlier committed entry is too). */
  private leaderReady = false;
  private durableZxid: bigint;
  /** The index of the newest entry on disk. */
  private persistedIndex: number;
  private durableWaiter: { zxid: bigint; resolve: () => void } | undefined;
  private compaction: { zxid: bigint; position: SnapshotPosition } | undefined;
  private looping: Promise<void> | undefined;
  private scheduled = false;
  private ticker: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly leading: { promise: Promise<void>; resolve: () => void };

  constructor(
    storage: OpenedStorage,
    hooks: ReplicaHooks,
    private readonly options: ReplicaOptions,
  ) {
    this.log = storage.log;
    this.snapshotter = storage.snapshotter;
    this.persisted = storage.raft.hardState;
    this.durableZxid = this.log.durableZxid;
    const entries = storage.raft.entries;
    this.persistedIndex = entries[entries.length - 1]?.index ?? storage.raft.snapshot?.meta.index ?? 0;
    this.raw = new RawNode(
      {
        ...options.tuning,
        id: options.id,
        initialConf: storage.conf,
        rng: { int: (n) => Math.floor(options.random() * n) },
      },
      storage.raft,
    );
    this.log.onDurable = (zxid) => {
      this.durableZxid = zxid;
      const waiter = this.durableWaiter;
      if (waiter !== undefined && zxid >= waiter.zxid) {
        this.durableWaiter = undefined;
        waiter.resolve();
      }
    };
    let resolve!: () => void;
    this.leading = { promise: new Promise((r) => (resolve = r)), resolve };
    hooks.replica = this;
    const network = options.network;
    if (network !== undefined) {
      network.onMessage = (m) => {
        if (this.closed) return;
        this.raw.step(m);
        this.schedule();
      };
      network.onService = (from, payload) => this.serviceMessage(from, payload);
      network.onLinkLost = (id) => {
        if (id === this.soft.lead && this.soft.role !== Role.Leader) this.onLeaderLinkLost();
      };
    }
  }

  private serviceMessage(from: NodeId, payload: Uint8Array): void {
    let m: ReturnType<typeof decodeReplicaMessage>;
    try {
      m = decodeReplicaMessage(payload, this.decoder);
    } catch (error) {
      if (!(error instanceof JuteDecodeError)) throw error;
      this.options.log.warn(
        `replica ${this.options.id}: ignored a malformed message from ${from}: ${error.message}`,
      );
      return;
    }
    if (m.kind === "touches") {
      if (this.soft.role === Role.Leader) this.onTouches(m.sessions);
      return;
    }
    // A write forwarded by a member that still takes this replica for the leader. If it no longer
    // leads, the write is dropped: that member loses its leader too and drops its clients.
    const { sessionId, authIds, origin, txn } = m.draft;
    if (this.soft.role === Role.Leader)
      this.propose({ timeMs: BigInt(this.options.now()), sessionId, authIds, origin, txn });
  }

  /** Starts ticking; a replica that is the only voter elects itself at once instead of waiting. */
  start(): void {
    this.ticker = setInterval(() => {
      this.raw.tick();
      this.schedule();
    }, this.options.tickMs);
    this.ticker.unref();
    const { voters } = this.raw.status().conf;
    if (voters.length === 1 && voters[0] === this.options.id) this.raw.campaign();
    this.schedule();
  }

  /** Resolves the first time this replica leads with every committed entry applied. */
  firstLeadership(): Promise<void> {
    return this.leading.promise;
  }

  get role(): ReplicaRole {
    const leading = this.soft.role === Role.Leader;
    return { leading, leader: this.soft.lead, ready: leading ? this.leaderReady : this.soft.lead !== 0 };
  }

  /** Proposes the write when this replica leads, forwards it to the leader when one is known. */
  append(draft: EntryDraft): boolean {
    if (this.closed) return false;
    if (this.soft.role === Role.Leader) return this.propose(draft);
    const network = this.options.network;
    if (network === undefined || this.soft.lead === 0) return false;
    return network.sendService(this.soft.lead, encodeReplicaMessage({ kind: "forward", draft }));
  }

  /** Hands the touch table to the leader (ZooKeeper's learner ping). */
  reportTouches(sessions: ReadonlyArray<readonly [bigint, number]>): void {
    const network = this.options.network;
    if (network === undefined || this.soft.lead === 0 || this.soft.role === Role.Leader) return;
    network.sendService(this.soft.lead, encodeReplicaMessage({ kind: "touches", sessions }));
  }

  private propose(draft: EntryDraft): boolean {
    let entry: StateEntry | undefined;
    const result = this.raw.propose((zxid) => {
      // Built field by field, in Entry's order: a spread gives the object another shape, and every
      // function that reads entries (encode, apply, replies) then runs slower on it.
      const { timeMs, sessionId, authIds, origin, txn } = draft;
      entry = { zxid, timeMs, sessionId, authIds, origin, txn };
      return encodeEntry(entry);
    });
    if (!result.ok) return false;
    this.local.push(entry!);
    this.schedule();
    return true;
  }

  /** The log position of the state as applied now, for a snapshot taken at this moment. */
  position(): SnapshotPosition {
    const status = this.raw.status();
    return { index: status.applied, conf: status.conf };
  }

  /** A snapshot is durable: its entries may leave memory, between two Readys. */
  snapshotWritten(zxid: bigint, position: SnapshotPosition): void {
    if (this.compaction === undefined || this.compaction.position.index < position.index) {
      this.compaction = { zxid, position };
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.looping !== undefined || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.looping !== undefined || this.closed) return;
      this.looping = this.loop()
        .catch((error: unknown) => {
          // The Ready in flight was not carried out; nothing after it may be, so stop for good.
          this.closed = true;
          this.options.onFatal(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.looping = undefined;
          if (this.raw.hasReady() || this.compaction !== undefined) this.schedule();
        });
    });
  }

  private async loop(): Promise<void> {
    // Each pass handles one Ready; proposals made while its entries are being synced wait in the
    // core and share the next pass's write and sync (group commit).
    for (;;) {
      this.compact();
      if (!this.raw.hasReady()) return;
      await this.handle(this.raw.ready());
    }
  }

  private compact(): void {
    const c = this.compaction;
    if (c === undefined) return;
    this.compaction = undefined;
    // A peer behind the snapshot would then need the snapshot itself, and sending snapshots to
    // peers is not built yet: keep the entries until every peer has them (the next snapshot
    // tries again). Memory stays bounded while the peers keep up.
    const behind = this.raw.progress().some((p) => p.id !== this.options.id && p.match < c.position.index);
    if (behind) return;
    this.raw.compactAt(c.position.index, c.position.conf, snapshotDescriptor(c.zxid));
  }

  /** One Ready, in the order its contract gives (consensus/ready.ts). */
  private async handle(rd: Ready): Promise<void> {
    if (rd.softState !== null) this.roleChanged(rd.softState);
    if (rd.snapshot !== null) {
      // Only a leader sends snapshots, and only to peers; a replica alone never receives one.
      throw new Error(
        `invariant violated: snapshot at index ${rd.snapshot.meta.index} to install, with no peers`,
      );
    }
    // 1. Persist: entries, then the term and vote (commit alone is written lazily: losing it is safe).
    let bytes = 0;
    const first = rd.entries[0];
    if (first !== undefined && first.index <= this.persistedIndex) {
      // A new leader's entries replace our uncommitted suffix: those records go first.
      this.options.log.warn(
        `replica ${this.options.id}: the leader replaces log entries ${first.index}..${this.persistedIndex}, never committed`,
      );
      await this.log.dropLast(this.persistedIndex - first.index + 1);
      this.durableZxid = this.log.durableZxid;
    }
    for (const e of rd.entries) {
      const payload = this.payloadOf(e);
      bytes += payload.length;
      this.log.append(e.zxid, payload);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) {
      await this.durable(last.zxid);
      this.persistedIndex = last.index;
    }
    const hs = rd.hardState;
    if (hs !== null && (hs.term !== this.persisted.term || hs.vote !== this.persisted.vote)) {
      await writeHardState(this.options.fs, this.options.dataLogDir, hs);
      this.persisted = hs;
    }
    // 2. Send (a replica alone has no peers, and the core addresses it none).
    const network = this.options.network;
    if (network !== undefined) for (const m of rd.messages) network.send(m);
    // 3. Apply.
    const committed = rd.committedEntries;
    if (committed.length > 0) {
      this.onCommit(committed.map((e) => this.stateEntryOf(e)));
      // A leader serves once an entry of its own term is applied: everything committed before is too.
      if (
        this.soft.role === Role.Leader &&
        !this.leaderReady &&
        committed[committed.length - 1]!.term === this.raw.status().term
      ) {
        this.leaderReady = true;
        this.leading.resolve();
        this.onRoleChange(this.role);
      }
    }
    this.raw.advance();
    if (rd.committedEntries.length > 0) this.snapshotter.afterApply(rd.committedEntries.length, bytes);
  }

  private roleChanged(soft: SoftState): void {
    this.soft = soft;
    this.leaderReady = false;
    this.options.log.info(
      `replica ${this.options.id}: ${soft.role}${soft.lead === 0 ? ", no leader known" : `, leader ${soft.lead}`} ` +
        `(term ${this.raw.status().term}, last zxid ${formatZxid(this.raw.status().lastZxid)})`,
    );
    this.onRoleChange(this.role);
  }

  private durable(zxid: bigint): Promise<void> {
    if (this.durableZxid >= zxid) return Promise.resolve();
    return new Promise((resolve) => {
      this.durableWaiter = { zxid, resolve };
    });
  }

  private takeLocal(zxid: bigint): StateEntry | undefined {
    const local = this.local;
    while (this.localHead < local.length && local[this.localHead]!.zxid < zxid) this.localHead++;
    const own = local[this.localHead];
    if (own === undefined || own.zxid !== zxid) return undefined;
    this.localHead++;
    if (this.localHead === local.length) {
      this.local = [];
      this.localHead = 0;
    } else if (this.localHead >= 4096) {
      this.local = local.slice(this.localHead);
      this.localHead = 0;
    }
    return own;
  }

  /** The record a core entry is logged as: Paddock logs every entry as a state entry. */
  private payloadOf(e: Entry): Buffer {
    if (e.type === EntryType.Normal && e.data.length > 0) return asBuffer(e.data);
    return encodeEntry(this.markerEntry(e));
  }

  private markerEntry(e: Entry): StateEntry {
    const txn =
      e.type === EntryType.ConfChange
        ? ({ kind: "membership", change: e.data } as const)
        : ({ kind: "epochStart" } as const);
    return { zxid: e.zxid, timeMs: 0n, sessionId: 0n, authIds: [], txn };
  }

  private stateEntryOf(e: Entry): StateEntry {
    const own = this.takeLocal(e.zxid);
    if (own !== undefined) return own;
    if (e.type === EntryType.Normal && e.data.length > 0) {
      const b = asBuffer(e.data);
      return this.decoder.decode(b, 0, b.length);
    }
    return this.markerEntry(e);
  }

  /** The membership and position, for status pages. */
  status(): { conf: ConfState; applied: number; commit: number; term: number } {
    const s = this.raw.status();
    return { conf: s.conf, applied: s.applied, commit: s.commit, term: s.term };
  }

  /** Finishes the Ready in flight and stops; records the commit index for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ticker !== undefined) clearInterval(this.ticker);
    // Proposals accepted before close still commit: run the loop until it has nothing left.
    for (let pass = 0; pass < 1_000; pass++) {
      if (this.looping === undefined) {
        if (!this.raw.hasReady()) break;
        this.looping = this.loop().finally(() => {
          this.looping = undefined;
        });
      }
      await this.looping;
    }
    await this.options.network?.close();
    await this.log.close();
    const s = this.raw.status();
    if (s.commit > this.persisted.commit && this.log.failed === undefined) {
      await writeHardState(this.options.fs, this.options.dataLogDir, {
        term: s.term,
        vote: s.vote,
        commit: s.commit,
      });
    }
  }
}
