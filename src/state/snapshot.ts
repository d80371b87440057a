// Snapshot (de)serialisation of the replicated state: exactly the state at one applied zxid, never
// fuzzy. A capture walks the live tree a chunk at a time while later entries keep being applied; the
// tree tells it before any node changes, and it then keeps that node's image from the moment the
// capture began (copy-on-write per node), so the walk never sees a change made after its zxid. The
// loader rebuilds a StateMachine and checks the result against the digest stored with the snapshot.

import { aclKey } from "../data/acl-cache.js";
import { DigestSum, Hasher64 } from "../data/hash.js";
import { type DataTree, type PersistedNode, persistedDigestTerm, type ZNode } from "../data/tree.js";
import { type ACL, readACLList, writeACLList } from "../protocol/data.js";
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

/**
 * Reads node records straight out of a chunk: paths and data as views of the chunk, each ACL list
 * decoded once per distinct list, and each node's digest term hashed from the record's bytes
 * (a long's two big-endian words are what Hasher64.long hashes), so no BigInt arithmetic is done.
 */
class NodeRecordReader {
  private at: number;
  private previousAclBytes: Buffer | undefined;
  private previousAcl: { acl: readonly ACL[]; key: string } | undefined;

  constructor(
    private readonly buf: Buffer,
    private readonly hasher: Hasher64,
  ) {
    this.at = 0;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.buf.length - this.at < n) {
      throw new SnapshotContentError(`node record cut off: ${what} needs ${n} bytes at ${this.at}`);
    }
  }

  int(): number {
    this.need(4, "int");
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  /** Skips a length-prefixed field and returns its byte range; [x, x] with -1 length means null. */
  private field(what: string): { start: number; end: number; isNull: boolean } {
    const length = this.int();
    if (length === -1) return { start: this.at, end: this.at, isNull: true };
    this.need(length, what);
    const start = this.at;
    this.at += length;
    return { start, end: this.at, isNull: false };
  }

  /** The ACL list at the cursor; consecutive nodes mostly share one, so it is compared as bytes first. */
  private acl(): { acl: readonly ACL[]; key: string } {
    const start = this.at;
    const count = this.int();
    if (count < -1) throw new SnapshotContentError(`ACL count ${count}`);
    for (let i = 0; i < count; i++) {
      this.int();
      this.field("ACL scheme");
      this.field("ACL id");
    }
    const prev = this.previousAclBytes;
    if (prev !== undefined && this.buf.compare(prev, 0, prev.length, start, this.at) === 0) {
      return this.previousAcl!;
    }
    const acl = readACLList(new JuteReader(this.buf, start, this.at)) ?? [];
    this.previousAclBytes = Buffer.from(this.buf.subarray(start, this.at));
    this.previousAcl = { acl, key: aclKey(acl) };
    return this.previousAcl;
  }

  /** A long as a bigint, also fed to the hasher as its high and low words. */
  private long(): bigint {
    this.need(8, "long");
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }

  private hashLongAt(offset: number): void {
    this.hasher.int(this.buf.readInt32BE(offset)).int(this.buf.readInt32BE(offset + 4));
  }

  /** One node and its digest term (nodeDigestTerm of the same fields). */
  node(): { path: string; image: PersistedNode; term: [number, number] } {
    const p = this.field("path");
    if (p.isNull || p.end === p.start) throw new SnapshotContentError("a node record has no path");
    const path = this.buf.toString("utf8", p.start, p.end);
    const d = this.field("data");
    const data = d.isNull ? null : this.buf.subarray(d.start, d.end);
    const { acl, key } = this.acl();
    const longsAt = this.at;
    const czxid = this.long();
    const mzxid = this.long();
    const ctime = this.long();
    const mtime = this.long();
    const version = this.int();
    const cversion = this.int();
    const aversion = this.int();
    const ownerAt = this.at;
    const ephemeralOwner = this.long();
    const pzxid = this.long();
    const h = this.hasher.reset().string(path).bytes(data).string(key);
    for (let i = 0; i < 4; i++) this.hashLongAt(longsAt + 8 * i);
    h.int(version).int(cversion).int(aversion);
    this.hashLongAt(ownerAt);
    this.hashLongAt(ownerAt + 8);
    const image = {
      data,
      acl,
      czxid,
      mzxid,
      ctime,
      mtime,
      version,
      cversion,
      aversion,
      ephemeralOwner,
      pzxid,
    };
    return { path, image, term: h.finish() };
  }

  expectEnd(): void {
    if (this.at !== this.buf.length) {
      throw new SnapshotContentError(`${this.buf.length - this.at} bytes after the last node record`);
    }
  }
}

/**
 * Rebuilds a StateMachine from chunks, in the order they were written. The digest is summed from
 * the records as they are decoded (as ZooKeeper's DataTree does while deserialising), and the tree
 * must end with exactly the nodes read, so a second pass over a million nodes is not needed.
 */
export class SnapshotLoader {
  private readonly machine: StateMachine;
  private readonly deferred: { path: string; node: PersistedNode }[] = [];
  /** Nodes every tree starts with: the only paths a snapshot node may find already there. */
  private readonly initialPaths: ReadonlySet<string>;
  private readonly digestSum = new DigestSum();
  private readonly hasher = new Hasher64();
  private sessions: [bigint, number][] = [];
  private nodes = 0;
  /** The parent of the last node placed: siblings come together, so most parents need no lookup. */
  private lastParent = "";

  constructor(options: StateMachineOptions) {
    this.machine = new StateMachine(options);
    this.initialPaths = new Set(this.machine.tree.paths());
  }

  addNodes(chunk: Buffer): void {
    const r = new NodeRecordReader(chunk, this.hasher);
    const count = r.int();
    if (count < 0) throw new SnapshotContentError(`negative node count ${count}`);
    for (let i = 0; i < count; i++) {
      const { path, image, term } = r.node();
      this.digestSum.add(term);
      this.nodes++;
      if (!this.place(path, image)) this.deferred.push({ path, node: image });
    }
    r.expectEnd();
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
    if (this.initialPaths.has(path)) {
      const existing = tree.get(path)!;
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
    const parent = slash === 0 ? "/" : path.slice(0, slash);
    if (parent !== this.lastParent) {
      if (tree.get(parent) === undefined) return false;
      this.lastParent = parent;
    }
    try {
      tree.attach(path, image);
    } catch {
      // The parent is there, so the only way attach can refuse is a path that already exists.
      throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
    }
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
    // Every node read is in the tree and nothing else is (the initial nodes are in every snapshot).
    if (this.machine.tree.nodeCount !== this.nodes) {
      throw new SnapshotContentError(
        `the loaded tree has ${this.machine.tree.nodeCount} nodes, the snapshot ${this.nodes}`,
      );
    }
    for (const [id, timeoutMs] of this.sessions)
      this.digestSum.add(sessionDigestTerm(this.hasher, id, timeoutMs));
    const digest = this.digestSum.value;
    if (digest !== summary.digest) {
      throw new SnapshotContentError(
        `the loaded state's digest 0x${digest.toString(16)} differs from the snapshot's 0x${summary.digest.toString(16)}`,
      );
    }
    this.machine.restore(summary.zxid, this.sessions);
    return this.machine;
  }
}
