// Snapshot (de)serialisation of the replicated state: exactly the state at one applied zxid, never
// fuzzy. A capture walks the live tree a chunk at a time while later entries keep being applied; the
// tree tells it before any node changes, and it then keeps that node's image from the moment the
// capture began (copy-on-write per node), so the walk never sees a change made after its zxid. The
// loader rebuilds a StateMachine from chunks decoded by snapshot-records.ts and checks the result
// against the digest stored with the snapshot. The record format is described there; a million nodes
// sharing world:anyone carry a 4-byte ACL reference each, and the loader interns each list once.

import { parentOf } from "../data/path.js";
import {
  type DataTree,
  type PersistedNode,
  persistedStatWords,
  R_DATA_AT,
  R_DATA_LENGTH,
  R_PATH_AT,
  R_PATH_LENGTH,
  R_WORDS,
  RESTORE_INTS,
  STAT_WORDS,
  type ZNode,
} from "../data/tree.js";
import { type ACL, writeACLList } from "../protocol/data.js";
import { JuteReader, JuteWriter } from "../protocol/jute.js";
import { StateMachine, type StateMachineOptions } from "./machine.js";
import {
  F_NOT_ASCII,
  F_SAME_PARENT,
  P_ACL,
  P_FLAGS,
  P_PARENT_HASH,
  P_PARENT_LENGTH,
  P_RESTORE,
  PREPARED_STRIDE,
  type PreparedNodes,
  SnapshotContentError,
} from "./snapshot-records.js";

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
  /** Nodes the snapshot will hold: those in the tree at its zxid. */
  readonly nodeCount: number;
  private readonly tree: DataTree;
  private readonly sessions: [bigint, number][];
  private readonly secret: Buffer | undefined;
  private readonly walk: IterableIterator<ZNode>;
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
    this.nodeCount = this.tree.nodeCount;
    this.digest = machine.digest();
    this.sessions = [...machine.sessions()].map(([id, s]) => [id, s.timeoutMs]);
    this.secret = machine.sessionSecret;
    this.walk = this.tree.nodes();
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

  /** Writes one record with the stat in `this.words`; path and data as the tree stores them or as bytes. */
  private add(
    w: JuteWriter,
    path: string | Uint8Array,
    data: string | Uint8Array | null,
    acl: readonly ACL[],
  ): void {
    if (typeof path === "string") w.writeString(path);
    else w.writeBuffer(path);
    if (typeof data === "string") w.writeLatin1Buffer(data);
    else w.writeBuffer(data);
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
    this.add(w, path, image.data, image.acl);
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
      const node = next.value;
      const path = tree.storedPathOf(node);
      // A path still in the snapshot image was never named to beforeChange (that makes it a string),
      // so only a string path can have been preserved.
      if (typeof path === "string" && this.preserved.has(path)) continue;
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
    w.writeBuffer(this.secret ?? null);
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

/** An ACL list as the loader knows it: the tree's index of it (one reference held). */
interface LoadedAcl {
  readonly list: readonly ACL[];
  readonly index: number;
}

/** A node whose parent came later in the snapshot: placed once every record is read. */
interface DeferredNode {
  readonly path: string;
  /** The chunk the record came from: its RESTORE_INTS ints say where path and data are in it. */
  readonly chunk: Buffer;
  readonly acl: LoadedAcl;
  readonly restore: Int32Array;
}

/** The path of the record whose RESTORE_INTS ints are at `at`, as a string. */
function pathString(chunk: Buffer, ints: Int32Array, at: number): string {
  const pathAt = ints[at + R_PATH_AT]!;
  return chunk.toString("utf8", pathAt, pathAt + ints[at + R_PATH_LENGTH]!);
}

function longAt(words: ArrayLike<number>, at: number): bigint {
  return BigInt.asIntN(64, (BigInt(words[at]! >>> 0) << 32n) | BigInt(words[at + 1]! >>> 0));
}

/**
 * Rebuilds a StateMachine from chunks, in the order they were written. Records are decoded in place:
 * path and data stay in the chunk's memory (the snapshot's file image), the stat words go straight
 * into the tree's columns and each ACL list is interned once. The tree sums its digest as nodes arrive; the result must equal
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
  private sessions: [bigint, number][] = [];
  private secret: Buffer | undefined;
  private nodes = 0;
  /** The parent of the last record (-1 when not placed yet): siblings come together, so most parents need no lookup. */
  private lastParent: ZNode = -1;

  /** `expectedNodes` sizes the tree's index up front; the summary's count is what is checked. */
  constructor(options: StateMachineOptions, expectedNodes = 0) {
    this.machine = new StateMachine(options);
    this.tree = this.machine.tree;
    this.tree.reserve(expectedNodes);
    this.initialPaths = new Set(this.tree.paths());
  }

  /** Adds a chunk's nodes, decoded by the snapshot's NodeRecordPreparer (chunks in file order). */
  addNodes(chunk: Buffer, prepared: PreparedNodes): void {
    for (const list of prepared.newAcls) this.acls.push({ list, index: this.tree.internAcl(list) });
    const ints = prepared.ints;
    for (let base = 0; base < ints.length; base += PREPARED_STRIDE) {
      const at = base + P_RESTORE;
      const flags = ints[base + P_FLAGS]!;
      if ((flags & F_SAME_PARENT) === 0) {
        const pathAt = ints[at + R_PATH_AT]!;
        const parentEnd = pathAt + ints[base + P_PARENT_LENGTH]!;
        this.lastParent = this.tree.findBytes(chunk, pathAt, parentEnd, ints[base + P_PARENT_HASH]!);
      }
      const path = (flags & F_NOT_ASCII) === 0 ? undefined : pathString(chunk, ints, at);
      const acl = this.acls[ints[base + P_ACL]!]!;
      this.nodes++;
      if (this.lastParent >= 0) {
        this.place(this.lastParent, path, chunk, acl, ints, at);
      } else {
        const restore = ints.slice(at, at + RESTORE_INTS);
        this.deferred.push({ path: path ?? pathString(chunk, ints, at), chunk, acl, restore });
      }
    }
  }

  addSessions(chunk: Buffer): void {
    const r = new JuteReader(chunk);
    const count = r.readInt();
    if (count < 0) throw new SnapshotContentError(`negative session count ${count}`);
    const sessions: [bigint, number][] = [];
    for (let i = 0; i < count; i++) sessions.push([r.readLong(), r.readInt()]);
    this.secret = r.readBuffer() ?? undefined;
    r.expectEnd("snapshot session chunk");
    this.sessions = sessions;
  }

  /** Puts a node in the tree under `parent`, the node at its parent path. */
  private place(
    parent: ZNode,
    path: string | undefined,
    chunk: Buffer,
    acl: LoadedAcl,
    ints: Int32Array,
    at: number,
  ): void {
    const tree = this.tree;
    if (tree.restore(parent, path, chunk, acl.index, ints, at) !== undefined) return;
    path ??= pathString(chunk, ints, at);
    if (!this.initialPaths.has(path)) {
      throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
    }
    // Only the nodes every tree starts with can already be there; their identity fields are fixed.
    const existing = tree.get(path)!;
    const base = tree.statWords(existing, new Int32Array(STAT_WORDS));
    const words = ints.subarray(at + R_WORDS, at + R_WORDS + STAT_WORDS);
    for (const w of [0, 1, 4, 5, 11, 12]) {
      if (base[w] !== words[w]) throw new SnapshotContentError(`node ${JSON.stringify(path)} appears twice`);
    }
    const dataAt = ints[at + R_DATA_AT]!;
    const dataLength = ints[at + R_DATA_LENGTH]!;
    const bytes = dataLength === -1 ? null : Buffer.from(chunk.subarray(dataAt, dataAt + dataLength));
    tree.setData(existing, bytes, words[8]!, longAt(words, 2), longAt(words, 6));
    tree.setACL(existing, acl.list, words[10]!);
    tree.setChildCounters(existing, words[9]!, longAt(words, 13));
  }

  /** Checks the rebuilt state against the summary and returns it. */
  finish(summary: SnapshotSummary): StateMachine {
    // Parents before children: by depth, then each pass places what it can (depth order suffices).
    const depth = (p: string) => p.split("/").length;
    this.deferred.sort((a, b) => depth(a.path) - depth(b.path));
    for (const { path, chunk, acl, restore } of this.deferred) {
      // Never the root: its parent path is itself, which every tree has, so it is never deferred.
      const parent = this.tree.get(parentOf(path));
      if (parent === undefined) {
        throw new SnapshotContentError(`node ${JSON.stringify(path)} has no parent in the snapshot`);
      }
      this.place(parent, path, chunk, acl, restore, 0);
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
    this.machine.restore(summary.zxid, this.sessions, this.secret);
    const digest = this.machine.digest();
    if (digest !== summary.digest) {
      throw new SnapshotContentError(
        `the loaded state's digest 0x${digest.toString(16)} differs from the snapshot's 0x${summary.digest.toString(16)}`,
      );
    }
    return this.machine;
  }
}
