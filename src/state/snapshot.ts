// Snapshot (de)serialisation of the replicated state: exactly the state at one applied zxid, never
// fuzzy. A capture walks the live tree a chunk at a time while later entries keep being applied; the
// tree tells it before any node changes, and it then keeps that node's image from the moment the
// capture began (copy-on-write per node), so the walk never sees a change made after its zxid. The
// loader rebuilds a StateMachine and checks the result against the digest stored with the snapshot.

import { DigestSum, Hasher64 } from "../data/hash.js";
import { type DataTree, type PersistedNode, persistedDigestTerm, type ZNode } from "../data/tree.js";
import { readACLList, writeACLList } from "../protocol/data.js";
import { JuteReader, JuteWriter } from "../protocol/jute.js";
import { StateMachine, type StateMachineOptions, sessionDigestTerm } from "./machine.js";

/** What a snapshot ends with: counts and the digest of everything in it. */
export interface SnapshotSummary {
  readonly zxid: bigint;
  readonly nodeCount: number;
  readonly sessionCount: number;
  readonly digest: bigint;
}

function writeNode(w: JuteWriter, path: string, n: PersistedNode): void {
  w.writeString(path).writeBuffer(n.data);
  writeACLList(w, n.acl);
  w.writeLong(n.czxid).writeLong(n.mzxid).writeLong(n.ctime).writeLong(n.mtime);
  w.writeInt(n.version).writeInt(n.cversion).writeInt(n.aversion);
  w.writeLong(n.ephemeralOwner).writeLong(n.pzxid);
}

function readNode(r: JuteReader): { path: string; node: PersistedNode } {
  const path = r.readStringOrEmpty();
  const data = r.readBuffer();
  const acl = readACLList(r) ?? [];
  const czxid = r.readLong();
  const mzxid = r.readLong();
  const ctime = r.readLong();
  const mtime = r.readLong();
  const version = r.readInt();
  const cversion = r.readInt();
  const aversion = r.readInt();
  const ephemeralOwner = r.readLong();
  const pzxid = r.readLong();
  return {
    path,
    node: { data, acl, czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, pzxid },
  };
}

/**
 * The state of a machine at the zxid it had applied when the capture was made, handed out as encoded
 * chunks. While it runs, apply may go on: the tree's change observer preserves what the walk has not
 * reached yet. Only one capture per tree at a time; release() ends it.
 */
export class SnapshotCapture {
  readonly zxid: bigint;
  private readonly tree: DataTree;
  private readonly sessions: [bigint, number][];
  private readonly walk: IterableIterator<[string, ZNode]>;
  /** Images kept from before a change: null means the path did not exist when the capture began. */
  private readonly preserved = new Map<string, PersistedNode | null>();
  /** Slots the walk has written; a change to one of those needs no copy. */
  private visited = new Uint8Array(1024);
  private readonly digestSum = new DigestSum();
  private readonly hasher = new Hasher64();
  private nodes = 0;
  private walkDone = false;
  private preservedDone = false;
  private released = false;

  constructor(machine: StateMachine) {
    this.tree = machine.tree;
    if (this.tree.changeObserver !== undefined) {
      throw new Error("invariant: one snapshot capture runs per tree at a time");
    }
    this.zxid = machine.lastZxid;
    this.sessions = [...machine.sessions()].map(([id, s]) => [id, s.timeoutMs]);
    this.walk = this.tree.entries();
    this.tree.changeObserver = { beforeChange: (path, node) => this.beforeChange(path, node) };
  }

  private beforeChange(path: string, node: ZNode | undefined): void {
    if (this.preserved.has(path)) return;
    if (node === undefined) {
      // A path attached after the capture began: not in the snapshot (if it existed at the capture's
      // zxid and was detached since, the detach already preserved it).
      this.preserved.set(path, null);
      return;
    }
    if (node < this.visited.length && this.visited[node] === 1) return;
    this.preserved.set(path, this.tree.persisted(node));
  }

  private markVisited(node: ZNode): void {
    if (node >= this.visited.length) {
      const grown = new Uint8Array(Math.max(node + 1, this.visited.length * 2));
      grown.set(this.visited);
      this.visited = grown;
    }
    this.visited[node] = 1;
  }

  private add(w: JuteWriter, path: string, image: PersistedNode): void {
    writeNode(w, path, image);
    this.digestSum.add(persistedDigestTerm(this.hasher, path, image));
    this.nodes++;
  }

  /**
   * Up to `nodesMax` nodes as one encoded chunk (an int count, then the nodes), or undefined when
   * every node has been handed out. Parents may come after children; the loader orders them.
   */
  nextChunk(nodesMax: number): Buffer | undefined {
    if (this.preservedDone) return undefined;
    if (this.released) throw new Error("invariant: a released snapshot capture is not read");
    const w = new JuteWriter(64 * 1024);
    w.writeInt(0);
    let count = 0;
    while (count < nodesMax && !this.walkDone) {
      const next = this.walk.next();
      if (next.done === true) {
        this.walkDone = true;
        break;
      }
      const [path, node] = next.value;
      if (this.preserved.has(path)) continue;
      this.markVisited(node);
      this.add(w, path, this.tree.persisted(node));
      count++;
    }
    if (this.walkDone && !this.preservedDone && count === 0) {
      // Nothing else can change what the snapshot holds once the walk is over: stop observing first.
      this.release();
      for (const [path, image] of this.preserved) {
        if (image !== null) {
          this.add(w, path, image);
          count++;
        }
      }
      this.preservedDone = true;
    }
    if (count === 0) return undefined;
    const out = Buffer.from(w.finish());
    out.writeInt32BE(count, 0);
    return out;
  }

  /** The session table at the capture's zxid, encoded. */
  sessionsChunk(): Buffer {
    const w = new JuteWriter(16 + this.sessions.length * 12);
    w.writeInt(this.sessions.length);
    for (const [id, timeoutMs] of this.sessions) w.writeLong(id).writeInt(timeoutMs);
    return Buffer.from(w.finish());
  }

  /** Counts and digest; only once every chunk has been handed out. */
  summary(): SnapshotSummary {
    if (!this.preservedDone) throw new Error("invariant: a snapshot summary follows its last chunk");
    const sum = new DigestSum();
    for (const [id, timeoutMs] of this.sessions) sum.add(sessionDigestTerm(this.hasher, id, timeoutMs));
    return {
      zxid: this.zxid,
      nodeCount: this.nodes,
      sessionCount: this.sessions.length,
      digest: BigInt.asUintN(64, this.digestSum.value + sum.value),
    };
  }

  /** Stops observing the tree (when done, or when the snapshot is abandoned). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.tree.changeObserver !== undefined) this.tree.changeObserver = undefined;
  }
}

/** Thrown when a snapshot's content is inconsistent though its checksums matched. */
export class SnapshotContentError extends Error {}

/** Rebuilds a StateMachine from chunks, in the order they were written. */
export class SnapshotLoader {
  private readonly machine: StateMachine;
  private readonly deferred: { path: string; node: PersistedNode }[] = [];
  private sessions: [bigint, number][] = [];
  private nodes = 0;

  constructor(options: StateMachineOptions) {
    this.machine = new StateMachine(options);
  }

  addNodes(chunk: Buffer): void {
    const r = new JuteReader(chunk);
    const count = r.readInt();
    if (count < 0) throw new SnapshotContentError(`negative node count ${count}`);
    for (let i = 0; i < count; i++) {
      const { path, node } = readNode(r);
      this.nodes++;
      if (!this.place(path, node)) this.deferred.push({ path, node });
    }
    r.expectEnd("snapshot node chunk");
  }

  addSessions(chunk: Buffer): void {
    const r = new JuteReader(chunk);
    const count = r.readInt();
    if (count < 0) throw new SnapshotContentError(`negative session count ${count}`);
    const sessions: [bigint, number][] = [];
    for (let i = 0; i < count; i++) sessions.push([r.readLong(), r.readInt()]);
    r.expectEnd("snapshot session chunk");
    this.sessions = sessions;
  }

  /** Puts a node in the tree; false when its parent is not there yet. */
  private place(path: string, image: PersistedNode): boolean {
    const tree = this.machine.tree;
    const existing = tree.get(path);
    if (existing !== undefined) {
      // Only the nodes every tree starts with can already be there; their identity fields are fixed.
      const base = tree.persisted(existing);
      if (
        base.czxid !== image.czxid ||
        base.ctime !== image.ctime ||
        base.ephemeralOwner !== image.ephemeralOwner
      ) {
        throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
      }
      tree.setData(existing, image.data, image.version, image.mzxid, image.mtime);
      tree.setACL(existing, image.acl, image.aversion);
      tree.setChildCounters(existing, image.cversion, image.pzxid);
      return true;
    }
    const slash = path.lastIndexOf("/");
    if (slash < 0) throw new SnapshotContentError(`node path ${JSON.stringify(path)} has no parent`);
    if (tree.get(path.slice(0, slash)) === undefined) return false;
    tree.attach(path, image);
    return true;
  }

  /** Checks the rebuilt state against the summary and returns it. */
  finish(summary: SnapshotSummary): StateMachine {
    // Parents before children: by depth, then each pass places what it can (depth order suffices).
    const depth = (p: string) => p.split("/").length;
    this.deferred.sort((a, b) => depth(a.path) - depth(b.path));
    for (const { path, node } of this.deferred) {
      if (!this.place(path, node)) {
        throw new SnapshotContentError(`node ${JSON.stringify(path)} has no parent in the snapshot`);
      }
    }
    if (this.nodes !== summary.nodeCount || this.sessions.length !== summary.sessionCount) {
      throw new SnapshotContentError(
        `snapshot holds ${this.nodes} nodes and ${this.sessions.length} sessions, its summary says ` +
          `${summary.nodeCount} and ${summary.sessionCount}`,
      );
    }
    this.machine.restore(summary.zxid, this.sessions);
    const digest = this.machine.digest();
    if (digest !== summary.digest) {
      throw new SnapshotContentError(
        `the loaded state's digest 0x${digest.toString(16)} differs from the snapshot's 0x${summary.digest.toString(16)}`,
      );
    }
    return this.machine;
  }
}
