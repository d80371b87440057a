// The znode tree: every node keyed by its full path for O(1) lookup. A node is only a slot number:
// its stat fields live in typed-array columns, its data as a latin1 string, its ACL as an index into
// interned lists, and its children as an intrusive list threaded through int columns (parent, first
// child, next and previous sibling). No per-node object, Map entry or Set is allocated, which keeps
// memory per znode small at millions of nodes and lets a snapshot load a node in well under a
// microsecond; a loaded node's path and data even stay in the snapshot's file image until something
// needs them as strings. The tree stores; the rules live in state/.

import { CONTAINER_EPHEMERAL_OWNER, TTL_EPHEMERAL_OWNER_PREFIX } from "../protocol/constants.js";
import { type ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Stat } from "../protocol/data.js";
import { AclCache } from "./acl-cache.js";
import { bytesHash32, DigestSum, Hasher64 } from "./hash.js";
import { nameOf } from "./path.js";
import { PathIndex, type PathKeys, pathHash } from "./path-index.js";
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

/**
 * A node's persisted stat as 32-bit words, in the order a snapshot record holds the fields: czxid,
 * mzxid, ctime, mtime (each high word then low word), version, cversion, aversion, ephemeralOwner,
 * pzxid. Snapshots move stats in this form so that no field becomes a BigInt on the way.
 */
export const STAT_WORDS = 15;
const W_VERSION = 8;
const W_CVERSION = 9;
const W_AVERSION = 10;
const W_OWNER = 11;
/** Where each long column's high word sits in the stat words. */
const LONG_WORD_AT = [0, 2, 4, 6, 11, 13] as const;

// Column layout. Longs: czxid, mzxid, ctime, mtime, ephemeralOwner, pzxid. Ints: version, stored
// cversion, aversion, ACL list index, then the child list: parent, first child, next and previous
// sibling (the first child's previous is the last child, so appending is O(1)), child count; then the
// data's hash and the two lanes of the node's digest term.
const LONGS = 6;
const L_CZXID = 0;
const L_MZXID = 1;
const L_CTIME = 2;
const L_MTIME = 3;
const L_OWNER = 4;
const L_PZXID = 5;
const INTS = 12;
const I_VERSION = 0;
const I_CVERSION = 1;
const I_AVERSION = 2;
const I_ACL = 3;
const I_PARENT = 4;
const I_FIRST = 5;
const I_NEXT = 6;
const I_PREV = 7;
const I_COUNT = 8;
const I_DATA_HASH = 9;
/** The node's digest term as the running digest holds it, so a change subtracts it unhashed. */
const I_TERM_HI = 10;
const I_TERM_LO = 11;
const NONE = -1;
const CHUNK_BITS = 14;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;

// Long columns are also written and read as int32 word pairs through a view of the same memory,
// low word first: that layout is the host's, so the tree insists on a little-endian host.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("Paddock's column store needs a little-endian host");
}

/**
 * Per-node columns in fixed-size typed-array chunks (growth never copies, wastes at most a chunk),
 * plus plain arrays for the data and the path. Data is kept as a latin1 string, one byte per char:
 * a short string costs a fraction of a Buffer object.
 */
class Columns {
  private readonly longChunks: BigInt64Array[] = [];
  /** The same memory as longChunks, as int32 words. */
  private readonly wordChunks: Int32Array[] = [];
  private readonly intChunks: Int32Array[] = [];
  /**
   * A latin1 string, null, or (for data loaded from a snapshot and not changed since) the offset of
   * its bytes in the snapshot's file image (see DataTree.restore).
   */
  readonly data: (string | null | number)[] = [];
  /**
   * Each slot's path (null when free): the path index's keys and how a change to a handle is named.
   * A path loaded from a snapshot stays in its file image, as the offset of its ASCII bytes there,
   * until something needs it as a string (see DataTree.pathOf).
   */
  readonly paths: (string | number | null)[] = [];
  private readonly free: number[] = [];
  next = 0;

  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next++;
    if ((slot & CHUNK_MASK) === 0) {
      const longs = new BigInt64Array(CHUNK_SLOTS * LONGS);
      this.longChunks.push(longs);
      this.wordChunks.push(new Int32Array(longs.buffer));
      this.intChunks.push(new Int32Array(CHUNK_SLOTS * INTS));
    }
    this.data.push(null);
    this.paths.push(null);
    return slot;
  }

  release(slot: number): void {
    this.data[slot] = null;
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

  /** Whether a long field is zero, without making a BigInt. */
  longIsZero(slot: number, field: number): boolean {
    const words = this.wordChunks[slot >>> CHUNK_BITS]!;
    const at = ((slot & CHUNK_MASK) * LONGS + field) * 2;
    return words[at] === 0 && words[at + 1] === 0;
  }

  /** Copies the persisted stat in or out as STAT_WORDS words (in from `words` at `from`). */
  setStatWords(slot: number, words: ArrayLike<number>, from: number): void {
    const w = this.wordChunks[slot >>> CHUNK_BITS]!;
    const longs = (slot & CHUNK_MASK) * LONGS * 2;
    for (let f = 0; f < LONGS; f++) {
      const at = from + LONG_WORD_AT[f]!;
      w[longs + 2 * f] = words[at + 1]!;
      w[longs + 2 * f + 1] = words[at]!;
    }
    const ints = this.intChunks[slot >>> CHUNK_BITS]!;
    const i = (slot & CHUNK_MASK) * INTS;
    ints[i + I_VERSION] = words[from + W_VERSION]!;
    ints[i + I_CVERSION] = words[from + W_CVERSION]!;
    ints[i + I_AVERSION] = words[from + W_AVERSION]!;
  }

  statWords(slot: number, out: Int32Array): void {
    const w = this.wordChunks[slot >>> CHUNK_BITS]!;
    const longs = (slot & CHUNK_MASK) * LONGS * 2;
    for (let f = 0; f < LONGS; f++) {
      const at = LONG_WORD_AT[f]!;
      out[at] = w[longs + 2 * f + 1]!;
      out[at + 1] = w[longs + 2 * f]!;
    }
    const ints = this.intChunks[slot >>> CHUNK_BITS]!;
    const i = (slot & CHUNK_MASK) * INTS;
    out[W_VERSION] = ints[i + I_VERSION]!;
    out[W_CVERSION] = ints[i + I_CVERSION]!;
    out[W_AVERSION] = ints[i + I_AVERSION]!;
  }
}

const SLASH_BYTE = 0x2f;

/** Whether `s` is the UTF-8 bytes[start, end). */
function stringEqualsBytes(s: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return Buffer.from(s).equals(bytes.subarray(start, end));
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Past ASCII, one UTF-16 unit per byte is a coincidence of lengths: compare the encoding.
    if (c > 0x7f) return Buffer.from(s).equals(bytes.subarray(start, end));
    if (c !== bytes[start + i]) return false;
  }
  return true;
}

/** Reads hand out this one buffer for zero-length data; it cannot be written through. */
const EMPTY_DATA = Buffer.alloc(0);

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

function putLong(out: Int32Array, at: number, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  out[at] = Number(u >> 32n) | 0;
  out[at + 1] = Number(u & 0xffffffffn) | 0;
}

/** The stat words of a node image. */
export function persistedStatWords(n: PersistedNode, out: Int32Array): Int32Array {
  putLong(out, 0, n.czxid);
  putLong(out, 2, n.mzxid);
  putLong(out, 4, n.ctime);
  putLong(out, 6, n.mtime);
  out[W_VERSION] = n.version;
  out[W_CVERSION] = n.cversion;
  out[W_AVERSION] = n.aversion;
  putLong(out, W_OWNER, n.ephemeralOwner);
  putLong(out, 13, n.pzxid);
  return out;
}

/**
 * A node's digest term, built in `h`: its path's hash (pathHash), its data's (dataHash) and length
 * (-1 for null), its ACL list's digest word and its persisted stat words. The tree keeps the sum of
 * these; a snapshot loader computes the same terms from the records.
 */
export function nodeTerm(
  h: Hasher64,
  pathHashValue: number,
  hashOfData: number,
  dataLength: number,
  aclDigest: number,
  words: ArrayLike<number>,
  wordsAt = 0,
): Hasher64 {
  h.reset().int(pathHashValue).int(hashOfData).int(dataLength).int(aclDigest);
  for (let i = 0; i < STAT_WORDS; i++) h.int(words[wordsAt + i]!);
  return h;
}

/**
 * A node as DataTree.restore takes it: RESTORE_INTS int32s holding where its path and data are in the
 * record's bytes (the path's UTF-8 length; the data's length, -1 for null), its path hash, data
 * hash, the two lanes of its digest term (nodeTerm) and its STAT_WORDS stat words.
 */
export const RESTORE_INTS = 8 + STAT_WORDS;
export const R_PATH_AT = 0;
export const R_PATH_LENGTH = 1;
export const R_DATA_AT = 2;
export const R_DATA_LENGTH = 3;
export const R_PATH_HASH = 4;
export const R_DATA_HASH = 5;
export const R_TERM_HI = 6;
export const R_TERM_LO = 7;
export const R_WORDS = 8;

/** The byte "z": a restored path starting "/z" may be a system or quota path, which is kept as a string. */
const Z_BYTE = 0x7a;

/** The data hash a node keeps for its digest term: bytesHash32 of the data, 0 for null. */
function dataHash(data: Uint8Array | null): number {
  return data === null ? 0 : bytesHash32(data, 0, data.length);
}

/** A node's data as the tree stores it: a latin1 string, one char per byte (null stays null). */
function storedData(data: Buffer | null): string | null {
  return data === null ? null : data.toString("latin1");
}

export interface DataTreeOptions {
  /** zookeeper.extendedTypesEnabled: only then does an 0xFF-prefixed owner mean a TTL node. */
  readonly extendedTypesEnabled?: boolean;
}

export class DataTree {
  private readonly cols = new Columns();
  private readonly index = new PathIndex(this.pathKeys());
  private readonly acls = new AclCache();
  private readonly ephemeralsByOwner = new Map<bigint, Set<string>>();
  private readonly containerPaths = new Set<string>();
  private readonly ttlPaths = new Set<string>();
  private readonly quotaRootIndex = new QuotaRoots();
  private readonly extendedTypesEnabled: boolean;
  private readonly root: ZNode;
  private dataSize = 0;
  /** The loaded snapshot's file image, while some node's path or data is still in it (see restore). */
  private image: Buffer | undefined;
  /** Paths and data kept in the image: it goes when the last of them is let go. */
  private imageHolders = 0;
  /** The chunk holdImage saw last and where it starts in the image (-1: elsewhere); chunks give many. */
  private heldChunk: Buffer | undefined;
  private heldChunkStart = -1;
  private ephemeralCount = 0;
  /**
   * The sum of every node's digest term, kept up to date by each change (as ZooKeeper's DataTree
   * does): a snapshot takes it at its zxid for free, and a loaded tree is checked against it.
   */
  private readonly digestSum = new DigestSum();
  private readonly hasher = new Hasher64();
  private readonly termWords = new Int32Array(STAT_WORDS);
  private readonly termLanes = new Int32Array(2);
  /** Set by a snapshot in progress; see TreeChangeObserver. */
  changeObserver: TreeChangeObserver | undefined;

  constructor(options: DataTreeOptions = {}) {
    this.extendedTypesEnabled = options.extendedTypesEnabled ?? false;
    this.root = this.newNode("/", pathHash("/"), systemNode(OPEN_ACL_UNSAFE, 0));
    this.cols.setInt(this.root, I_PARENT, NONE);
    this.addTerm(this.root);
    this.attach("/zookeeper", systemNode(OPEN_ACL_UNSAFE, 0));
    this.attach("/zookeeper/quota", systemNode(OPEN_ACL_UNSAFE, 0));
    // ZooKeeper sets this node's ACL with version -1 at start-up, so clients see aversion -1.
    this.attach("/zookeeper/config", systemNode(READ_ACL_UNSAFE, -1));
  }

  /** The node at `path`; "" is ZooKeeper's alias of the root and finds it too. */
  get(path: string): ZNode | undefined {
    if (path === "") return this.root;
    const node = this.index.get(path);
    return node < 0 ? undefined : node;
  }

  /** The node at the path held as UTF-8 bytes[start, end), whose pathHash is `hash`; -1 when none. */
  findBytes(bytes: Uint8Array, start: number, end: number, hash: number): ZNode {
    return this.index.findBytes(bytes, start, end, hash);
  }

  /** Nodes in the tree, the root once. */
  get nodeCount(): number {
    return this.index.size;
  }

  /** ZooKeeper's "Node count" / zk_znode_count: its map also holds the root under "", so one more. */
  get znodeCount(): number {
    return this.index.size + 1;
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

  *paths(): IterableIterator<string> {
    for (const [path] of this.entries()) yield path;
  }

  /**
   * Every node with its path, in slot order; a live iterator that also visits nodes attached while
   * it runs (at slots it has not passed yet).
   */
  *entries(): IterableIterator<[string, ZNode]> {
    for (const node of this.nodes()) yield [this.pathOf(node), node];
  }

  /** Every node, in slot order; live like entries(), without making each path a string. */
  *nodes(): IterableIterator<ZNode> {
    const paths = this.cols.paths;
    for (let slot = 0; slot < this.cols.next; slot++) {
      const path = paths[slot];
      if (path !== null && path !== undefined) yield slot;
    }
  }

  /** The path of a live node. One still in the snapshot image becomes a string now, and stays one. */
  pathOf(node: ZNode): string {
    const stored = this.cols.paths[node]!;
    if (typeof stored === "string") return stored;
    const path = this.image!.toString("latin1", stored, stored + this.image!.readInt32BE(stored - 4));
    this.cols.paths[node] = path;
    this.releaseImage();
    return path;
  }

  /**
   * The path as stored, for a snapshot writer that copies it at once: a string, or the UTF-8 bytes
   * of a path still in the loaded snapshot's image (no string is made for those).
   */
  storedPathOf(node: ZNode): string | Buffer {
    const stored = this.cols.paths[node]!;
    return typeof stored === "string" ? stored : this.imageBytes(stored);
  }

  /** Compares index keys with paths where they are kept, a string only made on a match. */
  private pathKeys(): PathKeys {
    const paths = this.cols.paths;
    return {
      keyEquals: (slot, path) => {
        const stored = paths[slot];
        return stored === path || (typeof stored === "number" && this.pathOf(slot) === path);
      },
      keyEqualsBytes: (slot, bytes, start, end) => {
        const stored = paths[slot]!;
        if (typeof stored === "string") return stringEqualsBytes(stored, bytes, start, end);
        const image = this.image!;
        const length = end - start;
        if (image.readInt32BE(stored - 4) !== length) return false;
        for (let i = 0; i < length; i++) if (image[stored + i] !== bytes[start + i]) return false;
        return true;
      },
    };
  }

  /** The node's data; a fresh Buffer per call (zero-length data shares one empty buffer). */
  dataOf(node: ZNode): Buffer | null {
    const stored = this.cols.data[node]!;
    return typeof stored === "number" ? Buffer.from(this.imageBytes(stored)) : loadData(stored);
  }

  /**
   * The node's data as stored, for a snapshot writer that copies it at once: a latin1 string (see
   * storedData), a view of the loaded snapshot's image, or null.
   */
  storedDataOf(node: ZNode): string | Buffer | null {
    const stored = this.cols.data[node]!;
    return typeof stored === "number" ? this.imageBytes(stored) : stored;
  }

  dataLength(node: ZNode): number {
    return Math.max(0, this.storedLength(node));
  }

  /** The data's length, -1 for null. */
  private storedLength(node: ZNode): number {
    const stored = this.cols.data[node];
    if (stored === null || stored === undefined) return -1;
    return typeof stored === "number" ? this.image!.readInt32BE(stored - 4) : stored.length;
  }

  /** The bytes of data kept in the image: a jute buffer, so its length is the int before it. */
  private imageBytes(at: number): Buffer {
    const image = this.image!;
    return image.subarray(at, at + image.readInt32BE(at - 4));
  }

  /** Lets go of a node's data before it changes; the image goes once no node points into it. */
  private dropData(node: ZNode): void {
    if (typeof this.cols.data[node] === "number") this.releaseImage();
  }

  private releaseImage(): void {
    this.imageHolders--;
    if (this.imageHolders === 0) {
      this.image = undefined;
      this.heldChunk = undefined;
    }
  }

  /**
   * Where chunk[at] is in the snapshot image the tree keeps (which becomes chunk's memory if the tree
   * keeps none yet), counted as one more holder of it; undefined when it is in other memory.
   */
  private holdImage(chunk: Buffer, at: number): number | undefined {
    if (chunk !== this.heldChunk) {
      this.image ??= Buffer.from(chunk.buffer);
      this.heldChunk = chunk;
      this.heldChunkStart = chunk.buffer === this.image.buffer ? chunk.byteOffset : -1;
    }
    const offset = this.heldChunkStart + at;
    // Offsets stay small integers in V8; bytes past 2 GiB of image, or from another image, are copied.
    if (this.heldChunkStart < 0 || offset >= 0x7fffffff) return undefined;
    this.imageHolders++;
    return offset;
  }

  aclOf(node: ZNode): readonly ACL[] {
    return this.acls.entry(this.cols.getInt(node, I_ACL)).acl;
  }

  /** The digest word of the node's ACL list (see nodeTerm). */
  aclDigestOf(node: ZNode): number {
    return this.acls.entry(this.cols.getInt(node, I_ACL)).digest;
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

  /** The persisted stat as STAT_WORDS words, written into `out`. */
  statWords(node: ZNode, out: Int32Array): Int32Array {
    this.cols.statWords(node, out);
    return out;
  }

  numChildren(node: ZNode): number {
    return this.cols.getInt(node, I_COUNT);
  }

  /** Child names, in creation order (ZooKeeper's order is a HashSet's: clients must not rely on one). */
  childrenOf(node: ZNode): string[] {
    const c = this.cols;
    const out: string[] = [];
    for (let child = c.getInt(node, I_FIRST); child !== NONE; child = c.getInt(child, I_NEXT)) {
      out.push(this.childName(child));
    }
    return out;
  }

  /** The last component of a node's path; a path still in the image stays there. */
  private childName(node: ZNode): string {
    const stored = this.cols.paths[node]!;
    if (typeof stored === "string") return nameOf(stored);
    const image = this.image!;
    const end = stored + image.readInt32BE(stored - 4);
    return image.toString("latin1", image.lastIndexOf(SLASH_BYTE, end - 1) + 1, end);
  }

  kindOfOwner(owner: bigint): NodeKindValue {
    if (this.extendedTypesEnabled && (BigInt.asUintN(64, owner) & TTL_PREFIX) === TTL_PREFIX)
      return NodeKind.TTL;
    if (owner === CONTAINER_OWNER) return NodeKind.CONTAINER;
    return owner === 0n ? NodeKind.PERSISTENT : NodeKind.EPHEMERAL;
  }

  kindOf(node: ZNode): NodeKindValue {
    return this.cols.longIsZero(node, L_OWNER)
      ? NodeKind.PERSISTENT
      : this.kindOfOwner(this.ephemeralOwner(node));
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

  private newNode(path: string, hash: number, image: PersistedNode): ZNode {
    const c = this.cols;
    const data = image.data;
    const node = this.newSlot(path, path.length, hash, storedData(data), data === null ? 0 : data.length);
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
    c.setInt(node, I_DATA_HASH, dataHash(data));
    return node;
  }

  /**
   * A slot for a new node, indexed under its path (stored as in Columns.paths, `pathLength` UTF-16
   * units long), holding its data and no children yet.
   */
  private newSlot(
    path: string | number,
    pathLength: number,
    hash: number,
    data: string | null | number,
    dataLength: number,
  ): ZNode {
    const c = this.cols;
    const node = c.alloc();
    c.paths[node] = path;
    c.data[node] = data;
    c.setInt(node, I_FIRST, NONE);
    c.setInt(node, I_COUNT, 0);
    this.index.insertHashed(node, hash);
    this.dataSize += pathLength + dataLength;
    return node;
  }

  /** Whether `parent` is the node at the parent path of `path`. */
  private isParentOf(parent: ZNode, path: string): boolean {
    const slash = path.lastIndexOf("/");
    if (this.cols.paths[parent] === null || slash < 0) return false;
    const p = this.pathOf(parent);
    return slash === 0 ? p === "/" : p.length === slash && path.startsWith(p);
  }

  /** Threads a new node onto the end of its parent's child list and indexes what its kind needs. */
  private link(node: ZNode, parent: ZNode): void {
    const c = this.cols;
    c.setInt(node, I_PARENT, parent);
    c.setInt(node, I_NEXT, NONE);
    const first = c.getInt(parent, I_FIRST);
    if (first === NONE) {
      c.setInt(parent, I_FIRST, node);
      c.setInt(node, I_PREV, node);
    } else {
      const last = c.getInt(first, I_PREV);
      c.setInt(last, I_NEXT, node);
      c.setInt(node, I_PREV, last);
      c.setInt(first, I_PREV, node);
    }
    c.setInt(parent, I_COUNT, c.getInt(parent, I_COUNT) + 1);
    // A path left in the snapshot image does not start "/z" (see restore), so it is no quota path.
    const path = c.paths[node];
    if (typeof path === "string") this.quotaRootIndex.nodeAttached(path);
    if (!c.longIsZero(node, L_OWNER)) this.indexKind(this.pathOf(node), c.getLong(node, L_OWNER));
  }

  private indexKind(path: string, owner: bigint): void {
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
  }

  /**
   * Inserts a node under its existing parent with exactly the persisted fields given; the parent's
   * stat is not touched (callers own cversion/pzxid). Used for creates and undo.
   */
  attach(path: string, image: PersistedNode): ZNode {
    const parent = this.get(path.slice(0, Math.max(0, path.lastIndexOf("/"))));
    if (parent === undefined)
      throw new Error(`invariant: attach ${JSON.stringify(path)} needs an existing parent`);
    return this.attachUnder(parent, path, image);
  }

  /** attach for a caller that has just looked up the parent: the same checks, one lookup fewer. */
  attachUnder(parent: ZNode, path: string, image: PersistedNode): ZNode {
    const hash = pathHash(path);
    if (!this.isParentOf(parent, path) || this.index.find(path, hash) >= 0) {
      throw new Error(`invariant: attach ${JSON.stringify(path)} needs its parent and a free path`);
    }
    this.changeObserver?.beforeChange(path, undefined);
    const node = this.newNode(path, hash, image);
    this.link(node, parent);
    this.addTerm(node);
    return node;
  }

  /**
   * Adds a node read from a snapshot under `parent`, which the caller found by this node's parent
   * path (restore does not look again): its path, data and stat as RESTORE_INTS ints of `prepared`
   * from `at` (where path and data are in `src`, their hashes, the digest term and the stat words,
   * computed off the main thread), its ACL list by the index `internAcl` returned. `path` is the path
   * as a string when the caller has made one; it must be given for a path that is not all ASCII.
   * Undefined when the path is already taken.
   *
   * No BigInt, no ACL key, no hash and no string is made: path and data stay where they are in the
   * snapshot's file image (src's memory, both held as jute values, length first), which the tree
   * keeps while any node's path or data is there. That spares the garbage collector two million
   * strings on a restart, for the price of keeping the image's other bytes (stats) too until the
   * paths and data they sit between have all been deleted, changed or read as strings.
   */
  restore(
    parent: ZNode,
    path: string | undefined,
    src: Buffer,
    aclIndex: number,
    prepared: Int32Array,
    at: number,
  ): ZNode | undefined {
    const pathAt = prepared[at + R_PATH_AT]!;
    const pathLength = prepared[at + R_PATH_LENGTH]!;
    const hash = prepared[at + R_PATH_HASH]!;
    if (this.index.findBytes(src, pathAt, pathAt + pathLength, hash) >= 0) return undefined;
    if (path !== undefined && !this.isParentOf(parent, path)) {
      throw new Error(
        `invariant: restore ${JSON.stringify(path)} under ${JSON.stringify(this.pathOf(parent))}`,
      );
    }
    // Paths starting "/z" are strings from the start: system and quota paths (under /zookeeper) are
    // few, looked up often, and quota roots are indexed by string as they attach.
    const stored =
      path ??
      (src[pathAt + 1] === Z_BYTE ? undefined : this.holdImage(src, pathAt)) ??
      src.toString("latin1", pathAt, pathAt + pathLength);
    this.changeObserver?.beforeChange(path ?? src.toString("latin1", pathAt, pathAt + pathLength), undefined);
    const c = this.cols;
    const dataAt = prepared[at + R_DATA_AT]!;
    const dataLength = prepared[at + R_DATA_LENGTH]!;
    const node = this.newSlot(
      stored,
      path === undefined ? pathLength : path.length,
      hash,
      this.keepData(src, dataAt, dataLength),
      Math.max(0, dataLength),
    );
    this.acls.retain(aclIndex);
    c.setInt(node, I_ACL, aclIndex);
    c.setStatWords(node, prepared, at + R_WORDS);
    c.setInt(node, I_DATA_HASH, prepared[at + R_DATA_HASH]!);
    this.link(node, parent);
    this.addTermLanes(node, prepared[at + R_TERM_HI]!, prepared[at + R_TERM_LO]!);
    return node;
  }

  /** Restored data as stored: in place in the image when it is there, else as a string. */
  private keepData(src: Buffer, dataAt: number, dataLength: number): string | null | number {
    if (dataLength <= 0) return dataLength === 0 ? "" : null;
    return this.holdImage(src, dataAt) ?? src.toString("latin1", dataAt, dataAt + dataLength);
  }

  /** Makes room for `nodes` nodes in all before a snapshot restores them. */
  reserve(nodes: number): void {
    this.index.reserve(nodes);
  }

  /**
   * Interns an ACL list for `restore` and returns its index, holding one reference that
   * `releaseAcl` gives back once the loader is done with it.
   */
  internAcl(acl: readonly ACL[]): number {
    return this.acls.acquire(acl);
  }

  releaseAcl(index: number): void {
    this.acls.release(index);
  }

  /** Removes a childless node and returns what it persisted; the parent's stat is not touched. */
  detach(path: string): PersistedNode {
    const node = this.get(path);
    if (node === undefined || node === this.root || this.numChildren(node) !== 0) {
      throw new Error(`invariant: detach ${JSON.stringify(path)} needs an existing childless non-root node`);
    }
    this.changeObserver?.beforeChange(path, node);
    const c = this.cols;
    const image = this.persisted(node);
    this.removeTerm(node);
    this.dataSize -= path.length + this.dataLength(node);
    this.dropData(node);
    this.unlink(node);
    this.index.delete(node);
    if (typeof c.paths[node] === "number") this.releaseImage();
    this.quotaRootIndex.nodeDetached(path);
    this.acls.release(c.getInt(node, I_ACL));
    c.release(node);
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

  private unlink(node: ZNode): void {
    const c = this.cols;
    const parent = c.getInt(node, I_PARENT);
    const first = c.getInt(parent, I_FIRST);
    const next = c.getInt(node, I_NEXT);
    const prev = c.getInt(node, I_PREV);
    if (first === node) {
      c.setInt(parent, I_FIRST, next);
      if (next !== NONE) c.setInt(next, I_PREV, prev);
    } else {
      c.setInt(prev, I_NEXT, next);
      // The first child's previous is the last child: it moves back when the last one goes.
      c.setInt(next === NONE ? first : next, I_PREV, prev);
    }
    c.setInt(parent, I_COUNT, c.getInt(parent, I_COUNT) - 1);
  }

  setChildCounters(node: ZNode, storedCversion: number, pzxid: bigint): void {
    this.changeObserver?.beforeChange(this.pathOf(node), node);
    this.removeTerm(node);
    this.cols.setInt(node, I_CVERSION, storedCversion);
    this.cols.setLong(node, L_PZXID, pzxid);
    this.addTerm(node);
  }

  setData(node: ZNode, data: Buffer | null, version: number, mzxid: bigint, mtime: bigint): void {
    this.changeObserver?.beforeChange(this.pathOf(node), node);
    this.removeTerm(node);
    this.dataSize += (data === null ? 0 : data.length) - this.dataLength(node);
    this.dropData(node);
    this.cols.data[node] = storedData(data);
    this.cols.setInt(node, I_DATA_HASH, dataHash(data));
    this.cols.setInt(node, I_VERSION, version);
    this.cols.setLong(node, L_MZXID, mzxid);
    this.cols.setLong(node, L_MTIME, mtime);
    this.addTerm(node);
  }

  setACL(node: ZNode, acl: readonly ACL[], aversion: number): void {
    this.changeObserver?.beforeChange(this.pathOf(node), node);
    this.removeTerm(node);
    const next = this.acls.acquire(acl);
    this.acls.release(this.cols.getInt(node, I_ACL));
    this.cols.setInt(node, I_ACL, next);
    this.cols.setInt(node, I_AVERSION, aversion);
    this.addTerm(node);
  }

  /**
   * A node's digest term, built in the tree's hasher: its path's and data's hashes, data length,
   * ACL list's digest word and persisted stat words.
   */
  private term(node: ZNode): Hasher64 {
    const c = this.cols;
    c.statWords(node, this.termWords);
    return nodeTerm(
      this.hasher,
      this.index.hashOf(node),
      c.getInt(node, I_DATA_HASH),
      this.storedLength(node),
      this.aclDigestOf(node),
      this.termWords,
    );
  }

  private addTerm(node: ZNode): void {
    const lanes = this.termLanes;
    this.term(node).finishTo(lanes, 0);
    this.addTermLanes(node, lanes[0]!, lanes[1]!);
  }

  /** Adds a node's term, given as its two int32 lanes, to the digest and keeps it for removeTerm. */
  private addTermLanes(node: ZNode, hi: number, lo: number): void {
    this.cols.setInt(node, I_TERM_HI, hi);
    this.cols.setInt(node, I_TERM_LO, lo);
    this.digestSum.addLanes(hi >>> 0, lo >>> 0);
  }

  private removeTerm(node: ZNode): void {
    const c = this.cols;
    this.digestSum.subtractLanes(c.getInt(node, I_TERM_HI) >>> 0, c.getInt(node, I_TERM_LO) >>> 0);
  }

  /** Number of nodes below `path`, not counting it (getAllChildrenNumber); the walk visits each once. */
  descendantCount(path: string): number {
    const start = this.get(path);
    if (start === undefined) return 0;
    if (start === this.root) return this.index.size - 1;
    const c = this.cols;
    let count = 0;
    const pending: ZNode[] = [start];
    while (pending.length > 0) {
      const node = pending.pop()!;
      for (let child = c.getInt(node, I_FIRST); child !== NONE; child = c.getInt(child, I_NEXT)) {
        count++;
        pending.push(child);
      }
    }
    return count;
  }

  /**
   * A 64-bit digest of every node's path, data, ACL and persisted stat, summed so that it does not
   * depend on iteration order: two trees with the same content have the same digest. Kept as the
   * tree changes, so this costs nothing.
   */
  digest(): bigint {
    return this.digestSum.value;
  }

  /** The digest summed afresh over every node: what digest() must always equal. */
  recomputeDigest(): bigint {
    const sum = new DigestSum();
    for (const node of this.nodes()) this.term(node).finishInto(sum);
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
