// The znode tree: every node keyed by its full path for O(1) lookup. A node is only a slot number:
// its stat fields live in typed-array columns, its data as a latin1 string, its ACL as an index into
// interned lists, and child sets hold the map's own path strings. No per-node object is allocated,
// which keeps memory per znode small at millions of nodes. The tree stores; the rules live in state/.

import { CONTAINER_EPHEMERAL_OWNER, TTL_EPHEMERAL_OWNER_PREFIX } from "../protocol/constants.js";
import { type ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Stat } from "../protocol/data.js";
import { AclCache, aclKey } from "./acl-cache.js";
import { DigestSum, Hasher64 } from "./hash.js";
import { QuotaRoots, type QuotaRootsView } from "./quota-roots.js";

/** What kind of node an ephemeralOwner value denotes (ZooKeeper's EphemeralType). */
export const NodeKind = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  CONTAINER: 2,
  TTL: 3,
} as const;
export type NodeKindValue = (typeof NodeKind)[keyof typeof NodeKind];

/** ephemeralOwner values are stored and compared as signed 64-bit, as jute reads them. */
export const CONTAINER_OWNER = BigInt.asIntN(64, CONTAINER_EPHEMERAL_OWNER);
const TTL_PREFIX = BigInt.asUintN(64, TTL_EPHEMERAL_OWNER_PREFIX);
const TTL_VALUE_MASK = 0xffffffffffn;

/** The ephemeralOwner marker of a TTL node with `ttlMs`. */
export function ttlOwner(ttlMs: bigint): bigint {
  return BigInt.asIntN(64, TTL_PREFIX | ttlMs);
}

/** Everything a node persists: ZooKeeper's StatPersisted plus data and ACL. Snapshots carry these. */
export interface PersistedNode {
  readonly data: Buffer | null;
  readonly acl: readonly ACL[];
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly ctime: bigint;
  readonly mtime: bigint;
  readonly version: number;
  /** The stored cversion: child creations only (the client sees 2*cversion - numChildren). */
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly pzxid: bigint;
}

/**
 * A node handle: the node's slot in the column store. Valid until the node is detached, after which
 * the slot may be reused, so keep paths, not handles, across mutations.
 */
export type ZNode = number;

// Column layout. Longs: czxid, mzxid, ctime, mtime, ephemeralOwner, pzxid. Ints: version, stored
// cversion, aversion, ACL list index.
const LONGS = 6;
const L_CZXID = 0;
const L_MZXID = 1;
const L_CTIME = 2;
const L_MTIME = 3;
const L_OWNER = 4;
const L_PZXID = 5;
const INTS = 4;
const I_VERSION = 0;
const I_CVERSION = 1;
const I_AVERSION = 2;
const I_ACL = 3;
const CHUNK_BITS = 14;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/**
 * Per-node columns in fixed-size typed-array chunks (growth never copies, wastes at most a chunk),
 * plus two plain arrays for the data and the child set. Data is kept as a latin1 string, one byte
 * per char: a short string costs a fraction of a Buffer object.
 */
class Columns {
  private readonly longChunks: BigInt64Array[] = [];
  private readonly intChunks: Int32Array[] = [];
  readonly data: (string | null)[] = [];
  /** Children as full paths: the same string objects as the node map's keys, so names cost nothing. */
  readonly children: (Set<string> | null)[] = [];
  /** Each slot's path (the node map's own key string), so a change to a handle can be named. */
  readonly paths: (string | null)[] = [];
  private readonly free: number[] = [];
  private next = 0;

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next++;
    if ((slot & CHUNK_MASK) === 0) {
      this.longChunks.push(new BigInt64Array(CHUNK_SLOTS * LONGS));
      this.intChunks.push(new Int32Array(CHUNK_SLOTS * INTS));
    }
    this.data.push(null);
    this.children.push(null);
    this.paths.push(null);
    return slot;
  }

  release(slot: number): void {
    this.data[slot] = null;
    this.children[slot] = null;
    this.paths[slot] = null;
    this.free.push(slot);
  }

  getLong(slot: number, field: number): bigint {
    return this.longChunks[slot >>> CHUNK_BITS]![(slot & CHUNK_MASK) * LONGS + field]!;
  }

  setLong(slot: number, field: number, v: bigint): void {
    this.longChunks[slot >>> CHUNK_BITS]![(slot & CHUNK_MASK) * LONGS + field] = v;
  }

  getInt(slot: number, field: number): number {
    return this.intChunks[slot >>> CHUNK_BITS]![(slot & CHUNK_MASK) * INTS + field]!;
  }

  setInt(slot: number, field: number, v: number): void {
    this.intChunks[slot >>> CHUNK_BITS]![(slot & CHUNK_MASK) * INTS + field] = v;
  }
}

/** Reads hand out this one buffer for zero-length data; it cannot be written through. */
const EMPTY_DATA = Buffer.alloc(0);

function storeData(data: Buffer | null): string | null {
  return data === null ? null : data.toString("latin1");
}

function loadData(stored: string | null): Buffer | null {
  if (stored === null) return null;
  return stored.length === 0 ? EMPTY_DATA : Buffer.from(stored, "latin1");
}

export const SYSTEM_PATHS: ReadonlySet<string> = new Set([
  "/",
  "/zookeeper",
  "/zookeeper/quota",
  "/zookeeper/config",
]);

/**
 * Told just before any persisted change: a node attached (`node` undefined) or detached, or a stat,
 * data or ACL update. Snapshots use it to keep the image a node had when the snapshot began.
 */
export interface TreeChangeObserver {
  beforeChange(path: string, node: ZNode | undefined): void;
}

/**
 * The digest term of one node; DataTree.digest and snapshot writers share it so a snapshot's digest
 * equals the digest of the tree it was taken from.
 */
export function nodeDigestTerm(
  h: Hasher64,
  path: string,
  dataLatin1: string | null,
  aclListKey: string,
  image: Omit<PersistedNode, "data" | "acl">,
): [number, number] {
  return h
    .reset()
    .string(path)
    .latin1(dataLatin1)
    .string(aclListKey)
    .long(image.czxid)
    .long(image.mzxid)
    .long(image.ctime)
    .long(image.mtime)
    .int(image.version)
    .int(image.cversion)
    .int(image.aversion)
    .long(image.ephemeralOwner)
    .long(image.pzxid)
    .finish();
}

/** nodeDigestTerm of a node image as snapshots carry it. */
export function persistedDigestTerm(h: Hasher64, path: string, image: PersistedNode): [number, number] {
  return nodeDigestTerm(h, path, storeData(image.data), aclKey(image.acl), image);
}

export interface DataTreeOptions {
  /** zookeeper.extendedTypesEnabled: only then does an 0xFF-prefixed owner mean a TTL node. */
  readonly extendedTypesEnabled?: boolean;
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  private readonly cols = new Columns();
  private readonly acls = new AclCache();
  private readonly ephemeralsByOwner = new Map<bigint, Set<string>>();
  private readonly containerPaths = new Set<string>();
  private readonly ttlPaths = new Set<string>();
  private readonly quotaRootIndex = new QuotaRoots();
  private readonly extendedTypesEnabled: boolean;
  private readonly root: ZNode;
  private dataSize = 0;
  private ephemeralCount = 0;
  /** Set by a snapshot in progress; see TreeChangeObserver. */
  changeObserver: TreeChangeObserver | undefined;

  constructor(options: DataTreeOptions = {}) {
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? false;
    this.root = this.newNode("/", systemNode(OPEN_ACL_UNSAFE, 0));
    this.nodes.set("/", this.root);
    this.attach("/zookeeper", systemNode(OPEN_ACL_UNSAFE, 0));
    this.attach("/zookeeper/quota", systemNode(OPEN_ACL_UNSAFE, 0));
    // ZooKeeper sets this node's ACL with version -1 at start-up, so clients see aversion -1.
    this.attach("/zookeeper/config", systemNode(READ_ACL_UNSAFE, -1));
  }

  /** The node at `path`; "" is ZooKeeper's alias of the root and finds it too. */
  get(path: string): ZNode | undefined {
    return path === "" ? this.root : this.nodes.get(path);
  }

  /** Nodes in the tree, the root once. */
  get nodeCount(): number {
    return this.nodes.size;
  }

  /** ZooKeeper's "Node count" / zk_znode_count: its map also holds the root under "", so one more. */
  get znodeCount(): number {
    return this.nodes.size + 1;
  }

  /** zk_approximate_data_size: the sum over nodes of path length (UTF-16 units) plus data bytes. */
  get approximateDataSize(): number {
    return this.dataSize;
  }

  get ephemeralsCount(): number {
    return this.ephemeralCount;
  }

  /** Distinct ACL lists in use. */
  get aclCacheSize(): number {
    return this.acls.size;
  }

  paths(): IterableIterator<string> {
    return this.nodes.keys();
  }

  /** Every node with its path; a live iterator that also visits nodes attached while it runs. */
  entries(): IterableIterator<[string, ZNode]> {
    return this.nodes.entries();
  }

  /** The path of a live node. */
  pathOf(node: ZNode): string {
    return this.cols.paths[node]!;
  }

  /** The node's data; a fresh Buffer per call (zero-length data shares one empty buffer). */
  dataOf(node: ZNode): Buffer | null {
    return loadData(this.cols.data[node]!);
  }

  dataLength(node: ZNode): number {
    return this.cols.data[node]?.length ?? 0;
  }

  aclOf(node: ZNode): readonly ACL[] {
    return this.acls.entry(this.cols.getInt(node, I_ACL)).acl;
  }

  version(node: ZNode): number {
    return this.cols.getInt(node, I_VERSION);
  }

  storedCversion(node: ZNode): number {
    return this.cols.getInt(node, I_CVERSION);
  }

  aversion(node: ZNode): number {
    return this.cols.getInt(node, I_AVERSION);
  }

  mzxid(node: ZNode): bigint {
    return this.cols.getLong(node, L_MZXID);
  }

  pzxid(node: ZNode): bigint {
    return this.cols.getLong(node, L_PZXID);
  }

  mtime(node: ZNode): bigint {
    return this.cols.getLong(node, L_MTIME);
  }

  ephemeralOwner(node: ZNode): bigint {
    return this.cols.getLong(node, L_OWNER);
  }

  numChildren(node: ZNode): number {
    return this.cols.children[node]?.size ?? 0;
  }

  /** Child names, in no defined order (ZooKeeper's is a HashSet's). */
  childrenOf(node: ZNode): string[] {
    const set = this.cols.children[node];
    if (set === null || set === undefined) return [];
    const out: string[] = [];
    for (const p of set) out.push(p.slice(p.lastIndexOf("/") + 1));
    return out;
  }

  kindOfOwner(owner: bigint): NodeKindValue {
    if (this.extendedTypesEnabled && (BigInt.asUintN(64, owner) & TTL_PREFIX) === TTL_PREFIX)
      return NodeKind.TTL;
    if (owner === CONTAINER_OWNER) return NodeKind.CONTAINER;
    return owner === 0n ? NodeKind.PERSISTENT : NodeKind.EPHEMERAL;
  }

  kindOf(node: ZNode): NodeKindValue {
    return this.kindOfOwner(this.ephemeralOwner(node));
  }

  /** The TTL in ms of a TTL node (0 for other kinds). */
  ttlOf(node: ZNode): bigint {
    return this.kindOf(node) === NodeKind.TTL
      ? BigInt.asUintN(64, this.ephemeralOwner(node)) & TTL_VALUE_MASK
      : 0n;
  }

  /** The Stat a client sees: cversion counts creations and deletions, container/TTL owners read as 0. */
  statOf(node: ZNode): Stat {
    const c = this.cols;
    const numChildren = this.numChildren(node);
    const owner = c.getLong(node, L_OWNER);
    return {
      czxid: c.getLong(node, L_CZXID),
      mzxid: c.getLong(node, L_MZXID),
      ctime: c.getLong(node, L_CTIME),
      mtime: c.getLong(node, L_MTIME),
      version: c.getInt(node, I_VERSION),
      cversion: (Math.imul(2, c.getInt(node, I_CVERSION)) - numChildren) | 0,
      aversion: c.getInt(node, I_AVERSION),
      ephemeralOwner: this.kindOfOwner(owner) === NodeKind.EPHEMERAL ? owner : 0n,
      dataLength: this.dataLength(node),
      numChildren,
      pzxid: c.getLong(node, L_PZXID),
    };
  }

  persisted(node: ZNode): PersistedNode {
    const c = this.cols;
    return {
      data: this.dataOf(node),
      acl: this.aclOf(node),
      czxid: c.getLong(node, L_CZXID),
      mzxid: c.getLong(node, L_MZXID),
      ctime: c.getLong(node, L_CTIME),
      mtime: c.getLong(node, L_MTIME),
      version: c.getInt(node, I_VERSION),
      cversion: c.getInt(node, I_CVERSION),
      aversion: c.getInt(node, I_AVERSION),
      ephemeralOwner: c.getLong(node, L_OWNER),
      pzxid: c.getLong(node, L_PZXID),
    };
  }

  /** Paths of the normal ephemerals owned by a session. */
  ephemeralsOf(owner: bigint): ReadonlySet<string> | undefined {
    return this.ephemeralsByOwner.get(BigInt.asIntN(64, owner));
  }

  ephemeralOwners(): IterableIterator<bigint> {
    return this.ephemeralsByOwner.keys();
  }

  /** Container nodes, for the server's container clean-up. */
  containers(): ReadonlySet<string> {
    return this.containerPaths;
  }

  /** TTL nodes, for the server's TTL clean-up. */
  ttls(): ReadonlySet<string> {
    return this.ttlPaths;
  }

  /** The quota roots declared by limits nodes under /zookeeper/quota. */
  quotaRoots(): QuotaRootsView {
    return this.quotaRootIndex;
  }

  private newNode(path: string, image: PersistedNode): ZNode {
    const c = this.cols;
    const node = c.alloc();
    c.paths[node] = path;
    c.data[node] = storeData(image.data);
    c.setInt(node, I_ACL, this.acls.acquire(image.acl));
    c.setLong(node, L_CZXID, image.czxid);
    c.setLong(node, L_MZXID, image.mzxid);
    c.setLong(node, L_CTIME, image.ctime);
    c.setLong(node, L_MTIME, image.mtime);
    c.setLong(node, L_OWNER, BigInt.asIntN(64, image.ephemeralOwner));
    c.setLong(node, L_PZXID, image.pzxid);
    c.setInt(node, I_VERSION, image.version);
    c.setInt(node, I_CVERSION, image.cversion);
    c.setInt(node, I_AVERSION, image.aversion);
    this.dataSize += path.length + this.dataLength(node);
    return node;
  }

  /**
   * Inserts a node under its existing parent with exactly the persisted fields given; the parent's
   * stat is not touched (callers own cversion/pzxid). Used for creates, undo and snapshot loading.
   */
  attach(path: string, image: PersistedNode): ZNode {
    const slash = path.lastIndexOf("/");
    const parent = slash < 0 ? undefined : this.get(path.slice(0, slash));
    if (parent === undefined || this.nodes.has(path)) {
      throw new Error(`invariant: attach ${JSON.stringify(path)} needs an existing parent and a free path`);
    }
    this.changeObserver?.beforeChange(path, undefined);
    const node = this.newNode(path, image);
    this.nodes.set(path, node);
    const siblings = this.cols.children[parent] ?? new Set<string>();
    this.cols.children[parent] = siblings;
    siblings.add(path);
    this.quotaRootIndex.nodeAttached(path);
    const owner = BigInt.asIntN(64, image.ephemeralOwner);
    switch (this.kindOfOwner(owner)) {
      case NodeKind.CONTAINER:
        this.containerPaths.add(path);
        break;
      case NodeKind.TTL:
        this.ttlPaths.add(path);
        break;
      case NodeKind.EPHEMERAL: {
        let set = this.ephemeralsByOwner.get(owner);
        if (set === undefined) {
          set = new Set();
          this.ephemeralsByOwner.set(owner, set);
        }
        set.add(path);
        this.ephemeralCount++;
        break;
      }
    }
    return node;
  }

  /** Removes a childless node and returns what it persisted; the parent's stat is not touched. */
  detach(path: string): PersistedNode {
    const node = this.nodes.get(path);
    if (node === undefined || node === this.root || this.numChildren(node) !== 0) {
      throw new Error(`invariant: detach ${JSON.stringify(path)} needs an existing childless non-root node`);
    }
    this.changeObserver?.beforeChange(path, node);
    const parent = this.get(path.slice(0, path.lastIndexOf("/")))!;
    const image = this.persisted(node);
    this.nodes.delete(path);
    const siblings = this.cols.children[parent]!;
    siblings.delete(path);
    if (siblings.size === 0) this.cols.children[parent] = null;
    this.quotaRootIndex.nodeDetached(path);
    this.dataSize -= path.length + this.dataLength(node);
    this.acls.release(this.cols.getInt(node, I_ACL));
    this.cols.release(node);
    switch (this.kindOfOwner(image.ephemeralOwner)) {
      case NodeKind.CONTAINER:
        this.containerPaths.delete(path);
        break;
      case NodeKind.TTL:
        this.ttlPaths.delete(path);
        break;
      case NodeKind.EPHEMERAL: {
        const set = this.ephemeralsByOwner.get(image.ephemeralOwner)!;
        set.delete(path);
        if (set.size === 0) this.ephemeralsByOwner.delete(image.ephemeralOwner);
        this.ephemeralCount--;
        break;
      }
    }
    return image;
  }

  setChildCounters(node: ZNode, storedCversion: number, pzxid: bigint): void {
    this.changeObserver?.beforeChange(this.cols.paths[node]!, node);
    this.cols.setInt(node, I_CVERSION, storedCversion);
    this.cols.setLong(node, L_PZXID, pzxid);
  }

  setData(node: ZNode, data: Buffer | null, version: number, mzxid: bigint, mtime: bigint): void {
    this.changeObserver?.beforeChange(this.cols.paths[node]!, node);
    this.dataSize += (data === null ? 0 : data.length) - this.dataLength(node);
    this.cols.data[node] = storeData(data);
    this.cols.setInt(node, I_VERSION, version);
    this.cols.setLong(node, L_MZXID, mzxid);
    this.cols.setLong(node, L_MTIME, mtime);
  }

  setACL(node: ZNode, acl: readonly ACL[], aversion: number): void {
    this.changeObserver?.beforeChange(this.cols.paths[node]!, node);
    const next = this.acls.acquire(acl);
    this.acls.release(this.cols.getInt(node, I_ACL));
    this.cols.setInt(node, I_ACL, next);
    this.cols.setInt(node, I_AVERSION, aversion);
  }

  /** Number of nodes below `path`, not counting it (getAllChildrenNumber); the walk visits each once. */
  descendantCount(path: string): number {
    const start = this.get(path);
    if (start === undefined) return 0;
    if (start === this.root) return this.nodes.size - 1;
    let count = 0;
    const pending: ZNode[] = [start];
    while (pending.length > 0) {
      const children = this.cols.children[pending.pop()!];
      if (children === null || children === undefined) continue;
      for (const childPath of children) {
        count++;
        pending.push(this.nodes.get(childPath)!);
      }
    }
    return count;
  }

  /**
   * A 64-bit digest of every node's path, data, ACL and persisted stat, summed so that it does not
   * depend on iteration order: two trees with the same content have the same digest.
   */
  digest(): bigint {
    const sum = new DigestSum();
    const h = new Hasher64();
    const c = this.cols;
    for (const [path, node] of this.nodes) {
      sum.add(
        nodeDigestTerm(h, path, c.data[node]!, this.acls.entry(c.getInt(node, I_ACL)).key, {
          czxid: c.getLong(node, L_CZXID),
          mzxid: c.getLong(node, L_MZXID),
          ctime: c.getLong(node, L_CTIME),
          mtime: c.getLong(node, L_MTIME),
          version: c.getInt(node, I_VERSION),
          cversion: c.getInt(node, I_CVERSION),
          aversion: c.getInt(node, I_AVERSION),
          ephemeralOwner: c.getLong(node, L_OWNER),
          pzxid: c.getLong(node, L_PZXID),
        }),
      );
    }
    return sum.value;
  }
}

function systemNode(acl: readonly ACL[], aversion: number): PersistedNode {
  return {
    data: EMPTY_DATA,
    acl,
    czxid: 0n,
    mzxid: 0n,
    ctime: 0n,
    mtime: 0n,
    version: 0,
    cversion: 0,
    aversion,
    ephemeralOwner: 0n,
    pzxid: 0n,
  };
}
