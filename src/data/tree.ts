// The znode tree: every node keyed by its full path for O(1) lookup, with its persisted stat fields
// kept in a column store (typed-array chunks indexed by a per-node slot) rather than in per-node
// objects, and ACL lists interned. A node object is then four fields; this is what keeps memory per
// znode small at millions of nodes. The tree only stores and mutates; the rules live in state/.

import { CONTAINER_EPHEMERAL_OWNER, TTL_EPHEMERAL_OWNER_PREFIX } from "../protocol/constants.js";
import { type ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Stat } from "../protocol/data.js";
import { AclCache, type AclEntry } from "./acl-cache.js";
import { DigestSum, Hasher64 } from "./hash.js";

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

/** A node: its data, interned ACL, child names (null when it has none) and its stat slot. */
export class ZNode {
  constructor(
    public data: Buffer | null,
    public aclEntry: AclEntry,
    public children: Set<string> | null,
    readonly slot: number,
  ) {}
}

// Column layout of the stat store.
const LONGS = 6;
const L_CZXID = 0;
const L_MZXID = 1;
const L_CTIME = 2;
const L_MTIME = 3;
const L_OWNER = 4;
const L_PZXID = 5;
const INTS = 3;
const I_VERSION = 0;
const I_CVERSION = 1;
const I_AVERSION = 2;
const CHUNK_BITS = 14;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/** Fixed-size chunks: growth never copies and wastes at most one chunk. */
class StatStore {
  private readonly longChunks: BigInt64Array[] = [];
  private readonly intChunks: Int32Array[] = [];
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
    return slot;
  }

  release(slot: number): void {
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

/** Zero-length data is common; sharing one empty buffer saves an object per node. */
const EMPTY_DATA = Buffer.alloc(0);

function internData(data: Buffer | null): Buffer | null {
  return data !== null && data.length === 0 ? EMPTY_DATA : data;
}

export const SYSTEM_PATHS: ReadonlySet<string> = new Set([
  "/",
  "/zookeeper",
  "/zookeeper/quota",
  "/zookeeper/config",
]);

export interface DataTreeOptions {
  /** zookeeper.extendedTypesEnabled: only then does an 0xFF-prefixed owner mean a TTL node. */
  readonly extendedTypesEnabled?: boolean;
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  private readonly stats = new StatStore();
  private readonly acls = new AclCache();
  private readonly ephemeralsByOwner = new Map<bigint, Set<string>>();
  private readonly containerPaths = new Set<string>();
  private readonly ttlPaths = new Set<string>();
  private readonly extendedTypesEnabled: boolean;
  private readonly root: ZNode;
  private dataSize = 0;
  private ephemeralCount = 0;

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

  aclOf(node: ZNode): readonly ACL[] {
    return node.aclEntry.acl;
  }

  version(node: ZNode): number {
    return this.stats.getInt(node.slot, I_VERSION);
  }

  storedCversion(node: ZNode): number {
    return this.stats.getInt(node.slot, I_CVERSION);
  }

  aversion(node: ZNode): number {
    return this.stats.getInt(node.slot, I_AVERSION);
  }

  mzxid(node: ZNode): bigint {
    return this.stats.getLong(node.slot, L_MZXID);
  }

  pzxid(node: ZNode): bigint {
    return this.stats.getLong(node.slot, L_PZXID);
  }

  mtime(node: ZNode): bigint {
    return this.stats.getLong(node.slot, L_MTIME);
  }

  ephemeralOwner(node: ZNode): bigint {
    return this.stats.getLong(node.slot, L_OWNER);
  }

  numChildren(node: ZNode): number {
    return node.children === null ? 0 : node.children.size;
  }

  childrenOf(node: ZNode): string[] {
    return node.children === null ? [] : [...node.children];
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
    const s = this.stats;
    const slot = node.slot;
    const numChildren = this.numChildren(node);
    const owner = s.getLong(slot, L_OWNER);
    return {
      czxid: s.getLong(slot, L_CZXID),
      mzxid: s.getLong(slot, L_MZXID),
      ctime: s.getLong(slot, L_CTIME),
      mtime: s.getLong(slot, L_MTIME),
      version: s.getInt(slot, I_VERSION),
      cversion: (Math.imul(2, s.getInt(slot, I_CVERSION)) - numChildren) | 0,
      aversion: s.getInt(slot, I_AVERSION),
      ephemeralOwner: this.kindOfOwner(owner) === NodeKind.EPHEMERAL ? owner : 0n,
      dataLength: node.data === null ? 0 : node.data.length,
      numChildren,
      pzxid: s.getLong(slot, L_PZXID),
    };
  }

  persisted(node: ZNode): PersistedNode {
    const s = this.stats;
    const slot = node.slot;
    return {
      data: node.data,
      acl: node.aclEntry.acl,
      czxid: s.getLong(slot, L_CZXID),
      mzxid: s.getLong(slot, L_MZXID),
      ctime: s.getLong(slot, L_CTIME),
      mtime: s.getLong(slot, L_MTIME),
      version: s.getInt(slot, I_VERSION),
      cversion: s.getInt(slot, I_CVERSION),
      aversion: s.getInt(slot, I_AVERSION),
      ephemeralOwner: s.getLong(slot, L_OWNER),
      pzxid: s.getLong(slot, L_PZXID),
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

  private newNode(path: string, image: PersistedNode): ZNode {
    const slot = this.stats.alloc();
    const node = new ZNode(internData(image.data), this.acls.acquire(image.acl), null, slot);
    this.writeStat(slot, image);
    this.dataSize += path.length + (image.data === null ? 0 : image.data.length);
    return node;
  }

  private writeStat(slot: number, image: PersistedNode): void {
    const s = this.stats;
    s.setLong(slot, L_CZXID, image.czxid);
    s.setLong(slot, L_MZXID, image.mzxid);
    s.setLong(slot, L_CTIME, image.ctime);
    s.setLong(slot, L_MTIME, image.mtime);
    s.setLong(slot, L_OWNER, BigInt.asIntN(64, image.ephemeralOwner));
    s.setLong(slot, L_PZXID, image.pzxid);
    s.setInt(slot, I_VERSION, image.version);
    s.setInt(slot, I_CVERSION, image.cversion);
    s.setInt(slot, I_AVERSION, image.aversion);
  }

  /**
   * Inserts a node under its existing parent with exactly the persisted fields given; the parent's
   * stat is not touched (callers own cversion/pzxid). Used for creates, undo and snapshot loading.
   */
  attach(path: string, image: PersistedNode): ZNode {
    const slash = path.lastIndexOf("/");
    const parent = this.get(path.slice(0, slash));
    if (parent === undefined || slash < 0 || this.nodes.has(path)) {
      throw new Error(`invariant: attach ${JSON.stringify(path)} needs an existing parent and a free path`);
    }
    const node = this.newNode(path, image);
    this.nodes.set(path, node);
    if (parent.children === null) parent.children = new Set();
    parent.children.add(path.slice(slash + 1));
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
    if (node === undefined || node === this.root || node.children !== null) {
      throw new Error(`invariant: detach ${JSON.stringify(path)} needs an existing childless non-root node`);
    }
    const slash = path.lastIndexOf("/");
    const parent = this.get(path.slice(0, slash))!;
    const image = this.persisted(node);
    this.nodes.delete(path);
    parent.children!.delete(path.slice(slash + 1));
    if (parent.children!.size === 0) parent.children = null;
    this.acls.release(node.aclEntry);
    this.stats.release(node.slot);
    this.dataSize -= path.length + (node.data === null ? 0 : node.data.length);
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
    this.stats.setInt(node.slot, I_CVERSION, storedCversion);
    this.stats.setLong(node.slot, L_PZXID, pzxid);
  }

  setData(node: ZNode, data: Buffer | null, version: number, mzxid: bigint, mtime: bigint): void {
    this.dataSize += (data === null ? 0 : data.length) - (node.data === null ? 0 : node.data.length);
    node.data = internData(data);
    this.stats.setInt(node.slot, I_VERSION, version);
    this.stats.setLong(node.slot, L_MZXID, mzxid);
    this.stats.setLong(node.slot, L_MTIME, mtime);
  }

  setACL(node: ZNode, acl: readonly ACL[], aversion: number): void {
    const next = this.acls.acquire(acl);
    this.acls.release(node.aclEntry);
    node.aclEntry = next;
    this.stats.setInt(node.slot, I_AVERSION, aversion);
  }

  /** Number of nodes below `path`, not counting it (getAllChildrenNumber); the walk visits each once. */
  descendantCount(path: string): number {
    const start = this.get(path);
    if (start === undefined) return 0;
    if (start === this.root) return this.nodes.size - 1;
    let count = 0;
    const pending: string[] = [path];
    while (pending.length > 0) {
      const p = pending.pop()!;
      const children = this.nodes.get(p)!.children;
      if (children === null) continue;
      for (const name of children) {
        count++;
        pending.push(`${p}/${name}`);
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
    for (const [path, node] of this.nodes) {
      const s = this.stats;
      const slot = node.slot;
      h.reset()
        .string(path)
        .bytes(node.data)
        .string(node.aclEntry.key)
        .long(s.getLong(slot, L_CZXID))
        .long(s.getLong(slot, L_MZXID))
        .long(s.getLong(slot, L_CTIME))
        .long(s.getLong(slot, L_MTIME))
        .int(s.getInt(slot, I_VERSION))
        .int(s.getInt(slot, I_CVERSION))
        .int(s.getInt(slot, I_AVERSION))
        .long(s.getLong(slot, L_OWNER))
        .long(s.getLong(slot, L_PZXID));
      sum.add(h.finish());
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
