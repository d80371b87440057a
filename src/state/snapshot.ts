// Snapshot (de)serialisation of the replicated state: exactly the state at one applied zxid, never
// fuzzy. A capture walks the live tree a chunk at a time while later entries keep being applied; the
// tree tells it before any node changes, and it then keeps that node's image from the moment the
// capture began (copy-on-write per node), so the walk never sees a change made after its zxid. The
// loader rebuilds a StateMachine and checks the result against the digest stored with the snapshot.
//
// A node record: path (jute string), data (jute buffer), an ACL reference, then the stat as
// STAT_WORDS int32 words (czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner,
// pzxid: the order of ZooKeeper's StatPersisted). ACL lists are numbered per snapshot in order of
// first use; a reference one past the last number defined introduces the next list, written in full
// right after it. So a million nodes sharing world:anyone carry a 4-byte reference each, and the
// loader interns each list once.

import { bytesHash32 } from "../data/hash.js";
import {
  type DataTree,
  type PersistedNode,
  persistedStatWords,
  STAT_WORDS,
  storedData,
  type ZNode,
} from "../data/tree.js";
import { type ACL, readACLList, writeACLList } from "../protocol/data.js";
import { JuteReader, JuteWriter } from "../protocol/jute.js";
import { StateMachine, type StateMachineOptions } from "./machine.js";

/** What a snapshot ends with: counts and the digest of everything in it. */
export interface SnapshotSummary {
  readonly zxid: bigint;
  readonly nodeCount: number;
  readonly sessionCount: number;
  readonly digest: bigint;
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
  /** This snapshot's ACL numbering, keyed by the interned list (images keep the same list object). */
  private readonly aclRefs = new Map<readonly ACL[], number>();
  private readonly words = new Int32Array(STAT_WORDS);
  /** The state's digest at the capture's zxid: kept by the tree as it changes, so free to take. */
  private readonly digest: bigint;
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
    this.digest = machine.digest();
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

  /** Writes one record with the stat in `this.words`. */
  private add(w: JuteWriter, path: string, data: string | null, acl: readonly ACL[]): void {
    w.writeString(path).writeLatin1Buffer(data);
    const ref = this.aclRefs.get(acl);
    if (ref === undefined) {
      w.writeInt(this.aclRefs.size);
      this.aclRefs.set(acl, this.aclRefs.size);
      writeACLList(w, acl);
    } else {
      w.writeInt(ref);
    }
    const words = this.words;
    for (let i = 0; i < STAT_WORDS; i++) w.writeInt(words[i]!);
    this.nodes++;
  }

  private addImage(w: JuteWriter, path: string, image: PersistedNode): void {
    persistedStatWords(image, this.words);
    this.add(w, path, storedData(image.data), image.acl);
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
    const tree = this.tree;
    while (count < nodesMax && !this.walkDone) {
      const next = this.walk.next();
      if (next.done === true) {
        this.walkDone = true;
        break;
      }
      const [path, node] = next.value;
      if (this.preserved.has(path)) continue;
      this.markVisited(node);
      tree.statWords(node, this.words);
      this.add(w, path, tree.storedDataOf(node), tree.aclOf(node));
      count++;
    }
    if (this.walkDone && !this.preservedDone && count === 0) {
      // Nothing else can change what the snapshot holds once the walk is over: stop observing first.
      this.release();
      for (const [path, image] of this.preserved) {
        if (image !== null) {
          this.addImage(w, path, image);
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
    return {
      zxid: this.zxid,
      nodeCount: this.nodes,
      sessionCount: this.sessions.length,
      digest: this.digest,
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

/** An ACL list as the loader knows it: the tree's index of it (one reference held). */
interface LoadedAcl {
  readonly list: readonly ACL[];
  readonly index: number;
}

/** A node whose parent came later in the snapshot: placed once every record is read. */
interface DeferredNode {
  readonly path: string;
  readonly data: string | null;
  readonly dataHash: number;
  readonly acl: LoadedAcl;
  readonly words: Int32Array;
}

/**
 * Buffer's own decoders, which `toString` reaches after an encoding lookup and range checks; the
 * loader calls them directly for its two strings per node, on ranges it has already checked.
 */
interface SliceableBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

function longAt(words: ArrayLike<number>, at: number): bigint {
  return BigInt.asIntN(64, (BigInt(words[at]! >>> 0) << 32n) | BigInt(words[at + 1]! >>> 0));
}

/**
 * Rebuilds a StateMachine from chunks, in the order they were written. Records are decoded in place:
 * the path and data become the strings the tree keeps, the stat words go straight into its columns
 * and each ACL list is interned once. The tree sums its digest as nodes arrive; the result must equal
 * the digest the live state had at the snapshot's zxid, which checks the capture and the decoding
 * end to end without a second pass over a million nodes.
 */
export class SnapshotLoader {
  private readonly machine: StateMachine;
  private readonly tree: DataTree;
  private readonly deferred: DeferredNode[] = [];
  /** Nodes every tree starts with: the only paths a snapshot node may find already there. */
  private readonly initialPaths: ReadonlySet<string>;
  private readonly acls: LoadedAcl[] = [];
  private readonly words = new Int32Array(STAT_WORDS);
  private sessions: [bigint, number][] = [];
  private nodes = 0;
  /** The parent of the last node placed: siblings come together, so most parents need no lookup. */
  private lastParentPath = "";
  private lastParent: ZNode = -1;

  constructor(options: StateMachineOptions) {
    this.machine = new StateMachine(options);
    this.tree = this.machine.tree;
    this.initialPaths = new Set(this.tree.paths());
  }

  addNodes(chunk: Buffer): void {
    const end = chunk.length;
    let at = 0;
    const need = (n: number, what: string) => {
      if (n < 0 || end - at < n) {
        throw new SnapshotContentError(`node record cut off: ${what} needs ${n} bytes at ${at}`);
      }
    };
    const int = (what: string) => {
      need(4, what);
      const v = chunk.readInt32BE(at);
      at += 4;
      return v;
    };
    const count = int("node count");
    if (count < 0) throw new SnapshotContentError(`negative node count ${count}`);
    const words = this.words;
    for (let i = 0; i < count; i++) {
      const pathLength = int("path length");
      if (pathLength <= 0) throw new SnapshotContentError("a node record has no path");
      need(pathLength, "path");
      const path = (chunk as SliceableBuffer).utf8Slice(at, at + pathLength);
      at += pathLength;
      const dataLength = int("data length");
      let data: string | null = null;
      let dataHash = 0;
      if (dataLength !== -1) {
        need(dataLength, "data");
        data = (chunk as SliceableBuffer).latin1Slice(at, at + dataLength);
        dataHash = bytesHash32(chunk, at, at + dataLength);
        at += dataLength;
      }
      const ref = int("ACL reference");
      let acl = this.acls[ref];
      if (acl === undefined) {
        if (ref !== this.acls.length) {
          throw new SnapshotContentError(`ACL reference ${ref} with ${this.acls.length} lists defined`);
        }
        const r = new JuteReader(chunk, at, end);
        const list = readACLList(r) ?? [];
        at = r.position;
        acl = { list, index: this.tree.internAcl(list) };
        this.acls.push(acl);
      }
      need(4 * STAT_WORDS, "stat");
      for (let w = 0; w < STAT_WORDS; w++, at += 4) words[w] = chunk.readInt32BE(at);
      this.nodes++;
      if (!this.place(path, data, dataHash, acl, words)) {
        this.deferred.push({ path, data, dataHash, acl, words: Int32Array.from(words) });
      }
    }
    if (at !== end) throw new SnapshotContentError(`${end - at} bytes after the last node record`);
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
  private place(
    path: string,
    data: string | null,
    dataHash: number,
    acl: LoadedAcl,
    words: Int32Array,
  ): boolean {
    const tree = this.tree;
    const slash = path.lastIndexOf("/");
    if (slash < 0) throw new SnapshotContentError(`node path ${JSON.stringify(path)} has no parent`);
    const parentPath = this.lastParentPath;
    const sameParent =
      slash === 0 ? parentPath === "/" : slash === parentPath.length && path.startsWith(parentPath);
    if (!sameParent) {
      const p = slash === 0 ? "/" : path.slice(0, slash);
      const parent = tree.get(p);
      if (parent === undefined) return false;
      this.lastParentPath = p;
      this.lastParent = parent;
    }
    if (tree.restore(this.lastParent, path, data, dataHash, acl.index, words) !== undefined) return true;
    if (!this.initialPaths.has(path)) {
      throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
    }
    // Only the nodes every tree starts with can already be there; their identity fields are fixed.
    const existing = tree.get(path)!;
    const base = tree.statWords(existing, new Int32Array(STAT_WORDS));
    for (const w of [0, 1, 4, 5, 11, 12]) {
      if (base[w] !== words[w]) throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
    }
    const bytes = data === null ? null : Buffer.from(data, "latin1");
    tree.setData(existing, bytes, words[8]!, longAt(words, 2), longAt(words, 6));
    tree.setACL(existing, acl.list, words[10]!);
    tree.setChildCounters(existing, words[9]!, longAt(words, 13));
    return true;
  }

  /** Checks the rebuilt state against the summary and returns it. */
  finish(summary: SnapshotSummary): StateMachine {
    // Parents before children: by depth, then each pass places what it can (depth order suffices).
    const depth = (p: string) => p.split("/").length;
    this.deferred.sort((a, b) => depth(a.path) - depth(b.path));
    for (const { path, data, dataHash, acl, words } of this.deferred) {
      if (!this.place(path, data, dataHash, acl, words)) {
        throw new SnapshotContentError(`node ${JSON.stringify(path)} has no parent in the snapshot`);
      }
    }
    // The nodes now hold the lists; the references interning took are given back.
    for (const acl of this.acls) this.tree.releaseAcl(acl.index);
    if (this.nodes !== summary.nodeCount || this.sessions.length !== summary.sessionCount) {
      throw new SnapshotContentError(
        `snapshot holds ${this.nodes} nodes and ${this.sessions.length} sessions, its summary says ` +
          `${summary.nodeCount} and ${summary.sessionCount}`,
      );
    }
    // Every node read is in the tree and nothing else is (the initial nodes are in every snapshot).
    if (this.tree.nodeCount !== this.nodes) {
      throw new SnapshotContentError(
        `the loaded tree has ${this.tree.nodeCount} nodes, the snapshot ${this.nodes}`,
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
